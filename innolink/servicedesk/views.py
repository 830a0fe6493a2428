"""Service-desk pages: thin views that parse, authorize, call one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.accounts.models import Department, User
from innolink.accounts.roles import Role
from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from innolink.core.flash import error_text, errors_as_messages, refusal_as_message
from innolink.enterprises.models import Enterprise
from innolink.enterprises.reference import TOWN_NAMES
from innolink.servicedesk import access, exports, importing, selectors, services, sla
from innolink.servicedesk.forms import (
    FilterForm,
    RateForm,
    RequestForm,
    RoutingRuleForm,
    SessionForm,
    SettingsForm,
    UploadForm,
    VisitForm,
)
from innolink.servicedesk.reference import town_choices, town_label
from innolink.servicedesk.rows import table_rows
from innolink.servicedesk.models import (
    CadreAssignment,
    Callback,
    Category,
    Extension,
    Kind,
    RouterModel,
    RoutingRule,
    Session,
    SlaRule,
    Status,
    Supervision,
    VisitPlan,
)
from innolink.servicedesk.errors import IMPORT_TOO_LARGE

PAGE = 25
PROBLEM_ROWS = 5
VISIT_PROBLEM_ROWS = 3


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied()


def _page(request, qs, size: int = PAGE):
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _upload_bytes(upload) -> bytes:
    limit = importing.settings.INNOLINK["IMPORT_MAX_BYTES"]
    if upload.size > limit:
        raise ApplicationError(_("文件过大：%(s).1f MB，上限 %(l).0f MB") % {
            "s": upload.size / 1048576, "l": limit / 1048576}, code=IMPORT_TOO_LARGE, status=422)
    return upload.read()


# --------------------------------------------------------------------------- requests

@login_required
def request_list(request):
    user = request.user
    _require(access.uses_desk(user))
    view = request.GET.get("view", "")
    if access.is_handler(user) and view != "all":
        stage = request.GET.get("status", "")
        page, query = _page(request, selectors.handler_queue(user, stage))
        settings = sla.desk_settings()
        return render(request, "servicedesk/queue.html", {
            "page": page, "query": query,
            "stage": stage if stage in selectors.QUEUE_STAGES else "",
            "rows": table_rows(page.object_list, settings=settings),
            "inputs": selectors.pending_inputs(user)[:20],
            "fallback": settings.fallback_department_id == user.department_id})
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.RequestFilters(
        status=data.get("status") or "", category=data.get("category") or "",
        town=data.get("town") or "", channel=data.get("channel") or "",
        overdue=bool(data.get("overdue")), q=data.get("q") or "", year=data.get("year"))
    page, query = _page(request, selectors.request_search(user, filters))
    return render(request, "servicedesk/list.html", {
        "form": form, "page": page, "query": query, "rows": table_rows(page.object_list),
        "can_file": access.is_enterprise_user(user),
        "awaiting": selectors.awaiting_rating(user).count() if access.is_enterprise_user(user)
        else 0})


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    user = request.user
    _require(access.is_enterprise_user(user))
    form = RequestForm(request.POST or None, request.FILES or None,
                       initial={"town": user.enterprise.town})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                created = services.request_create(
                    enterprise=user.enterprise, channel="online", category=d["category"],
                    description=d["description"], kind=d["kind"], urgent=d["urgent"],
                    town=d["town"], title=d["title"], attachments=d["attachments"], actor=user)
            except ValidationFailed as exc:
                for name, errors in exc.fields.items():
                    form.add_error(name if name in form.fields else None, errors)
                status = 422
            else:
                messages.success(request, _("诉求已提交，编号 %(n)s，已派至%(d)s") % {
                    "n": created.number,
                    "d": created.department.name if created.department else _("协调员")})
                return redirect("servicedesk:detail", pk=created.pk)
        else:
            status = 422
    return render(request, "servicedesk/new.html", {
        "form": form, "accept": ",".join(services.ATTACHMENT_EXTENSIONS)}, status=status)


@login_required
def request_detail(request, pk: int):
    user = request.user
    item = selectors.request_for_user(user, pk)
    lead = access.is_handler(user) and user.department_id == item.department_id
    fallback_id = sla.desk_settings().fallback_department_id
    coordinator = access.is_coordinator(user)
    own = access.is_enterprise_user(user) and user.enterprise_id == item.enterprise_id
    can_merge = item.is_open and (own or coordinator or lead)
    duplicates = selectors.duplicates_for(item) if (can_merge or access.reads_all(user)) else []
    cohandlings = list(selectors.cohandlings_for(item))
    my_inputs = [c for c in cohandlings if c.pending and access.is_handler(user)
                 and c.department_id == user.department_id]
    extensions = list(item.extensions.all()) if not own else []
    can_assign = ((coordinator and item.status in (Status.PENDING, Status.ASSIGNED,
                                                   Status.RETURNED))
                  or (lead and item.department_id == fallback_id
                      and item.status == Status.ASSIGNED))
    can_rate = own and item.status in (Status.REPLIED, Status.CLOSED) and not item.rating
    has_actions = bool(
        (lead and item.status in (Status.ASSIGNED, Status.HANDLING, Status.REPLIED))
        or (coordinator and item.status in (Status.REPLIED, Status.RETURNED, Status.REVIEW))
        or (coordinator and any(e.state == "pending" for e in extensions))
        or my_inputs or can_assign or (own and item.is_open))
    return render(request, "servicedesk/detail.html", {
        "item": item, "countdown": sla.countdown(item), "steps": selectors.timeline(item, user),
        "attachments": selectors.attachments_for(item), "duplicates": duplicates,
        "cohandlings": [] if own else cohandlings,
        "my_inputs": my_inputs, "extensions": extensions, "has_actions": has_actions,
        "lead": lead, "coordinator": coordinator, "own": own, "can_merge": can_merge,
        "can_assign": can_assign, "can_rate": can_rate,
        "rate_form": RateForm(),
        "departments": Department.objects.order_by("name"),
        "internal_view": not own,
        "accept": ",".join(services.ATTACHMENT_EXTENSIONS)})


def _request_step(request, pk: int, step, done: str):
    """Run one step on a request the user may see (a POST) and go back to it, with the outcome
    as a message (ADR 0006: refusals become messages, 404/403 propagate). ``step`` gets the
    request's id."""
    item = selectors.request_for_user(request.user, pk)
    with errors_as_messages(request):
        step(item.pk)
        messages.success(request, done)
    return redirect("servicedesk:detail", pk=item.pk)


