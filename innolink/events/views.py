"""Event and judging pages: thin views that parse, authorize, call a selector or service and
render. Action buttons post, then redirect with the outcome (or the refusal) as a message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.accounts.roles import Role, has_role
from innolink.core.audit import audit_trail_for
from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from innolink.core.flash import errors_as_messages, refusal_as_message
from innolink.core.ids import id_or_none, parse_id
from innolink.core.models import Job
from innolink.events import access, selectors, services
from innolink.events.models import (
    AwardLevel,
    Criterion,
    ResultRow,
    RoundState,
)


_int_or_404 = parse_id  # the one id helper (innolink.core.ids)


# ================================================================================= events

@login_required
def event_list(request):
    if not (access.is_event_staff(request.user)
            or has_role(request.user, Role.ENTERPRISE, Role.RESEARCHER, Role.LEADER)):
        raise PermissionDenied()
    from innolink.dashboard.filters import month_bounds  # the overview's links: ?from=&to=

    events = selectors.event_list(request.user)
    start, end = month_bounds(request.GET)
    if start:
        events = events.filter(date__gte=start.date())
    if end:
        events = events.filter(date__lt=end.date())
    return render(request, "events/event_list.html", {
        "events": events[:200],
        "staff": access.is_event_staff(request.user),
    })


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not access.is_event_staff(request.user):
        raise PermissionDenied()
    data = request.POST if request.method == "POST" else {
        "date": (dt.date.today() + dt.timedelta(days=14)).isoformat(), "start": "09:00",
        "slot_minutes": 20, "slot_count": 8, "break_minutes": 5, "rooms": "洽谈室 1，洽谈室 2，洽谈室 3",
        "venue": "晋江市科技创新中心"}
    errors = {}
    if request.method == "POST":
        try:
            event = services.event_create(
                actor=request.user, title=data.get("title", ""), date=_date(data.get("date")),
                venue=data.get("venue", ""), description=data.get("description", ""),
                start=data.get("start", ""), slot_minutes=data.get("slot_minutes"),
                slot_count=data.get("slot_count"), break_minutes=data.get("break_minutes"),
                rooms=data.get("rooms", ""))
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            messages.success(request, _("活动已创建，请邀请洽谈双方后排程。"))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"data": data, "errors": errors},
                  status=422 if errors else 200)


@login_required
def event_detail(request, pk: int):
    event = selectors.event_for_user(request.user, pk)
    if not access.is_event_staff(request.user):
        return redirect("events:agenda", pk=event.pk)
    invitations = list(selectors.active_invitations(event))
    return render(request, "events/event_detail.html", {
        "event": event,
        "grid": selectors.schedule_grid(event),
        "invitations": invitations,
        "unplaced": [i for i in invitations if not hasattr(i, "meeting") and
                     i.unscheduled_reason],
        "candidates": selectors.invitation_candidates(event)
        if event.state in services.EDITABLE_EVENT_STATES else None,
        "editable": event.state in services.EDITABLE_EVENT_STATES,
        "participants": selectors.event_participants(event),
        "audit": audit_trail_for(event)[:30],
    })


def _form_refusal(request, exc: ApplicationError) -> tuple[dict, int]:
    """An edit form's refusal: field errors inline (422); a refusal that depends on the
    record's state as a message above the re-rendered form (409); 403/404 propagate."""
    if isinstance(exc, ValidationFailed):
        return exc.fields, 422
    refusal_as_message(request, exc)
    return {}, exc.status


