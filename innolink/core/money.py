"""One parser for every money input, on pages and in the API: yuan as ``Decimal`` with two
places, bounded by the column it is stored in, never a 500.

``Decimal("1e30").quantize(Decimal("0.01"))`` raises ``InvalidOperation`` (28 digits of
precision), which is how "1e30" or 40 digits in a funding or budget field answered 500. Here
the text is checked first (plain digits, no exponent, no NaN/Infinity, a bounded length) and
all arithmetic runs in a wide context; anything out of range is a message naming the field.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from django.utils.translation import gettext as _

from innolink.core.errors import ValidationFailed

YUAN = Decimal(1)
WAN = Decimal(10_000)
_NUMBER = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")
_SEPARATORS = str.maketrans("", "", ",，  _")
#: longer input is refused before any arithmetic (a column holds at most 16 digits)
_MAX_TEXT = 40


class MoneyInvalid(ValueError):
    """``message`` names the field by its label and says what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def column_limits(model, field_name: str) -> dict[str, int]:
    """``max_digits`` and ``decimal_places`` of a ``DecimalField``, for :func:`parse_money`."""
    field = model._meta.get_field(field_name)
    return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}


def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        raise TypeError
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return "nan"
        # written out in full, Decimal("1e999999999") is a gigabyte of digits: decide by the
        # exponent first (far too large is refused below; far too small rounds to nothing)
        if raw.adjusted() > _MAX_TEXT:
            return "9" * (_MAX_TEXT + 1)
        if raw.adjusted() < -_MAX_TEXT:
            return "0"
        return format(raw, "f")
    if isinstance(raw, float):
        return format(Decimal(repr(raw)), "f") if raw == raw and abs(raw) != float("inf") \
            else "nan"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, str):
        return raw.strip().translate(_SEPARATORS)
    raise TypeError


def parse_money(raw: Any, *, label: str, max_digits: int = 14, decimal_places: int = 2,
                unit: Decimal = YUAN, allow_negative: bool = False, allow_zero: bool = True,
                round_places: bool = True) -> Decimal:
    """``raw`` (text, a number, in yuan or in ``unit`` such as 万元) as yuan with
    ``decimal_places`` places, fitting a column of ``max_digits``; else ``MoneyInvalid``.

    Extra places are rounded half-up (``round_places``) or refused.

    Examples:
        >>> parse_money("1,200,000.5", label="资金投入")
        Decimal('1200000.50')
        >>> parse_money("120.5", label="经费预算", unit=WAN)
        Decimal('1205000.00')
        >>> parse_money("1e30", label="资金投入")
        Traceback (most recent call last):
        ...
        innolink.core.money.MoneyInvalid: 资金投入：请填写普通数字，如 1200000.50（不接受科学计数法）
        >>> parse_money("1" + "0" * 40, label="资金投入")
        Traceback (most recent call last):
        ...
        innolink.core.money.MoneyInvalid: 资金投入：金额过大，不能超过 999,999,999,999.99 元
    """
    try:
        text = _text(raw)
    except TypeError:
        raise MoneyInvalid(_("%(label)s：应为金额数字") % {"label": label}) from None
    if "e" in text.lower() and not any(w in text.lower() for w in ("nan", "inf")):
        raise MoneyInvalid(_("%(label)s：请填写普通数字，如 1200000.50（不接受科学计数法）")
                           % {"label": label})
    match = _NUMBER.fullmatch(text)
    if not match or not (match.group(2) or match.group(3)):
        raise MoneyInvalid(_("%(label)s：应为金额数字") % {"label": label})
    limit = (Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places))
    too_large = _("%(label)s：金额过大，不能超过 %(limit)s 元") % {
        "label": label, "limit": f"{limit:,}"}
    if len(match.group(2).lstrip("0")) > _MAX_TEXT or len(text) > 2 * _MAX_TEXT:
        raise MoneyInvalid(too_large)
    with localcontext() as ctx:
        ctx.prec = 4 * _MAX_TEXT
        try:
            value = Decimal(text) * unit
        except InvalidOperation:
            raise MoneyInvalid(_("%(label)s：应为金额数字") % {"label": label}) from None
        step = Decimal(1).scaleb(-decimal_places)
        rounded = value.quantize(step, rounding=ROUND_HALF_UP)
        if rounded != value and not round_places:
            raise MoneyInvalid(_("%(label)s：最多保留两位小数（分）") % {"label": label})
        if rounded < 0 and not allow_negative:
            raise MoneyInvalid(_("%(label)s：不得为负数") % {"label": label})
        if rounded == 0 and not allow_zero:
            raise MoneyInvalid(_("%(label)s：应大于 0") % {"label": label})
        if abs(rounded) > limit:
            raise MoneyInvalid(too_large)
    return rounded + 0  # back in the default context: at most max_digits digits


def clean_money(raw: Any, *, field: str, label: str, **limits: Any) -> Decimal:
    """:func:`parse_money` raising the platform's ``ValidationFailed`` for ``field``."""
    try:
        return parse_money(raw, label=label, **limits)
    except MoneyInvalid as exc:
        raise ValidationFailed({field: [exc.message]}) from None
