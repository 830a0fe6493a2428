"""Stored messages (a msgid with values) rendered in the reader's language (ADR 0730)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


def message_render(message: str, params: dict[str, Any] | None = None) -> str:
    """A stored msgid with its parameters, in the active language.

    A msgid without a translation (older rows stored as prose, a failure's text) shows as
    stored; a translation whose placeholders do not fit the parameters falls back to the
    source text, so a page never fails on a message::

        >>> message_render("已检查 %(n)s 行", {"n": 3})
        '已检查 3 行'
        >>> message_render("完成")
        '完成'
        >>> message_render("坏 %(x)s", {"n": 1})
        '坏 %(x)s'
    """
    if not message:
        return ""
    text = gettext(message)
    if not params:
        return text
    for candidate in (text, message):
        try:
            return candidate % params
        except (KeyError, ValueError, TypeError):
            continue
    return message


def data_render(data: dict[str, Any]) -> str:
    """A message stored as data, ``{"msgid", "params"}``, in the active language; a value that
    is such a message itself (a pure engine's nested reason) is worded first::

        >>> data_render({"msgid": "在要求的 %(wanted)s 之内",
        ...              "params": {"wanted": {"msgid": "TRL%(lo)s", "params": {"lo": 4}}}})
        '在要求的 TRL4 之内'
    """
    params = {k: data_render(v) if isinstance(v, dict) and "msgid" in v else v
              for k, v in (data.get("params") or {}).items()}
    return message_render(str(data.get("msgid") or ""), params)


class Message(str):
    """Text in the source language that keeps its msgid and values, for a message that is
    stored now and read later (an import's row problems in a job's result): it is the Chinese
    text wherever a string is expected, and ``render()`` (or ``message_render(m.msgid,
    m.params)`` on the stored pair) gives it in the reader's language::

        >>> m = Message("与第 %(row)s 行重复", row=2)
        >>> m, m.msgid, m.params
        ('与第 2 行重复', '与第 %(row)s 行重复', {'row': 2})
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> "Message":
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def render(self) -> str:
        return message_render(self.msgid, self.params)


def stored_reason(item: dict[str, Any]) -> str:
    """A stored row problem in the active language: ``msgid`` with ``params`` when the problem
    carried values, else its ``reason`` (a msgid itself, or prose kept as it was)::

        >>> stored_reason({"reason": "与第 2 行重复", "msgid": "与第 %(row)s 行重复",
        ...                "params": {"row": 2}})
        '与第 2 行重复'
    """
    if not isinstance(item, dict):
        return str(item or "")
    return message_render(item.get("msgid") or str(item.get("reason") or ""), item.get("params"))
