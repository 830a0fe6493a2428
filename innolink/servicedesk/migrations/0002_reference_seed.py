"""Seed the request categories, the time limits by type and the settings row."""

from django.db import migrations


def seed(apps, schema_editor):
    from innolink.servicedesk.reference import seed_reference

    seed_reference(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
