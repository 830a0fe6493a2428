"""CAP areas given by administrative division codes: the city's township codes reach the
enterprises of that town; a code the table does not know is refused and named, never dropped."""

import pytest

from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_enterprise
from innolink.weather import fetch, services
from innolink.weather.capdocs import cap
from innolink.weather.models import CapMessage, IngestLog, Notice, Warning, WarningTownTally
from innolink.weather.services import profile_save

pytestmark = pytest.mark.django_db


def _counts():
    return (Warning.objects.count(), Notice.objects.count(), CapMessage.objects.count(),
            AuditEntry.objects.filter(model="weather.warning").count(),
            WarningTownTally.objects.count())


def _coded(code, value_name="GB2260"):
    return (f"<area><areaDesc>镇街</areaDesc><geocode><valueName>{value_name}</valueName>"
            f"<value>{code}</value></geocode></area>")


def test_the_code_table_names_registry_towns():
    codes = fetch.township_codes()
    assert codes["350582102"] == "磁灶" and codes["350582003"] == "西园"
    assert all(town in fetch.TOWN_INDEX for town in codes.values())


def test_every_registry_town_and_street_has_exactly_one_sourced_code():
    import yaml

    codes = fetch.township_codes()
    assert sorted(codes.values()) == sorted(fetch.TOWNS)  # all 6 街道 and 13 镇, none twice
    entries = yaml.safe_load(fetch.TOWNSHIP_CODES_FILE.read_text(encoding="utf-8"))["codes"]
    for code, entry in entries.items():
        assert "350582" in entry["source"] and "github.com/" in entry["source"], code
    # the published list has a gap at 108: codes are read, never counted
    assert "350582108" not in codes and codes["350582109"] == "内坑"
    assert codes["350582114"] == "西滨"


@pytest.fixture
def every_town(db, meteorologist):
    """One enterprise with outdoor work in each of the city's 19 towns and street offices."""
    out = {}
    for town in fetch.TOWNS:
        enterprise = make_enterprise(town=town)
        profile_save(actor=meteorologist, enterprise=enterprise, exposures=["outdoor_work"],
                     lat=None, lon=None)
        out[town] = enterprise.pk
    return out


@pytest.mark.parametrize("code,town", sorted(fetch.township_codes().items()))
def test_each_township_code_warns_exactly_its_town(feed, every_town, now, code, town):
    result = services.cap_ingest(data=cap(identifier=f"E{code}", sent=now, area=_coded(code)),
                                 source="push")
    assert result.applied, result
    warning = Warning.objects.get(pk=result.warning_id)
    assert warning.towns == [town] and not warning.whole_city
    reached = set(Notice.objects.filter(warning=warning).values_list("enterprise_id", flat=True))
    assert reached == {every_town[town]}
    assert list(WarningTownTally.objects.filter(warning=warning).values_list(
        "town", flat=True)) == [town]


@pytest.mark.parametrize("code", ["350582102", "350582102000", "35 05 82 102", "350582102201"])
def test_a_township_code_reaches_that_towns_enterprises_only(feed, profiles, now, code):
    result = services.cap_ingest(data=cap(identifier="T1", sent=now, area=_coded(code)),
                                 source="push")
    assert result.applied, result
    warning = Warning.objects.get(pk=result.warning_id)
    assert warning.towns == ["磁灶"] and not warning.whole_city
    reached = set(Notice.objects.filter(warning=warning).values_list("enterprise_id", flat=True))
    assert reached == {profiles[5].pk}  # the only enterprise in 磁灶


def test_township_codes_and_town_names_combine(feed, profiles, now):
    area = ("<area><areaDesc>磁灶、深沪</areaDesc>"
            "<geocode><valueName>行政区划代码</valueName><value>350582102</value></geocode>"
            "<geocode><valueName>townName</valueName><value>深沪镇</value></geocode></area>")
    result = services.cap_ingest(data=cap(identifier="T2", sent=now, area=area), source="push")
    assert result.applied
    assert sorted(Warning.objects.get(pk=result.warning_id).towns) == ["深沪", "磁灶"]
    assert Notice.objects.filter(warning_id=result.warning_id).count() == 2


