"""The engine's columnar input: one :class:`Population` of enterprises for one policy year.

The Django side fetches rows and calls :func:`population_from_records` (the one conversion
function; ``bench/policy_scan.py`` measures it as ``load_s``). A record is a plain dict::

    {
        "credit_code": "91350582MA2XXXXX1X",       # str, required
        "name": "晋江某某鞋业有限公司",              # str
        "town": "青阳",                              # one of fields.TOWNS, or None
        "industry_code": "C1951",                   # GB/T 4754-2017 code, or None
        "ownership": "private",                     # fields.OWNERSHIPS, or None
        "founded_on": datetime.date(2010, 5, 1),    # or None
        "size_class": "small",                      # fields.SIZE_CLASSES, or None
        "tags": ["high_tech", "above_scale"],       # iterable of fields.TAGS; None = unknown
        "high_tech_cert_date": datetime.date(2024, 11, 20),  # or None
        "high_tech_first_cert": True,               # or None
        "indicators": {                             # year -> indicator -> value
            2024: {"rd_expense": Decimal("5500000.00"), "employees": 120, ...},
            2023: {"rd_expense": Decimal("2000000.00"), ...},
        },
    }

Indicator values may be ``Decimal``, ``int`` or a decimal string such as ``"5500000.00"`` (the
registry's ``EnterpriseYear.values`` JSON holds strings); money is yuan, rounded ROUND_HALF_UP to
the fen, counts must be whole, quantities are kept to thousandths. A float is refused. A key that is absent or ``None``
is *missing*: conditions over it are unknown (缺少数据), never zero. Only the policy year and
the year before are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import compress, repeat
from operator import eq, is_not
from functools import partial
from typing import Any, Iterable, Sequence

import numpy as np

from . import fields as F
from ._errors import ErrorCode, RulesError

__all__ = ["Population", "CategoryColumn", "population_from_records", "MISSING_DAY", "day_number"]

MISSING_DAY = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1).toordinal()
OFFSETS = (0, -1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01, the internal date representation.

    Examples:
        >>> day_number(dt.date(1970, 1, 2))
        1
    """
    return day.toordinal() - _EPOCH


@dataclass(frozen=True)
class CategoryColumn:
    """A categorical column: ``codes[i]`` indexes ``labels``; -1 means missing."""

    codes: np.ndarray  # int32 (n,)
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Population:
    """Columnar enterprises for one policy ``year``. All arrays have length ``size``.

    Attributes:
        year: the policy year; indicators at offset 0 are this year's, at -1 the year before.
        credit_code, name: object arrays of str.
        category: ``town``, ``ownership``, ``size_class``, ``industry_code`` as
            :class:`CategoryColumn` (industry codes are factorised to their distinct values).
        date: ``founded_on``, ``high_tech_cert_date`` as int64 days since 1970-01-01,
            :data:`MISSING_DAY` when missing.
        flag: ``high_tech_first_cert`` as int8: 1 true, 0 false, -1 missing.
        tags: uint32 bitmask, bit ``k`` set when the enterprise has ``fields.TAGS[k]``;
            ``tags_known`` is False where the tag set itself is unknown.
        indicator: ``(name, offset) -> (values, present)``: int64 values in internal units
            (fen for money, thousandths for quantities) and a bool mask of present values.
    """

    year: int
    credit_code: np.ndarray
    name: np.ndarray
    category: dict[str, CategoryColumn]
    date: dict[str, np.ndarray]
    flag: dict[str, np.ndarray]
    tags: np.ndarray
    tags_known: np.ndarray
    indicator: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.credit_code.shape[0])

    def take(self, index: np.ndarray | Sequence[int]) -> "Population":
        """A sub-population of the given rows (used for explanations and samples)."""
        idx = np.asarray(index, dtype=np.int64)
        return Population(
            year=self.year,
            credit_code=self.credit_code[idx],
            name=self.name[idx],
            category={k: CategoryColumn(c.codes[idx], c.labels) for k, c in self.category.items()},
            date={k: v[idx] for k, v in self.date.items()},
            flag={k: v[idx] for k, v in self.flag.items()},
            tags=self.tags[idx],
            tags_known=self.tags_known[idx],
            indicator={k: (v[idx], p[idx]) for k, (v, p) in self.indicator.items()},
        )


