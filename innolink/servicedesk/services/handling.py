"""The handling steps of a request: sign, return, assign, co-handling input, extensions,
replies, closing, ratings and reviews, merges, attachments and callbacks."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import Department
from innolink.core.audit import audit_record
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.messages import Message
from innolink.servicedesk import access, sla
from innolink.servicedesk.models import (
    OPEN_STATES,
    Attachment,
    Callback,
    CoHandling,
    Extension,
    Rating,
    ServiceRequest,
    Status,
)
from innolink.servicedesk.errors import (
    ALREADY_RATED,
    ALREADY_REPLIED,
    ALREADY_SIGNED,
    CALLBACK_DONE,
    EMPTY_TEXT,
    EXTENSION_DECIDED,
    EXTENSION_PENDING,
    INPUT_NOT_PENDING,
    INPUT_PENDING,
)
from innolink.servicedesk.services._common import (
    E,
    MAX_TEXT,
    _clean,
    _coordinators,
    _department,
    _enterprise_users,
    _event,
    _handlers,
    _lock,
    _require_coordinator,
    _require_lead_handler,
    _save_attachments,
    _send,
    _state_error,
    _text,
    _transition,
    _user,
    attachments_check,
)
from innolink.servicedesk.services.requests import _assign


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
