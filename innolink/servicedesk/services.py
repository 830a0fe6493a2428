"""Every write of the service desk: requests from every channel, routing, the handling steps,
ratings and reviews, merges, time-limit sweeps, and the tables staff keep (routing, limits,
cadres, plans).

Each service is keyword-only, checks its input before it writes, runs in one transaction with its
audit entries, the request's history (``RequestEvent``) and the aggregate counters, and sends
notifications (rows in the transaction, e-mail on commit).

Other apps create requests through :func:`request_create` (ADR 0400)::

    request_create(enterprise=e, channel=Channel.PROJECT, category="land",
                   description="…", actor=user, source=f"project:{project.pk}")
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import Department, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.messages import Message, msg
from innolink.core.notifications import notify
from innolink.engines.sla import Level, OfficeHours
from innolink.enterprises.models import Enterprise
from innolink.enterprises.reference import TOWN_NAMES
from innolink.servicedesk import access, counters, sla
from innolink.servicedesk.models import (
    OPEN_STATES,
    Attachment,
    CadreAssignment,
    Callback,
    Category,
    Channel,
    CoHandling,
    DeskSettings,
    Extension,
    Kind,
    Rating,
    RequestEvent,
    RoutingRule,
    ServiceRequest,
    Session,
    SlaRule,
    Status,
    Supervision,
    Visit,
    VisitPlan,
)
from innolink.servicedesk.text import topic_terms
from innolink.core.ids import parse_id
from innolink.servicedesk.errors import (
    ALREADY_RATED,
    ALREADY_REPLIED,
    ALREADY_SIGNED,
    BAD_ATTACHMENT,
    CALLBACK_DONE,
    DUPLICATE_EXTERNAL_ID,
    EMPTY_TEXT,
    EXTENSION_DECIDED,
    EXTENSION_PENDING,
    INPUT_NOT_PENDING,
    INPUT_PENDING,
    NO_SLA_RULE,
    REQUEST_CLOSED,
    RULE_EXISTS,
    UNKNOWN_CADRE,
    UNKNOWN_CATEGORY,
    UNKNOWN_DEPARTMENT,
    UNKNOWN_TOWN,
    WRONG_STATE,
)

logger = logging.getLogger(__name__)

E = RequestEvent.Kind
MAX_TEXT = 5000
MAX_TITLE = 100
ATTACHMENT_EXTENSIONS = (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls",
                         ".xlsx", ".txt", ".zip")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_FILES = 5


def _user(actor) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _clean(text: Any) -> str:
    return str(text or "").replace("\x00", "").strip()


# --------------------------------------------------------------------------- input checks

def category_resolve(value: Category | str | int | None) -> Category:
    """A category from a row, its code, its name or its id; unknown or retired → 422."""
    if isinstance(value, Category):
        category = value
    else:
        raw = _clean(value)
        category = None
        if raw:
            category = (Category.objects.filter(code=raw).first()
                        or Category.objects.filter(name=raw).first())
            if category is None and raw.isdigit() and len(raw) < 12:
                category = Category.objects.filter(pk=int(raw)).first()
        if category is None:
            raise ValidationFailed({"category": [_("未知的诉求类别「%(c)s」") % {"c": raw[:40]}]},
                                   code=UNKNOWN_CATEGORY)
    if not category.active:
        raise ValidationFailed({"category": [_("诉求类别「%(c)s」已停用") % {"c": category.name}]},
                               code=UNKNOWN_CATEGORY)
    return category


def town_check(town: str) -> str:
    town = _clean(town).removesuffix("街道").removesuffix("镇")
    if town not in TOWN_NAMES:
        raise ValidationFailed({"town": [_("未知的镇街「%(t)s」") % {"t": town[:20]}]},
                               code=UNKNOWN_TOWN)
    return town


def _text(value: Any, field: str, label: str, *, limit: int = MAX_TEXT) -> str:
    text = _clean(value)
    if not text:
        raise ValidationFailed({field: [_("%(l)s不能为空") % {"l": label}]}, code=EMPTY_TEXT)
    if len(text) > limit:
        raise ValidationFailed({field: [_("%(l)s不能超过 %(n)s 字") % {"l": label, "n": limit}]})
    return text


def attachments_check(files: Sequence[Any]) -> list[Any]:
    files = [f for f in files if f is not None]
    errors = []
    if len(files) > ATTACHMENT_MAX_FILES:
        errors.append(_("一次最多上传 %(n)s 个附件") % {"n": ATTACHMENT_MAX_FILES})
    for upload in files:
        name = (upload.name or "")[:200]
        ext = os.path.splitext(name)[1].lower()
        if ext not in ATTACHMENT_EXTENSIONS:
            errors.append(_("%(f)s：文件类型应为 %(e)s") % {"f": name or _("附件"),
                                                          "e": "、".join(ATTACHMENT_EXTENSIONS)})
        elif upload.size > ATTACHMENT_MAX_BYTES:
            errors.append(_("%(f)s：文件 %(s)s MB，超过 10 MB 上限") % {
                "f": name, "s": f"{upload.size / 1048576:.1f}"})
        elif upload.size == 0:
            errors.append(_("%(f)s：文件为空") % {"f": name})
    if errors:
        raise ValidationFailed({"attachments": errors}, code=BAD_ATTACHMENT)
    return files


def _save_attachments(*, actor, request: ServiceRequest, files: Sequence[Any],
                      event: RequestEvent | None) -> list[Attachment]:
    rows = []
    for upload in files:
        row = Attachment(request=request, event=event, original_name=(upload.name or "")[:200],
                         size=upload.size, uploaded_by=_user(actor))
        row.file.save(os.path.basename(upload.name or "file"), upload, save=False)
        row.save()
        audit_record(actor=actor, action="create", instance=row,
                     changes={"request": [None, request.pk], "size": [None, upload.size]})
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- history + counters

def _event(request: ServiceRequest, kind: str, *, actor=None, at: dt.datetime | None = None,
           department: Department | None | int = ..., note: str = "", internal: bool = False,
           data: dict | None = None, tally: dict[str, int] | None = None) -> RequestEvent:
    """One step of the history; its ``tally`` goes to the counters in the same transaction,
    keyed by the step's month, its department (the request's by default), town and category."""
    at = at or timezone.now()
    if department is ...:
        department_id = request.department_id
    else:
        department_id = department.pk if isinstance(department, Department) else department
    tally = {k: int(v) for k, v in (tally or {}).items() if v}
    event = RequestEvent.objects.create(
        request=request, at=at, actor=_user(actor), kind=kind, department_id=department_id,
        note=note, internal=internal, data=data or {}, tally=tally)
    if tally:
        key = (counters.month_of(at), department_id or 0, request.town, request.category_id)
        counters.counters_add({key: tally})
    return event


def _transition(request: ServiceRequest, actor, old: str, note: str = "",
                source: str | None = None) -> None:
    audit_record(actor=actor, action="transition", instance=request,
                 changes={"status": [old, request.status]}, note=note[:300], source=source)


def _lock(request_id: Any) -> ServiceRequest:
    request = ServiceRequest.objects.select_for_update().filter(pk=parse_id(request_id)).first()
    if request is None:
        raise NotFound()
    return request


# --------------------------------------------------------------------------- notifications

def _url(request: ServiceRequest) -> str:
    return reverse("servicedesk:detail", args=[request.pk])


def _handlers(department_id: int | None) -> list[User]:
    if not department_id:
        return []
    return list(User.objects.filter(role=Role.DEPT_HANDLER, department_id=department_id,
                                    is_active=True))


def _coordinators() -> list[User]:
    return list(User.objects.filter(role=Role.COORDINATOR, is_active=True))


def _enterprise_users(request: ServiceRequest) -> list[User]:
    return list(User.objects.filter(role=Role.ENTERPRISE, enterprise_id=request.enterprise_id,
                                    is_active=True))


def _send(users: Iterable[User], *, title: Message, body: Message | str = "", note: str = "",
          request: ServiceRequest, kind: str) -> None:
    """A platform notification in this transaction and an e-mail after commit, through Django's
    mail backend (SMTP in production, nothing leaves a test). ``title``/``body`` are msgids with
    values (``Message(N_("…"), …)``), ``note`` a person's words (ADR 0790); the e-mail is in
    the platform's language, as a user has no stored language."""
    users = [u for u in users if u is not None]
    if not users:
        return
    url = _url(request)
    rows = notify(recipients=users, title=title, body=body, note=note, url=url,
                  kind=f"servicedesk.{kind}")
    addresses = sorted({u.email for u in users if u.email})
    if addresses and rows:
        title, message = rows[0].title, f"{rows[0].body}\n\n{url}"

        def mail() -> None:
            try:
                send_mail(title[:200], message, None, addresses, fail_silently=False)
            except Exception:  # the platform notification is the record; mail is best effort
                logger.warning("service desk e-mail to %s failed", addresses, exc_info=True)

        transaction.on_commit(mail)


