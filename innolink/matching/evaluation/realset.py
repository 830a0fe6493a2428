"""The real evaluation set (``evaluation/real/``) as matching-engine records.

Files (JSON lines, UTF-8), described in ``docs/evaluation/real-set.md``:

* ``challenges.jsonl`` — 150 real challenges (揭榜领题/揭榜挂帅 lists, challenge contests,
  publicly reported enterprise needs), each with its source;
* ``solvers.jsonl`` — 110 real solver profiles (contest medal teams, institutes' results on
  offer, enterprise postdoc workstations), each with its source;
* ``known_pairs.jsonl`` — publicly reported challenge→solver signings (``kind = "signing"``)
  and reported guidance without a stated signing (``"reported_guidance"``);
* ``judgments.jsonl`` — graded relevance (0–3) of pooled pairs, judged blind
  (``docs/evaluation/real-judging.md``).

Pure Python (no Django), so benches and engine tests can load it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from innolink.engines.matching.engine import ChallengeDoc, ResearcherDoc
from innolink.engines.matching.indicators import IndicatorTarget, parse_target

__all__ = ["OUTLET_HOSTS", "REAL_DIR", "RealSet", "citation", "is_outlet_address", "load",
           "read_jsonl"]

REAL_DIR = Path(__file__).with_name("real")

#: Hosts (or host suffixes) that are the outlet's own site: government, universities and
#: academies, and the newspapers, agencies and institutes the set cites. Every other address a
#: source records is a repost on a mirror or aggregator host: kept in the JSON lines as where
#: the report was read, never written into files the platform imports or shows (decision 0355
#: addendum). Reviewed host by host on 2026-12-04 (docs/evaluation/real-set.md).
OUTLET_HOSTS = (
    ".gov.cn", ".edu.cn", ".ac.cn", "shobserver.com", "nbd.com.cn", "news.cn", "cnnb.com.cn",
    "nfnews.com", "zjol.com.cn", "66wz.com", "ycwb.com", "qzwb.com", "zsnews.cn", "stdaily.com",
    "caas.cn", "kxj.org.cn", "cetc.com.cn", "163.com", "qztv.cn", "zgyww.cn", "mxrb.cn",
    "fjdaily.com", "sioc-journal.cn", "sciencenet.cn", "qtv.com.cn", "tidenews.com.cn",
    "cjn.cn", "ijjnews.com", "sckjw.com.cn", "sdenews.com", "hitqz.com", "gmesemi.com",
)


def is_outlet_address(url: str) -> bool:
    """Whether ``url`` is on the outlet's own site (see ``OUTLET_HOSTS``).

        >>> is_outlet_address("http://ep.ycwb.com/epaper/ycwb/html/2021-12/20/c.htm")
        True
        >>> is_outlet_address("https://kjj.ningbo.gov.cn/art/2023/1/1/a.html")
        True
        >>> is_outlet_address("http://www.example-mirror.com/news/1.shtml"), is_outlet_address("")
        (False, False)
    """
    host = urlparse(url or "").hostname or ""
    return bool(host) and any(host == h or host.endswith(h if h.startswith(".") else "." + h)
                              for h in OUTLET_HOSTS)


def citation(source: dict) -> str:
    """A source as one line for an import file: title, outlet, date, and the address only
    when it is the outlet's own.

        >>> citation({"title": "企业出题", "outlet": "羊城晚报", "date": "2021-12-20",
        ...           "url": "http://ep.ycwb.com/a.htm"})
        '企业出题，羊城晚报，2021-12-20，http://ep.ycwb.com/a.htm'
        >>> citation({"title": "名单公布", "outlet": "某日报(转载)", "date": "",
        ...           "url": "http://mirror.example.com/a.htm"})
        '名单公布，某日报(转载)'
    """
    url = source.get("url") or ""
    parts = [source.get("title"), source.get("outlet"), source.get("date"),
             url if is_outlet_address(url) else ""]
    return "，".join(p for p in parts if p)


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _targets(texts: list[str]) -> tuple[tuple[IndicatorTarget, ...], list[str]]:
    """Numeric targets the parser reads; the others stay text (qualitative targets)."""
    parsed, text = [], []
    for t in texts:
        if not any(c in t for c in "≥≤<>=＝＜＞"):  # stated in words: kept as text
            text.append(t)
            continue
        try:
            target = parse_target(t)
        except ValueError:
            text.append(t)
            continue
        if target.name and target.name[0] not in "由从":
            parsed.append(target)
        else:
            text.append(t)
    return tuple(parsed), text


def challenge_doc(rec: dict) -> ChallengeDoc:
    targets, qualitative = _targets(rec.get("targets") or [])
    statement = rec["description"]
    if qualitative:
        statement += "。要求：" + "；".join(qualitative)
    return ChallengeDoc(
        id=rec["id"], title=rec["title"], statement=statement, domain=rec.get("domain"),
        indicators=targets, region=None,
        keywords=tuple(w for w in (rec.get("field") or "").split() if w),
        secondary_domains=tuple(rec.get("secondary_domains") or ()))


def solver_doc(rec: dict) -> ResearcherDoc:
    return ResearcherDoc(
        id=rec["id"], name=rec["name"], fields=tuple(rec.get("fields") or ()),
        keywords=tuple(rec.get("keywords") or ()), achievements=rec.get("achievements") or "",
        discipline=rec.get("discipline") or None, domain=rec.get("domain"),
        institution_type=rec.get("kind") or None, region=rec.get("region") or None,
        available=True, trl=None, accepted_proposals=None, delivered_contracts=None,
        domains=tuple(rec.get("secondary_domains") or ()))


@dataclass
class RealSet:
    challenges: list[dict]
    solvers: list[dict]
    pairs: list[dict]
    judgments: list[dict]
    challenge_docs: list[ChallengeDoc] = field(default_factory=list)
    solver_docs: list[ResearcherDoc] = field(default_factory=list)

    def qrels(self) -> dict[str, dict[str, int]]:
        """challenge id -> {solver id: grade} (judged pairs; known signings are grade 3)."""
        out: dict[str, dict[str, int]] = {}
        for j in self.judgments:
            out.setdefault(j["challenge"], {})[j["solver"]] = int(j["grade"])
        return out

    def reverse_qrels(self) -> dict[str, dict[str, int]]:
        """solver id -> {challenge id: grade}."""
        out: dict[str, dict[str, int]] = {}
        for j in self.judgments:
            out.setdefault(j["solver"], {})[j["challenge"]] = int(j["grade"])
        return out

    def known_pairs(self, kind: str = "signing") -> list[tuple[str, str]]:
        return [(p["challenge"], p["solver"]) for p in self.pairs if p["kind"] == kind]


def load(directory: Path = REAL_DIR) -> RealSet:
    """Read the set; every solver and challenge referenced by a pair or judgment must exist."""
    rs = RealSet(read_jsonl(directory / "challenges.jsonl"), read_jsonl(directory / "solvers.jsonl"),
                 read_jsonl(directory / "known_pairs.jsonl"), read_jsonl(directory / "judgments.jsonl"))
    cids = {c["id"] for c in rs.challenges}
    sids = {s["id"] for s in rs.solvers}
    for row in rs.pairs + rs.judgments:
        if row["challenge"] not in cids or row["solver"] not in sids:
            raise ValueError(f"unknown id in {row}")
    rs.challenge_docs = [challenge_doc(c) for c in rs.challenges]
    rs.solver_docs = [solver_doc(s) for s in rs.solvers]
    return rs