_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")
_NONE = type(None)
_is_not_none = partial(is_not, None)


def _is_decimal_text(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _first_bad(values: list[Any], allowed: tuple[type, ...]) -> int:
    return next(i for i, v in enumerate(values) if type(v) not in allowed)


def _convert_column(values: list[Any], kind: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """One indicator column (``None`` = missing) to (int64 internal units, present mask).

    Money: yuan as ``int`` or ``Decimal``, rounded ROUND_HALF_UP to the fen; counts: ``int``;
    quantities: ``int`` or ``Decimal``, rounded half up to thousandths. Anything else (a float,
    a str) is refused: money is never float. The per-value work runs in C-level ``map`` calls.
    """
    n = len(values)
    present = np.fromiter(map(_is_not_none, values), dtype=bool, count=n)
    types = set(map(type, values))
    allowed: tuple[type, ...] = (int, Decimal, str, _NONE)
    if not types <= set(allowed):
        i = _first_bad(values, allowed)
        raise RulesError(
            ErrorCode.BAD_RECORD,
            f"应为 Decimal、整数或十进制数字文本,实际为 {values[i]!r} / expected Decimal, int or a decimal string",
            f"record[{i}].{where}",
        )
    out = np.zeros(n, dtype=np.int64)
    count = int(present.sum())
    if count == 0:
        return out, present
    kept = list(compress(values, present))
    unit = SCALE_OF[kind]
    if str in types:  # decimal strings, as the registry's JSON indicator values hold them
        try:
            kept = list(map(Decimal, kept))
        except InvalidOperation:
            i = next(i for i, v in enumerate(values) if type(v) is str and not _is_decimal_text(v))
            raise RulesError(
                ErrorCode.BAD_RECORD, f"不是十进制数字 {values[i]!r} / not a decimal number", f"record[{i}].{where}"
            ) from None
        types = {Decimal}
    if Decimal not in types:
        out[present] = np.fromiter(kept, dtype=np.int64, count=count) * unit
        return out, present
    if int in types:
        kept = list(map(Decimal, kept))
    if kind == "count":
        if not all(v == v.to_integral_value() for v in kept if v.is_finite()):
            i = next(i for i, v in enumerate(values) if v is not None and Decimal(v) != Decimal(v).to_integral_value())
            raise RulesError(ErrorCode.BAD_RECORD, f"计数应为整数,实际为 {values[i]!r} / count must be whole", f"record[{i}].{where}")
        places = 0
    else:
        places = 2 if unit == 100 else 3
    try:
        scaled = list(map(Decimal.scaleb, kept, repeat(places)))
        whole = list(map(int, scaled))
        if not all(map(eq, scaled, whole)):  # finer than a fen: round half up
            step = _CENT if unit == 100 else _MILLI
            whole = [int(v.quantize(step, rounding=ROUND_HALF_UP).scaleb(places)) for v in kept]
    except (ValueError, OverflowError, InvalidOperation):
        i = next(i for i, v in enumerate(values) if type(v) is Decimal and not v.is_finite())
        raise RulesError(ErrorCode.BAD_RECORD, f"数值无效 {values[i]!r} / not a finite number", f"record[{i}].{where}") from None
    out[present] = np.fromiter(whole, dtype=np.int64, count=count)
    return out, present


SCALE_OF = F.SCALE


def _category(values: list[Any], labels: tuple[str, ...] | None, name: str) -> CategoryColumn:
    if labels is None:  # open vocabulary (industry codes): factorise
        labels = tuple(sorted({v for v in values if v is not None}))
    lookup = {label: i for i, label in enumerate(labels)}
    codes = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        if v is None:
            codes[i] = -1
        else:
            code = lookup.get(v)
            if code is None:
                raise RulesError(ErrorCode.BAD_RECORD, f"{name} 取值无效 {v!r} / invalid {name}", f"record[{i}].{name}")
            codes[i] = code
    return CategoryColumn(codes, labels)


def population_from_records(records: Iterable[dict[str, Any]], year: int) -> Population:
    """Convert per-enterprise records (the shape in this module's docstring) into a
    :class:`Population` for policy ``year``.

    Examples:
        >>> from decimal import Decimal
        >>> pop = population_from_records([{
        ...     "credit_code": "A", "town": "青阳", "tags": ["high_tech"],
        ...     "indicators": {2024: {"rd_expense": Decimal("3500000.50")}}}], 2024)
        >>> pop.size, pop.indicator[("rd_expense", 0)][0][0], bool(pop.indicator[("rd_expense", -1)][1][0])
        (1, np.int64(350000050), False)
    """
    records = list(records)
    n = len(records)
    codes = [r.get("credit_code") for r in records]
    if not all(isinstance(c, str) and c for c in codes):
        i = next(i for i, c in enumerate(codes) if not (isinstance(c, str) and c))
        raise RulesError(ErrorCode.BAD_RECORD, "缺少统一社会信用代码 / missing credit_code", f"record[{i}].credit_code")
    credit = np.array(codes, dtype=object)
    names = np.array([r.get("name") or "" for r in records], dtype=object)
    cat_values = {k: [r.get(k) for r in records] for k in ("town", "ownership", "size_class", "industry_code")}

    dates: dict[str, np.ndarray] = {}
    for key in ("founded_on", "high_tech_cert_date"):
        col = [r.get(key) for r in records]
        if not set(map(type, col)) <= {dt.date, _NONE}:
            i = _first_bad(col, (dt.date, _NONE))
            raise RulesError(ErrorCode.BAD_RECORD, f"{key} 应为日期 / {key} must be a date", f"record[{i}].{key}")
        dates[key] = np.fromiter(
            (MISSING_DAY if d is None else d.toordinal() - _EPOCH for d in col), dtype=np.int64, count=n
        )
    first = np.fromiter(
        (-1 if v is None else (1 if v else 0) for v in (r.get("high_tech_first_cert") for r in records)),
        dtype=np.int8,
        count=n,
    )

    tag_bit = {t: 1 << k for k, t in enumerate(F.TAGS)}
    tag_cache: dict[tuple[str, ...], int] = {}
    tag_lists = [r.get("tags") for r in records]
    tags_known = np.fromiter((t is not None for t in tag_lists), dtype=bool, count=n)
    masks = []
    for i, tag_set in enumerate(tag_lists):
        if tag_set is None:
            masks.append(0)
            continue
        key = tuple(tag_set)
        mask = tag_cache.get(key)
        if mask is None:
            mask = 0
            for t in key:
                bit = tag_bit.get(t)
                if bit is None:
                    raise RulesError(ErrorCode.BAD_RECORD, f"未知标签 {t!r} / unknown tag", f"record[{i}].tags")
                mask |= bit
            tag_cache[key] = mask
        masks.append(mask)
    tags = np.array(masks, dtype=np.uint32)

    indicator: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    for offset in OFFSETS:
        y = year + offset
        per_year = [(r.get("indicators") or {}).get(y) or {} for r in records]
        unknown = set().union(*per_year) - set(F.INDICATORS)
        if unknown:
            name = sorted(unknown)[0]
            i = next(i for i, d in enumerate(per_year) if name in d)
            raise RulesError(ErrorCode.BAD_RECORD, f"未知指标 {name!r} / unknown indicator", f"record[{i}].indicators.{y}")
        for spec in F.INDICATORS.values():
            column = list(map(dict.get, per_year, repeat(spec.name)))
            indicator[(spec.name, offset)] = _convert_column(column, spec.kind, f"indicators.{y}.{spec.name}")
    category = {
        key: _category(vals, None if key == "industry_code" else F.ATTRIBUTES[key].choices, key)
        for key, vals in cat_values.items()
    }
    return Population(
        year=year,
        credit_code=credit,
        name=names,
        category=category,
        date=dates,
        flag={"high_tech_first_cert": first},
        tags=tags,
        tags_known=tags_known,
        indicator=indicator,
    )