# --------------------------------------------------------------------------- routing

def route_for(category: Category, town: str) -> tuple[Department | None, list[Department], str]:
    """(lead, co-handlers, how): the town's own rule, else the category's rule for every
    town, else the fallback owner (兜底); (None, [], "") when none is configured."""
    rule = (RoutingRule.objects.filter(category=category, town__in=[town, ""])
            .select_related("lead").prefetch_related("co_departments").order_by("-town").first())
    if rule is not None:
        return rule.lead, [d for d in rule.co_departments.all() if d.pk != rule.lead_id], "rule"
    fallback = sla.desk_settings().fallback_department
    if fallback is not None:
        return fallback, [], "fallback"
    return None, [], ""


def _assign(request: ServiceRequest, department: Department | None, *, actor, now: dt.datetime,
            kind: str, how: str, note: str = "", internal: bool = False) -> None:
    """Hand the request to ``department`` with fresh clocks (or to nobody: 待分派)."""
    request.department = department
    request.routed_by = how
    request.warned = ""
    request.sign_counted = False
    request.done_counted = False
    if department is None:
        request.status = Status.PENDING
        request.assigned_at = request.sign_due_at = request.due_at = request.deadline_at = None
    else:
        work = sla.clock()
        rule = sla.rules_by_key().get(sla.rule_key(request.kind, request.urgent))
        if rule is None:
            raise Conflict(_("未配置该类型诉求的办理时限，请联系协调员"), code=NO_SLA_RULE)
        sign_due, due = sla.deadlines(now, rule, work)
        request.status = Status.ASSIGNED
        request.assigned_at, request.sign_due_at, request.due_at = now, sign_due, due
        request.deadline_at = sign_due
    request.save()
    _event(request, kind, actor=actor, at=now, note=note, internal=internal,
           data={"how": how, "department": department.name if department else ""})
    if department is None:
        _send(_coordinators(), title=Message(N_("新诉求待分派：%(t)s"), t=request.title),
              body=N_("没有分派规则和兜底部门能承接该诉求，请分派。"), request=request,
              kind="pending")
    else:
        _send(_handlers(department.pk), title=Message(N_("新诉求待签收：%(t)s"), t=request.title),
              body=Message(N_("%(e)s 的诉求已派至%(d)s，请在 %(s)s 前签收。"),
                           e=request.enterprise.name, d=department.name,
                           s=f"{timezone.localtime(request.sign_due_at):%m-%d %H:%M}"),
              request=request, kind="assigned")


def _suggestions(text: str, category: Category) -> list[dict]:
    from innolink.servicedesk.routing import suggest

    try:
        return suggest(text, category.code)
    except Exception:  # a broken model must never stop a request from being filed
        logger.exception("routing suggestion failed")
        return []


# --------------------------------------------------------------------------- create

CREATOR_CHANNELS = {
    Role.ENTERPRISE: {Channel.ONLINE},
    Role.CADRE: {Channel.VISIT},
    Role.COORDINATOR: {Channel.HOTLINE, Channel.RECEPTION, Channel.FORUM, Channel.STAFF,
                       Channel.ONLINE},
    Role.ORGANIZER: {Channel.HOTLINE, Channel.RECEPTION, Channel.FORUM, Channel.STAFF,
                     Channel.PROJECT},
    Role.ADMIN: set(Channel.values),
}


def check_creator(actor, enterprise: Enterprise, channel: str) -> None:
    """Who may file what: an enterprise for itself online, a cadre for their enterprises on a
    visit, desk staff for any enterprise on their channels. ``actor=None`` is the platform
    itself (another app's service, an import)."""
    if actor is None:
        return
    role = getattr(actor, "role", None)
    if channel not in CREATOR_CHANNELS.get(role, set()):
        raise PermissionDenied(_("您不能通过该渠道登记诉求"))
    if role == Role.ENTERPRISE and actor.enterprise_id != enterprise.pk:
        raise PermissionDenied()
    if role == Role.CADRE and not CadreAssignment.objects.filter(
            enterprise=enterprise, cadre=actor).exists():
        raise PermissionDenied(_("该企业不是您挂钩服务的企业"))


