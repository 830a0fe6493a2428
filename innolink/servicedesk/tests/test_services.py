"""The service desk's writes, step by step: given / when / then, with exact assertions and, on
every refusal, proof that nothing was written."""

import datetime as dt

import pytest
from django.core import mail

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.servicedesk import selectors, services
from innolink.servicedesk.models import (
    Callback, CoHandling, DeskSettings, RateCounter, RequestEvent, ServiceRequest, Status,
    Supervision, Visit,
)
from innolink.servicedesk.tests.helpers import frozen, local, upload, written

E = RequestEvent.Kind
LAND = "厂房历史遗留问题，不动产权证一直办不下来，影响银行抵押融资。"


def create(company, actor, *, category="land", description=LAND, **kw):
    return services.request_create(enterprise=company, channel=kw.pop("channel", "online"),
                                   category=category, description=description, actor=actor, **kw)


def kinds(request):
    return list(request.events.values_list("kind", flat=True))


# --------------------------------------------------------------------------- create and route

def test_create_routes_by_the_rule_with_clocks_on_the_calendar(desk, company, owner, handler):
    # given Monday 29 September 2025, 10:00 (1-8 October is the National Day holiday)
    with frozen(local(2025, 9, 29, 10, 0)):
        # when the enterprise files a 求助 about land
        request = create(company, owner, attachments=[upload()])
    # then it goes to 自然资源局 with 住建局 co-handling, sign by 12:00, answer by 13 October
    assert request.status == Status.ASSIGNED
    assert request.department == desk["zr"] and request.routed_by == "rule"
    assert list(CoHandling.objects.filter(request=request).values_list(
        "department__code", flat=True)) == ["zjj"]
    assert request.sign_due_at == local(2025, 9, 29, 12, 0)
    assert request.due_at == local(2025, 10, 13, 17, 30)  # 30 Sep, 9, 10, 11 (调休), 13 Oct
    assert request.deadline_at == request.sign_due_at
    assert kinds(request) == [E.CREATED, E.ROUTED]
    assert request.attachments.count() == 1
    assert AuditEntry.objects.filter(model="servicedesk.servicerequest",
                                     object_id=str(request.pk), action="create").count() == 1
    # and the department's handler is told, in the platform and by e-mail after commit
    assert Notification.objects.filter(recipient=handler, kind="servicedesk.assigned").count() == 1
    counter = RateCounter.objects.get()
    assert (counter.month, counter.department_id, counter.town, counter.received) == (
        dt.date(2025, 9, 1), desk["zr"].pk, "陈埭", 1)


