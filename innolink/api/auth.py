from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from innolink.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer il_…`` with a token made on the account page or by a command."""

    def authenticate(self, request, token: str):
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
        if row is None or not row.user.is_active:
            return None
        if row.last_used_at is None or (timezone.now() - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
