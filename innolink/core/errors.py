"""One error base for the whole platform.
Raise ``ApplicationError`` (or a subclass) from services, selectors and access checks. The API
renders it as ``{"code", "message", "extra"}`` with its status; pages show the message.

Examples:
    raise ApplicationError("导入文件为空", code="import_empty")                      # 400
    raise NotFound()                                                                # 404
    raise ValidationFailed({"credit_code": ["校验码错误，应为 'X'"]})                # 422
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _msgid_of(message: Any, *, with_params: bool) -> str | None:
    """The untranslated source of a message when it is known: a lazy ``gettext``'s msgid, or a
    plain string passed with values (a ``gettext_noop`` msgid)."""
    if isinstance(message, Promise):
        args = getattr(message, "_args", ())
        return args[0] if args and isinstance(args[0], str) else None
    return message if with_params and isinstance(message, str) else None


class ApplicationError(Exception):
    status = 400
    default_code = "bad_request"
    default_message = _("请求无效")

    def __init__(self, message: Any = None, *, code: str | None = None,
                 extra: dict[str, Any] | None = None, status: int | None = None,
                 params: dict[str, Any] | None = None) -> None:
        source = message if message is not None else self.default_message
        # ``msgid``/``params`` let a stored failure (a background job's) be shown later in the
        # reader's language (ADR 0761): pass a ``gettext_noop`` msgid and its values, or a
        # lazy translation.
        self.msgid = _msgid_of(source, with_params=bool(params))
        self.params = dict(params or {})
        if params:
            self.message = str(gettext(source) if isinstance(source, str) else source) % params
        else:
            self.message = str(source)
        self.code = code or self.default_code
        self.extra = extra or {}
        if status is not None:
            self.status = status
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class NotAuthenticated(ApplicationError):
    status = 401
    default_code = "not_authenticated"
    default_message = _("请先登录")


class PermissionDenied(ApplicationError):
    status = 403
    default_code = "permission_denied"
    default_message = _("您没有权限执行此操作")


class NotFound(ApplicationError):
    """Also what another tenant gets for a record that exists: it must learn nothing."""

    status = 404
    default_code = "not_found"
    default_message = _("记录不存在或您无权查看")


class Conflict(ApplicationError):
    status = 409
    default_code = "conflict"
    default_message = _("操作与当前状态冲突")


class ValidationFailed(ApplicationError):
    status = 422
    default_code = "invalid"
    default_message = _("提交的数据有误，请按提示修改")

    def __init__(self, fields: dict[str, list[str]] | None = None, message: Any = None,
                 *, code: str | None = None) -> None:
        super().__init__(message, code=code, extra={"fields": fields or {}})

    @property
    def fields(self) -> dict[str, list[str]]:
        return self.extra["fields"]

    @classmethod
    def from_django(cls, exc: Any) -> "ValidationFailed":
        """Wrap a ``django.core.exceptions.ValidationError`` raised by ``full_clean``."""
        if hasattr(exc, "message_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in exc.messages]}
        return cls(fields)


class Throttled(ApplicationError):
    status = 429
    default_code = "throttled"
    default_message = _("尝试次数过多，请稍后再试")


# --- codes the core helpers refuse with (uploads, spreadsheets) ------------------------
# Each app lists its own in ``innolink/<app>/errors.py``; ``tests/test_error_codes.py``
# fails on a ``code="..."`` written anywhere else.

IMPORT_BAD_FILE = "import_bad_file"
IMPORT_GONE = "import_gone"
IMPORT_TOO_MANY_ROWS = "import_too_many_rows"
IMPORT_UNPACKED_TOO_LARGE = "import_unpacked_too_large"
IMPORT_ZIP_BOMB = "import_zip_bomb"
