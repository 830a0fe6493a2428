"""Ingest reasons as a msgid with values, worded in the reader's language (ADR 0390).

An ``IngestLog`` line keeps why a CAP message was applied, refused or ignored. The reason is
stored as its msgid (the Chinese %-format) and its values, and worded when a page, the API or
the CLI shows it, so an officer reading the log in English reads it in English, whatever the
language of whoever (or whichever job) ingested the message. A value may itself be a message
(``said``: a signature's own reason inside 「数字签名验证失败：…」) or a word to translate
(``word``: a warning kind, a level, a state); data (identifiers, senders, codes, area names,
the XML element paths) stays as received.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

#: the context of the bare warning levels (蓝 黄 橙 红) inside a reason
LEVEL_CONTEXT = "warning level"


def said(msgid: str, **params: Any) -> dict[str, Any]:
    """A message inside a message's values (stored as JSON)."""
    return {"msgid": msgid, "params": params} if params else {"msgid": msgid}


def word(text: str, context: str = "") -> dict[str, Any]:
    """A word of the platform's vocabulary (translated when shown), not data."""
    return {"word": text, "context": context} if context else {"word": text}


def warning_name(kind: str, level: str) -> dict[str, Any]:
    """A warning as its title reads (``台风红色预警``), worded in the reader's language."""
    return said(gettext_noop("%(k)s%(l)s色预警"), k=word(kind), l=word(level, LEVEL_CONTEXT))


def _value(value: Any, translate: bool) -> Any:
    if isinstance(value, dict):
        if "word" in value:
            text = str(value["word"])
            if not translate:
                return text
            return pgettext(value["context"], text) if value.get("context") else gettext(text)
        if "msgid" in value:
            return render(value["msgid"], value.get("params"), translate=translate)
    return value


def render(msgid: str, params: dict[str, Any] | None = None, *, translate: bool = True) -> str:
    """The reason in the active language (``translate=False``: the Chinese source). A
    translation whose fields do not fit the values falls back to the source text.

    Examples:
        >>> from django.utils import translation
        >>> with translation.override("en"):
        ...     render("数字签名验证失败：%(m)s", {"m": said("签名结构不符：%(w)s", w=said("缺少 SignedInfo"))})
        'Digital signature check failed: Malformed signature: SignedInfo missing'
        >>> render("该预警已%(s)s", {"s": word("解除")}, translate=False)
        '该预警已解除'
        >>> with translation.override("en"):
        ...     render("已发布 %(w)s，通知 %(n)s 家企业", {"w": warning_name("台风", "红"), "n": 3})
        'Issued Typhoon red warning; 3 enterprises notified'
    """
    if not msgid:
        return ""
    text = gettext(msgid) if translate else msgid
    if not params:
        return text
    values = {k: _value(v, translate) for k, v in params.items()}
    for candidate in (text, msgid):
        try:
            return candidate % values
        except (KeyError, ValueError, TypeError):
            continue
    return msgid


def stored(params: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON data (numbers and text as they are, anything else as its text)."""
    out = {}
    for k, v in params.items():
        if isinstance(v, dict):
            out[k] = {key: (stored(val) if isinstance(val, dict) and key == "params" else val)
                      for key, val in v.items()}
        elif isinstance(v, (int, float, str)) or v is None:
            out[k] = v
        else:
            out[k] = str(v)
    return out


#: the engine's reasons (``engines.weather.cap.CapError``, ``signals.SignalError``: the engines
#: do not import Django), listed so that makemessages puts them in the catalogue;
#: tests/test_ingest_reasons keeps this list equal to the engine's messages
ENGINE_REASONS = (
    gettext_noop("%(where)s 中出现非 CAP 1.2 元素：%(name)s"),
    gettext_noop("%(where)s 中出现未定义的元素：%(name)s"),
    gettext_noop("%(where)s 缺少必填元素：%(name)s"),
    gettext_noop("%(where)s 中 %(name)s 最多 %(high)s 个，实际 %(n)s 个"),
    gettext_noop("%(where)s 的 %(name)s 不能为空"),
    gettext_noop("%(where)s 的 %(name)s 取值无效：%(value)s（应为 %(allowed)s）"),
    gettext_noop("%(where)s 的 %(name)s 时间格式无效：%(value)s（应如 2026-08-01T09:30:00+08:00）"),
    gettext_noop("%(where)s 的 %(name)s 不是有效时间：%(value)s"),
    gettext_noop("%(where)s 的坐标无效：%(value)s"),
    gettext_noop("%(where)s 的坐标超出范围：%(value)s"),
    gettext_noop("%(where)s 的多边形至少需要4个坐标点（首尾相同）"),
    gettext_noop("%(where)s 的多边形首尾坐标应相同"),
    gettext_noop("%(where)s 的圆形区域无效：%(value)s"),
    gettext_noop("%(where)s 的圆形半径不能为负"),
    gettext_noop("%(where)s 有 ceiling 时必须有 altitude"),
    gettext_noop("references 的格式应为 sender,identifier,sent：%(value)s"),
    gettext_noop("消息为空"),
    gettext_noop("消息过大（超过 %(kb)s KB）"),
    gettext_noop("消息含有被禁止的 XML 结构（%(error)s）"),
    gettext_noop("XML 格式错误：%(error)s"),
    gettext_noop("不是 CAP 1.2 消息：根元素应为 %(ns)s 命名空间的 alert"),
    gettext_noop("alert 的 %(name)s 不能包含空格、逗号、< 或 &，且不超过200字符"),
    gettext_noop("scope 为 Restricted 时必须填写 restriction"),
    gettext_noop("scope 为 Private 时必须填写 addresses"),
    gettext_noop("msgType 为 %(type)s 时必须有 references"),
    gettext_noop("未知的预警信号种类：%(kind)s"),
    gettext_noop("%(kind)s预警信号没有%(level)s色级别（只有%(levels)s色）"),
    gettext_noop("预警信号代码应为4位数字：%(code)s"),
    gettext_noop("未知的预警信号代码：%(code)s"),
    gettext_noop("无法从事件名称识别预警信号：%(text)s"),
)

#: the bare level words inside a reason (「红色预警」 is 红 + 色预警 in Chinese)
LEVEL_WORDS = (pgettext_lazy("warning level", "蓝"), pgettext_lazy("warning level", "黄"),
               pgettext_lazy("warning level", "橙"), pgettext_lazy("warning level", "红"))
#: a warning's state inside 「该预警已…」
STATE_WORDS = {"cancelled": gettext_noop("解除"), "expired": gettext_noop("过期")}
