"""Data for the fields 0005 added (decision 0350–0353): each existing indicator keeps its target
as written (``raw_text``, from the structured value it had), and each existing researcher gets
the GB/T 13745 codes its discipline and fields map to. Existing funding was always a fixed
amount, which is the default of ``funding_kind``; nothing else changes meaning."""

from decimal import Decimal

from django.db import migrations

SYMBOLS = {"ge": "≥", "le": "≤", "eq": "=", "gt": ">", "lt": "<"}


def _fmt(value):
    text = format(Decimal(value).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def forwards(apps, schema_editor):
    from innolink.challenges.disciplines import match_text

    IndicatorTarget = apps.get_model("challenges", "IndicatorTarget")
    rows = []
    for t in IndicatorTarget.objects.filter(raw_text="").exclude(value=None).iterator():
        unit = t.unit or ""
        if t.comparator == "range" and t.value_max is not None:
            t.raw_text = f"{_fmt(t.value)}~{_fmt(t.value_max)}{unit}"
        else:
            t.raw_text = f"{SYMBOLS.get(t.comparator, '')}{_fmt(t.value)}{unit}"
        rows.append(t)
        if len(rows) >= 1000:
            IndicatorTarget.objects.bulk_update(rows, ["raw_text"])
            rows = []
    IndicatorTarget.objects.bulk_update(rows, ["raw_text"])

    ResearcherProfile = apps.get_model("challenges", "ResearcherProfile")
    rows = []
    for p in ResearcherProfile.objects.filter(discipline_codes=[]).only(
            "id", "discipline", "research_fields").iterator():
        codes = match_text(p.discipline, p.research_fields)
        if codes:
            p.discipline_codes = codes
            rows.append(p)
        if len(rows) >= 1000:
            ResearcherProfile.objects.bulk_update(rows, ["discipline_codes"])
            rows = []
    ResearcherProfile.objects.bulk_update(rows, ["discipline_codes"])


class Migration(migrations.Migration):

    dependencies = [("challenges", "0006_real_listings")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
