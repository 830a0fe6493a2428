"""CAP ingestion end to end: alerts become targeted notices, updates replace them, cancels end
them; refused and ignored messages write nothing but a log line with the reason."""

import datetime as dt

import pytest

from innolink.core.models import AuditEntry
from innolink.weather import services
from innolink.weather.models import (CapMessage, IngestLog, Notice, NoticeAdvice, Warning,
                                      WarningTownTally)
from innolink.weather.capdocs import area_xml, cap, ref

pytestmark = pytest.mark.django_db


def _counts():
    return (Warning.objects.count(), Notice.objects.count(), CapMessage.objects.count(),
            AuditEntry.objects.filter(model="weather.warning").count(),
            WarningTownTally.objects.count())


def test_red_typhoon_over_the_city_reaches_every_profile_with_its_actions(feed, profiles, now):
    result = services.cap_ingest(data=cap(identifier="A1", sent=now, city=True), source="push")
    assert result.applied and result.code == "created"
    warning = Warning.objects.get(pk=result.warning_id)
    assert (warning.kind, warning.level, warning.whole_city) == ("台风", "红", True)
    notices = {n.enterprise_id: n for n in Notice.objects.filter(warning=warning)}
    # red_all reaches all six; port rule only the coastal port enterprises
    assert set(notices) == {e.pk for e in profiles}
    shenhu, jinjing, qingyang = (notices[profiles[i].pk] for i in range(3))
    assert "red_all" in shenhu.rules and "typhoon_port" in shenhu.rules
    assert "船舶回港避风，港区停止装卸作业" in shenhu.actions
    assert "typhoon_storage" in jinjing.rules and "typhoon_outdoor" in qingyang.rules
    assert notices[profiles[4].pk].rules == ["red_all"]
    assert warning.notices_active == 6 and warning.notices_acknowledged == 0
    assert {t.town: t.active for t in WarningTownTally.objects.filter(warning=warning)} == {
        "深沪": 1, "金井": 1, "青阳": 1, "陈埭": 1, "安海": 1, "磁灶": 1}
    log = IngestLog.objects.get(pk=result.log_id)
    assert (log.outcome, log.identifier) == ("applied", "A1")
    assert AuditEntry.objects.filter(model="weather.warning", object_id=str(warning.pk)).exists()


def test_notices_are_written_in_enterprise_order_across_rule_groups(feed, profiles, now):
    """The notices of a warning are inserted in one ascending-enterprise pass (the indexes fill
    in key order), each with its own rule group's advice, not one pass per group."""
    result = services.cap_ingest(data=cap(identifier="O1", sent=now, city=True), source="push")
    rows = list(Notice.objects.filter(warning_id=result.warning_id).order_by("pk").values_list(
        "enterprise_id", "advice_id", "advice__rules", "town"))
    assert [r[0] for r in rows] == sorted(e.pk for e in profiles)
    assert len({r[1] for r in rows}) >= 3  # several groups, interleaved by enterprise
    by_enterprise = {e.pk: e.town for e in profiles}
    assert all(town == by_enterprise[e] for e, _a, _r, town in rows)
    # each advice row holds exactly the rules of the notices pointing at it
    for _e, advice, rules, _t in rows:
        assert rules == NoticeAdvice.objects.get(pk=advice).rules


def test_blue_typhoon_reaches_only_exposed_enterprises_in_its_towns(feed, profiles, now):
    result = services.cap_ingest(
        data=cap(identifier="B1", level="蓝", sent=now, towns=("深沪", "青阳", "安海")),
        source="push")
    reached = set(Notice.objects.filter(warning_id=result.warning_id)
                  .values_list("enterprise_id", flat=True))
    assert reached == {profiles[0].pk}  # port in 深沪; 青阳 outdoor needs 黄; 安海 has no exposure


