"""Per-pair explanations rendered as plain dicts (JSON-ready, template-ready).

An explanation says, for one (query, candidate) pair:

* ``matched_terms`` — query terms found in the candidate, their BM25 contribution and their
  positions in the candidate's fields (for highlighting);
* ``highlights`` — each candidate field with non-overlapping ``[start, end, term]`` spans;
* ``indicators`` — the per-indicator coverage (status, value found, reason);
* ``structured`` — each structured factor with score and reason;
* ``signals`` — each signal's calibrated score, rank among the candidates, weight, its
  contribution to the fused score (how far it lifts this candidate above the median candidate,
  ADR 0360) and its share of the positive contributions;
* ``reasons`` — the main reasons as codes with arguments (``requirements``: the solver
  requirements the listing states and the candidate meets, with what was asked and what it
  has, ADR 0170) (the Django side words them in
  Chinese and English); ``summary`` — the same as one plain Chinese sentence.

Only what contributed is offered as a reason (ADR 0363): keywords only when the keyword signal
lifted the candidate, and then only the keywords that carried weight (two characters or more);
indicators only when some target is met or near and the indicator signal contributed;
structured factors only when that signal contributed and the factor is a real fit (same
domain, a stated requirement met), never a prior or plain availability.

Positions are character offsets into the field text exactly as given (Python ``str``
indices), so ``text[start:end]`` is the highlighted substring.
"""

from __future__ import annotations

from typing import Mapping, Sequence

__all__ = ["MIN_SHARE", "MIN_TERM_SHARE", "REQUIREMENT_LABELS", "SIGNAL_LABELS", "explain_pair",
           "find_positions", "highlight_fields", "locate", "requirement_value"]

#: Plain Chinese names of the signals, for staff (the Django side translates them)
SIGNAL_LABELS = {
    "lexical": "关键词相符",
    "ngram": "用词片段相近",
    "dense": "整体内容相近",
    "indicator": "技术指标达标",
    "structured": "领域与条件相符",
}

#: a signal with a smaller share of the positive contributions is not offered as a reason
MIN_SHARE = 0.1
#: a matched keyword below this share of the candidate's keyword score is not listed
MIN_TERM_SHARE = 0.08


def _listable(term: str) -> bool:
    """A keyword worth showing: two characters or more (a lone 使 or 装 left by segmentation
    says nothing to a reader, though it may count in the score)."""
    return len(term.strip()) >= 2


def _factor_is_a_reason(name: str, score: float) -> bool:
    """A structured factor is offered as a reason only when it is a real fit, not a prior or
    the default: the same (or a shared secondary) domain, or a stated requirement met in full.
    Being available is the norm, not a reason (only its absence is said, as a warning)."""
    if name == "availability":
        return False
    if name == "domain":
        return score >= 0.8
    return score >= 1.0 - 1e-9

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def _fold(text: str) -> str:
    """Lowercase and fold full-width ASCII; keeps the length, so offsets stay valid."""
    folded = text.translate(_FULLWIDTH)
    low = folded.lower()
    return low if len(low) == len(text) else folded  # a few Unicode lowercases change length


def find_positions(text: str, term: str) -> list[tuple[int, int]]:
    """Non-overlapping ``(start, end)`` occurrences of ``term`` in ``text``, case-insensitive
    and full-width-insensitive.

    Examples:
        >>> find_positions("SiC器件与sic衬底", "sic")
        [(0, 3), (6, 9)]
        >>> find_positions("光刻胶", "")
        []
    """
    t = _fold(term.strip())
    if not t:
        return []
    hay = _fold(text)
    out, start = [], hay.find(t)
    while start != -1:
        out.append((start, start + len(t)))
        start = hay.find(t, start + len(t))
    return out


def highlight_fields(fields: Sequence[tuple[str, str]], terms: Sequence[str]) -> list[dict]:
    """Spans of ``terms`` in each field; longer terms win overlaps.

    Examples:
        >>> highlight_fields([("keywords", "光刻胶，抗蚀剂")], ["光刻胶", "光刻"])
        [{'field': 'keywords', 'text': '光刻胶，抗蚀剂', 'spans': [[0, 3, '光刻胶']]}]
    """
    out = []
    ordered = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    for name, text in fields:
        taken: list[tuple[int, int, str]] = []
        for term in ordered:
            for s, e in find_positions(text, term):
                if all(e <= a or s >= b for a, b, _ in taken):
                    taken.append((s, e, term))
        out.append({"field": name, "text": text,
                    "spans": [[s, e, t] for s, e, t in sorted(taken)]})
    return out


