"""The engine's columnar input: one :class:`Population` of enterprises for one policy year.

Two ways in, one conversion. :func:`population_from_columns` builds the arrays from columns
(one sequence per attribute, tag rows and indicator rows by position), which is what a database
fetch naturally yields: ``innolink/policies/fetch.py`` feeds it without building a dict per
enterprise. :func:`population_from_records` takes per-enterprise dicts (tests, the synthetic
bench, one enterprise's explanation), turns them into those columns and calls the same function.
``bench/policy_scan.py`` measures the records path as ``load_s``. A record is a plain dict::

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
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import compress, repeat
from operator import eq, is_not
from functools import partial
from typing import Any, Iterable, Sequence

import numpy as np

from . import fields as F
from ._errors import ErrorCode, RulesError

__all__ = [
    "Population",
    "CategoryColumn",
    "population_from_columns",
    "population_from_records",
    "concat_populations",
    "population_to_arrays",
    "population_from_arrays",
    "population_differences",
    "MISSING_DAY",
    "day_number",
]

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

    def with_rows(self, positions: np.ndarray | Sequence[int], other: "Population") -> "Population":
        """This population with rows ``positions`` replaced by the rows of ``other`` (row ``k`` of
        ``other`` goes to ``positions[k]``), equal to a fresh conversion of the resulting rows.

        Neither population is modified: a column whose values at ``positions`` already equal
        ``other``'s is shared with ``self``, any other column is copied once and written. Fixed
        vocabularies must agree; the open vocabulary (industry codes) is merged and reduced to the
        used labels, sorted, as :func:`concat_populations` does. Raises ``ValueError`` for another
        year, a length mismatch, positions out of range or repeated, or different columns.

        Examples:
            >>> pop = population_from_columns(2024, credit_code=["A", "B", "C"], industry_code=["C1", "C2", "C3"])
            >>> new = pop.with_rows([1], population_from_columns(2024, credit_code=["B"], industry_code=["C9"]))
            >>> new.category["industry_code"].labels, new.category["industry_code"].codes.tolist()
            (('C1', 'C3', 'C9'), [0, 2, 1])
            >>> pop.category["industry_code"].labels, new.credit_code is pop.credit_code
            (('C1', 'C2', 'C3'), True)
        """
        at = np.asarray(positions, dtype=np.int64).reshape(-1)
        if other.year != self.year:
            raise ValueError("populations of different years")
        if at.size != other.size:
            raise ValueError(f"{at.size} positions for {other.size} rows")
        if at.size and (at.min() < 0 or at.max() >= self.size or np.unique(at).size != at.size):
            raise ValueError("positions out of range or repeated")
        if (set(self.category) != set(other.category) or set(self.date) != set(other.date)
                or set(self.flag) != set(other.flag) or set(self.indicator) != set(other.indicator)):
            raise ValueError("populations with different columns")

        def put(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
            if np.array_equal(mine[at], theirs):
                return mine
            out = mine.copy()
            out[at] = theirs
            return out

        category: dict[str, CategoryColumn] = {}
        for key, mine in self.category.items():
            theirs = other.category[key]
            if key not in OPEN_VOCABULARY:
                if mine.labels != theirs.labels:
                    raise ValueError(f"{key}: different label lists")
                codes = put(mine.codes, theirs.codes)
                category[key] = mine if codes is mine.codes else CategoryColumn(codes, mine.labels)
                continue
            index = {label: i for i, label in enumerate(mine.labels)}
            if all(label in index for label in theirs.labels):  # no new label: recode theirs
                lookup = np.array([index[label] for label in theirs.labels] + [-1], dtype=np.int32)
                codes = put(mine.codes, lookup[theirs.codes])
                if codes is mine.codes:
                    category[key] = mine
                    continue
                labels: Sequence[str] = mine.labels
            else:
                labels = sorted(set(mine.labels) | set(theirs.labels))
                index = {label: i for i, label in enumerate(labels)}
                remap = np.array([index[label] for label in mine.labels] + [-1], dtype=np.int32)
                codes = remap[mine.codes]
                codes[at] = np.array([index[label] for label in theirs.labels] + [-1], dtype=np.int32)[theirs.codes]
            used = np.bincount(codes[codes >= 0], minlength=len(labels))
            if used.all():
                category[key] = CategoryColumn(codes.astype(np.int32, copy=False), tuple(labels))
            else:  # a label no row uses any more disappears, as in a fresh conversion
                category[key] = _compact(codes, labels)
        return Population(
            year=self.year,
            credit_code=put(self.credit_code, other.credit_code),
            name=put(self.name, other.name),
            category=category,
            date={k: put(v, other.date[k]) for k, v in self.date.items()},
            flag={k: put(v, other.flag[k]) for k, v in self.flag.items()},
            tags=put(self.tags, other.tags),
            tags_known=put(self.tags_known, other.tags_known),
            indicator={k: (put(v, other.indicator[k][0]), put(p, other.indicator[k][1]))
                       for k, (v, p) in self.indicator.items()},
        )


_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")
_NONE = type(None)
_is_not_none = partial(is_not, None)
#: Decimal text the fast path converts without Decimal: optional minus, at most 15 digits before
#: the point (int64 holds them in thousandths), at most ``places`` after it. Anything else (an
#: exponent, more places, spaces, underscores) goes through Decimal as before. The patterns match
#: a whole column joined by newlines, so one regex scan checks every value.
_WHOLE_LINES = re.compile(r"(?:-?\d{1,18}\n)*")
_EXACT_LINES = {p: re.compile(rf"(?:-?\d{{1,15}}\.\d{{{p}}}\n)*") for p in (2, 3)}
_PLACES_LINES = {p: re.compile(rf"(?:-?\d{{1,15}}(?:\.\d{{1,{p}}})?\n)*") for p in (2, 3)}


def _is_decimal_text(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _first_bad(values: Sequence[Any], allowed: tuple[type, ...]) -> int:
    return next(i for i, v in enumerate(values) if type(v) not in allowed)


def _scaled_text(text: str, places: int) -> int:
    whole, _, fraction = text.partition(".")
    return int(whole + fraction.ljust(places, "0"))


def _text_to_units(kept: list[str], kind: str, places: int) -> np.ndarray | None:
    """Decimal strings to whole internal units without Decimal, or ``None`` when any value is
    outside the plain forms the patterns accept (then the caller takes the Decimal path). Exact:
    once the pattern has matched, the text is the number of units with the point removed (and
    the places padded), parsed by numpy's integer text reader."""
    lines = "\n".join(kept) + "\n"
    if kind == "count":
        if not _WHOLE_LINES.fullmatch(lines):
            return None
    elif _EXACT_LINES[places].fullmatch(lines):  # the registry's money: always two places
        lines = lines.replace(".", "")
    elif _PLACES_LINES[places].fullmatch(lines):
        return np.fromiter(map(_scaled_text, kept, repeat(places)), dtype=np.int64, count=len(kept))
    else:
        return None
    units = np.fromstring(lines, dtype=np.int64, sep="\n")
    return units if units.size == len(kept) else None