@login_required
@require_POST
def request_sign(request, pk: int):
    return _request_step(request, pk, lambda rid: services.request_sign(
        actor=request.user, request_id=rid), _("已签收，请在时限内答复"))


@login_required
@require_POST
def request_return(request, pk: int):
    return _request_step(request, pk, lambda rid: services.request_return(
        actor=request.user, request_id=rid, reason=request.POST.get("reason", "")),
        _("已退单，等待协调员处理"))


@login_required
@require_POST
def request_assign(request, pk: int):
    post = request.POST
    return _request_step(request, pk, lambda rid: services.request_assign(
        actor=request.user, request_id=rid, department=post.get("department", ""),
        note=post.get("note", "")), _("已派单"))


@login_required
@require_POST
def request_return_decide(request, pk: int):
    post = request.POST
    return _request_step(request, pk, lambda rid: services.request_return_decide(
        actor=request.user, request_id=rid, accept=post.get("decision") == "accept",
        department=post.get("department") or None, note=post.get("note", "")),
        _("退单已处理"))


@login_required
@require_POST
def request_input_ask(request, pk: int):
    post = request.POST
    return _request_step(request, pk, lambda rid: services.request_input_ask(
        actor=request.user, request_id=rid, department=post.get("department", ""),
        question=post.get("question", "")), _("已征求协办部门意见"))


@login_required
@require_POST
def request_reply(request, pk: int):
    return _request_step(request, pk, lambda rid: services.request_reply(
        actor=request.user, request_id=rid, text=request.POST.get("text", ""),
        attachments=request.FILES.getlist("attachments")), _("已答复企业"))


@login_required
@require_POST
def request_close(request, pk: int):
    return _request_step(request, pk, lambda rid: services.request_close(
        actor=request.user, request_id=rid, note=request.POST.get("note", "")), _("已办结"))


@login_required
@require_POST
def request_rate(request, pk: int):
    post = request.POST
    return _request_step(request, pk, lambda rid: services.request_rate(
        actor=request.user, request_id=rid, rating=post.get("rating", ""),
        comment=post.get("comment", "")), _("感谢您的评价"))