@login_required
@require_http_methods(["GET", "POST"])
def event_update(request, pk: int):
    event = selectors.event_for_staff(request.user, pk)
    if event.state not in services.EDITABLE_EVENT_STATES:
        messages.error(request, _("活动“%(state)s”，不能再修改。") % {
            "state": event.get_state_display()})
        return redirect("events:detail", pk=event.pk)
    locked = event.state == "published"
    errors, status = {}, 200
    if request.method == "POST":
        data = request.POST
        changes = {name: data.get(name, "") for name in services.EVENT_TEXT_FIELDS}
        if not locked:
            changes.update({name: data.get(name) for name in
                            ("start", "slot_minutes", "slot_count", "break_minutes")},
                           date=_date(data.get("date")))
        try:
            services.event_update(actor=request.user, event=event,
                                  discard_schedule=bool(data.get("discard_schedule")),
                                  **changes)
        except ApplicationError as exc:
            errors, status = _form_refusal(request, exc)
        else:
            messages.success(request, _("活动信息已保存。"))
            return redirect("events:detail", pk=event.pk)
    else:
        data = {"title": event.title, "venue": event.venue, "description": event.description,
                "date": event.date.isoformat(), **services.event_slot_settings(event)}
    return render(request, "events/event_form.html", {
        "data": data, "errors": errors, "event": event, "locked": locked,
        "has_meetings": event.meetings.exists()}, status=status)


@login_required
@require_POST
def invitation_create(request, pk: int):
    event = selectors.event_for_staff(request.user, pk)

    with errors_as_messages(request):
        proposal = interest = None
        if request.POST.get("proposal"):
            proposal = selectors.proposal_for_staff(request.user, request.POST["proposal"])
        if request.POST.get("offer_interest"):
            interest = selectors.offer_interest_for_staff(request.user,
                                                          request.POST["offer_interest"])
        services.invitation_create(actor=request.user, event=event, proposal=proposal,
                                   offer_interest=interest,
                                   priority=request.POST.get("priority") or 1)
        messages.success(request, _("已加入邀请名单。"))
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def invitations_invite_shortlisted(request, pk: int):
    event = selectors.event_for_staff(request.user, pk)
    with errors_as_messages(request):
        n = services.invitations_invite_shortlisted(actor=request.user, event=event)
        messages.success(request, _("已邀请 %(n)d 对。") % {"n": n})
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def invitation_cancel(request, pk: int, inv: int):
    event = selectors.event_for_staff(request.user, pk)
    invitation = selectors.invitation_for_staff(request.user, event, inv)
    with errors_as_messages(request):
        services.invitation_cancel(actor=request.user, invitation=invitation)
        messages.success(request, _("邀请已取消。"))
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def availability_set(request, pk: int):
    event = selectors.event_for_staff(request.user, pk)
    with errors_as_messages(request):
        services.availability_set(actor=request.user, event=event,
                                  participant=request.POST.get("participant", ""),
                                  slot_ids=[_int_or_404(x) for x in request.POST.getlist("slot")])
        messages.success(request, _("不可参会时段已保存，重新排程后生效。"))
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def event_schedule(request, pk: int):
    event = selectors.event_for_staff(request.user, pk)
    with errors_as_messages(request):
        outcome = services.event_schedule_now_or_later(actor=request.user, event=event)
        if isinstance(outcome, Job):
            return redirect("core:job", pk=outcome.pk)
        text = _("排程完成：已安排 %(placed)d 场洽谈。") % {"placed": outcome.placed}
        if outcome.unplaced:
            text += _("%(n)d 对未能安排，原因见下表。") % {"n": len(outcome.unplaced)}
        messages.success(request, text)
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def event_publish(request, pk: int):
    event = selectors.event_for_staff(request.user, pk)
    with errors_as_messages(request):
        services.event_publish(actor=request.user, event=event)
        messages.success(request, _("日程已发布，参会各方已收到通知。"))
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def event_transition(request, pk: int):
    event = selectors.event_for_staff(request.user, pk)
    with errors_as_messages(request):
        services.event_transition(actor=request.user, event=event, to=request.POST.get("to", ""))
        messages.success(request, _("活动状态已更新。"))
    return redirect("events:detail", pk=event.pk)