def request_create(*, enterprise: Enterprise, channel: str, category: Category | str,
                   description: str, actor, source: str | None = None, kind: str = Kind.HELP,
                   urgent: bool = False, town: str | None = None, title: str = "",
                   attachments: Sequence[Any] = (), session: Session | None = None,
                   visit: Visit | None = None, external_id: str = "",
                   received_at: dt.datetime | None = None, audit_source: str | None = None,
                   check_actor: bool = True) -> ServiceRequest:
    """File a request from any channel and route it at once.

    Routing: the routing table's rule for (category, town), else the fallback owner; the
    suggestion model's proposal (with the terms that voted) is stored beside it for staff to
    confirm or change. Bad input raises ``ValidationFailed`` (422) before anything is written;
    a repeated ``external_id`` on the same channel raises ``Conflict`` (409).
    """
    if channel not in Channel.values:
        raise ValidationFailed({"channel": [_("未知的诉求渠道「%(c)s」") % {"c": str(channel)[:20]}]})
    if kind not in Kind.values:
        raise ValidationFailed({"kind": [_("未知的诉求类型「%(k)s」") % {"k": str(kind)[:20]}]})
    description = _text(description, "description", _("诉求内容"))
    category = category_resolve(category)
    town = town_check(town or enterprise.town)
    title = _clean(title)[:MAX_TITLE] or description.splitlines()[0][:30]
    files = attachments_check(attachments)
    external_id = _clean(external_id)[:64]
    if check_actor:
        check_creator(actor, enterprise, channel)
    if external_id and ServiceRequest.objects.filter(channel=channel,
                                                     external_id=external_id).exists():
        raise Conflict(_("编号 %(n)s 的诉求已登记，不再重复导入") % {"n": external_id},
                       code=DUPLICATE_EXTERNAL_ID)
    suggestions = _suggestions(f"{title}\n{description}", category)
    words = topic_terms(f"{title} {description}")
    received = received_at or timezone.now()
    lead, co, how = route_for(category, town)
    with transaction.atomic():
        request = ServiceRequest(
            enterprise=enterprise, town=town, category=category, kind=kind, urgent=bool(urgent),
            channel=channel, title=title, description=description, status=Status.PENDING,
            suggestions=suggestions, session=session, visit=visit,
            source=_clean(source)[:100], external_id=external_id,
            created_by=_user(actor), created_at=received)
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            raise Conflict(_("编号 %(n)s 的诉求已登记，不再重复导入") % {"n": external_id},
                           code=DUPLICATE_EXTERNAL_ID)
        # received is counted against the department first given the request
        _event(request, E.CREATED, actor=actor, at=received, department=lead,
               data={"channel": channel, "source": request.source}, tally={"received": 1})
        if files:
            _save_attachments(actor=actor, request=request, files=files, event=None)
        # a transfer's clock starts when it reaches the platform, not when 12345 received it
        _assign(request, lead, actor=actor, now=max(received, timezone.now()), kind=E.ROUTED,
                how=how,
                note=_("按分派规则") if how == "rule" else (_("无匹配规则，由兜底部门承接")
                                                         if how == "fallback" else ""))
        for department in co:
            CoHandling.objects.create(request=request, department=department)
        counters.topics_add(counters.week_of(received), words[:20], category.code)
        audit_record(actor=actor, action="create", instance=request, source=audit_source,
                     changes={"enterprise": [None, enterprise.pk], "channel": [None, channel],
                              "category": [None, category.code], "status": [None, request.status],
                              "department": [None, request.department_id]})
    return request


# --------------------------------------------------------------------------- permissions

def _require_lead_handler(actor, request: ServiceRequest) -> None:
    if not (access.is_handler(actor) and actor.department_id == request.department_id):
        raise PermissionDenied(_("只有承办部门的经办人可以办理"))


def _require_coordinator(actor) -> None:
    if not access.is_coordinator(actor):
        raise PermissionDenied(_("需要诉求协调员办理"))


def _state_error(request: ServiceRequest) -> Conflict:
    if request.status in (Status.CLOSED, Status.MERGED):
        return Conflict(_("诉求已办结，不能再办理或答复"), code=REQUEST_CLOSED)
    return Conflict(_("诉求当前状态为「%(s)s」，不能执行该操作") % {"s": request.get_status_display()},
                    code=WRONG_STATE)


def _department(value: Department | int | str | None) -> Department:
    if isinstance(value, Department):
        return value
    raw = _clean(value)
    department = None
    if raw:
        department = Department.objects.filter(code=raw).first()
        if department is None and raw.isdigit() and len(raw) < 12:
            department = Department.objects.filter(pk=int(raw)).first()
        if department is None:
            department = Department.objects.filter(name=raw).first()
    if department is None:
        raise ValidationFailed({"department": [_("未知的部门「%(d)s」") % {"d": raw[:40]}]},
                               code=UNKNOWN_DEPARTMENT)
    return department


# --------------------------------------------------------------------------- handling steps

def request_sign(*, actor, request_id: int) -> ServiceRequest:
    """签收: exactly one signature per assignment (the row lock makes a second handler wait and
    then see 办理中). The first department that signs stays accountable (首接负责)."""
    with transaction.atomic():
        request = _lock(request_id)
        _require_lead_handler(actor, request)
        if request.status != Status.ASSIGNED:
            if request.status == Status.HANDLING:
                raise Conflict(_("该诉求已被签收"), code=ALREADY_SIGNED)
            raise _state_error(request)
        now = timezone.now()
        old = request.status
        tally = {}
        if not request.sign_counted:
            tally = {"sign_total": 1, "sign_timely": int(now <= request.sign_due_at)}
            request.sign_counted = True
        request.status = Status.HANDLING
        request.signed_at = now
        request.first_department_id = request.first_department_id or request.department_id
        request.deadline_at = request.due_at
        request.warned = ""
        request.save()
        _event(request, E.SIGNED, actor=actor, at=now, tally=tally)
        _transition(request, actor, old)
        _send(_enterprise_users(request), title=Message(N_("您的诉求已签收：%(t)s"), t=request.title),
              body=Message(N_("%(d)s已签收，将在 %(due)s 前答复。"),
                           d=request.department.name,
                           due=f"{timezone.localtime(request.due_at):%Y-%m-%d %H:%M}"),
              request=request, kind="signed")
    return request


def request_return(*, actor, request_id: int, reason: str) -> ServiceRequest:
    """退单: the department says the request is not its to handle; the coordinator decides."""
    reason = _text(reason, "reason", _("退单理由"), limit=500)
    with transaction.atomic():
        request = _lock(request_id)
        _require_lead_handler(actor, request)
        if request.status != Status.ASSIGNED:
            raise _state_error(request)
        old = request.status
        request.status = Status.RETURNED
        request.deadline_at = None
        request.save()
        _event(request, E.RETURNED, actor=actor, note=reason)
        _transition(request, actor, old, note=reason)
        _send(_coordinators(), title=Message(N_("退单待协调：%(t)s"), t=request.title),
              body=Message(N_("%(d)s退单：%(r)s"), d=request.department.name, r=reason),
              request=request, kind="returned")
    return request


def request_return_decide(*, actor, request_id: int, accept: bool,
                          department: Department | int | str | None = None,
                          note: str = "") -> ServiceRequest:
    """The coordinator settles a 退单: accepted → another department; rejected → back to the
    same department, which must sign."""
    _require_coordinator(actor)
    note = _clean(note)[:500]
    target = _department(department) if accept else None
    with transaction.atomic():
        request = _lock(request_id)
        if request.status != Status.RETURNED:
            raise _state_error(request)
        old = request.status
        if accept:
            if target.pk == request.department_id:
                raise ValidationFailed({"department": [_("请选择退单部门以外的部门")]})
            _assign(request, target, actor=actor, now=timezone.now(), kind=E.RETURN_ACCEPTED,
                    how="manual", note=note)
        else:
            if not note:
                raise ValidationFailed({"note": [_("请写明退单不成立的理由")]}, code=EMPTY_TEXT)
            _assign(request, request.department, actor=actor, now=timezone.now(),
                    kind=E.RETURN_REJECTED, how=request.routed_by or "manual", note=note)
        _transition(request, actor, old, note=note)
    return request


