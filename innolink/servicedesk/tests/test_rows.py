"""The request tables' rows come ready to print (ADR 0421): the same texts the model gives,
in the reader's language."""

from __future__ import annotations

from django.utils import timezone, translation

from innolink.servicedesk import sla
from innolink.servicedesk.models import ServiceRequest
from innolink.servicedesk.reference import town_label
from innolink.servicedesk.rows import table_rows


def _one(filed):
    return ServiceRequest.objects.select_related("enterprise", "category", "department").get(
        pk=filed.pk)


def test_row_texts_match_the_model_in_both_languages(filed):
    r = _one(filed)
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            (row,) = table_rows([r])
            cd = sla.countdown(r)
            assert row["url"] == f"/servicedesk/requests/{r.pk}/"
            assert row["number"] == r.number and row["title"] == r.title
            assert row["channel"] == r.get_channel_display()
            assert row["kind"] == r.get_kind_display()
            assert row["status"] == r.status and row["status_label"] == r.get_status_display()
            assert row["category"] == translation.gettext(r.category.name)
            assert row["department"] == translation.gettext(r.department.name)
            assert row["town"] == town_label(r.town)
            assert row["created"] == timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M")
            assert row["cd"]["level"] == str(cd.level) and row["cd"]["text"] == cd.text
    with translation.override("en"):
        (row,) = table_rows([r])
        assert row["status_label"] != ServiceRequest.objects.get(pk=r.pk).status  # translated
        assert row["cd"]["title"].isascii() and row["channel"].isascii()


def test_closed_request_has_no_countdown_and_no_department_dash(filed):
    r = _one(filed)
    r.status, r.deadline_at, r.department = "closed", None, None
    (row,) = table_rows([r])
    assert row["cd"] is None and row["department"] == "—"
    assert table_rows([]) == []