@pytest.mark.parametrize("code,fragment", [
    ("350582199", "350582199"),        # a township code of the city the table does not know
    ("350582108", "350582108"),        # the gap in the published list (内坑 is 109)
    ("350582199000", "350582199000"),
    ("350581001", "350581001"),        # a street of another city (石狮)
    ("3505820", "3505820"),            # not a division code
])
def test_an_unknown_code_is_refused_named_and_writes_nothing(feed, profiles, now, code, fragment):
    before = _counts()
    result = services.cap_ingest(data=cap(identifier="T3", sent=now, area=_coded(code)),
                                 source="push")
    assert (result.outcome, result.code) == ("refused", "unknown_area")
    assert fragment in result.reason
    assert _counts() == before
    log = IngestLog.objects.get(pk=result.log_id)
    assert log.code == "unknown_area" and fragment in log.reason


def test_one_unknown_code_refuses_the_whole_message(feed, profiles, now):
    area = ("<area><areaDesc>两镇</areaDesc>"
            "<geocode><valueName>GB2260</valueName><value>350582102</value></geocode>"
            "<geocode><valueName>GB2260</valueName><value>350582198</value></geocode></area>")
    before = _counts()
    result = services.cap_ingest(data=cap(identifier="T4", sent=now, area=area), source="push")
    assert result.code == "unknown_area" and "350582198" in result.reason
    assert _counts() == before


@pytest.mark.parametrize("text,problem", [
    ('codes:\n  "350581001": {town: 磁灶, source: x}\n', "not a township code"),
    ('codes:\n  "350582000": {town: 磁灶, source: x}\n', "not a township code"),
    ('codes:\n  "350582101": {town: 石狮, source: x}\n', "unknown town"),
    ('codes:\n  "350582101": {town: 磁灶, source: x}\n  "350582102": {town: 磁灶, source: x}\n',
     "already has a code"),
    # a wrong code: a town's code in the street-office range and the other way round
    ('codes:\n  "350582006": {town: 内坑, source: x}\n', "must end in 100-199"),
    ('codes:\n  "350582106": {town: 灵源, source: x}\n', "must end in 001-099"),
    ('codes:\n  "350582201": {town: 内坑, source: x}\n', "must end in 100-199"),
    # the same code twice (plain YAML would keep the second silently)
    ('codes:\n  "350582109": {town: 内坑, source: x}\n  "350582109": {town: 龙湖, source: x}\n',
     "listed twice"),
    ('codes:\n  "350582109": {town: 内坑}\n', "no source"),
    ('codes:\n  "350582109": {town: 内坑, source: " "}\n', "no source"),
])
def test_the_code_table_is_checked_when_loaded(tmp_path, text, problem):
    path = tmp_path / "codes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        fetch.township_codes(path)
    fetch.township_codes()  # the real table loads again


def test_notices_written_in_many_small_statements_equal_one_statement(feed, profiles, now,
                                                                      monkeypatch):
    first = services.cap_ingest(data=cap(identifier="C1", sent=now, city=True), source="push")
    expected = sorted(Notice.objects.filter(warning_id=first.warning_id).values_list(
        "enterprise_id", "town", "level", "state", "advice__rules"))
    monkeypatch.setattr(services, "_notice_chunk_rows", lambda: 2)
    second = services.cap_ingest(data=cap(identifier="C2", kind="暴雨", sent=now, city=True),
                                 source="push")
    assert second.applied and second.notices == len(expected) == len(profiles)
    got = sorted(Notice.objects.filter(warning_id=second.warning_id).values_list(
        "enterprise_id", "town", "level", "state", "advice__rules"))
    assert [g[:4] for g in got] == [e[:4] for e in expected]
