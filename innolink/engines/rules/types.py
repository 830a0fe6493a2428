"""Units, exact numbers and Chinese formatting shared by the loader, evaluators and explainer.

Money is exact everywhere: rule files write amounts with an explicit unit (``"20万元"``,
``"2000元"``, ``"1.5亿元"``); internally amounts are integer fen (1 元 = 100 fen), rates are
:class:`fractions.Fraction`, and results are :class:`decimal.Decimal` yuan with two places.
Every multiplication by a rate is rounded ROUND_HALF_UP to the fen.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from ._errors import ErrorCode, RulesError

__all__ = [
    "MONEY_UNITS",
    "RATIO_UNITS",
    "parse_amount_fen",
    "parse_quantity",
    "fen_to_yuan",
    "yuan_to_fen",
    "round_half_up_div",
    "fmt_money",
    "fmt_ratio",
    "fmt_scaled",
]

#: money units -> fen per unit
MONEY_UNITS: dict[str, int] = {"元": 100, "万元": 1_000_000, "亿元": 10_000_000_000}
#: ratio units -> value of 1 unit
RATIO_UNITS: dict[str, Fraction] = {"%": Fraction(1, 100), "‰": Fraction(1, 1000), "倍": Fraction(1)}
#: accepted spellings of count and quantity units per catalogue unit
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "件": ("件", "项"),
    "人": ("人", "名"),
    "tce": ("tce", "吨标准煤"),
}

_NUMBER_UNIT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(\S*)\s*$")


def _split(value: object, location: str) -> tuple[Fraction, str]:
    if isinstance(value, bool):
        raise RulesError(ErrorCode.BAD_VALUE, f"应为带单位的数值,实际为 {value!r} / expected a number with a unit", location)
    if isinstance(value, (int, float)):
        raise RulesError(
            ErrorCode.MISSING_UNIT,
            f"数值 {value} 缺少单位(如 万元、元、%、件) / number {value} has no unit",
            location,
        )
    if isinstance(value, dict) and set(value) == {"value", "unit"}:
        value = f"{value['value']}{value['unit']}"
    if not isinstance(value, str):
        raise RulesError(ErrorCode.BAD_VALUE, f"应为带单位的数值,实际为 {value!r} / expected a number with a unit", location)
    m = _NUMBER_UNIT.match(value)
    if not m:
        raise RulesError(ErrorCode.BAD_VALUE, f"无法解析数值 {value!r} / cannot parse {value!r}", location)
    number, unit = m.group(1), m.group(2)
    if not unit:
        raise RulesError(
            ErrorCode.MISSING_UNIT,
            f"数值 {value!r} 缺少单位(如 万元、元、%、件) / number {value!r} has no unit",
            location,
        )
    return Fraction(Decimal(number)), unit


def parse_amount_fen(value: object, location: str) -> int:
    """Parse a money amount with its unit into integer fen.

    Examples:
        >>> parse_amount_fen("20万元", "x"), parse_amount_fen("0.01元", "x"), parse_amount_fen("1.5亿元", "x")
        (20000000, 1, 15000000000)
        >>> parse_amount_fen(200, "x")
        Traceback (most recent call last):
        ...
        innolink.engines.rules._errors.RulesError: [rules.missing_unit] 数值 200 缺少单位(如 万元、元、%、件) / number 200 has no unit (at x)
    """
    number, unit = _split(value, location)
    if unit not in MONEY_UNITS:
        raise RulesError(
            ErrorCode.BAD_UNIT,
            f"金额单位应为 元/万元/亿元,实际为 {unit!r} / money unit must be 元, 万元 or 亿元",
            location,
        )
    fen = number * MONEY_UNITS[unit]
    if fen.denominator != 1:
        raise RulesError(ErrorCode.BAD_VALUE, f"金额 {value!r} 小于一分 / amount finer than one fen", location)
    return int(fen)


def parse_quantity(value: object, kind: str, unit: str, location: str) -> Fraction:
    """Parse a threshold for a field of ``kind`` into the engine's internal scaled units.

    ``kind`` is ``money`` (-> fen), ``count``, ``quantity`` (-> thousandths) or ``ratio``
    (-> a plain fraction, from ``%``, ``‰`` or ``倍``). ``unit`` is the catalogue unit the value
    must be written in (for counts and quantities).

    Examples:
        >>> parse_quantity("200万元", "money", "元", "x")
        Fraction(200000000, 1)
        >>> parse_quantity("3.5%", "ratio", "", "x")
        Fraction(7, 200)
        >>> parse_quantity("5件", "count", "件", "x")
        Fraction(5, 1)
    """
    if kind == "money":
        number, unit_written = _split(value, location)
        if unit_written not in MONEY_UNITS:
            raise RulesError(
                ErrorCode.BAD_UNIT,
                f"金额单位应为 元/万元/亿元,实际为 {unit_written!r} / money unit must be 元, 万元 or 亿元",
                location,
            )
        return number * MONEY_UNITS[unit_written]
    number, unit_written = _split(value, location)
    if kind == "ratio":
        if unit_written not in RATIO_UNITS:
            raise RulesError(
                ErrorCode.BAD_UNIT,
                f"比例单位应为 % 或 ‰,实际为 {unit_written!r} / ratio unit must be % or ‰",
                location,
            )
        return number * RATIO_UNITS[unit_written]
    accepted = UNIT_ALIASES.get(unit, (unit,))
    if unit_written not in accepted:
        raise RulesError(
            ErrorCode.BAD_UNIT,
            f"单位应为 {unit},实际为 {unit_written!r} / unit must be {unit!r}",
            location,
        )
    return number * (1000 if kind == "quantity" else 1)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up (away from zero for .5), exact integers.

    Examples:
        >>> round_half_up_div(5, 2), round_half_up_div(-5, 2), round_half_up_div(7, 3)
        (3, -3, 2)
    """
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen to ``Decimal`` yuan with two places.

    Examples:
        >>> fen_to_yuan(2100000)
        Decimal('21000.00')
    """
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def yuan_to_fen(value: object) -> int:
    """Yuan (``Decimal``, ``int`` or numeric ``str``) to integer fen, ROUND_HALF_UP.

    Floats are accepted only through their shortest decimal repr.

    Examples:
        >>> yuan_to_fen(Decimal("1234.565")), yuan_to_fen(3), yuan_to_fen("0.1")
        (123457, 300, 10)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 100
    if isinstance(value, float):
        value = repr(value)
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return int((d * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _trim(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_money(fen: int | Fraction) -> str:
    """Chinese display of an amount: 亿元 from 1亿元 up when exact to four places, 万元 from
    1万元 up, else 元. Officials read 万元 to two places; when that is not exact, the exact amount
    in 元 follows in brackets.

    Examples:
        >>> fmt_money(21000000), fmt_money(123456789), fmt_money(12345), fmt_money(-23000000)
        ('21万元', '123.46万元(1,234,567.89元)', '123.45元', '-23万元')
        >>> fmt_money(550000000000), fmt_money(18000000000), fmt_money(1234567800000)
        ('55亿元', '1.8亿元', '1234567.8万元')
    """
    if type(fen) is Fraction and fen.denominator == 1:
        fen = fen.numerator
    return _fmt_money(fen)


@lru_cache(maxsize=8192)
def _fmt_money(fen: int | Fraction) -> str:
    value = Fraction(fen) / 100
    if abs(value) >= 100_000_000 and (value / 1_000_000).denominator == 1:
        d = Decimal(int(value / 10000)) / 10000
        return f"{_trim(d)}亿元"
    if abs(value) >= 10000:
        d = Decimal(value.numerator) / Decimal(value.denominator) / 10000
        exact = d.quantize(Decimal('0.000001'))
        shown = exact.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)
        if shown == exact:
            return f"{_trim(shown)}万元"
        yuan = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal('0.01'))
        return f"{_trim(shown)}万元({yuan:,}元)"
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{_trim(d.quantize(Decimal('0.01')))}元"


def fmt_ratio(value: Fraction) -> str:
    """A ratio as a percentage with up to two decimals.

    Examples:
        >>> fmt_ratio(Fraction(7, 200)), fmt_ratio(Fraction(1, 3))
        ('3.5%', '33.33%')
    """
    d = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return f"{_trim(d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))}%"


def fmt_scaled(value: Fraction | int, kind: str, unit: str) -> str:
    """Display a value held in internal scaled units (fen, counts, thousandths, ratio).

    Examples:
        >>> fmt_scaled(20000000, "money", "元"), fmt_scaled(12, "count", "件"), fmt_scaled(1500, "quantity", "tce")
        ('20万元', '12件', '1.5吨标准煤')
    """
    value = Fraction(value)
    if kind == "money":
        return fmt_money(value)
    if kind == "ratio":
        return fmt_ratio(value)
    unit = {"tce": "吨标准煤"}.get(unit, unit)
    if kind == "quantity":
        value = value / 1000
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{_trim(d.quantize(Decimal('0.001')))}{unit}"
