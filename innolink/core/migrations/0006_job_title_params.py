from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_job_message_params_audit_model_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='title_params',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
