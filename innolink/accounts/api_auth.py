from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
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


def anonymous_without_credentials(request):
    """The last resort of a read that anyone may make (a published challenge): a request that
    brought no credentials at all reads as anonymous. One that sent an ``Authorization`` header
    the token check refused is not let through as anonymous: it gets the 401 a wrong token
    deserves, not a 404 that hides the typo."""
    if request.META.get("HTTP_AUTHORIZATION"):
        return None
    return AnonymousUser()
