"""Writes to accounts: users and API tokens."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from innolink.accounts.models import ApiToken, User
from innolink.core.audit import audit_record
from innolink.core.errors import ValidationFailed


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


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the plain token is returned once and never stored."""
    plain = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name[:64], digest=ApiToken.hash(plain),
                                    prefix=plain[:8])
    audit_record(actor=user, action="create", instance=token, changes={"name": [None, name]})
    return token, plain
