"""Formatting for the overview's tables: numbers with separators, words as they are."""

from decimal import Decimal

from django import template

from innolink.core.templatetags.innolink import plain_number

register = template.Library()


@register.filter
def cell(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return plain_number(value)
    return str(value)
