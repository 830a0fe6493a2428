"""The matching engine's explanation of a scenario match in the reader's language (ADR 0799).

The engine's ``summary`` is one Chinese sentence; its ``reasons`` are codes with values (kept
as ``summary_codes`` with the ``rank`` by ``fetch._summary``), which
``matching.selectors.reason_sentences`` words. Chinese pages keep the engine's sentence as it
was stored; other languages read the sentences of the reasons."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, pgettext

from innolink.matching.selectors import reason_sentences


def summary_text(explanation: dict[str, Any] | None) -> str:
    """One match's summary for the page::

        >>> from django.utils import translation
        >>> e = {"rank": 1, "summary": "综合排名第 1，主要依据：关键词相符",
        ...      "summary_codes": [{"code": "lead", "signals": ["lexical"]}]}
        >>> summary_text(e)
        '综合排名第 1，主要依据：关键词相符'
        >>> with translation.override("en"):
        ...     summary_text(e)
        'Ranked 1 overall. Mainly: Keyword match'
    """
    explanation = explanation or {}
    stored = str(explanation.get("summary") or "")
    codes = [r for r in explanation.get("summary_codes") or [] if isinstance(r, dict)]
    if (get_language() or "zh").lower().startswith("zh") or not codes or not explanation.get("rank"):
        return stored
    sentences = reason_sentences(codes, int(explanation["rank"]))
    return pgettext("match summary", "；").join(str(s) for s in sentences)