def test_email_goes_out_after_commit(desk, company, owner, handler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create(company, owner)
    assert [m.to for m in mail.outbox] == [["zr@example.cn"]]
    assert "新诉求待签收" in mail.outbox[0].subject


def test_town_rule_beats_the_rule_for_every_town(desk, company, owner):
    # given labor has a rule only for 陈埭, and the company is in 陈埭
    request = create(company, owner, category="labor", description="春节后缺普工两百人")
    assert request.department == desk["rs"]
    # a company elsewhere has no labor rule: the fallback owner takes it
    other = make_enterprise(town="安海")
    elsewhere = create(other, None, category="labor", description="春节后缺普工两百人")
    assert elsewhere.department == desk["fb"] and elsewhere.routed_by == "fallback"


def test_without_rule_or_fallback_it_waits_for_the_coordinator(desk, company, owner, coordinator):
    DeskSettings.objects.filter(pk=1).update(fallback_department=None)
    request = create(company, owner, category="tax", description="出口退税三个月没到账")
    assert request.status == Status.PENDING and request.department is None
    assert request.deadline_at is None
    assert Notification.objects.filter(recipient=coordinator, kind="servicedesk.pending").exists()
    services.request_assign(actor=coordinator, request_id=request.pk, department="rsj")
    request.refresh_from_db()
    assert request.status == Status.ASSIGNED and request.department == desk["rs"]


@pytest.mark.parametrize("field, kwargs, code", [
    ("description", {"description": "   "}, "empty_text"),
    ("category", {"category": "no-such-category"}, "unknown_category"),
    ("town", {"town": "火星"}, "unknown_town"),
    ("attachments", {"attachments": [upload(size=20 * 1024 * 1024)]}, "bad_attachment"),
    ("attachments", {"attachments": [upload("run.exe")]}, "bad_attachment"),
    ("channel", {"channel": "fax"}, "invalid"),
    ("kind", {"kind": "praise"}, "invalid"),
])
def test_bad_input_is_refused_and_nothing_is_written(desk, company, owner, field, kwargs, code):
    before = written()
    with pytest.raises(ValidationFailed) as exc:
        create(company, owner, **kwargs)
    assert exc.value.code == code and field in exc.value.fields
    assert exc.value.fields[field][0]  # a message an office worker can read
    assert written() == before


def test_twenty_megabytes_message_names_the_file_and_the_limit(desk, company, owner):
    with pytest.raises(ValidationFailed) as exc:
        create(company, owner, attachments=[upload("厂房照片.pdf", size=20 * 1024 * 1024)])
    assert exc.value.fields["attachments"] == ["厂房照片.pdf：文件 20.0 MB，超过 10 MB 上限"]


def test_a_12345_ticket_is_accepted_once(desk, company, coordinator):
    create(company, coordinator, channel="hotline", external_id="GD2025001")
    before = written()
    with pytest.raises(Conflict) as exc:
        create(company, coordinator, channel="hotline", external_id="GD2025001")
    assert exc.value.code == "duplicate_external_id"
    assert written() == before


def test_who_may_file_on_which_channel(desk, company, owner, cadre, other_handler):
    other = make_enterprise()
    for actor, enterprise, channel in ((owner, other, "online"), (cadre, company, "visit"),
                                       (other_handler, company, "online"),
                                       (owner, company, "hotline")):
        before = written()
        with pytest.raises(PermissionDenied):
            create(enterprise, actor, channel=channel)
        assert written() == before


# --------------------------------------------------------------------------- handling

def test_sign_reply_rate_close(desk, filed, handler, owner):
    services.request_sign(actor=handler, request_id=filed.pk)
    filed.refresh_from_db()
    assert filed.status == Status.HANDLING and filed.first_department == desk["zr"]
    assert filed.deadline_at == filed.due_at
    services.request_reply(actor=handler, request_id=filed.pk, text="已协调不动产登记中心上门办理",
                           attachments=[upload("答复.pdf")])
    services.request_rate(actor=owner, request_id=filed.pk, rating="satisfied")
    filed.refresh_from_db()
    assert filed.status == Status.CLOSED and filed.rating == "satisfied"
    assert kinds(filed) == [E.CREATED, E.ROUTED, E.SIGNED, E.REPLIED, E.RATED, E.CLOSED]
    row = RateCounter.objects.get()
    assert (row.received, row.sign_total, row.sign_timely, row.done_total, row.done_timely,
            row.rated, row.satisfied) == (1, 1, 1, 1, 1, 1, 1)


def test_only_the_lead_departments_handler_signs(desk, filed, other_handler, co_handler, owner):
    before = written()
    for actor in (other_handler, co_handler, owner):
        with pytest.raises(PermissionDenied):
            services.request_sign(actor=actor, request_id=filed.pk)
    assert written() == before


def test_a_second_signature_is_refused(desk, filed, handler):
    colleague = make_user(Role.DEPT_HANDLER, department=desk["zr"])
    services.request_sign(actor=handler, request_id=filed.pk)
    before = written()
    with pytest.raises(Conflict) as exc:
        services.request_sign(actor=colleague, request_id=filed.pk)
    assert exc.value.code == "already_signed"
    assert written() == before


def test_late_signature_counts_as_not_timely(desk, company, owner, handler):
    with frozen(local(2025, 9, 29, 10, 0)):
        request = create(company, owner)
    with frozen(local(2025, 9, 29, 15, 0)):  # due 12:00
        services.request_sign(actor=handler, request_id=request.pk)
    row = RateCounter.objects.get()
    assert (row.sign_total, row.sign_timely) == (1, 0)


def test_reply_to_a_closed_request_is_refused_and_nothing_written(desk, filed, handler, owner):
    services.request_sign(actor=handler, request_id=filed.pk)
    services.request_reply(actor=handler, request_id=filed.pk, text="已办理")
    services.request_rate(actor=owner, request_id=filed.pk, rating="basic")
    before = written()
    with pytest.raises(Conflict) as exc:
        services.request_reply(actor=handler, request_id=filed.pk, text="再答复一次")
    assert exc.value.code == "request_closed" and "已办结" in exc.value.message
    assert written() == before


def test_empty_reply_is_refused(desk, filed, handler):
    services.request_sign(actor=handler, request_id=filed.pk)
    before = written()
    with pytest.raises(ValidationFailed):
        services.request_reply(actor=handler, request_id=filed.pk, text=" \n ")
    assert written() == before


def test_return_goes_to_the_coordinator_who_reassigns_or_sends_back(desk, company, owner, handler,
                                                                    coordinator):
    request = create(company, owner)
    services.request_return(actor=handler, request_id=request.pk, reason="属于住建部门职责")
    request.refresh_from_db()
    assert request.status == Status.RETURNED and request.deadline_at is None
    assert Notification.objects.filter(recipient=coordinator, kind="servicedesk.returned").exists()
    # a refusal without a reason writes nothing
    before = written()
    with pytest.raises(ValidationFailed):
        services.request_return_decide(actor=coordinator, request_id=request.pk, accept=False)
    assert written() == before
    services.request_return_decide(actor=coordinator, request_id=request.pk, accept=True,
                                   department="zjj", note="改派住建局")
    request.refresh_from_db()
    assert request.status == Status.ASSIGNED and request.department == desk["zj"]
    assert kinds(request)[-2:] == [E.RETURNED, E.RETURN_ACCEPTED]


def test_return_rejected_sends_it_back_to_sign(desk, filed, handler, coordinator):
    services.request_return(actor=handler, request_id=filed.pk, reason="不归我们")
    services.request_return_decide(actor=coordinator, request_id=filed.pk, accept=False,
                                   note="产权登记属自然资源局职责")
    filed.refresh_from_db()
    assert filed.status == Status.ASSIGNED and filed.department == desk["zr"]


def test_fallback_handler_confirms_the_suggestion(desk, company, owner, fallback_handler,
                                                  handler):
    other = make_enterprise(town="安海")
    request = create(other, None, category="other", description="不知道找哪个部门办产权证")
    assert request.department == desk["fb"]
    services.request_assign(actor=fallback_handler, request_id=request.pk, department="zrzyj")
    request.refresh_from_db()
    assert request.department == desk["zr"] and request.status == Status.ASSIGNED
    # once it has left the fallback department, its handler can no longer move it
    with pytest.raises(PermissionDenied):
        services.request_assign(actor=fallback_handler, request_id=request.pk, department="rsj")
    # nor can an ordinary department's handler
    with pytest.raises(PermissionDenied):
        services.request_assign(actor=handler, request_id=request.pk, department="rsj")


def test_co_handler_input(desk, filed, handler, co_handler, other_handler):
    services.request_sign(actor=handler, request_id=filed.pk)
    row = services.request_input_ask(actor=handler, request_id=filed.pk, department="zjj",
                                     question="该宿舍楼规划核实意见能否出具？")
    assert row.pending
    with pytest.raises(Conflict):
        services.request_input_ask(actor=handler, request_id=filed.pk, department="zjj",
                                   question="再问一次")
    with pytest.raises(PermissionDenied):
        services.request_input_give(actor=other_handler, cohandling_id=row.pk, answer="不是我们")
    services.request_input_give(actor=co_handler, cohandling_id=row.pk, answer="可以出具")
    row.refresh_from_db()
    assert not row.pending and row.answer == "可以出具"
    # the co-handler sees the request; the other department's handler does not
    assert selectors.request_for_user(co_handler, filed.pk) == filed
    with pytest.raises(NotFound):
        selectors.request_for_user(other_handler, filed.pk)


def test_extension_moves_the_deadline_on_the_calendar(desk, company, owner, handler, coordinator):
    with frozen(local(2025, 9, 29, 10, 0)):
        request = create(company, owner)
        services.request_sign(actor=handler, request_id=request.pk)
        extension = services.request_extension_ask(actor=handler, request_id=request.pk, days=2,
                                                   reason="需要现场测绘")
        with pytest.raises(Conflict):
            services.request_extension_ask(actor=handler, request_id=request.pk, days=1,
                                           reason="再延")
        services.request_extension_decide(actor=coordinator, extension_id=extension.pk,
                                          approve=True)
    request.refresh_from_db()
    assert request.due_at == local(2025, 10, 15, 17, 30)  # 13 Oct + 2 working days
    assert request.deadline_at == request.due_at


def test_unsatisfied_reopens_once_after_review(desk, filed, handler, owner, coordinator):
    services.request_sign(actor=handler, request_id=filed.pk)
    services.request_reply(actor=handler, request_id=filed.pk, text="请企业自行补材料")
    with pytest.raises(ValidationFailed):  # 不满意 needs a reason
        services.request_rate(actor=owner, request_id=filed.pk, rating="unsatisfied")
    services.request_rate(actor=owner, request_id=filed.pk, rating="unsatisfied",
                          comment="没有解决实际问题")
    filed.refresh_from_db()
    assert filed.status == Status.REVIEW
    services.request_review(actor=coordinator, request_id=filed.pk, reopen=True,
                            note="请牵头部门现场办理")
    filed.refresh_from_db()
    assert filed.status == Status.HANDLING and filed.reopen_count == 1 and filed.rating == ""
    services.request_reply(actor=handler, request_id=filed.pk, text="已现场办理")
    services.request_rate(actor=owner, request_id=filed.pk, rating="unsatisfied",
                          comment="还是不满意")
    filed.refresh_from_db()
    assert filed.status == Status.CLOSED  # no second reopening
    row = RateCounter.objects.get()
    assert (row.rated, row.unsatisfied, row.reopened, row.done_total) == (2, 2, 1, 2)


def test_only_the_enterprise_or_coordinator_rates(desk, filed, handler, other_handler):
    services.request_sign(actor=handler, request_id=filed.pk)
    services.request_reply(actor=handler, request_id=filed.pk, text="已办理")
    before = written()
    for actor in (handler, other_handler):
        with pytest.raises(PermissionDenied):
            services.request_rate(actor=actor, request_id=filed.pk, rating="satisfied")
    assert written() == before


def test_merge_keeps_both_histories(desk, company, owner, handler):
    first = create(company, owner)
    second = create(company, owner, description="厂房不动产权证办不下来，银行抵押融资受阻，请协调",
                    attachments=[upload("图纸.pdf")])
    duplicates = selectors.duplicates_for(second)
    assert [d.request for d in duplicates] == [first] and duplicates[0].score >= 0.5
    assert "不动产" in duplicates[0].shared or "产权证" in duplicates[0].shared
    services.request_merge(actor=owner, source_id=second.pk, target_id=first.pk)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    steps = selectors.timeline(first, owner)
    assert {s.from_number for s in steps} == {"", second.number}
    assert [s.event.kind for s in steps if s.from_number] == [E.CREATED, E.ROUTED,
                                                               E.MERGED_AWAY]
    assert [s.event.kind for s in steps if not s.from_number][-1] == E.MERGED_IN
    assert [a.original_name for a in selectors.attachments_for(first)] == ["图纸.pdf"]
    assert second.deadline_at is None


def test_merge_refuses_other_enterprises_and_closed_requests(desk, company, owner, coordinator):
    first = create(company, owner)
    other = create(make_enterprise(), None)
    before = written()
    with pytest.raises(ValidationFailed):
        services.request_merge(actor=coordinator, source_id=other.pk, target_id=first.pk)
    with pytest.raises(PermissionDenied):
        services.request_merge(actor=owner, source_id=other.pk, target_id=first.pk)
    assert written() == before


def test_duplicates_only_among_the_same_enterprises_open_requests(desk, company, owner):
    first = create(company, owner)
    other = create(make_enterprise(), None)
    assert selectors.duplicates_for(other) == []
    unrelated = create(company, owner, category="labor", description="春节后普工缺口两百人")
    assert first not in [d.request for d in selectors.duplicates_for(unrelated)]


# --------------------------------------------------------------------------- time limits

def test_sweep_warns_counts_and_escalates_once(desk, company, owner, handler, coordinator, leader):
    Supervision.objects.create(department=desk["zr"], leader=leader)
    with frozen(local(2025, 9, 29, 10, 0)):
        request = create(company, owner)
    with frozen(local(2025, 9, 29, 11, 40)):  # 20 of 120 minutes left: yellow
        assert services.sla_sweep().warned == 1
        assert services.sla_sweep().warned == 0  # once per level
    with frozen(local(2025, 9, 29, 14, 30)):  # past 12:00: red, counted as a late signing
        assert services.sla_sweep().overdue == 1
    row = RateCounter.objects.get()
    assert (row.sign_total, row.sign_timely) == (1, 0)
    with frozen(local(2025, 9, 29, 15, 0)):
        services.request_sign(actor=handler, request_id=request.pk)
    assert RateCounter.objects.get().sign_total == 1  # not counted twice
    # handling is due 13 October 17:30; escalation 7 working hours after
    with frozen(local(2025, 10, 14, 10, 0)):
        result = services.sla_sweep()
        assert (result.overdue, result.escalated) == (1, 0)
    with frozen(local(2025, 10, 15, 9, 0)):
        assert services.sla_sweep().escalated == 1
        assert services.sla_sweep().escalated == 0
    assert Notification.objects.filter(recipient=leader, kind="servicedesk.escalated").count() == 1
    assert kinds(request).count(E.ESCALATED) == 1
    october = RateCounter.objects.get(month=dt.date(2025, 10, 1))
    assert (october.done_total, october.done_timely) == (1, 0)


def test_urgent_request_has_two_working_hours(desk, company, owner):
    with frozen(local(2025, 9, 30, 17, 0)):  # the eve of the holiday
        request = create(company, owner, urgent=True)
    assert request.sign_due_at == local(2025, 9, 30, 17, 30)
    assert request.due_at == local(2025, 10, 9, 10, 0)  # 30 min on 30 Sep + 90 min on 9 Oct


def test_callback_sample_is_about_ten_percent_and_stable():
    import hashlib

    picked = [pk for pk in range(1, 2001)
              if int(hashlib.sha256(f"servicedesk-callback-{pk}".encode()).hexdigest()[:8], 16)
              % 100 < 10]
    assert 0.08 < len(picked) / 2000 < 0.12


def test_closing_picks_the_sampled_requests_for_callback(desk, company, owner, handler,
                                                         coordinator):
    closed = []
    for _ in range(30):
        request = create(company, None, description=f"测试{_}号用地问题，需要规划许可")
        services.request_sign(actor=handler, request_id=request.pk)
        services.request_reply(actor=handler, request_id=request.pk, text="已办理")
        services.request_close(actor=handler, request_id=request.pk)
        closed.append(request.pk)
    import hashlib

    expected = {pk for pk in closed if int(hashlib.sha256(
        f"servicedesk-callback-{pk}".encode()).hexdigest()[:8], 16) % 100 < 10}
    assert set(Callback.objects.values_list("request_id", flat=True)) == expected
    if expected:
        row = Callback.objects.first()
        services.callback_record(actor=coordinator, callback_id=row.pk, reached=True, solved=True,
                                 rating="satisfied", note="企业确认已解决")
        with pytest.raises(Conflict):
            services.callback_record(actor=coordinator, callback_id=row.pk, reached=True,
                                     solved=True)


# --------------------------------------------------------------------------- tables staff keep

def test_routing_rule_edits_are_audited_and_unique(desk, coordinator, handler):
    rule = services.routing_rule_save(actor=coordinator, category="tax", town="", lead="rsj",
                                      co_departments=["zjj"])
    entry = AuditEntry.objects.filter(model="servicedesk.routingrule").latest("id")
    assert entry.action == "create" and entry.changes["lead"] == [None, desk["rs"].pk]
    with pytest.raises(Conflict):
        services.routing_rule_save(actor=coordinator, category="tax", town="", lead="zrzyj")
    services.routing_rule_save(actor=coordinator, category="tax", town="", lead="zrzyj",
                               rule_id=rule.pk)
    entry = AuditEntry.objects.filter(model="servicedesk.routingrule").latest("id")
    assert entry.changes["lead"] == [desk["rs"].pk, desk["zr"].pk]
    before = written(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.routing_rule_save(actor=handler, category="tax", town="", lead="rsj")
    with pytest.raises(ValidationFailed):
        services.routing_rule_save(actor=coordinator, category="tax", town="火星", lead="rsj")
    assert (written(), AuditEntry.objects.count()) == before


def test_time_limits_are_data(desk, company, owner, coordinator):
    services.sla_rule_update(actor=coordinator, key="help", sign_hours="1", handle_value="3",
                             handle_unit="days", warn_fraction="0.3")
    with frozen(local(2025, 9, 29, 10, 0)):
        request = create(company, owner)
    assert request.sign_due_at == local(2025, 9, 29, 11, 0)
    assert request.due_at == local(2025, 10, 10, 17, 30)
    with pytest.raises(ValidationFailed):
        services.sla_rule_update(actor=coordinator, key="help", sign_hours="0", handle_value="x",
                                 handle_unit="weeks", warn_fraction="2")


def test_visit_turns_problems_into_requests(desk, company, cadre, coordinator):
    services.cadre_assign(actor=coordinator, enterprise=company, cadre=cadre)
    visit = services.visit_record(
        actor=cadre, enterprise=company, visited_on=dt.date.today(), people_met="总经理",
        topics="了解扩产用地需求", policies_brought=["高新技术企业认定奖励（20.00万元）"],
        problems=[services.Problem("land", "二期扩产缺三十亩工业用地"),
                  services.Problem("labor", "缺普工两百人", urgent=True)])
    requests = ServiceRequest.objects.filter(visit=visit).order_by("pk")
    assert [(r.channel, r.category.code, r.urgent) for r in requests] == [
        ("visit", "land", False), ("visit", "labor", True)]
    assert selectors.request_for_user(cadre, requests[0].pk) == requests[0]


def test_visit_refusals_write_nothing(desk, company, cadre, coordinator):
    other = make_enterprise()
    services.cadre_assign(actor=coordinator, enterprise=company, cadre=cadre)
    before = written(), Visit.objects.count()
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=cadre, enterprise=other, visited_on=dt.date.today(),
                              people_met="经理", topics="座谈")
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(actor=cadre, enterprise=company, visited_on=dt.date.today(),
                              people_met="经理", topics="座谈",
                              problems=[services.Problem("land", "缺地"),
                                        services.Problem("nope", "")])
    assert any("第 2 个问题" in m for m in exc.value.fields["problems"])
    assert (written(), Visit.objects.count()) == before


def test_session_records_several_problems(desk, company, coordinator):
    other = make_enterprise(town="安海")
    session = services.session_record(
        actor=coordinator, kind="reception", title="市长接访日：污水治理与产权证办理",
        held_on=dt.date.today(), host="蔡副市长",
        problems=[services.Problem("property", "厂房产权证办不下来", enterprise=company),
                  services.Problem("environment", "园区污水管网没有接通", enterprise=other),
                  services.Problem("land", "用地红线争议", enterprise=other, town="陈埭")])
    rows = list(session.requests.order_by("pk"))
    assert [r.channel for r in rows] == ["reception"] * 3
    assert [r.town for r in rows] == ["陈埭", "安海", "陈埭"]
    before = written()
    with pytest.raises(ValidationFailed):
        services.session_record(actor=coordinator, kind="forum", title="恳谈会",
                                held_on=dt.date.today(), host="市长", problems=[])
    assert written() == before
