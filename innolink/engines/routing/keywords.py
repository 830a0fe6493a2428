"""The keyword-rule router: what a dispatcher's cheat sheet does (``"产权证" → 自然资源局``).

Rules are tried in order; the first keyword found in the text decides the first suggestion, the
next different departments found fill places two and three, and ``default`` closes the list.
It is the baseline the suggestion model is measured against (``bench/servicedesk.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["KeywordRouter"]


class KeywordRouter:
    """Examples:
        >>> router = KeywordRouter([("产权证", "自然资源局"), ("贷款", "金融办")], default="服务中心")
        >>> router.suggest("厂房产权证办不下来，影响贷款")
        ['自然资源局', '金融办', '服务中心']
    """

    def __init__(self, rules: Sequence[tuple[str, str]], *, default: str) -> None:
        self.rules = [(keyword.lower(), label) for keyword, label in rules if keyword]
        self.default = default

    def suggest(self, text: str, *, k: int = 3) -> list[str]:
        text = text.lower()
        out: list[str] = []
        for keyword, label in self.rules:
            if label not in out and keyword in text:
                out.append(label)
                if len(out) == k:
                    return out
        if self.default not in out:
            out.append(self.default)
        return out[:k]
