"""Year-over-year comparison of a list, against last year's list as published."""

from __future__ import annotations

import math

from ._errors import RankingError
from .types import EntryChange, ListComparison, ListResult

__all__ = ["compare_lists"]


def compare_lists(current: ListResult, previous: ListResult) -> ListComparison:
    """Rank moves, new entrants, drop-outs, turnover (换榜) and the entry threshold change.

    ``change`` is previous rank − current rank (positive = moved up). The threshold compared
    is the methodology's ``threshold_field`` (e.g. revenue of the last member), which is
    comparable across years; ``threshold_score`` is reported too, but min-max scores are
    relative to each year's population and are not comparable across years.
    ``same_methodology`` is False when the methodology hash changed between the editions.

    Examples:
        >>> from innolink.engines.ranking.types import RankedEntry
        >>> def e(i, r):
        ...     return RankedEntry(i, r, r, 0.0, True, False, r, r, r, 1.0, False, {}, {})
        >>> def lst(year, entries, thr):
        ...     return ListResult("x", "示例", year, "1", "h", "d", "f", 2, 9, tuple(entries), (),
        ...                       50.0, "revenue", thr, {}, {}, {}, {}, 0, 0, "")
        >>> c = compare_lists(lst(2025, [e(1, 1), e(3, 2)], 120.0), lst(2024, [e(3, 1), e(2, 2)], 100.0))
        >>> [(x.enterprise_id, x.change) for x in c.stayed], [x.enterprise_id for x in c.new_entrants]
        ([(3, -1)], [1])
        >>> [x.enterprise_id for x in c.drop_outs], c.turnover, c.entry_threshold_change_pct
        ([2], 1, 20.0)
    """
    if current.list_id != previous.list_id:
        raise RankingError(
            RankingError.INCOMPATIBLE_LISTS,
            "不能比较不同榜单 %(current)s 与 %(previous)s",
            current=current.list_id, previous=previous.list_id,
        )
    if previous.year >= current.year:
        raise RankingError(
            RankingError.INCOMPATIBLE_LISTS,
            "上一期（%(previous)s 年）应早于本期（%(current)s 年）",
            current=current.year, previous=previous.year,
        )
    prev_rank = {e.enterprise_id: e.rank for e in previous.entries}
    cur_rank = {e.enterprise_id: e.rank for e in current.entries}
    stayed, new = [], []
    for e in current.entries:
        pr = prev_rank.get(e.enterprise_id)
        if pr is None:
            new.append(EntryChange(e.enterprise_id, e.rank, None, None))
        else:
            stayed.append(EntryChange(e.enterprise_id, e.rank, pr, pr - e.rank))
    drops = [
        EntryChange(e.enterprise_id, None, e.rank, None)
        for e in previous.entries
        if e.enterprise_id not in cur_rank
    ]
    cur_t, prev_t = current.entry_threshold, previous.entry_threshold
    change = cur_t - prev_t
    pct = (
        None
        if math.isnan(change) or prev_t == 0 or math.isnan(prev_t)
        else round(change / abs(prev_t) * 100.0, 6)
    )
    return ListComparison(
        list_id=current.list_id,
        year=current.year,
        previous_year=previous.year,
        stayed=tuple(stayed),
        new_entrants=tuple(new),
        drop_outs=tuple(drops),
        turnover=len(new),
        threshold_field=current.threshold_field,
        entry_threshold=cur_t,
        previous_entry_threshold=prev_t,
        entry_threshold_change=change,
        entry_threshold_change_pct=pct,
        threshold_score=current.threshold_score,
        previous_threshold_score=previous.threshold_score,
        same_methodology=current.methodology_hash == previous.methodology_hash,
    )
