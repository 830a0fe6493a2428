"""A run that failed before ADR 0792 stored the engine's message in both languages,
``"中文 / English"``. Split it once here: ``message`` keeps the Chinese half and ``message_en``
the English one, which ``methods.stored_error`` shows on an English page. Newer failures store
the engine's message id with values instead and are not touched."""

from django.db import migrations

SEPARATOR = " / "


def split_halves(apps, schema_editor):
    RankingRun = apps.get_model("rankings", "RankingRun")
    for run in RankingRun.objects.exclude(error={}).only("pk", "error").iterator():
        error = dict(run.error or {})
        message = str(error.get("message") or "")
        if error.get("msgid") or "message_en" in error or SEPARATOR not in message:
            continue
        chinese, english = message.split(SEPARATOR, 1)
        error.update(message=chinese.strip(), message_en=english.strip())
        RankingRun.objects.filter(pk=run.pk).update(error=error)


def join_halves(apps, schema_editor):
    RankingRun = apps.get_model("rankings", "RankingRun")
    for run in RankingRun.objects.exclude(error={}).only("pk", "error").iterator():
        error = dict(run.error or {})
        if "message_en" not in error:
            continue
        english = error.pop("message_en")
        error["message"] = f"{error.get('message', '')}{SEPARATOR}{english}"
        RankingRun.objects.filter(pk=run.pk).update(error=error)


class Migration(migrations.Migration):

    dependencies = [("rankings", "0001_initial")]

    operations = [migrations.RunPython(split_halves, join_halves)]
