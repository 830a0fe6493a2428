"""Ingest reasons are stored as a msgid with values and read in the reader's language (ADR 0390):
the log written while the ingesting request was in English still keeps the Chinese text, and a
page in either language words the same row in its own language."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from innolink.engines.weather import CapError, parse_cap
from innolink.weather import reasons, services
from innolink.weather.capdocs import cap, ref
from innolink.weather.models import IngestLog, Warning

ENGINES = Path(__file__).resolve().parents[2] / "engines" / "weather"


def _engine_msgids() -> set[str]:
    """Every literal message the weather engine raises (CapError's second, SignalError's first
    argument)."""
    found = set()
    for name in ("cap.py", "signals.py"):
        for node in ast.walk(ast.parse((ENGINES / name).read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                at = {"CapError": 1, "SignalError": 0}.get(node.func.id)
                if at is not None and len(node.args) > at:
                    arg = node.args[at]
                    assert isinstance(arg, ast.Constant), f"{name}:{node.lineno} builds its message"
                    found.add(arg.value)
    return found


def test_every_engine_reason_is_in_the_catalogue_list():
    assert _engine_msgids() == set(reasons.ENGINE_REASONS)


def test_engine_reason_keeps_its_chinese_text_and_its_values():
    with pytest.raises(CapError) as caught:
        parse_cap(b"<alert/>")
    exc = caught.value
    assert exc.code == "cap_not_cap"
    assert exc.message == "不是 CAP 1.2 消息：根元素应为 urn:oasis:names:tc:emergency:cap:1.2 命名空间的 alert"
    assert exc.msgid == "不是 CAP 1.2 消息：根元素应为 %(ns)s 命名空间的 alert"
    with translation.override("en"):
        assert reasons.render(exc.msgid, exc.params) == (
            "Not a CAP 1.2 message: the root element must be alert in the "
            "urn:oasis:names:tc:emergency:cap:1.2 namespace")


@pytest.mark.django_db
def test_a_refusal_ingested_in_english_is_stored_as_msgid_and_read_in_both_languages(
        client, feed, profiles, meteorologist, now):
    with translation.override("en"):
        result = services.cap_ingest(
            data=cap(identifier="X1", sent=now, city=True, sender="someone@else.example"),
            source="push")
        assert result.reason == ("Sender someone@else.example is not a registered warning feed; "
                                 "message not accepted")
    log = IngestLog.objects.get(pk=result.log_id)
    assert (log.code, log.reason_id, log.reason_params) == (
        "unknown_sender", "发送方 %(s)s 未登记为预警信息源，消息未采信", {"s": "someone@else.example"})
    assert log.reason == "发送方 someone@else.example 未登记为预警信息源，消息未采信"
    with translation.override("zh-hans"):
        assert log.reason_text == log.reason
    client.force_login(meteorologist)
    client.cookies["django_language"] = "en"
    page = client.get("/weather/ingest/").content.decode()
    assert "Sender someone@else.example is not a registered warning feed" in page
    assert "未登记为预警信息源" not in page
    client.cookies["django_language"] = "zh-hans"
    assert "发送方 someone@else.example 未登记为预警信息源，消息未采信" in client.get(
        "/weather/ingest/").content.decode()


@pytest.mark.django_db
def test_applied_and_ended_reasons_name_the_warning_in_the_readers_language(feed, profiles, now):
    created = services.cap_ingest(data=cap(identifier="Y1", sent=now, city=True), source="push")
    assert created.reason.startswith("已发布 台风红色预警，通知 ")
    log = IngestLog.objects.get(pk=created.log_id)
    with translation.override("en"):
        assert log.reason_text.startswith("Issued Typhoon red warning; ")
    cancel = cap(identifier="Y2", sent=now + dt.timedelta(minutes=5), msg_type="Cancel",
                 references=ref("Y1", now))
    assert services.cap_ingest(data=cancel, source="push").code == "cancelled"
    assert Warning.objects.get(pk=created.warning_id).state == Warning.State.CANCELLED
    again = cap(identifier="Y3", sent=now + dt.timedelta(minutes=9), msg_type="Cancel",
                references=ref("Y1", now))
    ended = services.cap_ingest(data=again, source="push")
    assert (ended.code, ended.reason) == ("already_ended", "该预警已解除")
    with translation.override("en"):
        assert IngestLog.objects.get(pk=ended.log_id).reason_text == "This warning is lifted"


@pytest.mark.django_db
def test_an_older_row_without_a_msgid_shows_as_stored(db):
    log = IngestLog.objects.create(source="push", outcome="refused", code="x", reason="旧的原因")
    with translation.override("en"):
        assert log.reason_text == "旧的原因"
