"""The committed real evaluation set (``innolink/matching/evaluation/real/``, issue #10): its
size, every record's source, its facts, no personal contact data, and the reported signings.

Records whose source lacks a date or an address are listed here as a shrink-only allowance:
a new record without them fails, and a record that gains them must leave the list."""

from __future__ import annotations

import json
import re

import pytest

from innolink.matching.evaluation import realset

CHALLENGES = realset.read_jsonl(realset.REAL_DIR / "challenges.jsonl")
SOLVERS = realset.read_jsonl(realset.REAL_DIR / "solvers.jsonl")
PAIRS = realset.read_jsonl(realset.REAL_DIR / "known_pairs.jsonl")
JUDGMENTS = realset.read_jsonl(realset.REAL_DIR / "judgments.jsonl")
SIX_DOMAINS = {"新材料与石油化工", "高端装备制造", "现代农业与食品", "新一代信息技术",
               "新能源与节能环保", "生物医药与大健康"}

#: sources that give no date (reposts, institutes' result pages without one)
NO_DATE = {
    "challenges": set("rc016 rc090 rc091 rc092 rc108 rc109 rc111 rc118 rc125 rc139 rc140 rc141 "
                      "rc146 rc147 rc148 rc149".split()),
    "solvers": set("rs011 rs012 rs013 rs014 rs023 rs030 rs032 rs033 rs036 rs039 rs045 rs046 "
                   "rs047 rs049 rs051 rs068 rs079 rs080 rs081 rs086 rs088 rs091 rs095 rs097 "
                   "rs099 rs101".split()),
    "known_pairs": set("rc016->rs023 rc141->rs023 rc108->rs012 rc111->rs095 rc118->rs068 "
                       "rc140->rs097 rc146->rs086 rc147->rs080 rc148->rs079 rc139->rs099 "
                       "rc149->rs081".split()),
}
#: sources read in print or in an app with no address the search tool kept (research_log.md)
NO_ADDRESS = {
    "challenges": set("rc004 rc005 rc074 rc108 rc109 rc139".split()),
    "solvers": set("rs012 rs013 rs014 rs073 rs099".split()),
    "known_pairs": set("rc074->rs073 rc108->rs012 rc139->rs099".split()),
}
RECORDS = {"challenges": CHALLENGES, "solvers": SOLVERS, "known_pairs": PAIRS}

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[-－ ]?\d{7,8}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
CONTACT_WORDS = re.compile(r"联系电话|联系方式|手机号|微信号|邮箱|QQ号")


def _key(rec: dict) -> str:
    return rec.get("id") or f"{rec['challenge']}->{rec['solver']}"


def test_the_set_is_as_large_as_the_issue_asks():
    assert len(CHALLENGES) >= 150 and len(SOLVERS) >= 100
    assert len({c["id"] for c in CHALLENGES}) == len(CHALLENGES)
    assert len({s["id"] for s in SOLVERS}) == len(SOLVERS)


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_every_record_has_its_source(kind):
    for rec in RECORDS[kind]:
        source = rec.get("source") or {}
        assert (source.get("title") or "").strip(), _key(rec)
        assert (source.get("outlet") or "").strip(), _key(rec)
        date = source.get("date") or ""
        assert not date or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date), (_key(rec), date)
        url = source.get("url") or ""
        assert not url or re.match(r"https?://[^\s/]+\.[^\s/]+", url), (_key(rec), url)


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_records_without_a_date_or_an_address_are_only_the_allowed_ones(kind):
    no_date = {_key(r) for r in RECORDS[kind] if not r["source"].get("date")}
    no_address = {_key(r) for r in RECORDS[kind] if not r["source"].get("url")}
    assert no_date <= NO_DATE[kind], f"new records without a date: {no_date - NO_DATE[kind]}"
    assert no_address <= NO_ADDRESS[kind], \
        f"new records without an address: {no_address - NO_ADDRESS[kind]}"
    # shrink-only: a record that gained its date or address leaves the allowance
    assert NO_DATE[kind] <= no_date, f"now dated, remove: {NO_DATE[kind] - no_date}"
    assert NO_ADDRESS[kind] <= no_address, \
        f"now with an address, remove: {NO_ADDRESS[kind] - no_address}"


