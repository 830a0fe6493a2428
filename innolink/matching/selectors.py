"""Scoped reads: recommendations in three directions with their explanations, terms, runs.

Each recommendation selector checks access first and answers another tenant exactly like a
missing record (the same ``NotFound``). Results come from the per-process engine
(:mod:`.index`) and are re-checked against the database when rendered: an id the engine still
holds but the database no longer has (or no longer shows) is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _, gettext_lazy, gettext_noop, ngettext

from innolink.challenges import selectors as board
from innolink.challenges.models import (CLAIMABLE_STATES, Challenge, Proposal, ProposalState,
                                        ResearcherProfile, TechnologyOffer)
from innolink.core.errors import NotFound, PermissionDenied
from innolink.core.messages import message_render
from innolink.enterprises.models import Enterprise
from innolink.matching import access, fetch
from innolink.matching.index import engine_session
from innolink.matching.models import AssignmentRun, TechTerm
from innolink.core.ids import parse_id

MAX_K = 100

FIELD_LABELS = {
    "fields": gettext_lazy("研究方向"), "keywords": gettext_lazy("关键词"),
    "achievements": gettext_lazy("代表性成果"), "title": gettext_lazy("榜单名称"),
    "statement": gettext_lazy("技术难题描述"), "indicators": gettext_lazy("技术指标"),
    "industry": gettext_lazy("行业"), "products": gettext_lazy("主要产品"),
    "past_challenges": gettext_lazy("往期榜单"), "description": gettext_lazy("简介"),
}
STATUS_LABELS = {"meets": gettext_lazy("满足"), "near": gettext_lazy("接近"), "value_off": gettext_lazy("有数值未达"),
                 "mentioned": gettext_lazy("仅提及"), "absent": gettext_lazy("未涉及"),
                 "addressed": gettext_lazy("已论及（文字指标）")}
#: the signals in plain words for staff (ADR 0363)
SIGNAL_LABELS = {"lexical": gettext_lazy("关键词相符"), "ngram": gettext_lazy("用词片段相近"),
                 "dense": gettext_lazy("整体内容相近"), "indicator": gettext_lazy("技术指标达标"),
                 "structured": gettext_lazy("领域与条件相符")}
#: structured factors, worded for when they count in the candidate's favour
FACTOR_LABELS = {"domain": gettext_lazy("同一领域"), "discipline": gettext_lazy("学科对口"),
                 "trl": gettext_lazy("技术成熟度够"), "availability": gettext_lazy("可承接新项目"),
                 "institution": gettext_lazy("单位类型符合"), "track_record": gettext_lazy("有对接成功记录"),
                 "region": gettext_lazy("地区相近")}
#: the requirements a listing can state (solver region, disciplines, institution types, TRL)
REQUIREMENT_LABELS = {"discipline": gettext_lazy("学科"), "trl": gettext_lazy("技术成熟度"),
                      "institution": gettext_lazy("单位类型"), "region": gettext_lazy("地区")}


def requirement_words(req: dict) -> str:
    """One met requirement in the active language: its label and what the candidate has
    (an institution type by its translated name, a TRL as TRLn).

    Examples:
        >>> requirement_words({"factor": "trl", "wanted_min": 4, "wanted_max": 6, "got": 5})
        '技术成熟度（TRL5）'
        >>> requirement_words({"factor": "institution", "wanted": ["高校"], "got": "高校"})
        '单位类型（高等院校）'
    """
    factor, got = req.get("factor"), req.get("got")
    if factor == "trl":
        value = f"TRL{got}"
    elif factor == "institution":
        value = str(fetch.solver_type_label(got))
    else:
        value = str(got or "")
    return _("%(label)s（%(value)s）") % {
        "label": REQUIREMENT_LABELS.get(factor, factor), "value": value}


#: a claim in these states no longer holds the researcher to the challenge: it may come back
_RECLAIMABLE = (ProposalState.WITHDRAWN,)


_valid_id = parse_id  # the one id helper (innolink.core.ids)


def _k(k: Any) -> int:
    try:
        value = int(k)
    except (TypeError, ValueError):
        value = 20
    return max(1, min(MAX_K, value))


# --- explanation rendering -----------------------------------------------------------------

def highlight_html(text: str, spans) -> SafeString:
    """``text`` escaped, with each span wrapped in ``<mark>``; spans are ``[start, end, term]``
    (Python string offsets) from the engine's explanation.

    Examples:
        >>> str(highlight_html("<b>光刻胶</b>分辨率", [[3, 6, "光刻胶"]]))
        '&lt;b&gt;<mark title="光刻胶">光刻胶</mark>&lt;/b&gt;分辨率'
    """
    parts: list[str] = []
    pos = 0
    for start, end, term in sorted((int(s), int(e), t) for s, e, t in spans):
        if start < pos or end > len(text) or start >= end:
            continue  # overlapping or out of range: never trust offsets blindly
        parts.append(escape(text[pos:start]))
        parts.append(format_html('<mark title="{}">{}</mark>', term, text[start:end]))
        pos = end
    parts.append(escape(text[pos:]))
    # every piece above is escaped or built by format_html
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308


@dataclass
class Explained:
    """One recommendation, ready for a template or the API."""

    obj: Any
    id: int
    rank: int
    score: float
    summary: str
    signals: list[dict] = field(default_factory=list)
    highlights: list[dict] = field(default_factory=list)
    matched_terms: list[str] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    indicator_summary: str = ""
    structured: list[dict] = field(default_factory=list)
    #: the main reasons, one plain sentence each, in the request's language
    reasons: list[str] = field(default_factory=list)
    #: near-duplicate listings folded into this one (objects, best first)
    similar: list[Any] = field(default_factory=list)

    def as_api(self) -> dict:
        return {"id": self.id, "rank": self.rank, "score": round(self.score, 6),
                "summary": self.summary, "reasons": self.reasons,
                "matched_terms": self.matched_terms, "signals": self.signals,
                "highlights": [{"field": h["field"], "label": str(h["label"]), "text": h["text"],
                                "spans": h["spans"]} for h in self.highlights],
                "indicators": self.indicators, "indicator_summary": self.indicator_summary,
                "structured": self.structured,
                "similar": [{"id": o.pk, "title": str(getattr(o, "title", o))}
                            for o in self.similar]}


#: the frames of an indicator's reason (``engines.matching.indicators.REASON_FRAMES``), listed
#: so that makemessages puts them in the catalogue; a test keeps both lists equal
INDICATOR_REASONS = (
    gettext_noop("未提及“%(name)s”"),
    gettext_noop("报告%(alias)s %(shown)s%(conv)s，满足目标 %(target)s"),
    gettext_noop("报告%(alias)s %(shown)s%(conv)s，接近目标 %(target)s（差距 %(gap)s）"),
    gettext_noop("报告%(alias)s %(shown)s%(conv)s，未达目标 %(target)s（差距 %(gap)s）"),
    gettext_noop("（折合 %(value)s %(unit)s）"),
    gettext_noop("%(reason)s；原文未注明单位，按目标单位理解"),
    gettext_noop("提及“%(alias)s”，但未给出可比的数值"),
    gettext_noop("未论及文字指标“%(target)s”"),
    gettext_noop("论及“%(alias)s”（文字指标：%(target)s，无数值可比）"),
    gettext_noop("该需求未设定量化指标"),
    gettext_noop("%(total)s 项指标中：满足 %(meets)s 项，接近 %(near)s 项，有数值未达 %(value_off)s 项，"
                 "仅提及 %(mentioned)s 项，未涉及 %(absent)s 项"),
    gettext_noop("%(total)s 项指标中：满足 %(meets)s 项，接近 %(near)s 项，有数值未达 %(value_off)s 项，"
                 "仅提及 %(mentioned)s 项，未涉及 %(absent)s 项，论及文字指标 %(addressed)s 项"),
)


#: the frames of a structured factor's reason (``engines.matching.structured.FIT_FRAMES``),
#: listed for the catalogue; a test keeps both lists equal
FIT_REASONS = (
    gettext_noop('领域信息不全，按中性处理'),
    gettext_noop('领域一致：%(domain)s'),
    gettext_noop('次要领域一致：%(domain)s'),
    gettext_noop('相邻领域：需求属%(wanted)s，对方属%(got)s'),
    gettext_noop('领域不同：需求属%(wanted)s，对方属%(got)s'),
    gettext_noop('未填写学科，按中性处理'),
    gettext_noop('学科对口：%(discipline)s'),
    gettext_noop('学科“%(discipline)s”常服务于%(domain)s'),
    gettext_noop('需求未限定学科，按中性处理'),
    gettext_noop('学科“%(discipline)s”不在所需学科（%(wanted)s）之列'),
    gettext_noop('学科“%(discipline)s”未能对应到领域，按中性处理'),
    gettext_noop('学科“%(discipline)s”与%(domain)s关联较弱'),
    gettext_noop('未填写技术成熟度，按中性处理'),
    gettext_noop('需求未限定成熟度，对方为 TRL%(trl)s'),
    gettext_noop('TRL%(lo)s'),
    gettext_noop('TRL%(lo)s–%(hi)s'),
    gettext_noop('TRL%(hi)s 以下'),
    gettext_noop('技术成熟度 TRL%(trl)s，低于要求的 %(wanted)s（差 %(n)s 级）'),
    gettext_noop('技术成熟度 TRL%(trl)s，高于要求的 %(wanted)s（超出 %(n)s 级）'),
    gettext_noop('技术成熟度 TRL%(trl)s，达到要求的 %(wanted)s'),
    gettext_noop('技术成熟度 TRL%(trl)s，在要求的 %(wanted)s 之内'),
    gettext_noop('未说明是否可承接，按中性处理'),
    gettext_noop('当前可承接新项目'),
    gettext_noop('当前不可承接新项目'),
    gettext_noop('未填写单位类型，按中性处理'),
    gettext_noop('单位类型符合要求：%(kind)s'),
    gettext_noop('需求倾向%(wanted)s，对方为%(kind)s'),
    gettext_noop('单位类型：%(kind)s'),
    gettext_noop('无过往揭榜记录'),
    gettext_noop('尚无方案入选或合同交付记录'),
    gettext_noop('过往方案入选 %(accepted)s 项、合同交付 %(delivered)s 项'),
    gettext_noop('需求未限定地区'),
    gettext_noop('需求倾向%(wanted)s，对方未填写地区'),
    gettext_noop('地区符合：%(region)s'),
    gettext_noop('同省（%(province)s）：需求倾向%(wanted)s，对方在%(region)s'),
    gettext_noop('异地：需求倾向%(wanted)s，对方在%(region)s'),
)

def _said(data: dict) -> str:
    params = {k: _said(v) if isinstance(v, dict) else v for k, v in (data.get("params") or {}).items()}
    return message_render(str(data.get("msgid") or ""), params)


def indicator_reason(item: dict) -> str:
    """An indicator's reason in the active language (the engine's frame and values); an
    explanation stored before reasons carried them shows its Chinese sentence.

    Examples:
        >>> from django.utils import translation
        >>> item = {"reason": "提及“k值”，但未给出可比的数值",
        ...         "reason_data": {"msgid": "提及“%(alias)s”，但未给出可比的数值", "params": {"alias": "k值"}}}
        >>> with translation.override("en"):
        ...     indicator_reason(item)
        'Mentions “k值” but gives no comparable value'
        >>> indicator_reason({"reason": "旧的说明"})
        '旧的说明'
    """
    data = item.get("reason_data")
    return _said(data) if data else str(item.get("reason") or "")


def indicator_summary(coverage: dict) -> str:
    """The indicator coverage in brief, in the active language (the engine's frame and counts);
    an explanation stored before the summary carried them shows its Chinese sentence.

    Examples:
        >>> from django.utils import translation
        >>> with translation.override("en"):
        ...     indicator_summary({"summary": "该需求未设定量化指标",
        ...                        "summary_data": {"msgid": "该需求未设定量化指标", "params": {}}})
        'The need sets no quantified indicators'
        >>> indicator_summary({"summary": "旧的概括"})
        '旧的概括'
    """
    data = coverage.get("summary_data")
    return _said(data) if data else str(coverage.get("summary") or "")


def _join_words(words) -> str:
    return _("、").join(str(w) for w in words)


def reason_sentences(reasons: list[dict], rank: int) -> list[str]:
    """The engine's reason codes (``explain.py``) as plain sentences in the active language:
    only what lifted the candidate is there (ADR 0363).

    Examples:
        >>> reason_sentences([{"code": "lead", "signals": ["lexical", "dense"]},
        ...                   {"code": "terms", "terms": ["石墨烯", "导热膜"]}], 1)
        ['综合排名第 1', '主要依据：关键词相符、整体内容相近', '相符的关键词：石墨烯、导热膜']
    """
    out = [_("综合排名第 %(rank)s") % {"rank": rank}]
    for r in reasons:
        code = r.get("code")
        if code == "lead":
            out.append(_("主要依据：%(signals)s") % {
                "signals": _join_words(SIGNAL_LABELS.get(n, n) for n in r["signals"])})
        elif code == "terms":
            out.append(_("相符的关键词：%(terms)s") % {"terms": _join_words(r["terms"])})
        elif code == "indicators":
            if not r["met"]:  # "达到 0 项，接近 1 项" read as a failure
                text = ngettext("接近 %(near)s 项技术指标", "接近 %(near)s 项技术指标",
                                r["near"]) % {"near": r["near"]}
            else:
                text = ngettext("达到 %(met)s 项技术指标", "达到 %(met)s 项技术指标",
                                r["met"]) % {"met": r["met"]}
                if r.get("near"):
                    text += _("，接近 %(near)s 项") % {"near": r["near"]}
            out.append(text)
        elif code == "factors":
            out.append(_("条件相符：%(factors)s") % {
                "factors": _join_words(FACTOR_LABELS.get(f, f) for f in r["factors"])})
        elif code == "requirements":
            out.append(_("符合榜单要求：%(items)s") % {
                "items": _join_words(requirement_words(q) for q in r["requirements"])})
        elif code == "unavailable":
            out.append(_("注意：当前不可承接新项目"))
        elif code == "similar":
            out.append(ngettext("另有 %(n)s 条相似榜单", "另有 %(n)s 条相似榜单",
                                r["count"]) % {"n": r["count"]})
    return out


def explained(obj, match, rank: int, similar: list | None = None) -> Explained:
    """One match for a page or the API. Only what contributed is kept (ADR 0363): signals that
    lifted the candidate (with their share of the lift), keywords that carried weight,
    indicators when some target is met or near and the indicator signal counted, and the
    structured factors in the candidate's favour."""
    e = match.explanation or {}
    signals = [{"name": n, "label": str(SIGNAL_LABELS.get(n, s["label"])), "raw": s["raw"],
                "weight": s["weight"], "contribution": s["contribution"], "share": s["share"],
                "percent": round(100 * s["share"])}
               for n, s in (e.get("signals") or {}).items() if s.get("shown", True)]
    signals.sort(key=lambda s: -s["share"])
    highlights = [{"field": h["field"], "label": str(FIELD_LABELS.get(h["field"], h["field"])),
                   "text": h["text"], "spans": h["spans"],
                   "html": highlight_html(h["text"], h["spans"])}
                  for h in e.get("highlights") or [] if h["text"]]
    ind = e.get("indicators") or {}
    indicators = []
    if ind.get("contributed", True):
        indicators = [{"indicator": i["indicator"], "target": i["target"], "status": i["status"],
                       "status_label": str(STATUS_LABELS.get(i["status"], i["status"])),
                       "value": i["value"], "gap": i["gap"], "reason": indicator_reason(i),
                       "score": i["score"]} for i in ind.get("indicators") or []]
    parts = (e.get("structured") or {}).get("parts") or {}
    structured = [{"factor": k, "label": str(FACTOR_LABELS.get(k, k)), "score": v["score"],
                   "weight": v["weight"],
                   "reason": _said(v["reason_data"]) if v.get("reason_data") else v["reason"]}
                  for k, v in parts.items() if v.get("shown", True)]
    # keywords as written in the text (TPU, not the index's tpu)
    written: dict[str, str] = {}
    for h in highlights:
        for start, end, term in h["spans"]:
            written.setdefault(term, h["text"][int(start):int(end)])
    reasons = e.get("reasons")
    if reasons is not None:
        reasons = [dict(r, terms=[written.get(t, t) for t in r["terms"]])
                   if r.get("code") == "terms" else r for r in reasons]
    similar = list(similar or [])
    if reasons is not None:
        reasons = [r for r in reasons if r.get("code") != "similar"]
        if similar:
            reasons.append({"code": "similar", "count": len(similar)})
    return Explained(obj=obj, id=obj.pk, rank=rank, score=float(match.score),
                     summary=e.get("summary", ""), signals=signals, highlights=highlights,
                     matched_terms=[written.get(t["term"], t["term"])
                                    for t in e.get("matched_terms") or []],
                     indicators=indicators,
                     indicator_summary=indicator_summary(ind) if indicators else "",
                     structured=structured,
                     reasons=reason_sentences(reasons, rank) if reasons is not None else [],
                     similar=similar)


#: Signals about the content itself, and how far (in weighted spreads, ADR 0360) they must
#: lift a candidate together before it is recommended: a quarter of a spread. Below that the
#: only "reason" is a few shared characters (a radome team for a shoe-foam listing).
CONTENT_SIGNALS = ("lexical", "ngram", "dense", "indicator")
MIN_CONTENT_LIFT = 0.25


def has_evidence(match) -> bool:
    """Something about the content itself lifted the candidate — keywords, wording, overall
    content or a met target. A candidate lifted by the domain and conditions alone (in a small
    pool every open challenge is a candidate) is not recommended (ADR 0362).

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> has_evidence(NS(explanation={"reasons": [{"code": "lead", "signals": ["structured"]}]}))
        False
        >>> has_evidence(NS(explanation={"reasons": [{"code": "lead", "signals": ["dense"]}]}))
        True
        >>> has_evidence(NS(explanation=None))
        True
    """
    e = getattr(match, "explanation", None)
    if not e or e.get("reasons") is None:
        return True
    lift = sum(max(0.0, float(s.get("contribution", 0.0)))
               for n, s in (e.get("signals") or {}).items() if n in CONTENT_SIGNALS)
    if e.get("signals") and lift < MIN_CONTENT_LIFT:
        return False  # a faint echo (a few shared characters) is no reason either
    for r in e["reasons"]:
        if r.get("code") in ("terms", "indicators"):
            return True
        if r.get("code") == "lead" and set(r["signals"]) - {"structured"}:
            return True
    return False


def _recheck(matches, rows: dict[int, Any]) -> list[Explained]:
    out = []
    for m in matches:
        if not has_evidence(m):
            continue
        obj = rows.get(int(m.id))
        if obj is not None:  # stale ids (deleted, closed since) are dropped
            similar = [rows[int(i)] for i in getattr(m, "similar", ()) if int(i) in rows]
            out.append(explained(obj, m, len(out) + 1, similar))
    return out


def _claimed_by(profile_id: int) -> list[str]:
    """Challenges this researcher already claimed (any claim not withdrawn): never recommended
    back to them (ADR 0362)."""
    return [str(c) for c in Proposal.objects.filter(researcher_id=profile_id).exclude(
        state__in=_RECLAIMABLE).values_list("challenge_id", flat=True)]


def _claimants_of(challenge_id: int) -> list[str]:
    """Researchers who already claimed this challenge (not withdrawn): they are in already."""
    return [str(r) for r in Proposal.objects.filter(challenge_id=challenge_id).exclude(
        state__in=_RECLAIMABLE).values_list("researcher_id", flat=True)]


# --- the three directions ------------------------------------------------------------------

def challenge_for_matching(user, challenge_id: Any) -> Challenge:
    """The challenge, if the user may see its recommendations; else the missing-record 404."""
    challenge = Challenge.objects.select_related("enterprise", "institution").filter(
        pk=_valid_id(challenge_id)).first()
    if challenge is None or not access.may_see_challenge_matches(user, challenge):
        raise NotFound()
    return challenge


def recommendations_for_challenge(user, challenge_id: Any, k: Any = 20) -> list[Explained]:
    """Researchers for a challenge (staff, or the posting enterprise's users)."""
    challenge = challenge_for_matching(user, challenge_id)
    return recommend_researchers(challenge, k)


def recommend_researchers(challenge: Challenge, k: Any = 20) -> list[Explained]:
    doc = fetch.challenge_doc(challenge)
    claimed = _claimants_of(challenge.pk)
    with engine_session() as engine:
        matches = engine.match_challenge(doc, k=_k(k), exclude=claimed)
    rows = ResearcherProfile.objects.select_related("institution").in_bulk(
        [int(m.id) for m in matches])
    return _recheck(matches, rows)


def profile_for_matching(user, profile_id: Any) -> ResearcherProfile:
    profile = ResearcherProfile.objects.select_related("institution").filter(
        pk=_valid_id(profile_id)).first()
    if profile is None or not access.may_see_researcher_matches(user, profile):
        raise NotFound()
    return profile


def own_profile(user) -> ResearcherProfile:
    profile = board.profile_of(user) if getattr(user, "is_authenticated", False) else None
    if profile is None:
        raise NotFound(_("您还没有登记科研人员信息，请先在揭榜工作台填写个人/团队资料"))
    return profile


def recommendations_for_researcher(user, profile_id: Any, k: Any = 20) -> list[Explained]:
    """Open challenges for a researcher (the researcher themself, or staff)."""
    profile = profile_for_matching(user, profile_id)
    return recommend_challenges(profile, k)


def recommend_challenges(profile: ResearcherProfile, k: Any = 20) -> list[Explained]:
    doc = fetch.researcher_doc_for(profile.pk)
    if doc is None:
        return []
    claimed = _claimed_by(profile.pk)
    with engine_session() as engine:
        # near-duplicate listings (the same need posted by several companies) shown once
        matches = engine.match_researcher(doc, k=_k(k), exclude=claimed, collapse=True)
    ids = [int(m.id) for m in matches] + [int(i) for m in matches for i in m.similar]
    rows = Challenge.objects.select_related("enterprise", "institution").filter(
        state__in=CLAIMABLE_STATES).in_bulk(ids)
    return _recheck(matches, rows)


def offer_for_matching(user, offer_id: Any) -> TechnologyOffer:
    offer = TechnologyOffer.objects.select_related("institution", "researcher").filter(
        pk=_valid_id(offer_id)).first()
    if offer is None or not access.may_see_offer_matches(user, offer):
        raise NotFound()
    return offer


def recommendations_for_offer(user, offer_id: Any, k: Any = 20) -> list[Explained]:
    """Enterprises for a technology offer (its owner, or staff)."""
    offer = offer_for_matching(user, offer_id)
    return recommend_enterprises(offer, k)


def recommend_enterprises(offer: TechnologyOffer, k: Any = 20) -> list[Explained]:
    doc = fetch.offer_doc(offer)
    with engine_session() as engine:
        matches = engine.match_offer(doc, k=_k(k))
    rows = Enterprise.objects.in_bulk([int(m.id) for m in matches])
    return _only_visible_past(_recheck(matches, rows))


def _only_visible_past(recs: list[Explained]) -> list[Explained]:
    """Checks each enterprise's explanation against the database as it is now: a quote of a
    past challenge, or one of its indicators, that is no longer visible on the board (the
    engine in this process has not seen the change yet) is dropped before anyone reads it."""
    past = fetch.visible_past_challenges(r.id for r in recs)
    for r in recs:
        challenges = past.get(r.id, [])
        text = fetch.past_challenges_text(challenges)
        names = {t.name for c in challenges for t in c.indicators.all()}
        r.highlights = [h for h in r.highlights
                        if h["field"] != "past_challenges" or (text and h["text"] in text)]
        kept = [i for i in r.indicators if i["indicator"] in names]
        if len(kept) != len(r.indicators):
            r.indicators, r.indicator_summary = kept, ""
    return recs


# --- terms and runs ------------------------------------------------------------------------

def _require_staff(user) -> None:
    if not access.is_matching_staff(user):
        raise PermissionDenied(_("只有组织方工作人员可以查看"))


def terms_for(user) -> QuerySet[TechTerm]:
    _require_staff(user)
    return TechTerm.objects.select_related("added_by").order_by("term")


def assignment_runs_for(user) -> QuerySet[AssignmentRun]:
    _require_staff(user)
    return AssignmentRun.objects.select_related("created_by").order_by("-created_at", "-id")


def assignment_run_for(user, run_id: Any) -> AssignmentRun:
    if not access.is_matching_staff(user):
        raise NotFound()
    run = AssignmentRun.objects.select_related("created_by").filter(pk=_valid_id(run_id)).first()
    if run is None:
        raise NotFound()
    return run


def assignment_rows(run: AssignmentRun) -> dict[str, list[dict]]:
    """The run's pairs, unmet demand and refusals with challenge and researcher names
    (2 queries)."""
    cids = set(run.challenge_ids)
    rids = {p["researcher_id"] for p in run.pairs} | {r["researcher_id"] for r in run.refused}
    challenges = Challenge.objects.only("id", "title").in_bulk(list(cids))
    people = ResearcherProfile.objects.only("id", "name").in_bulk(list(rids))

    def title(cid):
        c = challenges.get(cid)
        return c.title if c else f"#{cid}"

    def name(rid):
        p = people.get(rid)
        return p.name if p else f"#{rid}"

    def reason(row, key="reason"):  # stored as msgid + values (ADR 0390); older runs as text
        return message_render(row.get(f"{key}_id") or row.get(key) or "", row.get(f"{key}_params"))

    return {
        "pairs": [{**p, "challenge": title(p["challenge_id"]),
                   "researcher": name(p["researcher_id"])} for p in run.pairs],
        "unmet": [{**u, "challenge": title(u["challenge_id"]), "reason": reason(u)} for u in run.unmet],
        "refused": [{**r, "challenge": title(r["challenge_id"]),
                     "researcher": name(r["researcher_id"]), "reason": reason(r)} for r in run.refused],
        "problems": [{**p, "message": message_render(p.get("message_id") or p.get("message") or "",
                                                     p.get("params"))} for p in run.problems],
    }