@login_required
@require_POST
def request_review(request, pk: int):
    post = request.POST
    return _request_step(request, pk, lambda rid: services.request_review(
        actor=request.user, request_id=rid, reopen=post.get("decision") == "reopen",
        note=post.get("note", "")), _("复核已处理"))


@login_required
@require_POST
def request_extension_ask(request, pk: int):
    post = request.POST
    return _request_step(request, pk, lambda rid: services.request_extension_ask(
        actor=request.user, request_id=rid, days=post.get("days"),
        reason=post.get("reason", "")), _("延期申请已提交协调员"))


@login_required
@require_POST
def request_attachment_add(request, pk: int):
    return _request_step(request, pk, lambda rid: services.request_attachment_add(
        actor=request.user, request_id=rid, files=request.FILES.getlist("attachments")),
        _("材料已上传"))


@login_required
@require_POST
def request_merge(request, pk: int):
    """Merge this request into ``target`` (both visible to the user); the merged one opens."""
    user = request.user
    item = selectors.request_for_user(user, pk)
    with errors_as_messages(request):
        target = selectors.request_for_user(user, request.POST.get("target"))
        merged = services.request_merge(actor=user, source_id=item.pk, target_id=target.pk)
        messages.success(request, _("已合并到 %(n)s") % {"n": merged.number})
        return redirect("servicedesk:detail", pk=merged.pk)
    return redirect("servicedesk:detail", pk=item.pk)


@login_required
@require_POST
def input_answer(request, pk: int):
    from innolink.servicedesk.models import CoHandling

    row = CoHandling.objects.filter(pk=selectors._valid_id(pk)).first()
    if row is None:
        raise NotFound()
    item = selectors.request_for_user(request.user, row.request_id)
    with errors_as_messages(request):
        services.request_input_give(actor=request.user, cohandling_id=row.pk,
                                    answer=request.POST.get("answer", ""))
        messages.success(request, _("协办意见已回复"))
    return redirect("servicedesk:detail", pk=item.pk)


@login_required
@require_POST
def extension_decide(request, pk: int):
    _require(access.is_coordinator(request.user))
    row = Extension.objects.filter(pk=selectors._valid_id(pk)).first()
    if row is None:
        raise NotFound()
    with errors_as_messages(request):
        services.request_extension_decide(actor=request.user, extension_id=row.pk,
                                          approve=request.POST.get("decision") == "approve",
                                          note=request.POST.get("note", ""))
        messages.success(request, _("延期申请已审批"))
    if request.POST.get("next") == "desk":
        return redirect("servicedesk:coordination")
    return redirect("servicedesk:detail", pk=row.request_id)


@login_required
@require_POST
def callback_record(request, pk: int):
    _require(access.is_coordinator(request.user))
    row = Callback.objects.filter(pk=selectors._valid_id(pk)).first()
    if row is None:
        raise NotFound()
    post = request.POST
    reached = post.get("reached") == "yes"
    solved = {"yes": True, "no": False}.get(post.get("solved", ""))
    with errors_as_messages(request):
        services.callback_record(actor=request.user, callback_id=row.pk, reached=reached,
                                 solved=solved, rating=post.get("rating", ""),
                                 note=post.get("note", ""))
        messages.success(request, _("回访已记录"))
    return redirect("servicedesk:coordination")


@login_required
def attachment_download(request, pk: int):
    row = selectors.attachment_for_user(request.user, pk)
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.original_name)


# --------------------------------------------------------------------------- coordination

@login_required
def coordination(request):
    _require(access.is_desk_staff(request.user))  # a work queue: not the leader's (ADR 0760)
    desk = selectors.coordinator_desk()
    overdue = selectors.overdue_list()
    return render(request, "servicedesk/coordination.html", {
        "desk": desk, "overdue_count": overdue.count(),
        "overdue": table_rows(overdue[:10]),
        "fallback_rows": table_rows(desk.fallback),
        "pending_count": len(desk.pending) + len(desk.fallback),
        "departments": Department.objects.order_by("name"),
        "coordinator": access.is_coordinator(request.user)})


@login_required
def overdue(request):
    _require(access.reads_all(request.user))
    page, query = _page(request, selectors.overdue_list())
    return render(request, "servicedesk/overdue.html", {
        "page": page, "query": query, "rows": table_rows(page.object_list)})


