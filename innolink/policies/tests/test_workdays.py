"""The working-day calendar: official holidays and make-up days from the database (seeded
with the State Council notices 2024–2026), Monday to Friday for a year without data, edits
through the audited services, and the warning when the current or next year is missing."""

import datetime as dt
import logging

import pytest

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_user
from innolink.policies import services, workdays
from innolink.policies.models import CalendarDay
from innolink.policies.tests.factories import high_tech_enterprise
from innolink.policies.workdays import (
    WorkCalendar, add_working_days, calendar_gaps, is_working_day, seed_rows,
    working_days_between,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _written() -> tuple[int, int]:
    return CalendarDay.objects.count(), AuditEntry.objects.count()


# ----------------------------------------------------------------------------- shipped data

def test_the_shipped_years_match_the_state_council_notices():
    days = {d: (kind, name) for d, kind, name in seed_rows()}
    by_year = {}
    for d, (kind, _n) in days.items():
        by_year.setdefault(d.year, {"holiday": 0, "workday": 0})[kind] += 1
    assert by_year == {2024: {"holiday": 28, "workday": 8}, 2025: {"holiday": 28, "workday": 5},
                       2026: {"holiday": 33, "workday": 6}}
    assert days[D(2025, 1, 28)] == ("holiday", "春节") and days[D(2025, 2, 4)][0] == "holiday"
    assert days[D(2025, 1, 26)] == ("workday", "春节") and days[D(2025, 2, 8)][0] == "workday"
    assert days[D(2025, 4, 27)] == ("workday", "劳动节")
    assert [d for d in days if days[d][1] == "国庆节、中秋节" and days[d][0] == "holiday"] == [
        D(2025, 10, i) for i in range(1, 9)]
    assert all(d.weekday() >= 5 for d, (kind, _n) in days.items() if kind == "workday")
    # the migration seeded the same rows
    assert CalendarDay.objects.count() == len(days)


def test_a_data_file_listing_a_date_twice_is_refused(tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text("2030:\n  holidays: [{name: 国庆节, from: 2030-10-01, to: 2030-10-07}]\n"
                    "  workdays: [{name: 国庆节, dates: [2030-10-05]}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="2030-10-05 is listed twice"):
        seed_rows(path)


# ----------------------------------------------------------------------------- deadlines

def test_a_deadline_across_national_day_2025_skips_the_holiday_and_counts_the_makeup_saturday():
    # Oct 1–8 off; Saturday Oct 11 is a working day.
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert add_working_days(D(2025, 9, 30), 10) == D(2025, 10, 21)
    assert add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)  # make-up Sunday
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 21)) == 10
    assert working_days_between(D(2025, 10, 21), D(2025, 9, 30)) == -10
    assert not is_working_day(D(2025, 10, 8)) and is_working_day(D(2025, 10, 11))


def test_a_deadline_across_spring_festival_2026():
    # Feb 15–23 off; Saturdays Feb 14 and Feb 28 are working days.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 4)
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 24)) == 1


def test_a_claim_submitted_before_national_day_gets_its_deadline_after_it(synced):
    enterprise = high_tech_enterprise()
    from innolink.policies.tests.factories import FORM, YEAR, clause

    application = services.application_submit(
        actor=make_user(Role.ENTERPRISE, enterprise=enterprise), enterprise=enterprise,
        clause=clause("p01_high_tech_award", "high_tech_award"), year=YEAR, form=FORM,
        today=D(2025, 9, 30))
    assert application.due_on == D(2025, 10, 21)  # review_days 10


def test_a_year_without_calendar_data_counts_monday_to_friday_and_says_so(caplog):
    workdays._warned_years.discard(2031)
    with caplog.at_level(logging.WARNING, logger="innolink.policies.workdays"):
        assert add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)  # a Wednesday, not a holiday
    assert "no data for 2031" in caplog.text
    assert calendar_gaps(D(2026, 11, 26)) == [2027]
    assert calendar_gaps(D(2025, 6, 1)) == []
    assert calendar_gaps(D(2031, 1, 1)) == [2031, 2032]


def test_the_calendar_is_read_once_and_cached(django_assert_num_queries):
    workdays.calendar()
    with django_assert_num_queries(0):
        assert add_working_days(D(2025, 9, 30), 10) == D(2025, 10, 21)
        assert working_days_between(D(2026, 2, 12), D(2026, 3, 4)) == 10


def test_the_pure_calendar_without_data_is_monday_to_friday():
    cal = WorkCalendar()
    assert cal.add_working_days(D(2026, 11, 27), 10) == D(2026, 12, 11)
    assert cal.working_days_between(D(2026, 11, 27), D(2026, 11, 27)) == 0
    assert not cal.covers(2026)


# ----------------------------------------------------------------------------- edits