def locate(span: Sequence[int] | None, offsets: Sequence[tuple[str, int, int]]):
    """Map a span in the joined text to ``{"field", "start", "end"}`` of the field holding it.

    ``offsets`` lists ``(field, start, end)`` of each field inside the joined text.

    Examples:
        >>> locate((12, 14), [("keywords", 0, 5), ("achievements", 6, 30)])
        {'field': 'achievements', 'start': 6, 'end': 8}
        >>> locate(None, []) is None
        True
    """
    if span is None:
        return None
    s, e = int(span[0]), int(span[1])
    for name, a, b in offsets:
        if a <= s and e <= b:
            return {"field": name, "start": s - a, "end": e - a}
    return None


def explain_pair(
    *,
    query_id: str,
    candidate_id: str,
    direction: str,
    rank: int,
    fused_score: float,
    fusion: str,
    signals: Mapping[str, Mapping[str, float]],
    matched_terms: Sequence[tuple[str, float]] = (),
    candidate_fields: Sequence[tuple[str, str]] = (),
    coverage=None,
    evidence_offsets: Sequence[tuple[str, int, int]] = (),
    evidence_side: str = "candidate",
    structured=None,
    similar: Sequence[str] = (),
) -> dict:
    """Assemble the explanation dict of one pair.

    ``signals`` maps a signal name to ``{"raw", "rank", "weight", "contribution"}`` where
    ``contribution`` is the signal's term of the fused score relative to the median candidate
    (positive: it lifted this candidate). ``coverage`` is an :class:`~.indicators.Coverage`
    whose spans refer to the evidence text; ``evidence_offsets`` locates the fields inside that
    text and ``evidence_side`` says whose text it is (``"candidate"`` or ``"query"``).
    ``structured`` is a :class:`~.structured.StructuredFit`.

    Examples:
        >>> d = explain_pair(query_id="c1", candidate_id="r1", direction="challenge_to_researchers",
        ...     rank=1, fused_score=0.9, fusion="calibrated",
        ...     signals={"lexical": {"raw": 0.4, "rank": 1, "weight": 1.0, "contribution": 1.2},
        ...              "structured": {"raw": 0.51, "rank": 3, "weight": 1.0,
        ...                             "contribution": 0.01}},
        ...     matched_terms=[("光刻胶", 3.2), ("材料", 0.1)],
        ...     candidate_fields=[("achievements", "光刻胶材料研究")])
        >>> d["matched_terms"][0]["positions"]
        [{'field': 'achievements', 'start': 0, 'end': 3}]
        >>> [t["term"] for t in d["matched_terms"]], d["signals"]["structured"]["shown"]
        (['光刻胶'], False)
        >>> d["summary"]
        '综合排名第 1，主要依据：关键词相符；相符的关键词：光刻胶'
    """
    shares = _shares({n: float(v.get("contribution", 0.0)) for n, v in signals.items()})
    sig_out = {}
    for name, v in signals.items():
        share = shares.get(name, 0.0)
        sig_out[name] = {
            "label": SIGNAL_LABELS.get(name, name),
            "raw": round(float(v.get("raw", 0.0)), 6),
            "rank": int(v.get("rank", 0)),
            "weight": float(v.get("weight", 0.0)),
            "contribution": round(float(v.get("contribution", 0.0)), 6),
            "share": round(share, 4),
            "shown": share >= MIN_SHARE,
        }

    words_count = any(sig_out.get(n, {}).get("shown") for n in ("lexical", "ngram"))
    terms_out = []
    if words_count and matched_terms:
        total = sum(max(0.0, float(c)) for _, c in matched_terms)
        for term, contrib in matched_terms:
            if total <= 0 or float(contrib) / total < MIN_TERM_SHARE or not _listable(term):
                continue
            positions = [{"field": name, "start": s, "end": e}
                         for name, text in candidate_fields for s, e in find_positions(text, term)]
            terms_out.append({"term": term, "contribution": round(float(contrib), 4),
                              "share": round(float(contrib) / total, 4), "positions": positions})
        # a compound's parts are not listed beside it (超临界二氧化碳, not also 超临界, 二氧化碳)
        listed = [t["term"] for t in terms_out]
        terms_out = [t for t in terms_out
                     if not any(t["term"] != o and t["term"] in o for o in listed)]

    indicators = None
    met = near = 0
    if coverage is not None:
        indicators = coverage.as_dict()
        indicators["evidence_side"] = evidence_side
        for item, match in zip(indicators["indicators"], coverage.matches):
            item["mention_at"] = locate(match.mention_span, evidence_offsets)
            item["value_at"] = locate(match.value_span, evidence_offsets)
        met = sum(m.status == "meets" for m in coverage.matches)
        near = sum(m.status == "near" for m in coverage.matches)
        indicators["contributed"] = bool(sig_out.get("indicator", {}).get("shown")) and (
            met + near) > 0

    struct_out = structured.as_dict() if structured is not None else None
    factors_shown: list[str] = []
    requirements: list[dict] = []
    if struct_out is not None:
        st_shown = bool(sig_out.get("structured", {}).get("shown"))
        # a requirement the listing states and this candidate meets is said whenever the
        # structured fit lifted it above the median candidate, even by less than MIN_SHARE of
        # the lift: the organizer asked for it, and it is what set this candidate apart from
        # teams with the same text (ADR 0170)
        st_lifted = float(sig_out.get("structured", {}).get("contribution", 0.0)) > 1e-9
        for name, part in struct_out["parts"].items():
            fits = _factor_is_a_reason(name, part["score"])
            if part.get("stated") and name in REQUIREMENT_LABELS and fits and st_lifted:
                part["shown"] = True
                requirements.append({"factor": name, **{
                    k: _plain(v) for k, v in (part.get("detail") or {}).items()}})
                continue
            part["shown"] = st_shown and fits
            if part["shown"]:
                factors_shown.append(name)
        struct_out["shown"] = factors_shown + [r["factor"] for r in requirements]

    # a signal is named as a reason only when there is something to show for it: the
    # indicator signal when a target is met or near (not for a mention), the structured fit
    # when a factor is a real fit (not for a prior); otherwise it is not drawn either
    if indicators is None or not indicators["contributed"]:
        if "indicator" in sig_out:
            sig_out["indicator"]["shown"] = False
    if not factors_shown and not requirements and "structured" in sig_out:
        sig_out["structured"]["shown"] = False
    if not terms_out and "lexical" in sig_out:  # "keyword match" needs keywords to show
        sig_out["lexical"]["shown"] = False
    reasons: list[dict] = []
    lead = [n for n, s in sorted(sig_out.items(), key=lambda kv: -kv[1]["share"]) if s["shown"]]
    if lead:
        reasons.append({"code": "lead", "signals": lead[:2]})
    if terms_out:
        reasons.append({"code": "terms", "terms": [t["term"] for t in terms_out[:5]]})
    if indicators is not None and indicators["contributed"]:
        reasons.append({"code": "indicators", "met": met, "near": near,
                        "total": len(coverage.matches)})
    if factors_shown:
        reasons.append({"code": "factors", "factors": factors_shown})
    if requirements:
        reasons.append({"code": "requirements", "requirements": requirements})
    if structured is not None and "availability" in structured.parts:
        if structured.parts["availability"].score == 0.0:
            reasons.append({"code": "unavailable"})
    if similar:
        reasons.append({"code": "similar", "count": len(similar)})

    parts = [f"综合排名第 {rank}"]
    if lead:
        parts.append("主要依据：" + "、".join(SIGNAL_LABELS.get(n, n) for n in lead[:2]))
    if terms_out:
        parts.append("相符的关键词：" + "、".join(t["term"] for t in terms_out[:5]))
    if indicators is not None and indicators["contributed"]:
        parts.append(f"达到 {met} 项技术指标" + (f"，接近 {near} 项" if near else "")
                     if met else f"接近 {near} 项技术指标")
    if requirements:
        parts.append("符合榜单要求：" + "、".join(
            f"{REQUIREMENT_LABELS[r['factor']]}（{requirement_value(r)}）" for r in requirements))
    if any(r["code"] == "unavailable" for r in reasons):
        parts.append("注意：当前不可承接")
    if similar:
        parts.append(f"另有 {len(similar)} 条相似榜单")
    return {
        "query_id": query_id,
        "candidate_id": candidate_id,
        "direction": direction,
        "rank": int(rank),
        "score": round(float(fused_score), 6),
        "fusion": fusion,
        "summary": "，".join(parts[:1]) + ("，" + "；".join(parts[1:]) if parts[1:] else ""),
        "reasons": reasons,
        "signals": sig_out,
        "matched_terms": terms_out,
        "highlights": highlight_fields(candidate_fields, [t["term"] for t in terms_out]),
        "indicators": indicators,
        "structured": struct_out,
        "similar": list(similar),
    }


#: the requirements a listing can state, in plain Chinese (the Django side translates them)
REQUIREMENT_LABELS = {"discipline": "学科", "trl": "技术成熟度", "institution": "单位类型",
                      "region": "地区"}


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def requirement_value(req: Mapping) -> str:
    """What the candidate has for a met requirement, as shown beside its label.

    Examples:
        >>> requirement_value({"factor": "trl", "wanted_min": 4, "wanted_max": 6, "got": 5})
        'TRL5'
        >>> requirement_value({"factor": "region", "wanted": "福建", "got": "福建福州"})
        '福建福州'
    """
    got = req.get("got")
    if req.get("factor") == "trl" and got is not None:
        return f"TRL{got}"
    return str(got or "")


def _shares(contrib: Mapping[str, float]) -> dict[str, float]:
    pos = {k: max(0.0, v) for k, v in contrib.items()}
    total = sum(pos.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in pos.items()}