def request_assign(*, actor, request_id: int, department: Department | int | str,
                   note: str = "") -> ServiceRequest:
    """Send a request to a department: the coordinator at any time before it is signed, or the
    fallback department's handler confirming or changing the model's suggestion."""
    target = _department(department)
    note = _clean(note)[:500]
    with transaction.atomic():
        request = _lock(request_id)
        fallback_id = sla.desk_settings().fallback_department_id
        if access.is_coordinator(actor):
            if request.status not in (Status.PENDING, Status.ASSIGNED, Status.RETURNED):
                raise _state_error(request)
        elif (access.is_handler(actor) and actor.department_id == request.department_id
              and request.department_id == fallback_id):
            if request.status != Status.ASSIGNED:
                raise _state_error(request)
        else:
            raise PermissionDenied(_("只有协调员或兜底部门可以改派"))
        if target.pk == request.department_id and request.status == Status.ASSIGNED:
            raise ValidationFailed({"department": [_("诉求已在该部门")]})
        top = request.suggestions[0]["code"] if request.suggestions else None
        how = "suggestion" if top == target.code else "manual"
        old = request.status
        _assign(request, target, actor=actor, now=timezone.now(), kind=E.ROUTED, how=how,
                note=note or (_("采纳分派建议") if how == "suggestion" else _("人工改派")))
        _transition(request, actor, old, note=f"→ {target.name}")
    return request


def request_input_ask(*, actor, request_id: int, department: Department | int | str,
                      question: str) -> CoHandling:
    """The lead asks a co-handling department for its input (征求协办意见)."""
    question = _text(question, "question", _("征求意见内容"), limit=1000)
    target = _department(department)
    with transaction.atomic():
        request = _lock(request_id)
        _require_lead_handler(actor, request)
        if request.status != Status.HANDLING:
            raise _state_error(request)
        if target.pk == request.department_id:
            raise ValidationFailed({"department": [_("请选择承办部门以外的协办部门")]})
        rows = CoHandling.objects.select_for_update().filter(request=request, department=target)
        if any(r.pending for r in rows):
            raise Conflict(_("已向%(d)s征求意见，尚未答复") % {"d": target.name},
                           code=INPUT_PENDING)
        row = next((r for r in rows if not r.asked_at), None) or CoHandling(
            request=request, department=target)
        row.question, row.asked_by, row.asked_at = question, _user(actor), timezone.now()
        row.answer, row.answered_by, row.answered_at = "", None, None
        row.save()
        _event(request, E.INPUT_ASKED, actor=actor, note=question, internal=True,
               data={"department": target.name})
        audit_record(actor=actor, action="create", instance=request, note=f"征求意见 {target.name}")
        _send(_handlers(target.pk), title=Message(N_("请提供协办意见：%(t)s"), t=request.title),
              note=question, request=request, kind="input")
    return row


def request_input_give(*, actor, cohandling_id: int, answer: str) -> CoHandling:
    answer = _text(answer, "answer", _("协办意见"), limit=MAX_TEXT)
    with transaction.atomic():
        row = CoHandling.objects.select_for_update().filter(pk=cohandling_id).first()
        if row is None:
            raise NotFound()
        if not (access.is_handler(actor) and actor.department_id == row.department_id):
            raise PermissionDenied()
        request = _lock(row.request_id)
        if not row.pending:
            raise Conflict(_("该征求意见已答复或未发出"), code=INPUT_NOT_PENDING)
        if request.status not in (Status.HANDLING, Status.ASSIGNED, Status.REPLIED):
            raise _state_error(request)
        row.answer, row.answered_by, row.answered_at = answer, _user(actor), timezone.now()
        row.save()
        _event(request, E.INPUT_GIVEN, actor=actor, department=row.department, note=answer,
               internal=True)
        audit_record(actor=actor, action="update", instance=request,
                     note=f"协办意见 {row.department.name}")
        _send(_handlers(request.department_id), title=Message(N_("协办意见已回复：%(t)s"),
              t=request.title), note=answer[:300], request=request, kind="input_given")
    return row


def request_extension_ask(*, actor, request_id: int, days: Any, reason: str) -> Extension:
    reason = _text(reason, "reason", _("延期理由"), limit=500)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise ValidationFailed({"days": [_("延期天数应为 1–30 个工作日")]})
    with transaction.atomic():
        request = _lock(request_id)
        _require_lead_handler(actor, request)
        if request.status != Status.HANDLING:
            raise _state_error(request)
        if request.extensions.filter(state=Extension.State.PENDING).exists():
            raise Conflict(_("已有待审批的延期申请"), code=EXTENSION_PENDING)
        row = Extension.objects.create(request=request, days=days, reason=reason,
                                       requested_by=_user(actor))
        _event(request, E.EXTENSION_ASKED, actor=actor, note=reason, data={"days": days})
        audit_record(actor=actor, action="create", instance=row,
                     changes={"days": [None, days]})
        _send(_coordinators(), title=Message(N_("延期申请待审批：%(t)s"), t=request.title),
              body=Message(N_("申请延期 %(n)s 个工作日：%(r)s"), n=days, r=reason),
              request=request, kind="extension")
    return row


def request_extension_decide(*, actor, extension_id: int, approve: bool,
                             note: str = "") -> Extension:
    _require_coordinator(actor)
    note = _clean(note)[:300]
    with transaction.atomic():
        row = Extension.objects.select_for_update().filter(pk=extension_id).first()
        if row is None:
            raise NotFound()
        request = _lock(row.request_id)
        if row.state != Extension.State.PENDING:
            raise Conflict(_("该延期申请已审批"), code=EXTENSION_DECIDED)
        row.state = Extension.State.APPROVED if approve else Extension.State.REJECTED
        row.decided_by, row.decided_at, row.decision_note = _user(actor), timezone.now(), note
        row.save()
        if approve and request.status == Status.HANDLING:
            work = sla.clock()
            old_due = request.due_at
            request.due_at = sla.aware(work.add_days(sla.local(request.due_at), row.days))
            request.deadline_at = request.due_at
            request.warned = ""
            request.save()
            audit_record(actor=actor, action="update", instance=request,
                         changes={"due_at": [old_due, request.due_at]}, note=note)
        _event(request, E.EXTENSION_APPROVED if approve else E.EXTENSION_REJECTED, actor=actor,
               note=note, data={"days": row.days})
        audit_record(actor=actor, action="transition", instance=row,
                     changes={"state": [Extension.State.PENDING, row.state]}, note=note)
        _send(_handlers(request.department_id), title=Message(
            N_("延期已批准：%(t)s") if approve else N_("延期未批准：%(t)s"), t=request.title),
            note=note, request=request, kind="extension_decided")
    return row


def request_reply(*, actor, request_id: int, text: str,
                  attachments: Sequence[Any] = ()) -> ServiceRequest:
    """The lead department's answer. A closed request cannot be answered again (409, nothing
    written)."""
    text = _text(text, "text", _("答复内容"))
    files = attachments_check(attachments)
    with transaction.atomic():
        request = _lock(request_id)
        if request.status != Status.HANDLING:
            if request.status == Status.REPLIED:
                raise Conflict(_("已答复，等待企业评价"), code=ALREADY_REPLIED)
            raise _state_error(request)
        _require_lead_handler(actor, request)
        now = timezone.now()
        old = request.status
        tally = {}
        if not request.done_counted:
            tally = {"done_total": 1, "done_timely": int(now <= request.due_at)}
            request.done_counted = True
        request.status = Status.REPLIED
        request.reply = text
        request.replied_at = now
        request.deadline_at = None
        request.rating, request.rated_at = "", None
        request.save()
        event = _event(request, E.REPLIED, actor=actor, at=now, note=text, tally=tally)
        _save_attachments(actor=actor, request=request, files=files, event=event)
        _transition(request, actor, old)
        _send(_enterprise_users(request), title=Message(N_("您的诉求已答复：%(t)s"), t=request.title),
              body=N_("请查看答复并评价（满意 / 基本满意 / 不满意）。"), request=request,
              kind="replied")
    return request


