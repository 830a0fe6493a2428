"""The API's error handlers: every refusal as ``{"code", "message", "extra"}`` with its status,
the message in the user's language (ADR 0785)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from innolink.core.errors import (
    ApplicationError,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationFailed,
)
from innolink.core.field_errors import field_error_text


def _status_message(status: int, fallback: str) -> str:
    """What an ``HttpError`` raised by django-ninja (English) says, in the user's language."""
    known = {400: _("无法解析请求内容（请求体应为 JSON）"), 403: str(PermissionDenied.default_message),
             404: str(NotFound.default_message), 405: _("不支持该请求方法"),
             413: _("请求内容过大"), 429: str(Throttled.default_message)}
    return known.get(status, fallback)


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status: int, code: str, message: str, extra: dict | None = None):
        return api.create_response(request, {"code": code, "message": message,
                                             "extra": extra or {}}, status=status)

    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        return respond(request, exc.status, exc.code, exc.message, exc.extra)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(
                field_error_text(error))
        return respond(request, 422, "invalid", str(ValidationFailed.default_message),
                       {"fields": fields})

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return respond(request, 401, "not_authenticated", _("请先登录或提供有效的 API 令牌"))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", str(NotFound.default_message))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {400: "bad_request", 403: "permission_denied", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 429: "throttled"}.get(
            exc.status_code, "error")
        return respond(request, exc.status_code, code, _status_message(exc.status_code, str(exc)))