def test_every_challenge_records_its_facts():
    for c in CHALLENGES:
        assert c["title"].strip() and c["issuer"].strip() and c["issuer_kind"].strip(), c["id"]
        assert c["field"].strip() and c["domain"] in SIX_DOMAINS, c["id"]
        assert set(c["secondary_domains"]) <= SIX_DOMAINS - {c["domain"]}, c["id"]
        assert isinstance(c["targets"], list) and "funding" in c, c["id"]
        # a short description in our own words, never a copied paragraph
        assert 10 <= len(c["description"]) <= 300, c["id"]


def test_every_solver_records_its_facts():
    for s in SOLVERS:
        assert s["name"].strip() and s["kind"].strip() and s["institution"].strip(), s["id"]
        assert s["domain"] in SIX_DOMAINS, s["id"]
        assert s["fields"] or s["keywords"], s["id"]
        assert 10 <= len(s["achievements"]) <= 300, s["id"]


@pytest.mark.parametrize("name, records", [
    ("challenges", CHALLENGES), ("solvers", SOLVERS), ("known_pairs", PAIRS),
    ("judgments", JUDGMENTS)])
def test_no_personal_contact_data(name, records):
    found = []
    for rec in records:
        # the source address and title are the outlet's, not a person's
        text = json.dumps({k: v for k, v in rec.items() if k != "source"}, ensure_ascii=False)
        for pattern in (MOBILE, LANDLINE, EMAIL, CONTACT_WORDS):
            found += [(_key(rec), m.group(0)) for m in pattern.finditer(text)]
    assert found == []


def test_the_contact_patterns_catch_what_they_are_for():
    text = "联系人王工，手机号13905951234，电话0595-88123456，wang.gong@example.cn"
    assert MOBILE.search(text) and LANDLINE.search(text) and EMAIL.search(text)
    assert CONTACT_WORDS.search(text)
    assert not MOBILE.search("弯折寿命≥200000次，年产13905951234567件")


def test_the_known_pairs_are_present_and_name_real_records():
    challenges = {c["id"] for c in CHALLENGES}
    solvers = {s["id"] for s in SOLVERS}
    signings = [p for p in PAIRS if p["kind"] == "signing"]
    assert len(signings) >= 31 and len(PAIRS) >= 42
    assert {p["kind"] for p in PAIRS} == {"signing", "reported_guidance"}
    for p in PAIRS:
        assert p["challenge"] in challenges and p["solver"] in solvers, _key(p)
        assert p["relation"].strip(), _key(p)
    assert len({_key(p) for p in PAIRS}) == len(PAIRS)


def test_judgments_are_graded_pairs_of_the_set_and_every_signing_is_judged_relevant():
    challenges = {c["id"] for c in CHALLENGES}
    solvers = {s["id"] for s in SOLVERS}
    grades = {}
    for j in JUDGMENTS:
        assert j["challenge"] in challenges and j["solver"] in solvers, j
        assert j["grade"] in (0, 1, 2, 3), j
        grades[(j["challenge"], j["solver"])] = j["grade"]
    assert len(grades) >= 3000
    low = [_key(p) for p in PAIRS if p["kind"] == "signing"
           and grades.get((p["challenge"], p["solver"]), 0) < 2]
    assert low == []


def test_the_set_loads_as_engine_records():
    real = realset.load()
    assert len(real.challenge_docs) == len(CHALLENGES) and len(real.solver_docs) == len(SOLVERS)
    assert all(doc.title and doc.statement for doc in real.challenge_docs)
    assert len(real.known_pairs()) == len([p for p in PAIRS if p["kind"] == "signing"])


def test_import_files_cite_reposts_without_their_address():
    """The sample lists the platform imports (and then shows, decision 0355 addendum) carry a
    source's address only when it is the outlet's own site; a repost on a mirror host keeps its
    title, outlet and date."""
    import csv
    from pathlib import Path

    samples = Path(__file__).resolve().parents[3] / "docs" / "samples"
    for name, records in (("real-listings.csv", CHALLENGES), ("real-roster.csv", SOLVERS)):
        with (samples / name).open(encoding="utf-8-sig", newline="") as f:
            cells = [row["信息来源"] for row in csv.DictReader(f)]
        assert cells == [realset.citation(r["source"]) for r in records], name
        for cell in cells:
            for url in re.findall(r"https?://\S+", cell):
                assert realset.is_outlet_address(url), (name, url)
    reposts = [r for r in CHALLENGES + SOLVERS
               if r["source"].get("url") and not realset.is_outlet_address(r["source"]["url"])]
    # most addresses the search tool kept are reposts: the cells still name the report
    assert len(reposts) > 100
    assert all(realset.citation(r["source"]).count("，") >= 1 for r in reposts)
