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

Money values are yuan as ``Decimal`` or ``int`` (a float is refused); counts are ``int``;
quantities (``energy_consumption``) are ``Decimal``/``int``. A key that is absent or ``None``
is *missing*: conditions over it are unknown (缺少数据), never zero. Only the policy year and
the year before are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
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


def _money_fen(value: Any, where: str) -> int:
    if type(value) is int:
        return value * 100
    if isinstance(value, Decimal):
        if value.is_finite():
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent >= -2:
                return int(value.scaleb(2))
            return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    raise RulesError(
        ErrorCode.BAD_RECORD,
        f"金额应为 Decimal 或整数元,实际为 {value!r} / money must be Decimal or int yuan",
        where,
    )


def _scaled(value: Any, kind: str, where: str) -> int:
    if kind == "money":
        return _money_fen(value, where)
    if kind == "count":
        if type(value) is int:
            return value
        raise RulesError(ErrorCode.BAD_RECORD, f"计数应为整数,实际为 {value!r} / count must be int", where)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return int((Decimal(value) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    raise RulesError(ErrorCode.BAD_RECORD, f"数量应为 Decimal 或整数,实际为 {value!r} / bad quantity", where)


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
    tag_bit = {t: 1 << k for k, t in enumerate(F.TAGS)}
    credit = np.empty(n, dtype=object)
    names = np.empty(n, dtype=object)
    cat_values: dict[str, list[Any]] = {k: [None] * n for k in ("town", "ownership", "size_class", "industry_code")}
    dates = {k: np.full(n, MISSING_DAY, dtype=np.int64) for k in ("founded_on", "high_tech_cert_date")}
    first = np.full(n, -1, dtype=np.int8)
    tags = np.zeros(n, dtype=np.uint32)
    tags_known = np.zeros(n, dtype=bool)
    ind_specs = list(F.INDICATORS.values())
    raw: dict[tuple[str, int], list[Any]] = {(s.name, o): [None] * n for s in ind_specs for o in OFFSETS}
    years = {0: year, -1: year - 1}
    for i, rec in enumerate(records):
        code = rec.get("credit_code")
        if not isinstance(code, str) or not code:
            raise RulesError(ErrorCode.BAD_RECORD, "缺少统一社会信用代码 / missing credit_code", f"record[{i}].credit_code")
        credit[i] = code
        names[i] = rec.get("name") or ""
        for key, col in cat_values.items():
            col[i] = rec.get(key)
        for key, arr in dates.items():
            day = rec.get(key)
            if day is not None:
                if not isinstance(day, dt.date):
                    raise RulesError(ErrorCode.BAD_RECORD, f"{key} 应为日期 / {key} must be a date", f"record[{i}].{key}")
                arr[i] = day.toordinal() - _EPOCH
        flag = rec.get("high_tech_first_cert")
        if flag is not None:
            first[i] = 1 if flag else 0
        tag_set = rec.get("tags")
        if tag_set is not None:
            tags_known[i] = True
            mask = 0
            for t in tag_set:
                bit = tag_bit.get(t)
                if bit is None:
                    raise RulesError(ErrorCode.BAD_RECORD, f"未知标签 {t!r} / unknown tag", f"record[{i}].tags")
                mask |= bit
            tags[i] = mask
        per_year = rec.get("indicators") or {}
        for offset, y in years.items():
            values = per_year.get(y)
            if values:
                for name, v in values.items():
                    col = raw.get((name, offset))
                    if col is None:
                        raise RulesError(ErrorCode.BAD_RECORD, f"未知指标 {name!r} / unknown indicator", f"record[{i}].indicators.{y}")
                    col[i] = v
    indicator: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    for spec in ind_specs:
        for offset in OFFSETS:
            col = raw[(spec.name, offset)]
            present = np.fromiter((v is not None for v in col), dtype=bool, count=n)
            where = f"indicators.{years[offset]}.{spec.name}"
            values = np.fromiter(
                (0 if v is None else _scaled(v, spec.kind, where) for v in col), dtype=np.int64, count=n
            )
            indicator[(spec.name, offset)] = (values, present)
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
