"""Seed the working-day calendar with the years shipped in ``policies/data/cn_holidays.yaml``
(State Council notices 2024–2026). Rows already present are kept."""

from django.db import migrations


def seed(apps, schema_editor):
    from innolink.policies.workdays import seed_calendar

    seed_calendar(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("policies", "0004_calendarday"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
