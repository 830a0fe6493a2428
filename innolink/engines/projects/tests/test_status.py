"""The project status engine against slow, obviously correct references."""

import datetime as dt
import doctest
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from innolink.engines.projects import status as s

SIGNED = dt.date(2025, 4, 15)


def project(milestones=(), targets=(), reported=(), cycle="quarterly", closed=False):
    return s.ProjectIn(SIGNED, cycle, tuple(milestones), tuple(targets), frozenset(reported),
                       closed=closed)


def test_doctests():
    assert doctest.testmod(s).failed == 0


def slow_period(day: dt.date, cycle: str) -> tuple[dt.date, dt.date]:
    """Walk day by day to the edges of the month or quarter."""
    def key(d):
        return (d.year, d.month if cycle == "monthly" else (d.month - 1) // 3)
    start = end = day
    while key(start - dt.timedelta(days=1)) == key(day):
        start -= dt.timedelta(days=1)
    while key(end + dt.timedelta(days=1)) == key(day):
        end += dt.timedelta(days=1)
    return start, end


@settings(max_examples=200)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.sampled_from(["monthly", "quarterly"]))
def test_period_of_matches_a_day_by_day_walk(day, cycle):
    assert s.period_of(day, cycle) == slow_period(day, cycle)
    start, _ = s.period_of(day, cycle)
    assert s.parse_period(s.period_label(start, cycle), cycle) == s.period_of(day, cycle)


def test_parse_period_refuses_a_quarter_for_a_monthly_project_and_nonsense():
    for text, cycle in (("2026Q4", "monthly"), ("2026Q5", "quarterly"), ("abc", "monthly")):
        try:
            s.parse_period(text, cycle)
        except ValueError:
            continue
        raise AssertionError(text)


def test_a_milestone_past_due_makes_the_project_late_with_the_reason():
    m = s.MilestoneIn("started", "开工", dt.date(2025, 9, 30), None, "start")
    result = s.status(project([m], reported={dt.date(2025, 7, 1)}), today=dt.date(2025, 10, 5))
    assert result.code == s.LATE
    assert result.reasons[0].code == "milestone_overdue"
    assert result.reasons[0].params == {"title": "开工", "due": "2025-09-30", "days": 5}


def test_done_milestones_and_met_targets_are_on_track():
    m = s.MilestoneIn("started", "开工", dt.date(2025, 9, 30), dt.date(2025, 9, 1), "start")
    t = s.TargetIn("产能", "吨/年", D(0), D(2), dt.date(2025, 12, 31), D(2),
                   dt.date(2025, 9, 30))
    result = s.status(project([m], [t], reported={dt.date(2025, 7, 1)}),
                      today=dt.date(2025, 10, 5))
    assert (result.code, result.reasons) == (s.ON_TRACK, ())


def test_missing_report_after_the_grace_days_is_a_risk_and_not_before():
    reported = set()  # signed in Q2 2025: its first report is 2025Q2
    early = s.status(project(reported=reported), today=dt.date(2025, 7, 10))
    assert early.code == s.ON_TRACK  # Q2 ended 2025-06-30; ten days of grace
    late = s.status(project(reported=reported), today=dt.date(2025, 7, 11))
    assert late.code == s.AT_RISK and late.reasons[0].code == "report_missing"
    assert late.reasons[0].params["period"] == "2025Q2"
    assert s.status(project(reported={dt.date(2025, 4, 1)}), today=dt.date(2025, 7, 11)).code \
        == s.ON_TRACK


def test_a_target_behind_its_straight_line_is_a_risk():
    # due in 260 days; at day 200 the line expects 77% of the way, 20% tolerance -> 57%
    t = s.TargetIn("年产值", "万元", D(0), D(5000), dt.date(2025, 12, 31), D(2000),
                   dt.date(2025, 10, 31))
    result = s.status(project(targets=[t], reported={dt.date(2025, 10, 1), dt.date(2025, 7, 1)}),
                      today=dt.date(2025, 11, 1))
    assert result.code == s.AT_RISK
    assert [r.code for r in result.reasons] == ["target_behind"]
    on_line = s.TargetIn("年产值", "万元", D(0), D(5000), dt.date(2025, 12, 31), D(3500),
                         dt.date(2025, 10, 31))
    assert s.status(project(targets=[on_line], reported={dt.date(2025, 7, 1)}),
                    today=dt.date(2025, 11, 1)).code == s.ON_TRACK


def test_a_target_that_goes_down_counts_progress_downwards():
    t = s.TargetIn("采购成本", "%", D(100), D(70), dt.date(2026, 12, 31), D(85))
    assert s.progress(t) == D("0.5")
    assert not s.met(t)
    assert s.met(s.TargetIn("采购成本", "%", D(100), D(70), dt.date(2026, 12, 31), D(69)))


def test_a_missed_target_past_due_is_late_and_closed_projects_are_closed():
    t = s.TargetIn("产能", "吨/年", D(0), D(2), dt.date(2025, 12, 31), D(1))
    assert s.status(project(targets=[t]), today=dt.date(2026, 1, 2)).code == s.LATE
    assert s.status(project(targets=[t], closed=True), today=dt.date(2026, 1, 2)).code == s.CLOSED


def slow_tallies(p, today):
    due = [m for m in p.milestones if m.due_on and m.due_on <= today]
    due_t = [t for t in p.targets if t.due_on <= today]
    reported = [t for t in p.targets if t.latest is not None]
    att = sum((max(D(0), min(D(1), (t.latest - t.baseline) / (t.target - t.baseline))))
              for t in reported) if reported else D(0)
    return (len(due) + len(due_t),
            sum(1 for m in due if m.done_on) + sum(1 for t in due_t if t.latest is not None
                                                    and (t.latest - t.baseline) / (t.target - t.baseline) >= 1),
            len(reported), att.quantize(D("0.0001")))


@settings(max_examples=100)
@given(st.lists(st.tuples(st.integers(0, 600), st.booleans(), st.sampled_from(["", "start", "production"])), max_size=6),
       st.lists(st.tuples(st.integers(1, 900), st.integers(-50, 150), st.booleans()), max_size=5),
       st.integers(0, 1000))
def test_tallies_match_a_direct_count(ms, ts, offset):
    today = SIGNED + dt.timedelta(days=offset)
    milestones = [s.MilestoneIn("x", f"m{i}", SIGNED + dt.timedelta(days=d),
                                today if done else None, mark) for i, (d, done, mark) in enumerate(ms)]
    targets = [s.TargetIn(f"t{i}", "件", D(0), D(100), SIGNED + dt.timedelta(days=d),
                          D(v) if has else None) for i, (d, v, has) in enumerate(ts)]
    p = project(milestones, targets)
    got = s.tallies(p, today=today)
    assert (got.obligations_due, got.obligations_met, got.targets_reported,
            got.attainment_sum) == slow_tallies(p, today)
    assert got.started <= got.start_due <= 1 and got.producing <= got.production_due <= 1
