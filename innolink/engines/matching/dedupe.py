"""Near-duplicate listings shown once.

Real boards carry the same challenge posted by several companies (the same 榜单 title from a
group's subsidiaries, or one listing re-posted each year). A researcher's recommendations
should show it once, with "and N similar" (ADR 0362). Two titles are near-duplicates when,
after removing a trailing bracketed qualifier (the issuer, region or batch a board appends:
"……配方（福建某鞋材有限·第9批）"), punctuation, spaces and issuer boilerplate (公司, 有限公司,
项目, 需求 …), they are equal or their character-bigram Jaccard similarity is at least
``threshold``.

:func:`group_near_duplicates` keeps the input order (best first): each group is led by its
first (best ranked) member. Pure Python.
"""

from __future__ import annotations

import re
from typing import Hashable, Sequence

__all__ = ["THRESHOLD", "bigram_jaccard", "group_near_duplicates", "title_key"]

#: bigram Jaccard similarity from which two titles count as the same listing
THRESHOLD = 0.8

_NOISE = re.compile(
    r"[\s\u3000\-—_·•.,，。、;；:：!！?？()（）\[\]【】《》<>“”\"'‘’/\\|]+"
    r"|股份有限公司|有限责任公司|有限公司|集团|公司|项目|需求|榜单|揭榜挂帅|揭榜|关于|开展")


#: a bracketed qualifier at the end of a title: who posted it, where, which batch
_QUALIFIER = re.compile(r"\s*[(（【\[][^()（）【】\[\]]*[)）】\]]\s*$")
#: what must be left of a title for its qualifier to be dropped
_MIN_STEM = 5


def title_key(title: str) -> str:
    """A title reduced to what distinguishes listings.

    Examples:
        >>> title_key("【揭榜挂帅】高导热石墨烯膜 项目需求（晋江）")
        '高导热石墨烯膜'
        >>> title_key("运动鞋大底高耐磨橡胶配方（福建益恒鞋材有限·第9批）")
        '运动鞋大底高耐磨橡胶配方'
        >>> title_key("地下掘进装备智能化(工程)关键技术研究")  # not trailing: kept
        '地下掘进装备智能化工程关键技术研究'
        >>> title_key("储能电池（二期）")  # too little would be left: kept
        '储能电池二期'
    """
    text = (title or "").lower()
    stem = _QUALIFIER.sub("", text)
    if len(_NOISE.sub("", stem)) >= _MIN_STEM:
        text = stem
    return _NOISE.sub("", text)


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else ({s} if s else set())


def bigram_jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams of two strings.

    Examples:
        >>> round(bigram_jaccard("石墨烯导热膜", "石墨烯导热膜材"), 3)
        0.833
        >>> bigram_jaccard("", "")
        1.0
    """
    x, y = _bigrams(a), _bigrams(b)
    if not x and not y:
        return 1.0
    return len(x & y) / len(x | y)


def group_near_duplicates(ids: Sequence[Hashable], titles: Sequence[str],
                          threshold: float = THRESHOLD) -> list[list[Hashable]]:
    """Groups of ids whose titles are near-duplicates, in input order; each group starts with
    its earliest member.

    Examples:
        >>> group_near_duplicates(["a", "b", "c", "d", "e"],
        ...     ["高导热石墨烯膜", "低k介质材料", "高导热石墨烯膜（甲公司）", "高导热石墨烯薄膜",
        ...      "【需求】高导热石墨烯膜"])
        [['a', 'c', 'e'], ['b'], ['d']]
    """
    if len(ids) != len(titles):
        raise ValueError("ids and titles must have the same length")
    keys = [title_key(t) for t in titles]
    grams = [_bigrams(k) for k in keys]
    groups: list[list[Hashable]] = []
    heads: list[int] = []  # index of each group's first member
    for i, key in enumerate(keys):
        for g, h in enumerate(heads):
            if key == keys[h] or (grams[i] and grams[h] and
                                  len(grams[i] & grams[h]) / len(grams[i] | grams[h]) >= threshold):
                groups[g].append(ids[i])
                break
        else:
            heads.append(i)
            groups.append([ids[i]])
    return groups
