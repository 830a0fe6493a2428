"""Per-pair explanations rendered as plain dicts (JSON-ready, template-ready).

An explanation says, for one (query, candidate) pair:

* ``matched_terms`` — query terms found in the candidate, their BM25 contribution and their
  positions in the candidate's fields (for highlighting);
* ``highlights`` — each candidate field with non-overlapping ``[start, end, term]`` spans;
* ``indicators`` — the per-indicator coverage (status, value found, reason);
* ``structured`` — each structured factor with score and reason;
* ``signals`` — each signal's raw score, normalised score, rank among the candidates, weight
  and contribution to the fused score;
* ``summary`` — one Chinese sentence.

Positions are character offsets into the field text exactly as given (Python ``str``
indices), so ``text[start:end]`` is the highlighted substring.
"""

from __future__ import annotations

from typing import Mapping, Sequence

__all__ = ["SIGNAL_LABELS", "explain_pair", "find_positions", "highlight_fields", "locate"]

#: Chinese names of the signals, for display
SIGNAL_LABELS = {
    "lexical": "关键词匹配（BM25）",
    "ngram": "字符片段匹配",
    "dense": "语义相似度",
    "indicator": "指标覆盖",
    "structured": "结构化匹配",
}

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
) -> dict:
    """Assemble the explanation dict of one pair.

    ``signals`` maps a signal name to ``{"raw", "normalized", "rank", "weight",
    "contribution"}``.  ``coverage`` is an :class:`~.indicators.Coverage` whose spans refer to
    the evidence text; ``evidence_offsets`` locates the fields inside that text and
    ``evidence_side`` says whose text it is (``"candidate"`` or ``"query"``).  ``structured`` is
    a :class:`~.structured.StructuredFit`.

    Examples:
        >>> d = explain_pair(query_id="c1", candidate_id="r1", direction="challenge_to_researchers",
        ...     rank=1, fused_score=0.9, fusion="weighted",
        ...     signals={"lexical": {"raw": 3.2, "normalized": 1.0, "rank": 1, "weight": 1.0,
        ...                          "contribution": 1.0}},
        ...     matched_terms=[("光刻胶", 3.2)], candidate_fields=[("achievements", "光刻胶研究")])
        >>> d["matched_terms"][0]["positions"]
        [{'field': 'achievements', 'start': 0, 'end': 3}]
        >>> d["signals"]["lexical"]["label"], d["summary"]
        ('关键词匹配（BM25）', '综合排名第 1，主要依据：关键词匹配（BM25）；命中关键词：光刻胶')
    """
    terms_out = []
    for term, contrib in matched_terms:
        positions = [{"field": name, "start": s, "end": e}
                     for name, text in candidate_fields for s, e in find_positions(text, term)]
        terms_out.append({"term": term, "contribution": round(float(contrib), 4),
                          "positions": positions})
    sig_out = {}
    for name, v in signals.items():
        sig_out[name] = {
            "label": SIGNAL_LABELS.get(name, name),
            "raw": round(float(v.get("raw", 0.0)), 6),
            "normalized": round(float(v.get("normalized", 0.0)), 6),
            "rank": int(v.get("rank", 0)),
            "weight": float(v.get("weight", 0.0)),
            "contribution": round(float(v.get("contribution", 0.0)), 6),
        }
    total = sum(s["contribution"] for s in sig_out.values())
    for s in sig_out.values():
        s["share"] = round(s["contribution"] / total, 4) if total > 0 else 0.0

    indicators = None
    if coverage is not None:
        indicators = coverage.as_dict()
        indicators["evidence_side"] = evidence_side
        for item, match in zip(indicators["indicators"], coverage.matches):
            item["mention_at"] = locate(match.mention_span, evidence_offsets)
            item["value_at"] = locate(match.value_span, evidence_offsets)

    top = sorted(sig_out.items(), key=lambda kv: -kv[1]["contribution"])
    lead = [s["label"] for _, s in top if s["contribution"] > 0][:2]
    parts = [f"综合排名第 {rank}"]
    if lead:
        parts.append("主要依据：" + "、".join(lead))
    if terms_out:
        parts.append("命中关键词：" + "、".join(t["term"] for t in terms_out[:5]))
    if coverage is not None and coverage.matches:
        met = sum(m.status == "meets" for m in coverage.matches)
        parts.append(f"指标满足 {met}/{len(coverage.matches)} 项")
    if structured is not None and "availability" in structured.parts:
        if structured.parts["availability"].score == 0.0:
            parts.append("注意：当前不可承接")
    return {
        "query_id": query_id,
        "candidate_id": candidate_id,
        "direction": direction,
        "rank": int(rank),
        "score": round(float(fused_score), 6),
        "fusion": fusion,
        "summary": "，".join(parts[:1]) + ("，" + "；".join(parts[1:]) if parts[1:] else ""),
        "signals": sig_out,
        "matched_terms": terms_out,
        "highlights": highlight_fields(candidate_fields, [t for t, _ in matched_terms]),
        "indicators": indicators,
        "structured": structured.as_dict() if structured is not None else None,
    }
