"""The refusal codes the api app raises, one name each (ADR 0750)."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from innolink.core.errors import ApplicationError


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
            fields.setdefault(_field_name(error.get("loc", ())), []).append(error.get("msg", ""))
        return respond(request, 422, "invalid", "提交的数据有误，请按提示修改", {"fields": fields})

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return respond(request, 401, "not_authenticated", "请先登录或提供有效的 API 令牌")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", "记录不存在或您无权查看")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {400: "bad_request", 403: "permission_denied", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 429: "throttled"}.get(
            exc.status_code, "error")
        return respond(request, exc.status_code, code, str(exc))