def _sample_callback(request: ServiceRequest, now: dt.datetime) -> None:
    """Pick the 回访 sample: a stable hash of the request puts ``callback_percent`` % of closed
    requests on the coordinator's call list (the same request is always in or out)."""
    percent = sla.desk_settings().callback_percent
    digest = int(hashlib.sha256(f"servicedesk-callback-{request.pk}".encode()).hexdigest()[:8], 16)
    if digest % 100 < percent:
        Callback.objects.get_or_create(request=request, defaults={"selected_at": now})


def _close(request: ServiceRequest, *, actor, now: dt.datetime, kind: str, note: str = "") -> None:
    request.status = Status.CLOSED
    request.closed_at = now
    request.deadline_at = None
    request.save()
    _event(request, kind, actor=actor, at=now, note=note)
    _sample_callback(request, now)


def request_close(*, actor, request_id: int, note: str = "") -> ServiceRequest:
    """办结 after the answer (the lead's handler or the coordinator); the enterprise can still
    rate it."""
    note = _clean(note)[:500]
    with transaction.atomic():
        request = _lock(request_id)
        if not access.is_coordinator(actor):
            _require_lead_handler(actor, request)
        if request.status != Status.REPLIED:
            raise _state_error(request)
        old = request.status
        _close(request, actor=actor, now=timezone.now(), kind=E.CLOSED, note=note)
        _transition(request, actor, old, note=note)
    return request


def request_rate(*, actor, request_id: int, rating: str, comment: str = "") -> ServiceRequest:
    """The enterprise rates the answer. 不满意 sends it to the coordinator's review the first
    time (重办 once); otherwise the request is closed."""
    if rating not in Rating.values:
        raise ValidationFailed({"rating": [_("请选择满意、基本满意或不满意")]})
    comment = _clean(comment)[:500]
    if rating == Rating.UNSATISFIED and not comment:
        raise ValidationFailed({"comment": [_("请说明不满意的原因")]}, code=EMPTY_TEXT)
    with transaction.atomic():
        request = _lock(request_id)
        own = access.is_enterprise_user(actor) and actor.enterprise_id == request.enterprise_id
        if not (own or access.is_coordinator(actor)):
            raise PermissionDenied(_("只有提出诉求的企业可以评价"))
        if request.status not in (Status.REPLIED, Status.CLOSED) or request.rating:
            if request.rating:
                raise Conflict(_("该答复已评价"), code=ALREADY_RATED)
            raise _state_error(request)
        now = timezone.now()
        old = request.status
        request.rating, request.rated_at = rating, now
        request.save()
        _event(request, E.RATED, actor=actor, at=now, note=comment,
               data={"rating": rating, "by": "enterprise" if own else "coordinator"},
               tally={"rated": 1, rating: 1})
        if rating == Rating.UNSATISFIED and request.reopen_count == 0:
            request.status = Status.REVIEW
            request.deadline_at = None
            request.save()
            _send(_coordinators(), title=Message(N_("企业不满意，待复核：%(t)s"), t=request.title),
                  note=comment, request=request, kind="review")
        elif request.status != Status.CLOSED:
            _close(request, actor=actor, now=now, kind=E.CLOSED,
                   note=_("企业评价后办结"))
        if request.status != old:
            _transition(request, actor, old, note=rating)
        audit_record(actor=actor, action="update", instance=request,
                     changes={"rating": ["", rating]}, note=comment)
    return request


def request_review(*, actor, request_id: int, reopen: bool, note: str) -> ServiceRequest:
    """The coordinator reviews an 不满意: reopen (重办, once, with a fresh time limit) or close
    with the reason."""
    _require_coordinator(actor)
    note = _text(note, "note", _("复核意见"), limit=500)
    with transaction.atomic():
        request = _lock(request_id)
        if request.status != Status.REVIEW:
            raise _state_error(request)
        now = timezone.now()
        old = request.status
        if reopen:
            work = sla.clock()
            rule = sla.rules_by_key()[sla.rule_key(request.kind, request.urgent)]
            _sign, due = sla.deadlines(now, rule, work)
            request.status = Status.HANDLING
            request.reopen_count += 1
            request.assigned_at, request.due_at, request.deadline_at = now, due, due
            request.done_counted, request.warned = False, ""
            request.rating, request.rated_at = "", None
            request.save()
            _event(request, E.REOPENED, actor=actor, at=now, note=note, tally={"reopened": 1})
            _send(_handlers(request.department_id) + _enterprise_users(request),
                  title=Message(N_("诉求重办：%(t)s"), t=request.title), note=note, request=request,
                  kind="reopened")
        else:
            _close(request, actor=actor, now=now, kind=E.REVIEW_REJECTED, note=note)
        _transition(request, actor, old, note=note)
    return request


def request_merge(*, actor, source_id: int, target_id: int) -> ServiceRequest:
    """Merge a duplicate (``source``) into ``target``: the source stops, both keep their own
    history, and the target's page shows the source's steps and attachments too."""
    if str(source_id) == str(target_id):
        raise ValidationFailed({"target": [_("不能合并到自身")]})
    with transaction.atomic():
        first, second = sorted([int(source_id), int(target_id)])
        locked = {first: _lock(first), second: _lock(second)}
        source, target = locked[int(source_id)], locked[int(target_id)]
        own = (access.is_enterprise_user(actor)
               and actor.enterprise_id == source.enterprise_id == target.enterprise_id)
        handler = (access.is_handler(actor) and actor.department_id == target.department_id
                   == source.department_id)
        if not (own or handler or access.is_coordinator(actor)):
            raise PermissionDenied(_("您不能合并这两件诉求"))
        if source.enterprise_id != target.enterprise_id:
            raise ValidationFailed({"target": [_("只能合并同一企业的诉求")]})
        for row in (source, target):
            if row.status not in OPEN_STATES:
                raise _state_error(row)
        now = timezone.now()
        old = source.status
        source.status = Status.MERGED
        source.merged_into = target
        source.deadline_at = None
        source.save()
        _event(source, E.MERGED_AWAY, actor=actor, at=now, note=target.number,
               data={"target": target.pk})
        _event(target, E.MERGED_IN, actor=actor, at=now, note=source.number,
               data={"source": source.pk})
        _transition(source, actor, old, note=f"→ {target.number}")
        audit_record(actor=actor, action="update", instance=target,
                     note=f"合并 {source.number}")
    return target


def request_attachment_add(*, actor, request_id: int, files: Sequence[Any]) -> list[Attachment]:
    files = attachments_check(files)
    if not files:
        raise ValidationFailed({"attachments": [_("请选择要上传的文件")]})
    with transaction.atomic():
        request = _lock(request_id)
        own = access.is_enterprise_user(actor) and actor.enterprise_id == request.enterprise_id
        if not (own or (access.is_handler(actor) and actor.department_id == request.department_id)):
            raise PermissionDenied()
        if request.status not in OPEN_STATES:
            raise _state_error(request)
        event = _event(request, E.ATTACHMENT, actor=actor,
                       note="、".join((f.name or "")[:60] for f in files))
        return _save_attachments(actor=actor, request=request, files=files, event=event)


