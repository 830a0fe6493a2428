"""One parser for every money input, on pages and in the API: yuan as ``Decimal`` with two
places, bounded by the column it is stored in, never a 500.

``Decimal("1e30").quantize(Decimal("0.01"))`` raises ``InvalidOperation`` (28 digits of
precision), which is how "1e30" or 40 digits in a funding or budget field answered 500. Here
the text is checked first (plain digits, no exponent, no NaN/Infinity, a bounded length) and
all arithmetic runs in a wide context; anything out of range is a message naming the field.


Showing amounts is here too (ADR 0793), the one place that turns yuan into 万元 and into
words; nothing here returns a float. Three shapes, chosen by where the figure appears:

- a number in 万元 for columns and inputs whose label carries the unit (``wan``,
  ``wan_number``, ``wan_input``): officials count in 万元 and the city's documents do too;
- a figure with its unit in the reader's language (``money_text``): "80 万元" / "1.2 亿元" for a
  Chinese reader, "800,000 yuan" / "1.2 million yuan" for others, who do not count in ten
  thousands;
- exact yuan (``yuan_number``) and fen (``to_fen`` / ``from_fen``) where the ledger needs them.

Examples:
    >>> from django.utils import translation
    >>> with translation.override("zh-hans"):
    ...     money_text(Decimal("800000")), money_text(Decimal("120000000"))
    ('80 万元', '1.2 亿元')
    >>> with translation.override("en"):
    ...     money_text(Decimal("800000")), money_text(Decimal("1200000"))
    ('800,000 yuan', '1.2 million yuan')
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


# -- showing amounts (ADR 0793) ------------------------------------------------------------

YI = Decimal(100_000_000)
MILLION = Decimal(1_000_000)
CENT = Decimal("0.01")
DASH = "—"


def as_decimal(value) -> Decimal | None:
    """A stored or typed amount as ``Decimal`` (``None`` for nothing). A float is read through
    its shortest text, so ``0.1`` stays ``0.1`` rather than its binary neighbour.

    >>> as_decimal("1,200.5"), as_decimal(0.1), as_decimal(None), as_decimal("")
    (Decimal('1200.5'), Decimal('0.1'), None, None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def wan(amount) -> Decimal:
    """Yuan → 万元 with two places, half up (nothing counts as zero).

    >>> wan(Decimal("12345678.9")), wan(None), wan(5)
    (Decimal('1234.57'), Decimal('0.00'), Decimal('0.00'))
    """
    return (_or_zero(amount) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def wan_number(amount) -> str:
    """A 万元 column's cell: two places with thousands separators, "—" for nothing.

    >>> wan_number(Decimal("12345678.9")), wan_number(None), wan_number("-50000")
    ('1,234.57', '—', '-5.00')
    """
    value = as_decimal(amount)
    return DASH if value is None else f"{wan(value):,}"


def wan_input(amount) -> str:
    """A form field's value in 万元: exact (to the fen), no separators, no trailing zeros.

    >>> wan_input(Decimal("500000.00")), wan_input(Decimal("123456.78")), wan_input(None)
    ('50', '12.345678', '')
    """
    value = as_decimal(amount)
    if value is None:
        return ""
    return _plain(value / WAN)


def yuan_number(amount) -> str:
    """Exact yuan with separators and two places (the unit 元 is written once by the page).

    >>> yuan_number(Decimal("1234567.8")), yuan_number(None)
    ('1,234,567.80', '—')
    """
    value = as_decimal(amount)
    return DASH if value is None else f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def money_text(amount, *, language: str | None = None) -> str:
    """An amount with its unit in the reader's language (the active one unless given).

    Chinese reads 万元 with at most two places, and 亿元 when that says the same figure;
    English reads exact yuan, and millions when that says the same figure. The larger unit is
    never a further rounding: 123,456,789 yuan stays in 万元 / yuan.

    >>> [money_text(Decimal(v), language="zh-hans") for v in ("800000", "12345.5", "123456789")]
    ['80 万元', '1.23 万元', '12,345.68 万元']
    >>> [money_text(Decimal(v), language="en") for v in ("12345.5", "250000000", "1234567.89")]
    ['12,345.50 yuan', '250 million yuan', '1,234,567.89 yuan']
    >>> money_text(None, language="en"), money_text(Decimal("-30000"), language="zh-hans")
    ('—', '-3 万元')
    """
    value = as_decimal(amount)
    if value is None:
        return DASH
    number, unit = money_parts(value, language=language)
    return f"{number} {unit}"


def money_parts(amount, *, language: str | None = None) -> tuple[str, str]:
    """``money_text`` as (number, unit), for a sentence that places them itself
    (``"30–50 万元"``): ``money_parts(Decimal("300000"), language="en")`` → ``("300,000", "yuan")``.

    >>> money_parts(Decimal("300000"), language="en"), money_parts(Decimal("300000"), language="zh")
    (('300,000', 'yuan'), ('30', '万元'))
    """
    value = _or_zero(amount)
    if _chinese(language):
        shown = wan(value)
        if abs(shown) >= WAN and _exact(shown / WAN):
            return _grouped(shown / WAN), "亿元"
        return _grouped(shown), "万元"
    exact = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(exact) >= MILLION and _exact(exact / MILLION):
        return _grouped(exact / MILLION), "million yuan"
    text = f"{exact:,}"
    return (text[:-3] if text.endswith(".00") else text), "yuan"


#: Units a typed figure may carry that are money (a project's 年产值 target in 万元 …).
MONEY_UNITS = {"元": Decimal(1), "万元": WAN, "亿元": YI}


def unit_amount(value, unit: str) -> Decimal | None:
    """A figure typed in a money unit as yuan, else ``None`` (not money, or nothing).

    >>> unit_amount("1340", "万元"), unit_amount("2", "吨/年"), unit_amount(None, "万元")
    (Decimal('13400000'), None, None)
    """
    factor = MONEY_UNITS.get((unit or "").strip())
    number = as_decimal(value)
    return None if factor is None or number is None else number * factor


def to_fen(amount: Decimal) -> int:
    """Yuan → whole fen, half up (the ledger splits fen, never fractions of one).

    >>> to_fen(Decimal("12.345")), to_fen(Decimal("-0.005"))
    (1235, -1)
    """
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_fen(fen: int) -> Decimal:
    """Whole fen → yuan with two places.

    >>> from_fen(1235)
    Decimal('12.35')
    """
    return (Decimal(fen) / 100).quantize(CENT)


def _or_zero(amount) -> Decimal:
    value = as_decimal(amount)
    return Decimal(0) if value is None else value


def _chinese(language: str | None) -> bool:
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or "zh-hans"
    return language.lower().startswith("zh")


def _exact(value: Decimal) -> bool:
    """Whether ``value`` has at most two decimals."""
    return value == value.quantize(CENT)


def _grouped(value: Decimal) -> str:
    """Separators, at most two places, no trailing zeros: 1234.50 → "1,234.5"."""
    text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