# --------------------------------------------------------------------------- routing table

@login_required
@require_http_methods(["GET", "POST"])
def routing(request):
    user = request.user
    _require(access.is_desk_staff(user))  # settings: not the leader's (ADR 0760)
    form = RoutingRuleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            with errors_as_messages(request):
                services.routing_rule_save(actor=user, category=d["category"], town=d["town"],
                                           lead=d["lead"], co_departments=d["co_departments"],
                                           note=d["note"], rule_id=request.POST.get("rule") or None)
                messages.success(request, _("分派规则已保存"))
                return redirect("servicedesk:routing")
        else:
            messages.error(request, _("请选择类别和牵头部门"))
    settings_row = sla.desk_settings()
    return render(request, "servicedesk/routing.html", {
        "rules": RoutingRule.objects.select_related("category", "lead")
        .prefetch_related("co_departments"),
        "form": form, "editable": True, "settings": settings_row,
        "settings_form": SettingsForm(initial={
            "fallback_department": settings_row.fallback_department.code
            if settings_row.fallback_department else "",
            "office_hours": settings_row.office_hours,
            "callback_percent": settings_row.callback_percent,
            "duplicate_threshold": settings_row.duplicate_threshold,
            "escalate_hours": settings_row.escalate_hours}),
        "sla_rules": SlaRule.objects.all(), "units": SlaRule.Unit.choices,
        "supervisions": {s.department_id: s.leader for s in
                         Supervision.objects.select_related("leader")},
        "departments": Department.objects.order_by("name"),
        "leaders": User.objects.filter(role=Role.LEADER, is_active=True),
        "model": RouterModel.objects.defer("blob").first(),
        "categories_without_rule": Category.objects.filter(active=True)
        .exclude(rules__town="").order_by("order")})


@login_required
@require_POST
def routing_rule_delete(request, pk: int):
    _require(access.is_desk_staff(request.user))
    with errors_as_messages(request):
        services.routing_rule_delete(actor=request.user, rule_id=selectors._valid_id(pk))
        messages.success(request, _("分派规则已删除"))
    return redirect("servicedesk:routing")


@login_required
@require_POST
def routing_settings(request):
    _require(access.is_desk_staff(request.user))
    post = request.POST
    with errors_as_messages(request):
        services.desk_settings_update(
            actor=request.user, fallback_department=post.get("fallback_department") or None,
            office_hours=post.get("office_hours", ""),
            callback_percent=post.get("callback_percent"),
            duplicate_threshold=post.get("duplicate_threshold"),
            escalate_hours=post.get("escalate_hours"))
        messages.success(request, _("设置已保存"))
    return redirect("servicedesk:routing")


@login_required
@require_POST
def routing_sla(request, key: str):
    _require(access.is_desk_staff(request.user))
    post = request.POST
    with errors_as_messages(request):
        services.sla_rule_update(actor=request.user, key=key, sign_hours=post.get("sign_hours"),
                                 handle_value=post.get("handle_value"),
                                 handle_unit=post.get("handle_unit", ""),
                                 warn_fraction=post.get("warn_fraction"))
        messages.success(request, _("办理时限已保存"))
    return redirect("servicedesk:routing")


@login_required
@require_POST
def routing_supervision(request):
    _require(access.is_desk_staff(request.user))
    leader = None
    raw = request.POST.get("leader", "")
    if raw:
        leader = User.objects.filter(pk=selectors._valid_id(raw), role=Role.LEADER).first()
        if leader is None:
            raise NotFound()
    with errors_as_messages(request):
        services.supervision_set(actor=request.user, department=request.POST.get("department"),
                                 leader=leader)
        messages.success(request, _("分管领导已保存"))
    return redirect("servicedesk:routing")


@login_required
@require_POST
def routing_train(request):
    _require(access.is_desk_staff(request.user))
    from innolink.servicedesk.routing import router_train_start

    job = router_train_start(actor=request.user)
    messages.success(request, _("已开始训练分派建议模型"))
    return redirect("core:job", pk=job.pk)


# --------------------------------------------------------------------------- sessions