@login_required
def event_agenda(request, pk: int):
    """A participant's own agenda (staff: every participant's, one printed page each, or one
    participant's with ``?p=<key>``)."""
    event = selectors.event_for_user(request.user, pk)
    if access.is_event_staff(request.user):
        agendas = selectors.agendas_for_event(event)
        key = request.GET.get("p")
        if key:
            agendas = [a for a in agendas if a.key == key]
            if not agendas:
                raise NotFound()
    else:
        agendas = selectors.agendas_for_user(request.user, event)
    return render(request, "events/agenda.html", {"event": event, "agendas": agendas})


# ================================================================================ judging

@login_required
def round_list(request):
    if not (access.is_event_staff(request.user) or has_role(request.user, Role.LEADER)):
        if access.is_reviewer(request.user):
            return redirect("events:my-reviews")
        raise PermissionDenied()
    rounds = selectors.round_list(request.user)
    if request.GET.get("state") in RoundState.values:  # the overview's links
        rounds = rounds.filter(state=request.GET["state"])
    return render(request, "events/round_list.html", {"rounds": rounds[:200]})


def _criteria_from_post(post) -> list[tuple[str, str, str]] | None:
    names = post.getlist("criterion_name")
    if not names:
        return None
    points = post.getlist("criterion_max")
    guides = post.getlist("criterion_guidance") or [""] * len(names)
    rows = []
    for n, p, g in zip(names, points, guides + [""] * len(names)):
        if n.strip() or p.strip():
            rows.append((n, p, g))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    if not access.is_event_staff(request.user):
        raise PermissionDenied()
    errors = {}
    if request.method == "POST":
        data = request.POST
        criteria = _criteria_from_post(data)
        programme_id = _int(data.get("programme", ""))
        try:
            rnd = services.round_create(
                actor=request.user, title=data.get("title", ""),
                description=data.get("description", ""),
                reviewers_per_entry=data.get("reviewers_per_entry"),
                default_max_load=data.get("default_max_load"),
                scoring_deadline=_date(data.get("scoring_deadline", "")),
                programme_id=programme_id,
                criteria=criteria if criteria is not None else [])
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            messages.success(request, _("评审轮次已创建，请加入参赛方案和评审专家。"))
            return redirect("events:round-detail", pk=rnd.pk)
        rubric = list(zip(data.getlist("criterion_name"), data.getlist("criterion_max"),
                          data.getlist("criterion_guidance")))
    else:
        from innolink.challenges.models import Programme

        data = {"reviewers_per_entry": 3, "default_max_load": 8}
        rubric = [(n, str(p), g) for n, p, g in services.DEFAULT_RUBRIC]
        programme = Programme.objects.filter(pk=_int(request.GET.get("programme", ""))).first()
        if programme is not None:
            # a round that judges a programme's listings starts from the programme's rubric
            data.update(programme=programme.pk, title=f"{programme.name} 评审")
            if programme.rubric:
                rubric = [(r["name"], str(r["weight"]), r.get("guidance", ""))
                          for r in programme.rubric]
    rubric += [("", "", "")] * max(0, 6 - len(rubric))
    from innolink.challenges.models import Programme

    return render(request, "events/round_form.html",
                  {"data": data, "errors": errors, "rubric": rubric,
                   "programmes": Programme.objects.order_by("-created_at")[:100]},
                  status=422 if errors else 200)


_int = id_or_none  # the one id helper (innolink.core.ids)


