from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _lazy

from innolink.core.audit import audit_source
from innolink.core.errors import ApplicationError


class AuditSourceMiddleware:
    """Audit entries a request writes say which channel it came through: "api" for the JSON
    API, "admin" for the Django admin, "web" for pages (a service passing its own source, such
    as "public" or "job:…", keeps it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        source = "api" if path.startswith("/api/") else "admin" if path.startswith(
            "/admin/") else "web"
        with audit_source(source):
            return self.get_response(request)


class ApplicationErrorMiddleware:
    """Renders an ``ApplicationError`` raised by a page view as a page (or htmx partial) with
    its message and status. The JSON API has its own handler with the same shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        template = "core/_error.html" if getattr(request, "htmx", False) else "core/error.html"
        return render(request, template, {"error": exception}, status=exception.status)


_STATUS_CODES = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied",
                 404: "not_found", 405: "method_not_allowed", 413: "too_large",
                 429: "throttled"}
#: msgids, worded in the request's language when the error is shaped
_STATUS_MESSAGES = {400: _lazy("请求无效"), 401: _lazy("请先登录或提供有效的 API 令牌"),
                    403: _lazy("您没有权限执行此操作"), 404: _lazy("记录不存在或您无权查看"),
                    405: _lazy("不支持此请求方法"), 413: _lazy("请求内容过大"),
                    429: _lazy("尝试次数过多，请稍后再试")}


class ApiErrorShapeMiddleware:
    """Every 4xx under /api/ has the shape ``{code, message, extra}``, also those Django or the
    router produce before a handler runs (unknown path, wrong method, CSRF failure)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith("/api/") and 400 <= response.status_code < 500
                and not response.get("Content-Type", "").startswith("application/json")):
            from django.http import JsonResponse

            status = response.status_code
            shaped = JsonResponse({"code": _STATUS_CODES.get(status, "error"),
                                   "message": str(_STATUS_MESSAGES.get(status, _STATUS_MESSAGES[400])),
                                   "extra": {}}, status=status)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.CONTENT_SECURITY_POLICY`` with every response that has no policy of its
    own (a download sets a stricter one). Scripts come only from the platform's own static
    files: no inline script, no ``on…=`` attributes, no ``javascript:`` links, no eval (htmx
    runs with ``allowEval: false``)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
