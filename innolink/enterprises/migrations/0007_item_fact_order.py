"""Item kinds' facts carry their declared order as data (``order`` per fact, ADR 0380):
PostgreSQL's jsonb does not keep a mapping's key order, so forms and the API listed the facts
in whatever order the database returned."""

from django.db import migrations

from innolink.enterprises.migrations._seed import item_fact_order


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0006_seed_catalogue_migrate_tags")]
    operations = [migrations.RunPython(lambda apps, _schema: item_fact_order(apps), migrations.RunPython.noop)]
