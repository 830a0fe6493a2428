"""The bench loader (``overview.bench_requests``) writes the requests it is asked for, with
counter rows equal to a recount of the rows, and the leaders' overview reads figures that
equal a count made directly from those rows."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.utils import timezone

from innolink.enterprises.testing import make_enterprise
from innolink.servicedesk import loadgen, overview, selectors
from innolink.servicedesk.models import RateCounter, ServiceRequest, Status, TopicCounter


def _pct(num: int, den: int) -> Decimal | None:
    return (Decimal(100 * num) / den).quantize(Decimal("0.1")) if den else None


def _recount_in_python() -> dict[tuple, dict[str, int]]:
    """Counter rows from each request's own fields, one row at a time (the reference)."""
    out: dict = defaultdict(Counter)
    for r in ServiceRequest.objects.all():
        key = (timezone.localtime(r.created_at).date().replace(day=1), r.department_id or 0,
               r.town, r.category_id)
        c = out[key]
        c["received"] += 1
        if r.sign_counted:
            c["sign_total"] += 1
            c["sign_timely"] += bool(r.signed_at and r.signed_at <= r.sign_due_at)
        if r.done_counted:
            c["done_total"] += 1
            c["done_timely"] += bool(r.replied_at and r.replied_at <= r.due_at)
        if r.rating:
            c["rated"] += 1
            c[r.rating] += 1
    return {k: {f: n for f, n in v.items() if n} for k, v in out.items()}


def test_bench_requests_writes_what_the_overview_counts(db):
    companies = [make_enterprise(town=town) for town in ("陈埭", "安海", "磁灶", "西园街道")]
    outsider = make_enterprise(town="池店")
    ids = [c.pk for c in companies]

    assert overview.bench_requests(count=200, enterprise_ids=ids) == 200

    rows = list(ServiceRequest.objects.all())
    assert len(rows) == 200
    assert {r.enterprise_id for r in rows} <= set(ids)
    assert not ServiceRequest.objects.filter(enterprise=outsider).exists()
    assert {r.town for r in rows} == {c.town for c in companies}
    assert {r.status for r in rows} <= {Status.CLOSED, Status.HANDLING, Status.ASSIGNED}
    assert ServiceRequest.objects.filter(status=Status.CLOSED).exclude(rating="").exists()
    assert len({r.category_id for r in rows}) > 5 and len({r.department_id for r in rows}) > 5
    assert len({timezone.localtime(r.created_at).month for r in rows}) == 12

    # the counter rows equal both recounts: the grouped query and the row-by-row reference
    stored = selectors.counters_stored()
    assert stored == _recount_in_python()
    assert loadgen.rates_from_rows() == stored

    today = timezone.localdate()
    section = overview.overview_section(today=today)
    figures = {f.key: f for f in section.figures}
    this_year = [r for r in rows if timezone.localtime(r.created_at).year == today.year]
    assert figures["servicedesk.received"].value == len(this_year)
    assert figures["servicedesk.received"].by_town == dict(Counter(r.town for r in this_year))
    signed = [r for r in this_year if r.sign_counted]
    done = [r for r in this_year if r.done_counted]
    rated = [r for r in this_year if r.rating]
    expected = {
        "timely_sign_rate": _pct(sum(bool(r.signed_at and r.signed_at <= r.sign_due_at)
                                     for r in signed), len(signed)),
        "on_time_rate": _pct(sum(bool(r.replied_at and r.replied_at <= r.due_at)
                                 for r in done), len(done)),
        "satisfaction_rate": _pct(sum(r.rating in ("satisfied", "basic") for r in rated),
                                  len(rated)),
    }
    for name, value in expected.items():  # None only in the first days of a year
        assert figures[f"servicedesk.{name}"].value == value, name
    months = dict(figures["servicedesk.received"].by_month)
    assert sum(months.values()) == len(this_year)

    now = timezone.now()
    overdue = sorted((r for r in rows if r.deadline_at and r.deadline_at < now),
                     key=lambda r: (r.deadline_at, r.pk))
    assert overdue  # the oldest running requests are past their limit
    assert [i.url for i in section.late] == [r.get_absolute_url()
                                             for r in overdue[:overview.LATE_LIMIT]]

    week = today - dt.timedelta(days=today.weekday())
    this_week = sum(timezone.localtime(r.created_at).date() >= week for r in rows)
    assert section.moved[0] == f"本周新受理诉求 {this_week} 件"
    assert sum(TopicCounter.objects.filter(kind="category").values_list("count", flat=True)) == 200


def test_bench_requests_adds_to_existing_counters(db):
    """A second load adds to the counter rows already there (no lost or doubled counts)."""
    ids = [make_enterprise(town="陈埭").pk, make_enterprise(town="安海").pk]
    overview.bench_requests(count=150, enterprise_ids=ids)
    departments = loadgen.desk_setup()
    loadgen.load_requests(count=120, enterprises=[(ids[0], "陈埭")], departments=departments,
                          seed=99)
    assert ServiceRequest.objects.count() == 270
    assert sum(RateCounter.objects.values_list("received", flat=True)) == 270
    assert selectors.counters_stored() == _recount_in_python() == loadgen.rates_from_rows()
    assert sum(TopicCounter.objects.filter(kind="category").values_list("count", flat=True)) == 270
