"""Writes to accounts: users and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innolink.accounts.models import ApiToken, User
from innolink.core.audit import audit_record
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.core.ids import parse_id
from innolink.accounts.errors import ALREADY_REVOKED


@transaction.atomic
def user_create(*, username: str, password: str, role: str, actor=None, display_name: str = "",
                enterprise=None, institution=None, department=None,
                validate_password: bool = True) -> User:
    from django.contrib.auth.password_validation import validate_password as check_password

    user = User(username=username, role=role, display_name=display_name, enterprise=enterprise,
                institution=institution, department=department,
                is_staff=role == "admin", is_superuser=role == "admin")
    try:
        user.full_clean(exclude=["password"])
        if validate_password:
            check_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="create", instance=user,
                 changes={"username": [None, username], "role": [None, role]})
    return user


#: a token's name: what it is for ("etl", "报表脚本")
TOKEN_NAME_MAX = 64


def _token_expiry(expires_on: Any) -> dt.datetime | None:
    """The end of ``expires_on`` (a date or ``YYYY-MM-DD``, Asia/Shanghai); none: no expiry."""
    if expires_on in (None, ""):
        return None
    if isinstance(expires_on, str):
        try:
            expires_on = dt.date.fromisoformat(expires_on.strip())
        except ValueError:
            raise ValidationFailed({"expires_on": [_("有效期：请填写 YYYY-MM-DD 格式的日期")]}) \
                from None
    if not isinstance(expires_on, dt.date) or isinstance(expires_on, dt.datetime):
        raise ValidationFailed({"expires_on": [_("有效期：请填写 YYYY-MM-DD 格式的日期")]})
    if expires_on < timezone.localdate():
        raise ValidationFailed({"expires_on": [_("有效期：不能早于今天")]})
    end = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(end)


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_on: Any = None,
                     actor=None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` (by ``actor``, default the user); the plain token is
    returned once and never stored, only its SHA-256."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [str(_("用途：请填写令牌的用途，如“报表脚本”"))]
    elif len(name) > TOKEN_NAME_MAX:
        errors["name"] = [str(_("用途：最多 64 个字"))]
    try:
        expires_at = _token_expiry(expires_on)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    plain = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash(plain),
                                    prefix=plain[:8], expires_at=expires_at)
    audit_record(actor=actor or user, action="create", instance=token,
                 changes={"name": [None, name], "user": [None, user.username],
                          "expires_at": [None, expires_at]})
    return token, plain


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: Any) -> ApiToken:
    """Revoke one of the actor's own tokens; another user's token is the missing-record 404."""
    token = ApiToken.objects.select_for_update().filter(
        pk=parse_id(token_id), user_id=getattr(actor, "pk", None)).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is not None:
        raise Conflict(_("该令牌已撤销"), code=ALREADY_REVOKED)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="transition", instance=token,
                 changes={"revoked_at": [None, token.revoked_at]}, note=str(_("撤销 API 令牌")))
    return token