def callback_record(*, actor, callback_id: int, reached: bool, solved: bool | None,
                    rating: str = "", note: str = "") -> Callback:
    """Record a 回访 call (the coordinator)."""
    _require_coordinator(actor)
    if rating and rating not in Rating.values:
        raise ValidationFailed({"rating": [_("请选择满意、基本满意或不满意")]})
    note = _clean(note)[:500]
    with transaction.atomic():
        row = Callback.objects.select_for_update().filter(pk=callback_id).first()
        if row is None:
            raise NotFound()
        if row.done_at is not None:
            raise Conflict(_("该回访已记录"), code=CALLBACK_DONE)
        row.done_at, row.done_by = timezone.now(), _user(actor)
        row.reached, row.solved = bool(reached), (solved if reached else None)
        row.rating, row.note = (rating if reached else ""), note
        row.save()
        request = ServiceRequest.objects.get(pk=row.request_id)
        _event(request, E.CALLBACK, actor=actor, note=note, internal=True,
               data={"reached": row.reached, "solved": row.solved, "rating": row.rating})
        audit_record(actor=actor, action="update", instance=row,
                     changes={"reached": [None, row.reached], "solved": [None, row.solved],
                              "rating": ["", row.rating]}, note=note)
    return row


# --------------------------------------------------------------------------- time limits

@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0


def sla_sweep(*, now: dt.datetime | None = None, limit: int = 20_000) -> SweepResult:
    """Warn before the limit (yellow), mark and count overdue after it (red), and escalate to
    the supervising leader once a handling deadline is ``escalate_hours`` working hours past.
    Run every few minutes (``manage.py servicedesk_sweep``); each request is handled once per
    level (``warned``), so running it again changes nothing."""
    now = now or timezone.now()
    result = SweepResult()
    settings_row = sla.desk_settings()
    work = sla.clock(settings_row)
    rules = sla.rules_by_key()
    horizon = now + dt.timedelta(days=30)
    candidates = list(ServiceRequest.objects.filter(deadline_at__lte=horizon)
                      .exclude(warned="escalated").order_by("deadline_at")
                      .values_list("pk", flat=True)[:limit])
    supervisors = dict(Supervision.objects.values_list("department_id", "leader_id"))
    for pk in candidates:
        with transaction.atomic():
            request = ServiceRequest.objects.select_for_update(of=("self",)).select_related(
                "department", "enterprise").filter(pk=pk).first()
            if request is None or request.deadline_at is None:
                continue
            countdown = sla.countdown(request, now=now, work=work, rules=rules)
            if countdown is None:
                continue
            signing = request.status == Status.ASSIGNED
            stage_id = N_("签收") if signing else N_("办理")
            if countdown.level == Level.YELLOW and request.warned == "":
                request.warned = "yellow"
                request.save(update_fields=["warned", "updated_at"])
                _event(request, E.WARNED, at=now, internal=True,
                       note=_("签收时限即将到期") if signing else _("办理时限即将到期"))
                _send(_handlers(request.department_id),
                      title=Message(N_("黄灯预警：%(t)s"), t=request.title),
                      body=Message(N_("%(s)s时限 %(d)s 到期。"), s=msg(stage_id),
                                   d=f"{timezone.localtime(request.deadline_at):%m-%d %H:%M}"),
                      request=request, kind="yellow")
                result.warned += 1
            elif countdown.level == Level.RED and request.warned in ("", "yellow"):
                tally = {}
                if request.status == Status.ASSIGNED and not request.sign_counted:
                    tally = {"sign_total": 1}
                    request.sign_counted = True
                elif request.status == Status.HANDLING and not request.done_counted:
                    tally = {"done_total": 1}
                    request.done_counted = True
                request.warned = "red"
                request.save(update_fields=["warned", "sign_counted", "done_counted",
                                            "updated_at"])
                _event(request, E.OVERDUE, at=now, tally=tally,
                       note=_("签收已超时") if signing else _("办理已超时"))
                _send(_handlers(request.department_id) + _coordinators(),
                      title=Message(N_("红灯：已超时 %(t)s"), t=request.title),
                      body=Message(N_("%(d)s的诉求%(s)s已超过时限。"), s=msg(stage_id),
                                   d=request.department.name if request.department else ""),
                      request=request, kind="red")
                result.overdue += 1
            elif (countdown.level == Level.RED and request.warned == "red"
                  and request.status == Status.HANDLING
                  and -countdown.seconds >= settings_row.escalate_hours * 3600):
                request.warned = "escalated"
                request.save(update_fields=["warned", "updated_at"])
                leader_id = supervisors.get(request.department_id)
                leader = User.objects.filter(pk=leader_id, is_active=True).first() \
                    if leader_id else None
                _event(request, E.ESCALATED, at=now, note=_("超时升级督办"),
                       data={"leader": str(leader) if leader else ""})
                _send([leader] + _coordinators() if leader else _coordinators(),
                      title=Message(N_("督办：%(t)s 已超时"), t=request.title),
                      body=Message(N_("%(d)s承办，已超过办理时限。"),
                                   d=request.department.name if request.department else ""),
                      request=request, kind="escalated")
                result.escalated += 1
    return result


# --------------------------------------------------------------------------- tables staff keep

def _require_desk_staff(actor) -> None:
    if not access.is_desk_staff(actor):
        raise PermissionDenied()


def routing_rule_save(*, actor, category: Category | str, town: str,
                      lead: Department | int | str, co_departments: Iterable = (),
                      note: str = "", rule_id: int | None = None) -> RoutingRule:
    """Create or change a routing rule (audited; one rule per category and town)."""
    _require_desk_staff(actor)
    category = category_resolve(category)
    town = town_check(town) if _clean(town) else ""
    lead = _department(lead)
    co = [_department(d) for d in co_departments if _clean(d) or isinstance(d, Department)]
    co = [d for d in dict.fromkeys(co) if d.pk != lead.pk]
    note = _clean(note)[:200]
    with transaction.atomic():
        rule = None
        if rule_id:
            rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
            if rule is None:
                raise NotFound()
        clash = RoutingRule.objects.filter(category=category, town=town)
        if rule is not None:
            clash = clash.exclude(pk=rule.pk)
        if clash.exists():
            raise Conflict(_("「%(c)s × %(t)s」已有分派规则，请直接修改它") % {
                "c": category.name, "t": town or _("全部镇街")}, code=RULE_EXISTS)
        before = {} if rule is None else {
            "category": rule.category_id, "town": rule.town, "lead": rule.lead_id,
            "co_departments": sorted(rule.co_departments.values_list("pk", flat=True)),
            "note": rule.note}
        rule = rule or RoutingRule()
        rule.category, rule.town, rule.lead, rule.note = category, town, lead, note
        rule.save()
        rule.co_departments.set(co)
        after = {"category": category.pk, "town": town, "lead": lead.pk,
                 "co_departments": sorted(d.pk for d in co), "note": note}
        audit_record(actor=actor, action="update" if before else "create", instance=rule,
                     changes=audit_diff(before, after))
    return rule