def _convert_column(values: Sequence[Any], kind: str, where: str,
                    positions: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One indicator column (``None`` = missing) to (int64 internal units, present mask).

    Money: yuan as ``int``, ``Decimal`` or decimal text, rounded ROUND_HALF_UP to the fen; counts:
    whole numbers; quantities: rounded half up to thousandths. Anything else (a float, a bool) is
    refused: money is never float. The per-value work runs in C-level ``map`` calls. Error
    locations name ``record[positions[i]]`` (the enterprise's position in the population).
    """
    def at(i: int) -> str:
        return f"record[{i if positions is None else int(positions[i])}].{where}"

    n = len(values)
    present = np.fromiter(map(_is_not_none, values), dtype=bool, count=n)
    types = set(map(type, values))
    allowed: tuple[type, ...] = (int, Decimal, str, _NONE)
    if not types <= set(allowed):
        i = _first_bad(values, allowed)
        raise RulesError(
            ErrorCode.BAD_RECORD,
            f"应为 Decimal、整数或十进制数字文本,实际为 {values[i]!r} / expected Decimal, int or a decimal string",
            at(i),
        )
    out = np.zeros(n, dtype=np.int64)
    count = int(present.sum())
    if count == 0:
        return out, present
    kept = list(compress(values, present))
    unit = SCALE_OF[kind]
    places = {"count": 0}.get(kind, 2 if unit == 100 else 3)
    if types <= {str, _NONE}:
        units = _text_to_units(kept, kind, places)
        if units is not None:
            out[present] = units
            return out, present
    if str in types:  # other decimal text, e.g. "1E+3" from Decimal.normalize()
        try:
            kept = list(map(Decimal, kept))
        except InvalidOperation:
            i = next(i for i, v in enumerate(values) if type(v) is str and not _is_decimal_text(v))
            raise RulesError(
                ErrorCode.BAD_RECORD, f"不是十进制数字 {values[i]!r} / not a decimal number", at(i)
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
            raise RulesError(ErrorCode.BAD_RECORD, f"计数应为整数,实际为 {values[i]!r} / count must be whole", at(i))
    try:
        scaled = list(map(Decimal.scaleb, kept, repeat(places)))
        whole = list(map(int, scaled))
        if not all(map(eq, scaled, whole)):  # finer than a fen: round half up
            step = _CENT if unit == 100 else _MILLI
            whole = [int(v.quantize(step, rounding=ROUND_HALF_UP).scaleb(places)) for v in kept]
    except (ValueError, OverflowError, InvalidOperation):
        i = next(i for i, v in enumerate(values)
                 if (type(v) is Decimal and not v.is_finite()) or (type(v) is str and not Decimal(v).is_finite()))
        raise RulesError(ErrorCode.BAD_RECORD, f"数值无效 {values[i]!r} / not a finite number", at(i)) from None
    out[present] = np.fromiter(whole, dtype=np.int64, count=count)
    return out, present


SCALE_OF = F.SCALE
#: categorical attributes whose labels are the distinct values present, sorted (not a fixed list)
OPEN_VOCABULARY = ("industry_code",)
CATEGORIES = ("town", "ownership", "size_class", "industry_code")
DATES = ("founded_on", "high_tech_cert_date")


def _category(values: Sequence[Any], labels: tuple[str, ...] | None, name: str) -> CategoryColumn:
    if labels is None:  # open vocabulary (industry codes): factorise
        labels = tuple(sorted({v for v in values if v is not None}))
    lookup: dict[Any, int] = {label: i for i, label in enumerate(labels)}
    lookup[None] = -1
    codes = np.fromiter(map(lookup.get, values, repeat(-2)), dtype=np.int64, count=len(values))
    bad = np.flatnonzero(codes == -2)
    if bad.size:
        i = int(bad[0])
        raise RulesError(ErrorCode.BAD_RECORD, f"{name} 取值无效 {values[i]!r} / invalid {name}", f"record[{i}].{name}")
    return CategoryColumn(codes.astype(np.int32), labels)


def _dates(col: Sequence[Any], key: str) -> np.ndarray:
    if isinstance(col, np.ndarray) and col.dtype.kind == "M":
        return col.astype("datetime64[D]").astype(np.int64)  # NaT is MISSING_DAY
    if not set(map(type, col)) <= {dt.date, _NONE}:
        i = _first_bad(col, (dt.date, _NONE))
        raise RulesError(ErrorCode.BAD_RECORD, f"{key} 应为日期 / {key} must be a date", f"record[{i}].{key}")
    return np.array(col, dtype="datetime64[D]").reshape(len(col)).astype(np.int64)


def population_from_columns(
    year: int,
    *,
    credit_code: Sequence[str],
    name: Sequence[str | None] | None = None,
    town: Sequence[str | None] | None = None,
    industry_code: Sequence[str | None] | None = None,
    ownership: Sequence[str | None] | None = None,
    size_class: Sequence[str | None] | None = None,
    founded_on: Sequence[dt.date | None] | np.ndarray | None = None,
    high_tech_cert_date: Sequence[dt.date | None] | np.ndarray | None = None,
    high_tech_first_cert: Sequence[bool | None] | None = None,
    tags: tuple[Sequence[int], Sequence[str]] = ((), ()),
    tags_known: Sequence[bool] | None = None,
    indicators: dict[int, tuple[Sequence[int], dict[str, Sequence[Any]]]] | None = None,
) -> Population:
    """Build a :class:`Population` from columns: the one conversion.

    Every attribute is a sequence with one entry per enterprise (``None`` = missing; an omitted
    attribute is missing everywhere). Dates may also be ``datetime64`` arrays (NaT = missing).
    ``tags`` is the tag rows as (positions, tag names): enterprise ``positions[k]`` has tag
    ``names[k]``; ``tags_known`` (default: all known) marks whose tag set is known.
    ``indicators`` maps a year to that year's rows: (positions, {indicator: values per row}),
    at most one row per enterprise and year; only the policy year and the year before are read.
    Values follow the module docstring; errors name ``record[position]``.

    Examples:
        >>> pop = population_from_columns(2024, credit_code=["A", "B"], town=["青阳", None],
        ...     tags=([1], ["high_tech"]), indicators={2024: ([1], {"rd_expense": ["3500000.50"]})})
        >>> pop.category["town"].codes.tolist(), pop.tags.tolist(), pop.indicator[("rd_expense", 0)][0].tolist()
        ([0, -1], [0, 1], [0, 350000050])
    """
    n = len(credit_code)
    if not (set(map(type, credit_code)) <= {str} and all(credit_code)):
        i = next(i for i, c in enumerate(credit_code) if not (isinstance(c, str) and c))
        raise RulesError(ErrorCode.BAD_RECORD, "缺少统一社会信用代码 / missing credit_code", f"record[{i}].credit_code")
    missing = [None] * n

    def column(values: Sequence[Any] | None, key: str) -> Sequence[Any]:
        if values is None:
            return missing
        if len(values) != n:
            raise RulesError(ErrorCode.BAD_RECORD, f"{key} 的长度应为 {n} / {key} has the wrong length", key)
        return values

    credit = np.array(credit_code, dtype=object).reshape(n)
    names = np.array([v or "" for v in column(name, "name")], dtype=object).reshape(n)
    given = {"town": town, "ownership": ownership, "size_class": size_class, "industry_code": industry_code}
    category = {
        key: _category(column(given[key], key), None if key in OPEN_VOCABULARY else F.ATTRIBUTES[key].choices, key)
        for key in CATEGORIES
    }
    dates = {key: _dates(column(col, key), key) for key, col in zip(DATES, (founded_on, high_tech_cert_date))}
    first = np.fromiter(
        map({None: -1, True: 1, False: 0, 1: 1, 0: 0}.get, column(high_tech_first_cert, "high_tech_first_cert"),
            repeat(-2)),
        dtype=np.int8, count=n)
    if (first == -2).any():
        i = int(np.flatnonzero(first == -2)[0])
        raise RulesError(ErrorCode.BAD_RECORD, "high_tech_first_cert 应为是/否 / must be a bool",
                         f"record[{i}].high_tech_first_cert")

    tag_positions = np.asarray(tags[0], dtype=np.int64).reshape(-1)
    tag_bit = {t: 1 << k for k, t in enumerate(F.TAGS)}
    bits = np.fromiter(map(tag_bit.get, tags[1], repeat(-1)), dtype=np.int64, count=len(tags[1]))
    if (bits < 0).any():
        k = int(np.flatnonzero(bits < 0)[0])
        raise RulesError(ErrorCode.BAD_RECORD, f"未知标签 {tags[1][k]!r} / unknown tag", f"record[{int(tag_positions[k])}].tags")
    masks = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(masks, tag_positions, bits)
    known = np.ones(n, dtype=bool) if tags_known is None else np.asarray(tags_known, dtype=bool).reshape(n)

    indicator: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    for offset in OFFSETS:
        y = year + offset
        positions, per_indicator = (indicators or {}).get(y, ((), {}))
        positions = np.asarray(positions, dtype=np.int64).reshape(-1)
        if positions.size and np.unique(positions).size != positions.size:
            raise RulesError(ErrorCode.BAD_RECORD, f"同一企业的 {y} 年度数据出现两次 / two rows for one year",
                             f"indicators.{y}")
        unknown = set(per_indicator) - set(F.INDICATORS)
        if unknown:
            name_ = sorted(unknown)[0]
            k = next((k for k, v in enumerate(per_indicator[name_]) if v is not None), 0)
            raise RulesError(ErrorCode.BAD_RECORD, f"未知指标 {name_!r} / unknown indicator",
                             f"record[{int(positions[k]) if positions.size else 0}].indicators.{y}")
        for spec in F.INDICATORS.values():
            values = np.zeros(n, dtype=np.int64)
            present = np.zeros(n, dtype=bool)
            rows = per_indicator.get(spec.name)
            if rows is not None and positions.size:
                v, p = _convert_column(rows, spec.kind, f"indicators.{y}.{spec.name}", positions)
                values[positions] = v
                present[positions] = p
            indicator[(spec.name, offset)] = (values, present)
    return Population(
        year=year,
        credit_code=credit,
        name=names,
        category=category,
        date=dates,
        flag={"high_tech_first_cert": first},
        tags=masks.astype(np.uint32),
        tags_known=known,
        indicator=indicator,
    )


def population_from_records(records: Iterable[dict[str, Any]], year: int) -> Population:
    """Convert per-enterprise records (the shape in this module's docstring) into a
    :class:`Population` for policy ``year``, through :func:`population_from_columns`.

    Examples:
        >>> from decimal import Decimal
        >>> pop = population_from_records([{
        ...     "credit_code": "A", "town": "青阳", "tags": ["high_tech"],
        ...     "indicators": {2024: {"rd_expense": Decimal("3500000.50")}}}], 2024)
        >>> pop.size, pop.indicator[("rd_expense", 0)][0][0], bool(pop.indicator[("rd_expense", -1)][1][0])
        (1, np.int64(350000050), False)
    """
    records = list(records)
    codes = [r.get("credit_code") for r in records]
    if not all(isinstance(c, str) and c for c in codes):
        i = next(i for i, c in enumerate(codes) if not (isinstance(c, str) and c))
        raise RulesError(ErrorCode.BAD_RECORD, "缺少统一社会信用代码 / missing credit_code", f"record[{i}].credit_code")
    get = {key: [r.get(key) for r in records] for key in (
        "name", *CATEGORIES, *DATES, "high_tech_first_cert", "tags")}
    tag_lists = get.pop("tags")
    tag_positions: list[int] = []
    tag_names: list[str] = []
    for i, tag_set in enumerate(tag_lists):
        if tag_set:
            tag_set = list(tag_set)
            tag_positions.extend(repeat(i, len(tag_set)))
            tag_names.extend(tag_set)
    indicators: dict[int, tuple[Sequence[int], dict[str, Sequence[Any]]]] = {}
    for offset in OFFSETS:
        y = year + offset
        per_year = [(r.get("indicators") or {}).get(y) for r in records]
        positions = [i for i, d in enumerate(per_year) if d]
        rows = [per_year[i] for i in positions]
        keys = set().union(*rows) if rows else set()
        unknown = keys - set(F.INDICATORS)
        if unknown:
            name = sorted(unknown)[0]
            i = next(i for i, d in enumerate(per_year) if d and name in d)
            raise RulesError(ErrorCode.BAD_RECORD, f"未知指标 {name!r} / unknown indicator", f"record[{i}].indicators.{y}")
        indicators[y] = (positions, {k: list(map(dict.get, rows, repeat(k))) for k in keys})
    return population_from_columns(
        year,
        credit_code=codes,
        **get,
        tags=(tag_positions, tag_names),
        tags_known=[t is not None for t in tag_lists],
        indicators=indicators,
    )


def _compact(codes: np.ndarray, labels: Sequence[str]) -> CategoryColumn:
    """Re-factorise an open-vocabulary column to the labels actually used, sorted, as a fresh
    build would: labels that no row uses any more disappear."""
    labels = np.asarray(labels, dtype=object)
    used = np.unique(codes[codes >= 0])
    order = np.argsort(labels[used].astype(str), kind="stable") if used.size else used
    used = used[order]
    remap = np.full(len(labels) + 1, -1, dtype=np.int32)
    remap[used] = np.arange(used.size, dtype=np.int32)
    return CategoryColumn(remap[codes].astype(np.int32), tuple(labels[used].tolist()))


def concat_populations(parts: Sequence[Population]) -> Population:
    """The rows of ``parts`` one after another, as one population of the same year. Fixed
    vocabularies must agree; open vocabularies (industry codes) are merged and re-factorised to
    the used labels, sorted, so the result equals a fresh conversion of the same rows."""
    if not parts:
        raise ValueError("nothing to concatenate")
    year = parts[0].year
    if any(p.year != year for p in parts):
        raise ValueError("populations of different years")
    category: dict[str, CategoryColumn] = {}
    for key in parts[0].category:
        columns = [p.category[key] for p in parts]
        if key not in OPEN_VOCABULARY:
            if any(c.labels != columns[0].labels for c in columns):
                raise ValueError(f"{key}: different label lists")
            category[key] = CategoryColumn(np.concatenate([c.codes for c in columns]), columns[0].labels)
            continue
        union = sorted(set().union(*(c.labels for c in columns)))
        index = {label: i for i, label in enumerate(union)}
        codes = []
        for c in columns:
            lookup = np.array([index[label] for label in c.labels] + [-1], dtype=np.int32)
            codes.append(lookup[c.codes])  # -1 picks the trailing -1
        category[key] = _compact(np.concatenate(codes) if codes else np.empty(0, np.int32), union)
    return Population(
        year=year,
        credit_code=np.concatenate([p.credit_code for p in parts]),
        name=np.concatenate([p.name for p in parts]),
        category=category,
        date={k: np.concatenate([p.date[k] for p in parts]) for k in parts[0].date},
        flag={k: np.concatenate([p.flag[k] for p in parts]) for k in parts[0].flag},
        tags=np.concatenate([p.tags for p in parts]),
        tags_known=np.concatenate([p.tags_known for p in parts]),
        indicator={k: (np.concatenate([p.indicator[k][0] for p in parts]),
                       np.concatenate([p.indicator[k][1] for p in parts])) for k in parts[0].indicator},
    )


_SEP = "\x00"


def _pack_text(values: Sequence[str]) -> np.ndarray:
    text = _SEP.join(values)
    if len(values) and text.count(_SEP) != len(values) - 1:
        raise ValueError("text contains NUL")
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _unpack_text(data: np.ndarray, n: int) -> list[str]:
    if n == 0:
        return []
    values = data.tobytes().decode("utf-8").split(_SEP)
    if len(values) != n:
        raise ValueError(f"expected {n} strings, found {len(values)}")
    return values


def population_to_arrays(pop: Population) -> dict[str, np.ndarray]:
    """Plain numeric arrays (no objects, no pickle) that :func:`population_from_arrays` turns
    back into an equal population, e.g. to store it with ``numpy.savez``."""
    out: dict[str, np.ndarray] = {
        "year": np.array([pop.year, pop.size], dtype=np.int64),
        "credit_code": _pack_text(pop.credit_code.tolist()),
        "name": _pack_text(pop.name.tolist()),
        "tags": pop.tags,
        "tags_known": pop.tags_known,
    }
    for key, c in pop.category.items():
        out[f"category:{key}"] = c.codes
        out[f"labels:{key}"] = _pack_text(c.labels)
        out[f"nlabels:{key}"] = np.array([len(c.labels)], dtype=np.int64)
    out.update({f"date:{k}": v for k, v in pop.date.items()})
    out.update({f"flag:{k}": v for k, v in pop.flag.items()})
    for (name, offset), (values, present) in pop.indicator.items():
        out[f"indicator:{name}:{offset}"] = values
        out[f"present:{name}:{offset}"] = present
    return out


def population_from_arrays(arrays: Any) -> Population:
    """The population stored by :func:`population_to_arrays` (any mapping of name -> array, such
    as an opened ``.npz``). Raises ``ValueError`` (or ``KeyError``) when the arrays are
    inconsistent, so a damaged file is refused rather than half-read."""
    year, n = (int(v) for v in arrays["year"])
    names = list(arrays.keys()) if hasattr(arrays, "keys") else list(arrays)
    category = {}
    date, flag, indicator = {}, {}, {}
    for key in names:
        kind, _, rest = key.partition(":")
        if kind == "category":
            labels = tuple(_unpack_text(arrays[f"labels:{rest}"], int(arrays[f"nlabels:{rest}"][0])))
            category[rest] = CategoryColumn(np.asarray(arrays[key], dtype=np.int32), labels)
        elif kind == "date":
            date[rest] = np.asarray(arrays[key], dtype=np.int64)
        elif kind == "flag":
            flag[rest] = np.asarray(arrays[key], dtype=np.int8)
        elif kind == "indicator":
            name, offset = rest.rsplit(":", 1)
            indicator[(name, int(offset))] = (np.asarray(arrays[key], dtype=np.int64),
                                              np.asarray(arrays[f"present:{rest}"], dtype=bool))
    pop = Population(
        year=year,
        credit_code=np.array(_unpack_text(arrays["credit_code"], n), dtype=object).reshape(n),
        name=np.array(_unpack_text(arrays["name"], n), dtype=object).reshape(n),
        category=category, date=date, flag=flag,
        tags=np.asarray(arrays["tags"], dtype=np.uint32),
        tags_known=np.asarray(arrays["tags_known"], dtype=bool),
        indicator=indicator,
    )
    lengths = {a.shape for a in (pop.name, pop.tags, pop.tags_known, *(c.codes for c in category.values()),
                                 *date.values(), *flag.values(), *(x for pair in indicator.values() for x in pair))}
    if lengths != {(n,)}:
        raise ValueError(f"arrays of lengths {sorted(lengths)} for {n} enterprises")
    for key, c in category.items():
        if c.codes.size and (c.codes.min() < -1 or c.codes.max() >= len(c.labels)):
            raise ValueError(f"{key}: codes outside the labels")
    return pop


def population_differences(a: Population, b: Population) -> list[str]:
    """The names of the columns in which ``a`` and ``b`` differ (empty when equal), for tests and
    the bench's warm == cold check."""
    out = []

    def same(x: np.ndarray, y: np.ndarray) -> bool:
        return x.shape == y.shape and x.dtype == y.dtype and bool(np.array_equal(x, y))

    if a.year != b.year:
        out.append("year")
    for key in ("credit_code", "name", "tags", "tags_known"):
        if not same(getattr(a, key), getattr(b, key)):
            out.append(key)
    for group in ("date", "flag"):
        da, db = getattr(a, group), getattr(b, group)
        out += [f"{group}.{k}" for k in sorted(set(da) | set(db)) if k not in da or k not in db or not same(da[k], db[k])]
    for k in sorted(set(a.category) | set(b.category)):
        ca, cb = a.category.get(k), b.category.get(k)
        if ca is None or cb is None or ca.labels != cb.labels or not same(ca.codes, cb.codes):
            out.append(f"category.{k}")
    for k in sorted(set(a.indicator) | set(b.indicator)):
        ia, ib = a.indicator.get(k), b.indicator.get(k)
        if ia is None or ib is None or not (same(ia[0], ib[0]) and same(ia[1], ib[1])):
            out.append(f"indicator.{k[0]}.{k[1]}")
    return out
