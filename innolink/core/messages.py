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
