"""Stored messages (a msgid with values) rendered in the reader's language (ADR 0730).

Importing this module does not import Django (translation is looked up when a message is
rendered), so pure modules (``rankings.checks``, ``events.scheduling``) build ``Message``s."""

from __future__ import annotations

from typing import Any


def gettext(message: str) -> str:
    from django.utils.translation import gettext as translate

    return translate(message)


def pgettext(context: str, message: str) -> str:
    from django.utils.translation import pgettext as translate

    return translate(context, message)


def get_language() -> str | None:
    from django.utils.translation import get_language as active

    return active()


def msg(text: Any, *, context: str = "", **params: Any) -> dict[str, Any]:
    """A value that is itself translatable (a status label, an award level), for the
    ``params`` of a stored message: its msgid (and msgctxt, and values) is stored and
    ``message_render`` words it in the reader's language. ``text`` may be a lazy translation
    (a choice's label): its msgid is kept, not the language active when it is stored::

        >>> msg("已批准")
        {'msgid': '已批准'}
        >>> message_render("申请%(s)s", {"s": msg("已批准")})
        '申请已批准'
    """
    from django.utils import translation

    with translation.override(None):
        value: dict[str, Any] = {"msgid": str(text)}
    if context:
        value["context"] = context
    if params:
        value["params"] = params
    return value


def choice_msg(instance: Any, field: str) -> dict[str, Any]:
    """``msg`` of the label of ``instance``'s choice in ``field`` (what ``get_FOO_display``
    shows, kept as its msgid)."""
    value = getattr(instance, field)
    label = dict(instance._meta.get_field(field).flatchoices).get(value, value)
    return msg(label)


def money_msg(amount: Any) -> dict[str, str]:
    """An amount in yuan for the ``params`` of a stored message, worded when read by
    ``core.money.money_text`` in the reader's language (ADR 0790, 0793)::

        >>> from decimal import Decimal
        >>> money_msg(Decimal("800000"))
        {'money': '800000'}
        >>> from django.utils import translation
        >>> with translation.override("en"):
        ...     message_render("批准金额 %(a)s", {"a": money_msg(Decimal("800000"))})
        '批准金额 800,000 yuan'
    """
    return {"money": str(amount)}


def _param(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"money"}:
        from innolink.core.money import money_text

        return money_text(value["money"])
    if isinstance(value, dict) and "msgid" in value:
        if value.get("context"):
            text = pgettext(value["context"], value["msgid"])
            return message_render(text, value.get("params")) if value.get("params") else text
        return message_render(value["msgid"], value.get("params"))
    return value


def message_render(message: str, params: dict[str, Any] | None = None) -> str:
    """A stored msgid with its parameters, in the active language.

    A msgid without a translation (older rows stored as prose, a failure's text) shows as
    stored; a value made with ``msg`` is worded in the active language too; a translation whose placeholders do not fit the parameters falls back to the
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
    params = {key: _param(value) for key, value in params.items()}
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
    return message_render(str(data.get("msgid") or ""), data.get("params"))  # nested: _param


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
