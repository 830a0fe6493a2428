from django.db import migrations

from innolink.enterprises.migrations._seed import INDICATORS, indicator_definitions


def add(apps, schema_editor):
    indicator_definitions(apps)


def remove(apps, schema_editor):
    apps.get_model("enterprises", "IndicatorDefinition").objects.filter(
        code__in=[row[0] for row in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