@login_required
def round_detail(request, pk: int):
    rnd = selectors.round_for_staff(request.user, pk)
    entries = list(selectors.round_entries(rnd))
    plan = selectors.round_assignment_plan(rnd) if entries and rnd.reviewers.exists() else None
    entry_title = {e.pk: e.proposal.challenge.title for e in entries}
    names = {m.reviewer_id: str(m.reviewer) for m in rnd.reviewers.select_related("reviewer")}
    if rnd.state == RoundState.FINALISED:
        results = [(row, [entry_title.get(t, t) for t in row.tied_with])
                   for row in ResultRow.objects.filter(round=rnd).select_related(
                       "entry__proposal__challenge", "entry__proposal__researcher",
                       "entry__award")]
        live = None
    else:
        results = None
        live = selectors.round_ranking(rnd) if rnd.state == RoundState.SCORING else None
    return render(request, "events/round_detail.html", {
        "round": rnd,
        "criteria": rnd.criteria.all(),
        "entries": entries,
        "members": rnd.reviewers.select_related("reviewer__institution"),
        "plan": plan,
        "refused": [(entry_title.get(e, e), names.get(r, r), why)
                    for e, r, why in (plan.refused if plan else [])],
        "unmet": [(entry_title.get(e, e), m, why) for e, (m, why) in
                  (plan.unmet.items() if plan and rnd.state != RoundState.FINALISED else [])],
        "problems": plan.problems if plan and rnd.state != RoundState.FINALISED else [],
        "results": results,
        "live": [(entry_title.get(r.entry, r.entry), r,
                  [entry_title.get(t, t) for t in r.tied_with]) for r in (live or [])],
        "entry_title": entry_title,
        "entry_candidates": selectors.entry_candidates(rnd)
        if rnd.state != RoundState.FINALISED else [],
        "reviewer_candidates": selectors.reviewer_candidates(rnd)
        if rnd.state != RoundState.FINALISED else [],
        "award_levels": AwardLevel.choices,
        "audit": audit_trail_for(rnd)[:30],
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_update(request, pk: int):
    rnd = selectors.round_for_staff(request.user, pk)
    if rnd.state == RoundState.FINALISED:
        messages.error(request, _("本轮评审结果已确定，不能再修改。"))
        return redirect("events:round-detail", pk=rnd.pk)
    locked = rnd.state != RoundState.DRAFT
    errors, status = {}, 200
    if request.method == "POST":
        data = request.POST
        changes = {"title": data.get("title", ""), "description": data.get("description", "")}
        if not locked:
            changes.update(reviewers_per_entry=data.get("reviewers_per_entry"),
                           default_max_load=data.get("default_max_load"),
                           scoring_deadline=_date(data.get("scoring_deadline", "")))
            if (data.get("scoring_deadline") or "").strip() and \
                    changes["scoring_deadline"] is None:
                changes["scoring_deadline"] = data.get("scoring_deadline")  # refused as invalid
        try:
            services.round_update(actor=request.user, round=rnd, **changes)
        except ApplicationError as exc:
            errors, status = _form_refusal(request, exc)
        else:
            messages.success(request, _("轮次信息已保存。"))
            return redirect("events:round-detail", pk=rnd.pk)
    else:
        data = {"title": rnd.title, "description": rnd.description,
                "reviewers_per_entry": rnd.reviewers_per_entry,
                "default_max_load": rnd.default_max_load,
                "scoring_deadline": rnd.scoring_deadline.isoformat()
                if rnd.scoring_deadline else ""}
    return render(request, "events/round_form.html", {
        "data": data, "errors": errors, "round": rnd, "locked": locked}, status=status)


def _round_action(request, pk: int, call):
    rnd = selectors.round_for_staff(request.user, pk)
    with errors_as_messages(request):
        text = call(rnd)
        if text:
            messages.success(request, text)
    return redirect("events:round-detail", pk=rnd.pk)


@login_required
@require_POST
def round_entries_add(request, pk: int):
    proposals = selectors.proposals_for_staff(request.user, request.POST.getlist("proposal"))
    return _round_action(request, pk, lambda rnd: _("已加入 %(n)d 个参赛方案。") % {
        "n": len(services.round_entries_add(actor=request.user, round=rnd, proposals=proposals))})


@login_required
@require_POST
def round_reviewers_add(request, pk: int):
    users = selectors.users_for_staff(request.user, request.POST.getlist("reviewer"))
    load = request.POST.get("max_load") or None
    return _round_action(request, pk, lambda rnd: _("已加入 %(n)d 位评审专家。") % {
        "n": len(services.round_reviewers_add(actor=request.user, round=rnd, reviewers=users,
                                              max_load=load))})


@login_required
@require_POST
def round_reviewer_set_load(request, pk: int, member: int):
    def call(rnd):
        found = rnd.reviewers.filter(pk=_int_or_404(member)).first()
        if found is None:
            raise NotFound()
        services.round_reviewer_set_load(actor=request.user, member=found,
                                         max_load=request.POST.get("max_load"))
        return _("评审上限已更新。")
    return _round_action(request, pk, call)


@login_required
@require_POST
def round_assign(request, pk: int):
    def call(rnd):
        outcome = services.round_assign(actor=request.user, round=rnd)
        text = _("新增分配 %(n)d 份评审。") % {"n": outcome.created}
        if outcome.unmet:
            text += _("%(m)d 个方案的专家数未达到要求，原因见下方。") % {"m": len(outcome.unmet)}
        return text
    return _round_action(request, pk, call)


@login_required
@require_POST
def round_open_scoring(request, pk: int):
    return _round_action(request, pk, lambda rnd: (
        services.round_open_scoring(actor=request.user, round=rnd)
        and _("已开始评分，评审专家已收到通知。")))


@login_required
@require_POST
def round_finalise(request, pk: int):
    allow = request.POST.get("allow_missing") == "1"
    return _round_action(request, pk, lambda rnd: (
        services.round_finalise(actor=request.user, round=rnd, allow_missing=allow)
        is not None and _("评审结果已确定。")))


@login_required
@require_POST
def award_record(request, pk: int):
    def call(rnd):
        entry = selectors.round_entry_for_staff(request.user, rnd, request.POST.get("entry"))
        prize = request.POST.get("prize_wan", "").strip()
        if prize:  # 万元 on the page, yuan in the service (the one money parser)
            from innolink.core.money import WAN, MoneyInvalid, parse_money

            try:
                prize = parse_money(prize, label="奖金（万元）", unit=WAN)
            except MoneyInvalid as exc:
                raise ValidationFailed({"prize": [exc.message]}, message=exc.message) from None
        services.award_record(actor=request.user, round=rnd, entry=entry,
                              level=request.POST.get("level", ""), prize=prize or None,
                              note=request.POST.get("note", ""))
        return _("奖项已记录。")
    return _round_action(request, pk, call)


# ------------------------------------------------------------------------------ reviewers

@login_required
def my_reviews(request):
    if not access.is_reviewer(request.user):
        raise PermissionDenied()
    return render(request, "events/my_reviews.html", {
        "assignments": selectors.assignments_of_reviewer(request.user)[:500]})


@login_required
@require_http_methods(["GET", "POST"])
def score_submit(request, pk: int):
    assignment = selectors.assignment_for_reviewer(request.user, pk)
    own = assignment.reviewer_id == request.user.pk
    criteria = list(Criterion.objects.filter(round_id=assignment.round_id))
    current = {s.criterion_id: s.points for s in assignment.scores.all()}
    errors = {}
    values = {c.pk: current.get(c.pk, "") for c in criteria}
    comment = assignment.comment
    if request.method == "POST":
        if not own:
            raise NotFound()
        values = {c.pk: request.POST.get(f"criterion_{c.pk}", "") for c in criteria}
        comment = request.POST.get("comment", "")
        try:
            services.score_submit(actor=request.user, assignment=assignment, points=values,
                                  comment=comment)
        except ValidationFailed as exc:
            errors = exc.fields
        except ApplicationError as exc:
            refusal_as_message(request, exc)
            return redirect("events:score-submit", pk=assignment.pk)
        else:
            messages.success(request, _("评分已提交。"))
            return redirect("events:my-reviews")
    proposal = assignment.entry.proposal
    return render(request, "events/review_form.html", {
        "assignment": assignment, "proposal": proposal, "challenge": proposal.challenge,
        "rows": [(c, values.get(c.pk, ""), errors.get(f"criterion_{c.pk}")) for c in criteria],
        "comment": comment, "errors": errors, "own": own,
        "open": assignment.round.state == RoundState.SCORING,
        "max_total": sum((c.max_points for c in criteria), Decimal(0)),
    }, status=422 if errors else 200)


@login_required
@require_POST
def conflict_declare(request, pk: int):
    """The reviewer declares a conflict with the proposal; the assignment is withdrawn."""
    assignment = selectors.assignment_for_reviewer(request.user, pk)
    if assignment.reviewer_id != request.user.pk:
        raise NotFound()
    try:
        services.conflict_declare(actor=request.user, reviewer=request.user,
                                  proposal=assignment.entry.proposal,
                                  reason=request.POST.get("reason", ""))
        messages.success(request, _("已声明回避，该评审任务已撤回。"))
        return redirect("events:my-reviews")
    except ApplicationError as exc:
        refusal_as_message(request, exc)
        return redirect("events:score-submit", pk=assignment.pk)



@login_required
@require_http_methods(["GET", "POST"])
def reviewer_profile_save(request):
    """A reviewer keeps their own fields and affiliations (all used for conflicts of
    interest) and declares conflicts with enterprises."""
    from innolink.accounts.models import Institution
    from innolink.challenges.models import Domain

    if not access.is_reviewer(request.user):
        raise PermissionDenied()
    profile = selectors.reviewer_profile_of(request.user)
    errors = {}
    if request.method == "POST" and request.POST.get("action") == "declare":
        enterprises, missing = selectors.enterprises_by_codes(request.POST.get("credit_code", ""))
        try:
            if missing or len(enterprises) != 1:
                raise ValidationFailed({"credit_code": [
                    _("未找到统一社会信用代码为 %(codes)s 的企业") % {"codes": _("、").join(missing)}
                    if missing else _("请填写一家企业的统一社会信用代码")]})
            services.conflict_declare(actor=request.user, reviewer=request.user,
                                      enterprise=enterprises[0],
                                      reason=request.POST.get("reason", ""))
            messages.success(request, _("回避声明已记录。"))
            return redirect("events:reviewer-profile")
        except ValidationFailed as exc:
            errors = exc.fields
    elif request.method == "POST":
        enterprises, missing = selectors.enterprises_by_codes(request.POST.get("enterprises", ""))
        ids = [_int_or_404(x) for x in request.POST.getlist("other_institutions")]
        institutions = list(Institution.objects.filter(pk__in=ids))
        try:
            if missing:
                raise ValidationFailed({"enterprises": [
                    _("未找到统一社会信用代码为 %(codes)s 的企业") % {"codes": _("、").join(missing)}]})
            services.reviewer_profile_save(
                actor=request.user, user=request.user, title=request.POST.get("title", ""),
                fields=request.POST.getlist("fields"), keywords=request.POST.get("keywords", ""),
                station=request.POST.get("station", ""), other_institutions=institutions,
                enterprises=enterprises,
                default_max_load=request.POST.get("default_max_load") or 8)
            messages.success(request, _("评审档案已保存。"))
            return redirect("events:reviewer-profile")
        except ValidationFailed as exc:
            errors = exc.fields
    return render(request, "events/reviewer_profile.html", {
        "profile": profile, "domains": Domain.choices, "errors": errors,
        "institutions": selectors.institution_choices(),
        "chosen_fields": set(profile.fields) if profile else set(),
        "chosen_institutions": {i.pk for i in profile.other_institutions.all()} if profile
        else set(),
        "enterprise_codes": "\n".join(e.credit_code for e in profile.enterprises.all())
        if profile else "",
        "declared": selectors.declared_conflicts_of(request.user)[:100],
    }, status=422 if errors else 200)