def routing_rule_delete(*, actor, rule_id: int) -> None:
    _require_desk_staff(actor)
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound()
        audit_record(actor=actor, action="delete", instance=rule,
                     changes={"lead": [rule.lead_id, None], "town": [rule.town, None]})
        rule.delete()


def desk_settings_update(*, actor, fallback_department: Department | int | str | None,
                         office_hours: str, callback_percent: Any, duplicate_threshold: Any,
                         escalate_hours: Any) -> DeskSettings:
    _require_desk_staff(actor)
    errors: dict[str, list[str]] = {}
    fallback = None
    if _clean(fallback_department) or isinstance(fallback_department, Department):
        fallback = _department(fallback_department)
    try:
        hours = str(OfficeHours.parse(_clean(office_hours)))
    except ValueError:
        errors["office_hours"] = [_("工作时间格式应为 08:30-12:00,14:00-17:30")]
        hours = ""

    def number(value, field, lo, hi, label, cast):
        try:
            out = cast(_clean(value))
        except (TypeError, ValueError, InvalidOperation):
            out = None
        if out is None or not lo <= out <= hi:
            errors[field] = [_("%(l)s应在 %(a)s–%(b)s 之间") % {"l": label, "a": lo, "b": hi}]
        return out

    percent = number(callback_percent, "callback_percent", 0, 100, _("回访抽样比例"), int)
    threshold = number(duplicate_threshold, "duplicate_threshold", Decimal("0.1"), Decimal("1"),
                       _("相似度阈值"), Decimal)
    escalate = number(escalate_hours, "escalate_hours", 1, 200, _("升级督办时限"), int)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = DeskSettings.objects.select_for_update().filter(pk=1).first() or \
            DeskSettings.objects.create(pk=1)
        before = {"fallback_department": row.fallback_department_id,
                  "office_hours": row.office_hours, "callback_percent": row.callback_percent,
                  "duplicate_threshold": row.duplicate_threshold,
                  "escalate_hours": row.escalate_hours}
        row.fallback_department = fallback
        row.office_hours, row.callback_percent = hours, percent
        row.duplicate_threshold, row.escalate_hours = threshold.quantize(Decimal("0.01")), escalate
        row.save()
        after = {"fallback_department": row.fallback_department_id,
                 "office_hours": row.office_hours, "callback_percent": row.callback_percent,
                 "duplicate_threshold": row.duplicate_threshold,
                 "escalate_hours": row.escalate_hours}
        audit_record(actor=actor, action="update", instance=row, changes=audit_diff(before, after))
    return row


def sla_rule_update(*, actor, key: str, sign_hours: Any, handle_value: Any, handle_unit: str,
                    warn_fraction: Any) -> SlaRule:
    """Change a time limit. Requests already assigned keep the deadline they were given."""
    _require_desk_staff(actor)
    errors: dict[str, list[str]] = {}
    try:
        sign = Decimal(_clean(sign_hours))
        if not Decimal("0.25") <= sign <= 72:
            raise ValueError
    except (InvalidOperation, ValueError):
        errors["sign_hours"] = [_("签收时限应为 0.25–72 个工作小时")]
        sign = None
    try:
        value = int(_clean(handle_value))
        if not 1 <= value <= 365:
            raise ValueError
    except ValueError:
        errors["handle_value"] = [_("办理时限应为 1–365")]
        value = None
    if handle_unit not in SlaRule.Unit.values:
        errors["handle_unit"] = [_("单位应为工作小时或工作日")]
    try:
        fraction = Decimal(_clean(warn_fraction))
        if not Decimal("0") < fraction < 1:
            raise ValueError
    except (InvalidOperation, ValueError):
        errors["warn_fraction"] = [_("黄灯比例应在 0 和 1 之间，例如 0.25")]
        fraction = None
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        rule = SlaRule.objects.select_for_update().filter(key=key).first()
        if rule is None:
            raise NotFound()
        before = {"sign_hours": rule.sign_hours, "handle_value": rule.handle_value,
                  "handle_unit": rule.handle_unit, "warn_fraction": rule.warn_fraction}
        rule.sign_hours, rule.handle_value = sign.quantize(Decimal("0.01")), value
        rule.handle_unit, rule.warn_fraction = handle_unit, fraction.quantize(Decimal("0.01"))
        rule.save()
        after = {"sign_hours": rule.sign_hours, "handle_value": rule.handle_value,
                 "handle_unit": rule.handle_unit, "warn_fraction": rule.warn_fraction}
        audit_record(actor=actor, action="update", instance=rule, changes=audit_diff(before, after))
    return rule


def supervision_set(*, actor, department: Department | int | str, leader: User | None) -> None:
    _require_desk_staff(actor)
    department = _department(department)
    if leader is not None and leader.role != Role.LEADER:
        raise ValidationFailed({"leader": [_("分管领导须为市领导账号")]})
    with transaction.atomic():
        row = Supervision.objects.filter(department=department).first()
        old = row.leader_id if row else None
        if leader is None:
            if row:
                row.delete()
        else:
            Supervision.objects.update_or_create(department=department,
                                                 defaults={"leader": leader})
        audit_record(actor=actor, action="update", instance=department,
                     changes={"supervising_leader": [old, leader.pk if leader else None]})


# --------------------------------------------------------------------------- cadres and visits

def _cadre(value: User | str | int) -> User:
    if isinstance(value, User):
        user = value
    else:
        raw = _clean(value)
        user = User.objects.filter(username=raw).first() or (
            User.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None)
        if user is None:
            user = User.objects.filter(role=Role.CADRE, display_name=raw).first()
    if user is None or user.role != Role.CADRE or not user.is_active:
        raise ValidationFailed({"cadre": [_("「%(c)s」不是在岗的挂钩干部账号") % {
            "c": str(value)[:40]}]}, code=UNKNOWN_CADRE)
    return user


def cadre_assign(*, actor, enterprise: Enterprise, cadre: User | str | int,
                 since: dt.date | None = None, note: str = "",
                 source: str | None = None) -> CadreAssignment:
    """Give a key enterprise its cadre (replacing the previous one; audited)."""
    _require_desk_staff(actor)
    cadre = _cadre(cadre)
    with transaction.atomic():
        row = CadreAssignment.objects.select_for_update().filter(enterprise=enterprise).first()
        old = row.cadre_id if row else None
        if row is None:
            row = CadreAssignment(enterprise=enterprise)
        if old != cadre.pk or row.pk is None:
            row.since = since or timezone.localdate()
        row.cadre, row.note = cadre, _clean(note)[:200]
        row.save()
        audit_record(actor=actor, action="update" if old else "create", instance=row,
                     changes={"cadre": [old, cadre.pk]}, source=source)
    return row


def cadre_unassign(*, actor, enterprise: Enterprise) -> None:
    _require_desk_staff(actor)
    with transaction.atomic():
        row = CadreAssignment.objects.select_for_update().filter(enterprise=enterprise).first()
        if row is None:
            raise NotFound()
        audit_record(actor=actor, action="delete", instance=row,
                     changes={"cadre": [row.cadre_id, None]})
        row.delete()


