"""API validation errors (pydantic's, through django-ninja) in the user's language.

Pydantic writes its messages in English ("Field required", "Input should be a valid integer").
A 422 body's ``extra.fields`` shows instead one of the messages below, chosen by the error's
``type`` and filled from its ``ctx`` (limits, allowed values), in the active language: the
Chinese msgid on a Chinese request, its English msgstr on an English one (ADR 0785). A field
validator's own message (``value_error``) is passed through, translated when it is a msgid; a
type this table does not know reads as a generic "not valid".
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

#: pydantic error type -> msgid; placeholders are names of the error's ``ctx``
MESSAGES: dict[str, str] = {
    "missing": N_("此项必填"),
    "int_type": N_("应为整数"),
    "int_parsing": N_("应为整数"),
    "int_from_float": N_("应为整数"),
    "int_parsing_size": N_("数值过大"),
    "float_type": N_("应为数字"),
    "float_parsing": N_("应为数字"),
    "decimal_type": N_("应为数字"),
    "decimal_parsing": N_("应为数字"),
    "finite_number": N_("应为有限的数字"),
    "decimal_max_digits": N_("数字最多 %(max_digits)s 位"),
    "decimal_max_places": N_("最多 %(decimal_places)s 位小数"),
    "decimal_whole_digits": N_("整数部分最多 %(whole_digits)s 位"),
    "greater_than": N_("应大于 %(gt)s"),
    "greater_than_equal": N_("不能小于 %(ge)s"),
    "less_than": N_("应小于 %(lt)s"),
    "less_than_equal": N_("不能大于 %(le)s"),
    "multiple_of": N_("应为 %(multiple_of)s 的倍数"),
    "bool_type": N_("应为是或否（true / false）"),
    "bool_parsing": N_("应为是或否（true / false）"),
    "string_type": N_("应为文本"),
    "string_too_short": N_("至少 %(min_length)s 个字"),
    "string_too_long": N_("不能超过 %(max_length)s 个字"),
    "string_pattern_mismatch": N_("格式不正确"),
    "too_short": N_("至少 %(min_length)s 项"),
    "too_long": N_("最多 %(max_length)s 项"),
    "list_type": N_("应为列表"),
    "set_type": N_("应为列表"),
    "tuple_type": N_("应为列表"),
    "dict_type": N_("应为对象"),
    "model_type": N_("应为对象"),
    "model_attributes_type": N_("应为对象"),
    "date_type": N_("日期格式应为 YYYY-MM-DD"),
    "date_parsing": N_("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_inexact": N_("日期格式应为 YYYY-MM-DD"),
    "datetime_type": N_("时间格式应为 YYYY-MM-DDTHH:MM:SS"),
    "datetime_parsing": N_("时间格式应为 YYYY-MM-DDTHH:MM:SS"),
    "datetime_from_date_parsing": N_("时间格式应为 YYYY-MM-DDTHH:MM:SS"),
    "time_type": N_("时间格式应为 HH:MM"),
    "time_parsing": N_("时间格式应为 HH:MM"),
    "enum": N_("应为以下之一：%(expected)s"),
    "literal_error": N_("应为以下之一：%(expected)s"),
    "uuid_type": N_("应为 UUID"),
    "uuid_parsing": N_("应为 UUID"),
    "url_type": N_("应为有效的网址"),
    "url_parsing": N_("应为有效的网址"),
    "json_invalid": N_("请求体不是有效的 JSON"),
    "json_type": N_("请求体不是有效的 JSON"),
    "extra_forbidden": N_("不是可接受的字段"),
    "none_required": N_("此项应为空"),
}
#: what an unknown error type reads as
FALLBACK = N_("此项的值无效")
#: pydantic's prefix on a field validator's own message
_VALUE_ERROR_PREFIX = "Value error, "


def field_error_text(error: dict[str, Any]) -> str:
    """The message for one pydantic error (``{"type", "msg", "ctx"?}``) in the active language.

    >>> field_error_text({"type": "missing", "msg": "Field required"})
    '此项必填'
    >>> field_error_text({"type": "string_too_long", "ctx": {"max_length": 20}})
    '不能超过 20 个字'
    >>> field_error_text({"type": "value_error", "msg": "Value error, 日期无效",
    ...                   "ctx": {"error": "日期无效"}})
    '日期无效'
    >>> field_error_text({"type": "something_new", "msg": "Something new"})
    '此项的值无效'
    """
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error") or error.get("msg") or "")
        text = text.removeprefix(_VALUE_ERROR_PREFIX).removeprefix("Assertion failed, ")
        return gettext(text) if text else gettext(FALLBACK)
    msgid = MESSAGES.get(kind, FALLBACK)
    values = {k: _shown(v) for k, v in ctx.items()}
    try:
        return gettext(msgid) % values if "%(" in msgid else gettext(msgid)
    except (KeyError, TypeError, ValueError):  # a ctx without the value the message names
        return gettext(FALLBACK)


def _shown(value: Any) -> str:
    """A ctx value as a user reads it: pydantic's ``expected`` is "'a', 'b' or 'c'"."""
    return str(value).replace("'", "")
