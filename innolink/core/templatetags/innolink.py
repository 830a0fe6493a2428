"""Formatting for officials: money in 万元 with thousands separators, exact decimals."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def wan(value) -> str:
    """Yuan shown as 万元 with two places: ``Decimal("12345678.9")`` → ``"1,234.57"``."""
    if value is None or value == "":
        return "—"
    amount = (Decimal(value) / Decimal(10_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{amount:,}"


@register.filter
def plain_number(value) -> str:
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,}"


@register.filter
def reason_text(item) -> str:
    """A stored row problem (``{"reason", "msgid"?, "params"?}``, an import's error list) in
    the active language: ``{{ e|reason_text }}``."""
    from innolink.core.messages import stored_reason

    return stored_reason(item)
