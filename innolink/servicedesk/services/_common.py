"""Helpers the service-desk services share: input cleaning and checks, the request's row
lock, history events and transitions, recipients and notifications, permission checks."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.accounts.models import Department, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_record
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.messages import Message
from innolink.core.notifications import notify
from innolink.enterprises.reference import TOWN_NAMES
from innolink.servicedesk import access, counters
from innolink.servicedesk.models import (
    Attachment,
    Category,
    RequestEvent,
    ServiceRequest,
    Status,
)
from innolink.core.ids import parse_id
from innolink.servicedesk.errors import (
    BAD_ATTACHMENT,
    EMPTY_TEXT,
    REQUEST_CLOSED,
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


def _require_desk_staff(actor) -> None:
    if not access.is_desk_staff(actor):
        raise PermissionDenied()