def _problems_from_post(post, *, with_enterprise: bool) -> tuple[list, list[str]]:
    problems, errors = [], []
    for i in range(PROBLEM_ROWS if with_enterprise else VISIT_PROBLEM_ROWS):
        description = post.get(f"p{i}-description", "").strip()
        category = post.get(f"p{i}-category", "").strip()
        if not description and not category:
            continue
        enterprise = None
        if with_enterprise:
            key = post.get(f"p{i}-enterprise", "").strip().replace("\x00", "")
            if key:
                enterprise = (Enterprise.objects.filter(credit_code=key.upper()).first()
                              or Enterprise.objects.filter(name=key).first())
            if enterprise is None:
                errors.append(_("第 %(i)s 个问题：企业库中找不到「%(k)s」，请填写统一社会信用代码或企业全称") % {
                    "i": len(problems) + len(errors) + 1, "k": key[:40]})
                continue
        problems.append(services.Problem(
            category=category, description=description,
            kind=post.get(f"p{i}-kind", Kind.HELP), urgent=bool(post.get(f"p{i}-urgent")),
            enterprise=enterprise, town=post.get(f"p{i}-town", "")))
    return problems, errors


def _problem_rows(post, n: int) -> list[dict]:
    """The problem fieldsets, refilled with what was posted."""
    return [{"i": i, "enterprise": post.get(f"p{i}-enterprise", ""),
             "category": post.get(f"p{i}-category", ""),
             "kind": post.get(f"p{i}-kind", Kind.HELP), "town": post.get(f"p{i}-town", ""),
             "description": post.get(f"p{i}-description", ""),
             "urgent": bool(post.get(f"p{i}-urgent"))} for i in range(n)]


