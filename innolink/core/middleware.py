from __future__ import annotations

from django.shortcuts import render

from innolink.core.errors import ApplicationError


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