def test_polygon_area_reaches_profiles_by_coordinates(feed, profiles, now):
    square = [(24.7, 118.4), (24.7, 118.5), (24.8, 118.5), (24.8, 118.4), (24.7, 118.4)]
    result = services.cap_ingest(data=cap(identifier="P1", level="黄", kind="高温", sent=now,
                                          polygon=square), source="push")
    assert result.applied
    reached = list(Notice.objects.filter(warning_id=result.warning_id)
                   .values_list("enterprise_id", flat=True))
    assert reached == [profiles[5].pk]  # the kiln located inside the square


def test_update_replaces_notices_in_place_and_cancel_ends_them(feed, profiles, now, meteorologist):
    t0 = now
    first = services.cap_ingest(data=cap(identifier="U1", level="黄", sent=t0,
                                         towns=("深沪", "金井", "青阳")), source="push")
    warning_id = first.warning_id
    before = dict(Notice.objects.filter(warning_id=warning_id).values_list("enterprise_id", "pk"))
    assert set(before) == {profiles[0].pk, profiles[1].pk, profiles[2].pk}
    # 深沪 acknowledges the yellow warning
    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user

    user = make_user(Role.ENTERPRISE, enterprise=profiles[0])
    services.notice_acknowledge(actor=user, notice_id=before[profiles[0].pk],
                                measures_done=["船舶回港避风，港区停止装卸作业"])
    assert Warning.objects.get(pk=warning_id).notices_acknowledged == 1
    # the update raises it to orange and drops 青阳, adds 陈埭
    t1 = t0 + dt.timedelta(hours=2)
    second = services.cap_ingest(data=cap(identifier="U2", level="橙", sent=t1, msg_type="Update",
                                          references=ref("U1", t0),
                                          towns=("深沪", "金井", "陈埭")), source="push")
    assert second.applied and second.warning_id == warning_id and second.code == "updated"
    rows = {n.enterprise_id: n for n in Notice.objects.filter(warning_id=warning_id)}
    assert len(rows) == 4  # one notice per enterprise and warning, never a second
    assert rows[profiles[0].pk].pk == before[profiles[0].pk]  # kept in place
    assert rows[profiles[0].pk].level == "橙"
    assert rows[profiles[0].pk].acknowledged_at is None  # a higher level asks again
    assert rows[profiles[2].pk].state == Notice.State.WITHDRAWN
    assert rows[profiles[3].pk].state == Notice.State.ACTIVE and "rain_dyeing" in rows[profiles[3].pk].rules
    warning = Warning.objects.get(pk=warning_id)
    assert (warning.level, warning.notices_active, warning.notices_acknowledged) == ("橙", 3, 0)
    # the same update delivered again is a duplicate
    again = services.cap_ingest(data=cap(identifier="U2", level="橙", sent=t1, msg_type="Update",
                                         references=ref("U1", t0), towns=("深沪",)),
                                source="folder")
    assert (again.outcome, again.code) == ("ignored", "duplicate")
    # an older update arriving late is ignored
    late = services.cap_ingest(data=cap(identifier="U1b", level="红", sent=t0 + dt.timedelta(hours=1),
                                        msg_type="Update", references=ref("U1", t0),
                                        towns=("深沪",)), source="push")
    assert (late.outcome, late.code) == ("ignored", "stale")
    assert Warning.objects.get(pk=warning_id).level == "橙"
    cancel = services.cap_ingest(data=cap(identifier="U3", sent=t1 + dt.timedelta(hours=1),
                                          msg_type="Cancel", references=ref("U2", t1)),
                                 source="push")
    assert cancel.applied and cancel.code == "cancelled"
    warning.refresh_from_db()
    assert warning.state == Warning.State.CANCELLED and warning.notices_active == 3
    assert not Notice.objects.filter(warning_id=warning_id, state=Notice.State.ACTIVE).exists()
    after_cancel = services.cap_ingest(
        data=cap(identifier="U4", level="红", sent=t1 + dt.timedelta(hours=3), msg_type="Update",
                 references=ref("U2", t1), towns=("深沪",)), source="push")
    assert (after_cancel.outcome, after_cancel.code) == ("ignored", "already_ended")


