"""Stored messages (a msgid with values) rendered in the reader's language (ADR 0730).

Importing this module does not import Django (translation is looked up when a message is
rendered), so pure modules (``rankings.checks``, ``events.scheduling``) build ``Message``s."""

from __future__ import annotations

from typing import Any


def gettext(message: str) -> str:
    from django.utils.translation import gettext as translate

    return translate(message)


def get_language() -> str | None:
    from django.utils.translation import get_language as active

    return active()


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


def language_half(text: str, language: str | None = None) -> str:
    """One half of a message a pure engine wrote in both languages, ``"中文 / English"``: the
    English half on an English page, the Chinese half otherwise. Text without the separator is
    returned as it is::

        >>> language_half("未知指标 foo / unknown indicator foo", "en")
        'unknown indicator foo'
        >>> language_half("未知指标 foo / unknown indicator foo", "zh-hans")
        '未知指标 foo'
        >>> language_half("完成", "en")
        '完成'
    """
    if not text or " / " not in text:
        return text or ""
    chinese, english = text.split(" / ", 1)
    language = language if language is not None else (get_language() or "")
    return english.strip() if language.startswith("en") else chinese.strip()


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

    def render(self, translated: tuple[str, ...] = ()) -> str:
        """The message in the active language; a value that is a ``Message`` itself is rendered
        first, and the values named in ``translated`` are msgids (a field's label) translated
        first."""
        params = {k: v.render() if isinstance(v, Message)
                  else gettext(v) if k in translated and isinstance(v, str) else v
                  for k, v in self.params.items()}
        return message_render(self.msgid, params)


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
