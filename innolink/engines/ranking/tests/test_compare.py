import pytest

from innolink.engines.ranking import RankingError, compare_lists, run_list

from .helpers import one_indicator, tiny_snapshot


def _list(year, revenue):
    m = one_indicator("revenue", size=2, years=[2024, 2025])
    return run_list(m, tiny_snapshot(revenue, year=year), samples=10)


def test_year_over_year_changes_entrants_drop_outs_and_threshold():
    # given 2024: ids 1 (10) and 2 (9) in; 2025: ids 4 (12) and 2 (10) in
    last = _list(2024, [10.0, 9.0, 8.0, 7.0])
    this = _list(2025, [5.0, 10.0, 8.0, 12.0])

    # when
    c = compare_lists(this, last)

    # then
    assert [(x.enterprise_id, x.current_rank, x.previous_rank, x.change) for x in c.stayed] == [
        (2, 2, 2, 0)]
    assert [(x.enterprise_id, x.current_rank) for x in c.new_entrants] == [(4, 1)]
    assert [(x.enterprise_id, x.previous_rank) for x in c.drop_outs] == [(1, 1)]
    assert c.turnover == 1
    assert (c.entry_threshold, c.previous_entry_threshold, c.entry_threshold_change) == (
        10.0, 9.0, 1.0)
    assert c.entry_threshold_change_pct == pytest.approx(100.0 / 9.0, abs=1e-6)
    assert c.same_methodology is True


def test_comparing_different_lists_or_wrong_order_is_refused():
    a, b = _list(2024, [1.0, 2.0, 3.0]), _list(2025, [1.0, 2.0, 3.0])
    with pytest.raises(RankingError) as info:
        compare_lists(a, b)
    assert info.value.code == RankingError.INCOMPATIBLE_LISTS
    other = run_list(one_indicator("revenue", size=2, id="other", years=[2024]),
                     tiny_snapshot([1.0, 2.0, 3.0], year=2024), samples=5)
    with pytest.raises(RankingError):
        compare_lists(b, other)
