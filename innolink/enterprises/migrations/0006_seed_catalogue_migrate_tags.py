"""Seed the qualification types, item kinds and extra indicators from the rules engine's catalogue,
and move the two former 专精特新 tags onto the levels of the ``specialized`` type (ADR 0132). Every
other former tag already is a qualification type of the same code, so its rows stay as they are;
dates, first/renewed flags and reference numbers are kept on every row."""

from django.db import migrations

from innolink.enterprises.migrations._seed import catalogue_indicators, item_kinds, qualification_types

LEGACY = {"specialized_provincial": "provincial", "specialized_national": "national"}


def forward(apps, schema_editor):
    qualification_types(apps)
    item_kinds(apps)
    catalogue_indicators(apps)
    Tag = apps.get_model("enterprises", "EnterpriseTag")
    for old, level in LEGACY.items():
        Tag.objects.filter(tag=old).update(tag="specialized", level=level)


def backward(apps, schema_editor):
    Tag = apps.get_model("enterprises", "EnterpriseTag")
    for old, level in LEGACY.items():
        Tag.objects.filter(tag="specialized", level=level).update(tag=old, level="")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0005_qualifications_items_indicator_kinds")]
    operations = [migrations.RunPython(forward, backward)]