def visit_plan_set(*, actor, cadre: User | str | int, year: Any, quarter: Any, target: Any,
                   note: str = "") -> VisitPlan:
    _require_desk_staff(actor)
    cadre = _cadre(cadre)
    errors = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [_("年度无效")]
    try:
        quarter = int(quarter)
        if quarter not in (1, 2, 3, 4):
            raise ValueError
    except (TypeError, ValueError):
        errors["quarter"] = [_("季度应为 1–4")]
    try:
        target = int(target)
        if not 0 <= target <= 500:
            raise ValueError
    except (TypeError, ValueError):
        errors["target"] = [_("计划走访家次应为 0–500")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = VisitPlan.objects.select_for_update().filter(cadre=cadre, year=year,
                                                           quarter=quarter).first()
        old = row.target if row else None
        row = row or VisitPlan(cadre=cadre, year=year, quarter=quarter, target=target)
        row.target, row.note = target, _clean(note)[:200]
        row.save()
        audit_record(actor=actor, action="update" if old is not None else "create", instance=row,
                     changes={"target": [old, target]})
    return row


@dataclass(frozen=True)
class Problem:
    """One problem raised at a visit, a 接访 or a 恳谈会; it becomes its own request."""

    category: str
    description: str
    kind: str = Kind.HELP
    urgent: bool = False
    enterprise: Enterprise | None = None  # sessions: each problem names its enterprise
    town: str = ""


def _problem_errors(problems: Sequence[Problem], *, need_enterprise: bool) -> list[str]:
    errors = []
    for i, p in enumerate(problems, start=1):
        try:
            _text(p.description, "description", _("问题描述"))
            category_resolve(p.category)
            if p.kind not in Kind.values:
                raise ValidationFailed({"kind": [_("未知的诉求类型")]})
            if p.town:
                town_check(p.town)
            if need_enterprise and p.enterprise is None:
                raise ValidationFailed({"enterprise": [_("请填写企业")]})
        except ValidationFailed as exc:
            errors.extend(_("第 %(i)s 个问题：%(m)s") % {"i": i, "m": m}
                          for ms in exc.fields.values() for m in ms)
    return errors


def visit_record(*, actor, enterprise: Enterprise, visited_on: dt.date, people_met: str,
                 topics: str, policies_brought: Sequence[str] = (),
                 problems: Sequence[Problem] = ()) -> Visit:
    """A cadre's visit to one of their enterprises; each problem becomes a request (走访)."""
    if not access.is_cadre(actor):
        raise PermissionDenied()
    if not CadreAssignment.objects.filter(enterprise=enterprise, cadre=actor).exists():
        raise PermissionDenied(_("该企业不是您挂钩服务的企业"))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not isinstance(visited_on, dt.date) or visited_on > today or \
            visited_on < today - dt.timedelta(days=366):
        errors["visited_on"] = [_("走访日期应在过去一年内，且不晚于今天")]
    for field, value, label in (("people_met", people_met, _("接待人员")),
                                ("topics", topics, _("交流内容"))):
        try:
            _text(value, field, label, limit=200 if field == "people_met" else MAX_TEXT)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    problem_errors = _problem_errors(problems, need_enterprise=False)
    if problem_errors:
        errors["problems"] = problem_errors
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        visit = Visit.objects.create(cadre=actor, enterprise=enterprise, visited_on=visited_on,
                                     people_met=_clean(people_met), topics=_clean(topics),
                                     policies_brought=[_clean(p)[:200] for p in policies_brought
                                                       if _clean(p)])
        audit_record(actor=actor, action="create", instance=visit,
                     changes={"enterprise": [None, enterprise.pk],
                              "visited_on": [None, visited_on], "problems": [None, len(problems)]})
        for p in problems:
            request_create(enterprise=enterprise, channel=Channel.VISIT, category=p.category,
                           description=p.description, kind=p.kind, urgent=p.urgent,
                           actor=actor, visit=visit, source=f"visit:{visit.pk}")
    return visit


def session_record(*, actor, kind: str, title: str, held_on: dt.date, host: str,
                   place: str = "", attendees: str = "",
                   problems: Sequence[Problem] = ()) -> Session:
    """A 接访 or 恳谈会 with several problems at once, each its own request linked to it."""
    if not access.can_record_sessions(actor):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    if kind not in Session.Kind.values:
        errors["kind"] = [_("请选择领导接访或政企恳谈会")]
    for field, value, label in (("title", title, _("主题")), ("host", host, _("主持/接访领导"))):
        try:
            _text(value, field, label, limit=200 if field == "title" else 100)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if not isinstance(held_on, dt.date) or held_on > timezone.localdate():
        errors["held_on"] = [_("日期不能晚于今天")]
    if not problems:
        errors["problems"] = [_("请至少登记一个问题")]
    else:
        problem_errors = _problem_errors(problems, need_enterprise=True)
        if problem_errors:
            errors["problems"] = problem_errors
    if errors:
        raise ValidationFailed(errors)
    channel = Channel.RECEPTION if kind == Session.Kind.RECEPTION else Channel.FORUM
    with transaction.atomic():
        session = Session.objects.create(kind=kind, title=_clean(title), held_on=held_on,
                                         host=_clean(host), place=_clean(place)[:200],
                                         attendees=_clean(attendees)[:MAX_TEXT],
                                         created_by=_user(actor))
        audit_record(actor=actor, action="create", instance=session,
                     changes={"kind": [None, kind], "problems": [None, len(problems)]})
        for p in problems:
            request_create(enterprise=p.enterprise, channel=channel, category=p.category,
                           description=p.description, kind=p.kind, urgent=p.urgent,
                           town=p.town or None, actor=actor, session=session,
                           source=f"session:{session.pk}")
    return session


# --------------------------------------------------------------------------- aggregates upkeep

def counters_rebuild(*, actor=None) -> int:
    """Replace the rate counters by a recount of the whole history (every event's tally) and the
    topic counters by a recount of every request's words. For repairs and bulk loads (the demo
    city, the bench); normal writes keep both current themselves. Returns the rows written."""
    from innolink.servicedesk.models import RateCounter, TopicCounter
    from innolink.servicedesk.selectors import counters_recount

    with transaction.atomic():
        RateCounter.objects.all().delete()
        recount = counters_recount()
        counters.counters_add(recount)
        TopicCounter.objects.all().delete()
        weekly: dict = {}
        rows = ServiceRequest.objects.values_list("created_at", "title", "description",
                                                  "category__code")
        for created_at, title, description, code in rows.iterator(5000):
            week = counters.week_of(created_at)
            bucket = weekly.setdefault(week, {})
            for key in {("term", t[:64]) for t in topic_terms(f"{title} {description}")[:20]} | {
                    ("category", code)}:
                bucket[key] = bucket.get(key, 0) + 1
        TopicCounter.objects.bulk_create(
            [TopicCounter(week=w, kind=k, key=key, count=n)
             for w, bucket in weekly.items() for (k, key), n in bucket.items()],
            batch_size=5000)
        audit_record(actor=actor, action="update", instance=sla.desk_settings(),
                     note=f"counters rebuilt: {len(recount)} keys", source="counters")
    return len(recount)
