from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from innolink.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer il_…`` with a token made on the account page or by a command."""

    def authenticate(self, request, token: str):
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
        now = timezone.now()
        if row is None or not row.user.is_active or not row.is_usable(now):  # expired, revoked
            return None
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class ActiveSessionAuth(SessionAuth):
    """The signed-in session, with Django's CSRF check on writes. A request whose session is
    not signed in (no cookie: a script with a bearer token) has nothing a forged request could
    borrow, so it is not CSRF-checked and the token authentication is tried next."""

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated):
            return None
        return super()._get_key(request)  # CSRF-checked

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
