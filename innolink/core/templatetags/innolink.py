"""Formatting for officials: money through ``innolink.core.money`` (ADR 0793), exact decimals.

``{{ x|wan }}`` is a 万元 column's cell (the header names the unit), ``{{ x|money }}`` a figure
with its unit in the reader's language ("80 万元" / "800,000 yuan"), ``{{ x|yuan }}`` exact yuan.
"""

from decimal import Decimal

from django import template

from innolink.core import money

register = template.Library()
register.filter("wan", money.wan_number)
register.filter("money", money.money_text)
register.filter("yuan", money.yuan_number)


@register.filter
def plain_number(value) -> str:
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,}"


@register.filter
def quantity(value, unit) -> str:
    """A typed figure with its unit; one in a money unit (元, 万元, 亿元) reads like any amount
    ("2 亿元" / "200 million yuan"): ``{{ t.target|quantity:t.unit }}``."""
    if value is None or value == "":
        return "—"
    amount = money.unit_amount(value, unit)
    if amount is not None:
        return money.money_text(amount)
    return f"{plain_number(value)} {unit or ''}".rstrip()


@register.filter
def reason_text(item) -> str:
    """A stored row problem (``{"reason", "msgid"?, "params"?}``, an import's error list) in
    the active language: ``{{ e|reason_text }}``."""
    from innolink.core.messages import stored_reason

    return stored_reason(item)