@pytest.mark.parametrize("make, code, outcome", [
    (lambda now: b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x",
     "cap_malformed", "refused"),
    (lambda now: cap(identifier="M1", sent=now, towns=("火星",)), "unknown_area", "refused"),
    (lambda now: cap(identifier="M2", sent=now, area=area_xml(towns=()).replace(
        "</areaDesc>", "</areaDesc><geocode><valueName>GB2260</valueName><value>350521</value></geocode>")),
     "unknown_area", "refused"),
    (lambda now: cap(identifier="M3", sent=now, polygon=[(30, 120), (30, 121), (31, 121), (30, 120)]),
     "unknown_area", "refused"),
    (lambda now: cap(identifier="M4", sent=now - dt.timedelta(days=2), city=True,
                     expires=now - dt.timedelta(days=1)), "expired", "ignored"),
    (lambda now: cap(identifier="M5", sent=now, city=True, sender="someone@else.example"),
     "unknown_sender", "refused"),
    (lambda now: cap(identifier="M6", sent=now, city=True, severity="Minor"),
     "severity_mismatch", "refused"),
    (lambda now: cap(identifier="M7", kind="霜冻", level="橙", code="1104", sent=now, city=True),
     "unknown_signal", "refused"),
    (lambda now: cap(identifier="M8", sent=now, city=True, status="Test"), "not_actual", "ignored"),
    (lambda now: cap(identifier="M9", sent=now, msg_type="Update", references=ref("NOPE", now),
                     city=True), "unknown_reference", "refused"),
    (lambda now: cap(identifier="M10", sent=now, area=""), "no_area", "refused"),
])
def test_bad_messages_write_nothing_but_a_log_line(feed, profiles, now, make, code, outcome):
    before = _counts()
    result = services.cap_ingest(data=make(now), source="push")
    assert (result.outcome, result.code) == (outcome, code)
    assert _counts() == before
    log = IngestLog.objects.get(pk=result.log_id)
    assert (log.outcome, log.code) == (outcome, code) and log.reason


def test_a_failure_while_writing_notices_rolls_everything_back(feed, profiles, now, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_insert_notices", broken)
    before = _counts()
    with pytest.raises(RuntimeError):
        services.cap_ingest(data=cap(identifier="F1", sent=now, city=True), source="push")
    assert _counts() == before
    assert IngestLog.objects.get().code == "internal_error"


def test_expire_marks_past_warnings(feed, profiles, now):
    result = services.cap_ingest(data=cap(identifier="E1", sent=now, city=True,
                                          expires=now + dt.timedelta(hours=1)), source="push")
    assert services.warnings_expire(now=now + dt.timedelta(hours=2)) == 1
    assert Warning.objects.get(pk=result.warning_id).state == Warning.State.EXPIRED


def test_inbox_takes_signed_files_and_refuses_unsigned_ones(feed, profiles, now, tmp_path):
    key = "shared-secret"
    good = cap(identifier="D1", sent=now, city=True)
    (tmp_path / "a.xml").write_bytes(good)
    (tmp_path / "a.xml.sig").write_text(services.signature_for(good, key))
    (tmp_path / "b.xml").write_bytes(cap(identifier="D2", sent=now, city=True))
    tampered = cap(identifier="D3", sent=now, city=True)
    (tmp_path / "c.xml").write_bytes(tampered)
    (tmp_path / "c.xml.sig").write_text(services.signature_for(tampered + b" ", key))
    results = dict(services.inbox_poll(directory=tmp_path, key=key))
    assert results["a.xml"].applied
    assert (results["b.xml"].outcome, results["b.xml"].code) == ("refused", "unsigned")
    assert results["c.xml"].code == "bad_signature"
    assert Warning.objects.count() == 1
    assert (tmp_path / "done" / "a.xml").exists() and (tmp_path / "refused" / "b.xml").exists()
    assert not list(tmp_path.glob("*.xml"))
    assert IngestLog.objects.filter(source="folder").count() == 3
