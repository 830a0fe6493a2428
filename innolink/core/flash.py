"""Service errors on pages: show an ``ApplicationError`` as a message and go on to the view's
redirect, the way a POST-redirect-GET page reports a refused action.

    with errors_as_messages(request):
        services.milestone_complete(actor=request.user, milestone=milestone)
        messages.success(request, "节点已完成")
    return redirect("challenges:detail", pk=challenge.pk)

``NotFound`` and ``PermissionDenied`` still propagate: a record the user may not see answers
404 and an action the user may not take answers 403, on pages as in the API (a refusal that
depends on the record's state is a ``Conflict`` or ``ValidationFailed`` and becomes a message).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages

from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed


def error_text(exc: ApplicationError) -> str:
    """One line for a page message: every field error of a ``ValidationFailed``, or the message.

    Examples:
        >>> error_text(ValidationFailed({"file": ["附件：请选择文件"], "kind": ["类型无效"]}))
        '附件：请选择文件；类型无效'
    """
    if isinstance(exc, ValidationFailed) and exc.fields:
        return "；".join(m for ms in exc.fields.values() for m in ms)
    return exc.message


@contextmanager
def errors_as_messages(request) -> Iterator[None]:
    try:
        yield
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        messages.error(request, error_text(exc))


def refusal_as_message(request, exc: ApplicationError) -> None:
    """For an ``except ApplicationError`` block: re-raise a 404/403, else show the message."""
    if isinstance(exc, (NotFound, PermissionDenied)):
        raise exc
    messages.error(request, error_text(exc))