def test_adding_next_years_holiday_changes_a_deadline_and_clears_the_warning():
    officer = make_user(Role.POLICY_OFFICER)
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)  # Friday, counted: no 2027 data
    rows = services.calendar_days_add(actor=officer, start="2027-01-01", kind="holiday",
                                      name="元旦")
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert calendar_gaps(D(2026, 11, 26)) == []
    entry = AuditEntry.objects.get(model="policies.calendarday", object_id=str(rows[0].pk))
    assert entry.action == "create" and entry.changes["kind"] == [None, "holiday"]
    services.calendar_day_delete(actor=officer, day_id=rows[0].pk)
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert AuditEntry.objects.filter(model="policies.calendarday", action="delete").count() == 1


def test_a_makeup_saturday_added_for_a_future_year_counts():
    services.calendar_days_add(actor=None, start=D(2027, 10, 1), end=D(2027, 10, 7),
                               kind="holiday", name="国庆节")
    services.calendar_days_add(actor=None, start=D(2027, 10, 9), kind="workday", name="国庆节")
    assert add_working_days(D(2027, 9, 30), 1) == D(2027, 10, 8)   # Friday
    assert add_working_days(D(2027, 9, 30), 2) == D(2027, 10, 9)   # the make-up Saturday


def test_a_date_both_holiday_and_makeup_day_is_refused_and_nothing_written():
    before = _written()
    with pytest.raises(Conflict) as error:  # Saturday Oct 4, 2025 is inside the 国庆 block
        services.calendar_days_add(actor=None, start="2025-10-04", kind="workday", name="国庆节")
    assert error.value.code == "calendar_day_exists"
    assert "2025-10-04 已登记为「放假」" in error.value.message
    with pytest.raises(Conflict):  # a range touching the make-up Sunday Sep 28 writes nothing
        services.calendar_days_add(actor=None, start="2025-09-26", end="2025-09-29",
                                   kind="holiday", name="国庆节")
    assert _written() == before
    assert is_working_day(D(2025, 9, 28)) and is_working_day(D(2025, 9, 29))


@pytest.mark.parametrize("kwargs, field", [
    ({"start": "2027-13-01", "kind": "holiday", "name": "元旦"}, "start"),
    ({"start": "2027-10-07", "end": "2027-10-01", "kind": "holiday", "name": "国庆节"}, "end"),
    ({"start": "2027-01-01", "end": "2027-03-01", "kind": "holiday", "name": "春节"}, "end"),
    ({"start": "2027-10-08", "kind": "workday", "name": "国庆节"}, "start"),  # a Friday
    ({"start": "2027-10-09", "kind": "sometimes", "name": "国庆节"}, "kind"),
    ({"start": "2027-10-09", "kind": "workday", "name": " "}, "name"),
])
def test_bad_calendar_input_is_refused_and_nothing_written(kwargs, field):
    before = _written()
    with pytest.raises(ValidationFailed) as error:
        services.calendar_days_add(actor=None, **kwargs)
    assert field in error.value.fields
    assert _written() == before


def test_deleting_an_unknown_day_is_not_found():
    with pytest.raises(NotFound):
        services.calendar_day_delete(actor=None, day_id="x")
    with pytest.raises(NotFound):
        services.calendar_day_delete(actor=None, day_id=10**20)


# ----------------------------------------------------------------------------- pages

def test_officers_edit_the_calendar_on_its_page(officer_client):
    response = officer_client.get("/policies/calendar/")
    assert response.status_code == 200
    assert "2025-10-11" in response.content.decode()
    response = officer_client.post("/policies/calendar/", {
        "kind": "holiday", "start": "2027-01-01", "end": "", "name": "元旦"})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=D(2027, 1, 1), kind="holiday").exists()


def test_a_refused_calendar_edit_answers_4xx_with_the_reason_and_writes_nothing(officer_client):
    before = _written()
    response = officer_client.post("/policies/calendar/", {
        "kind": "workday", "start": "2025-10-04", "name": "国庆节"})
    assert response.status_code == 409
    assert "不能同时为" in response.content.decode()
    assert _written() == before


def test_other_roles_cannot_edit_the_calendar(client, enterprise_user):
    client.force_login(enterprise_user)
    before = _written()
    assert client.get("/policies/calendar/").status_code == 403
    assert client.post("/policies/calendar/", {"kind": "holiday", "start": "2027-01-01",
                                               "name": "元旦"}).status_code == 403
    assert _written() == before


def test_the_officer_workspace_warns_when_next_year_is_missing(officer_client):
    # today (2026-11-26 on this machine or later) has no 2027 data shipped; pin "today"
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 11, 26)):
        page = officer_client.get("/workspace/").content.decode()
    assert "工作日历缺少 2027 年的放假安排" in page
    services.calendar_days_add(actor=None, start="2027-01-01", kind="holiday", name="元旦")
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 11, 26)):
        page = officer_client.get("/workspace/").content.decode()
    assert "工作日历缺少" not in page