@login_required
def session_list(request):
    _require(access.reads_all(request.user))
    page, query = _page(request, Session.objects.all())
    return render(request, "servicedesk/sessions.html", {
        "page": page, "query": query, "can_record": access.can_record_sessions(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    _require(access.can_record_sessions(request.user))
    form = SessionForm(request.POST or None)
    status = 200
    problem_errors: list[str] = []
    if request.method == "POST":
        problems, problem_errors = _problems_from_post(request.POST, with_enterprise=True)
        if form.is_valid() and not problem_errors:
            d = form.cleaned_data
            try:
                session = services.session_record(
                    actor=request.user, kind=d["kind"], title=d["title"], held_on=d["held_on"],
                    host=d["host"], place=d["place"], attendees=d["attendees"], problems=problems)
            except ValidationFailed as exc:
                for name, errors in exc.fields.items():
                    if name in form.fields:
                        form.add_error(name, errors)
                    else:
                        problem_errors.extend(errors)
            else:
                messages.success(request, _("已登记，%(n)s 个问题已转为诉求") % {
                    "n": len(problems)})
                return redirect("servicedesk:session", pk=session.pk)
        status = 422
    return render(request, "servicedesk/session_new.html", {
        "form": form, "rows": _problem_rows(request.POST, PROBLEM_ROWS),
        "problem_errors": problem_errors, "categories": Category.objects.filter(active=True),
        "kinds": Kind.choices, "towns": town_choices()}, status=status)


@login_required
def session_detail(request, pk: int):
    _require(access.reads_all(request.user))
    session = Session.objects.filter(pk=selectors._valid_id(pk)).first()
    if session is None:
        raise NotFound()
    rows = table_rows(session.requests.select_related("enterprise", "category", "department"))
    return render(request, "servicedesk/session.html", {"session": session, "rows": rows})


# --------------------------------------------------------------------------- 12345 import

@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request):
    _require(access.is_desk_staff(request.user))
    form = UploadForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = importing.hotline_import(actor=request.user,
                                                  content=_upload_bytes(upload),
                                                  filename=upload.name or "")
            except (NotFound, PermissionDenied):
                raise
            except ApplicationError as exc:
                form.add_error("file", error_text(exc))
                status = 422
            else:
                if result.ok:
                    messages.success(request, _("已导入 %(c)s 条，跳过已导入的 %(s)s 条") % {
                        "c": result.created, "s": result.skipped})
                    return redirect("servicedesk:list")
                status = 422
        else:
            status = 422
    return render(request, "servicedesk/import.html", {
        "form": form, "result": result, "columns": importing.HOTLINE_COLUMNS}, status=status)


@login_required
def hotline_template(request):
    _require(access.is_desk_staff(request.user))
    response = HttpResponse(importing.hotline_template_xlsx(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = 'attachment; filename="12345-template.xlsx"'
    return response


# --------------------------------------------------------------------------- cadres

@login_required
def cadres(request):
    user = request.user
    # a cadre's own list or the desk's roster to keep; the leader reads 走访覆盖 (ADR 0760)
    _require(access.is_cadre(user) or access.is_desk_staff(user))
    qs = selectors.assignments_visible_to(user).order_by("enterprise__town", "enterprise__name")
    q = request.GET.get("q", "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(enterprise__name__icontains=q) | qs.filter(cadre__display_name__icontains=q)
    page, query = _page(request, qs, 50)
    year, quarter = selectors.quarter_of(timezone.localdate())
    start, end = selectors.quarter_bounds(year, quarter)
    visited = set(selectors.visits_visible_to(user).filter(
        visited_on__gte=start, visited_on__lt=end,
        enterprise_id__in=[a.enterprise_id for a in page.object_list])
        .values_list("enterprise_id", flat=True))
    return render(request, "servicedesk/cadres.html", {
        "page": page, "query": query, "q": q, "visited": visited, "quarter": quarter,
        "year": year, "editable": access.is_desk_staff(user), "mine": access.is_cadre(user),
        "cadre_users": User.objects.filter(role=Role.CADRE, is_active=True)
        .order_by("display_name")})


@login_required
@require_POST
def cadre_assign(request):
    _require(access.is_desk_staff(request.user))
    key = request.POST.get("enterprise", "").strip().replace("\x00", "")
    enterprise = (Enterprise.objects.filter(credit_code=key.upper()).first()
                  or Enterprise.objects.filter(name=key).first()) if key else None
    if enterprise is None:
        messages.error(request, _("企业库中找不到「%(k)s」，请填写统一社会信用代码或企业全称") % {
            "k": key[:40]})
        return redirect("servicedesk:cadres")
    with errors_as_messages(request):
        services.cadre_assign(actor=request.user, enterprise=enterprise,
                              cadre=request.POST.get("cadre", ""),
                              note=request.POST.get("note", ""))
        messages.success(request, _("已设置 %(e)s 的挂钩干部") % {"e": enterprise.name})
    return redirect("servicedesk:cadres")


@login_required
@require_POST
def cadre_unassign(request, pk: int):
    _require(access.is_desk_staff(request.user))
    row = CadreAssignment.objects.filter(pk=selectors._valid_id(pk)).first()
    if row is None:
        raise NotFound()
    with errors_as_messages(request):
        services.cadre_unassign(actor=request.user, enterprise=row.enterprise)
        messages.success(request, _("已取消挂钩"))
    return redirect("servicedesk:cadres")


@login_required
@require_POST
def cadres_import(request):
    _require(access.is_desk_staff(request.user))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择 .xlsx 或 .csv 文件"))
        return redirect("servicedesk:cadres")
    upload = form.cleaned_data["file"]
    try:
        result = importing.cadres_import(actor=request.user, content=_upload_bytes(upload),
                                         filename=upload.name or "")
    except ApplicationError as exc:
        refusal_as_message(request, exc)
        return redirect("servicedesk:cadres")
    if result.ok:
        messages.success(request, _("已导入挂钩关系 %(c)s 条，未变化 %(s)s 条") % {
            "c": result.created, "s": result.skipped})
    else:
        messages.error(request, _("文件有 %(n)s 处错误，未导入任何记录：%(e)s") % {
            "n": len(result.errors), "e": "；".join(
                f"第{e.row}行 {e.column}：{e.reason}" for e in result.errors[:10])})
    return redirect("servicedesk:cadres")


@login_required
@require_http_methods(["GET", "POST"])
def plans(request):
    user = request.user
    _require(access.reads_all(user))
    today = timezone.localdate()
    year, quarter = selectors.quarter_of(today)
    try:
        year = int(request.GET.get("year", year))
        quarter = int(request.GET.get("quarter", quarter))
        if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise NotFound()
    if request.method == "POST":
        _require(access.is_desk_staff(user))
        with errors_as_messages(request):
            services.visit_plan_set(actor=user, cadre=request.POST.get("cadre", ""),
                                    year=request.POST.get("year"),
                                    quarter=request.POST.get("quarter"),
                                    target=request.POST.get("target"),
                                    note=request.POST.get("note", ""))
            messages.success(request, _("走访计划已保存"))
        return redirect(f"{request.path}?year={year}&quarter={quarter}")
    cov = selectors.coverage(year, quarter, today=today)
    return render(request, "servicedesk/plans.html", {
        "coverage": cov, "year": year, "quarter": quarter, "editable": access.is_desk_staff(user),
        "plans": {p.cadre_id: p for p in VisitPlan.objects.filter(year=year, quarter=quarter)}})


@login_required
def coverage(request):
    _require(access.can_read_coverage(request.user))
    year, quarter = selectors.quarter_of(timezone.localdate())
    cov = selectors.coverage(year, quarter)
    page, query = _page(request, cov.unvisited, 50)
    return render(request, "servicedesk/coverage.html", {
        "coverage": cov, "page": page, "query": query,
        "behind_count": sum(1 for c in cov.cadres if c.behind)})


@login_required
def visits(request):
    _require(access.is_cadre(request.user) or access.reads_all(request.user))
    page, query = _page(request, selectors.visits_visible_to(request.user)
                        .prefetch_related("requests"), 25)
    return render(request, "servicedesk/visits.html", {"page": page, "query": query,
                                                       "mine": access.is_cadre(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, enterprise_pk: int):
    user = request.user
    _require(access.is_cadre(user))
    enterprise = selectors.cadre_enterprise_for_user(user, enterprise_pk)
    sheet = selectors.visit_sheet(enterprise)
    form = VisitForm(request.POST or None)
    status, problem_errors = 200, []
    if request.method == "POST":
        problems, problem_errors = _problems_from_post(request.POST, with_enterprise=False)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.visit_record(
                    actor=user, enterprise=enterprise, visited_on=d["visited_on"],
                    people_met=d["people_met"], topics=d["topics"],
                    policies_brought=request.POST.getlist("policies"), problems=problems)
            except ValidationFailed as exc:
                for name, errors in exc.fields.items():
                    if name in form.fields:
                        form.add_error(name, errors)
                    else:
                        problem_errors.extend(errors)
            else:
                messages.success(request, _("走访已记录，%(n)s 个问题已转为诉求") % {
                    "n": len(problems)})
                return redirect("servicedesk:visits")
        status = 422
    return render(request, "servicedesk/visit_new.html", {
        "enterprise": enterprise, "sheet": sheet, "form": form,
        "rows": _problem_rows(request.POST, VISIT_PROBLEM_ROWS), "problem_errors": problem_errors,
        "categories": Category.objects.filter(active=True), "kinds": Kind.choices}, status=status)


@login_required
def visit_sheet(request, enterprise_pk: int):
    enterprise = selectors.cadre_enterprise_for_user(request.user, enterprise_pk)
    sheet = selectors.visit_sheet(enterprise)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(exports.visit_sheet_pdf(sheet), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="visit-sheet-{enterprise.credit_code}.pdf"')
        return response
    return render(request, "servicedesk/sheet.html", {"sheet": sheet,
                                                      "mine": access.is_cadre(request.user)})


# --------------------------------------------------------------------------- measures

def _period(request) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    try:
        year = int(raw) if raw else today.year
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise NotFound()
    by = request.GET.get("by", "department")
    if by not in selectors.DIMENSIONS:
        by = "department"
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1), by


@login_required
def measures(request):
    _require(access.can_read_measures(request.user))
    start, end, by = _period(request)
    town = request.GET.get("town", "")
    town = town if town in TOWN_NAMES else ""  # the overview map links here with ?town=
    total, rows = selectors.rates(start=start, end=end, by=by, town=town)
    return render(request, "servicedesk/measures.html", {
        "total": total, "rows": rows, "by": by, "year": start.year, "town": town,
        "town_label": town_label(town) if town else "",
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 3, -1)),
        "dimensions": [("department", _("按部门")), ("town", _("按镇街")),
                       ("category", _("按类别")), ("month", _("按月份"))],
        "topics": selectors.hot_topics(), "definitions": exports.DEFINITIONS,
        "chart": exports.rates_chart(rows) if by == "month" else None})


@login_required
def measures_export(request):
    _require(access.can_read_measures(request.user))
    today = timezone.localdate()
    content = exports.weekly_xlsx(today=today)
    response = HttpResponse(content, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="servicedesk-weekly-{today}.xlsx"'
    return response
