"""The engine's columnar input: one :class:`Population` of enterprises for one policy year.

Two ways in, one conversion. :func:`population_from_columns` builds the arrays from columns
(one sequence per attribute; indicator rows, qualification rows, item rows and payment rows by
position), which is what a database fetch naturally yields: ``innolink/policies/fetch.py`` feeds
it without building a dict per enterprise. :func:`population_from_records` takes per-enterprise
dicts (tests, the synthetic bench, one enterprise's explanation), turns them into those columns
and calls the same function. A record is a plain dict::

    {
        "credit_code": "91350582MA2XXXXX1X",       # str, required
        "name": "晋江某某鞋业有限公司",              # str
        "town": "青阳",                              # one of fields.TOWNS, or None
        "industry_code": "C1951",                   # GB/T 4754-2017 code, or None
        "ownership": "private",                     # fields.OWNERSHIPS, or None
        "founded_on": datetime.date(2010, 5, 1),    # or None
        "size_class": "small",                      # fields.SIZE_CLASSES, or None
        "qualifications": [                         # certifications (资质), any number per type;
            {"type": "specialized", "level": "provincial",      # None = unknown
             "certified_on": datetime.date(2022, 8, 1), "expires_on": None, "first": True,
             "number": "闽工信〔2022〕12号"},
        ],
        "tags": ["high_tech", "above_scale"],       # the former tags: types held, without dates
        "high_tech_cert_date": datetime.date(2024, 11, 20),  # former: the high_tech row's date
        "high_tech_first_cert": True,               # former: the high_tech row's first flag
        "indicators": {                             # year -> indicator -> value, any years
            2024: {"rd_expense": Decimal("5500000.00"), "employees": 120, ...},
            2023: {"rd_expense": Decimal("2000000.00"), ...},
        },
        "items": {"equipment": [                    # repeated items by kind
            {"key": "E1", "label": "五轴加工中心", "year": 2024, "amount": Decimal("3200000")}]},
        "payments": [                               # what the ledger awarded (net), by family
            {"policy": "p10", "family": "specialized_award", "year": 2023, "amount": Decimal("200000")}],
    }

Indicator values may be ``Decimal``, ``int`` or a decimal string such as ``"5500000.00"`` (the
registry's ``EnterpriseYear.values`` JSON holds strings); money is yuan, rounded ROUND_HALF_UP to
the fen, counts must be whole, quantities are kept to thousandths, ratios to millionths (a plain
fraction: ``"0.035"`` is 3.5%); bools are ``True``/``False`` (or ``"true"``/``"false"``, 1/0), dates
``datetime.date`` or ISO text, levels the level's name or code. A float is refused. A key that is
absent or ``None`` is *missing*: conditions over it are unknown (缺少数据), never zero.
``qualifications`` absent together with ``tags`` means the enterprise's qualifications are
unknown; an empty list means it holds none.

History: the population holds the policy year, the year before, and any earlier year given;
``history_from`` is the first year *on record* (the registry's first year of data, the same for a
whole scan; default: the earliest year given), which "首次" conditions look back to.
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
    "RowTable",
    "population_from_columns",
    "population_from_records",
    "concat_populations",
    "population_to_arrays",
    "population_from_arrays",
    "population_differences",
    "MISSING_DAY",
    "day_number",
    "QUALIFICATIONS",
    "PAYMENTS",
    "item_table",
]

MISSING_DAY = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1).toordinal()
#: offsets always held for every indicator (the policy year and the year before)
OFFSETS = (0, -1)
#: names of the row tables
QUALIFICATIONS = "qualifications"
PAYMENTS = "payments"


def item_table(kind: str) -> str:
    return f"items:{kind}"


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01, the internal date representation.

    Examples:
        >>> day_number(dt.date(1970, 1, 2))
        1
    """
    return day.toordinal() - _EPOCH


def from_day_number(day: int) -> dt.date:
    return dt.date.fromordinal(int(day) + _EPOCH)


@dataclass(frozen=True)
class CategoryColumn:
    """A categorical column: ``codes[i]`` indexes ``labels``; -1 means missing."""

    codes: np.ndarray  # int32 (n,)
    labels: tuple[str, ...]


@dataclass(frozen=True)
class RowTable:
    """Rows that belong to enterprises (certifications, items, payments), sorted by ``owner``
    (the enterprise's position), then by a canonical key, so equal data give equal arrays.

    ``num`` holds int64 columns (internal units), ``present`` their masks (same keys), ``cat``
    categorical columns (``open`` names those whose labels are the values used, sorted) and
    ``text`` object columns of str."""

    owner: np.ndarray
    num: dict[str, np.ndarray] = field(default_factory=dict)
    present: dict[str, np.ndarray] = field(default_factory=dict)
    cat: dict[str, CategoryColumn] = field(default_factory=dict)
    text: dict[str, np.ndarray] = field(default_factory=dict)
    open: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return int(self.owner.shape[0])

    def select(self, rows: np.ndarray, owner: np.ndarray) -> "RowTable":
        """The given rows with new owners (both aligned), unchanged vocabularies."""
        return RowTable(owner=owner, num={k: v[rows] for k, v in self.num.items()},
                        present={k: v[rows] for k, v in self.present.items()},
                        cat={k: CategoryColumn(c.codes[rows], c.labels) for k, c in self.cat.items()},
                        text={k: v[rows] for k, v in self.text.items()}, open=self.open)

    def segments(self, n: int) -> np.ndarray:
        """``starts`` with ``starts[i]:starts[i+1]`` the rows of enterprise ``i`` (length n+1)."""
        return np.searchsorted(self.owner, np.arange(n + 1), side="left")


def _empty_table(num=(), present=(), cat=None, text=(), open_=()) -> RowTable:
    e = np.empty(0, np.int64)
    return RowTable(owner=e, num={k: e for k in num}, present={k: np.empty(0, bool) for k in present},
                    cat={k: CategoryColumn(np.empty(0, np.int32), labels) for k, labels in (cat or {}).items()},
                    text={k: np.empty(0, object) for k in text}, open=tuple(open_))


@dataclass(frozen=True)
class Population:
    """Columnar enterprises for one policy ``year``. All per-enterprise arrays have length ``size``.

    Attributes:
        year: the policy year; indicators at offset 0 are this year's, at -1 the year before.
        credit_code, name: object arrays of str.
        category: ``town``, ``ownership``, ``size_class``, ``industry_code`` as
            :class:`CategoryColumn` (industry codes are factorised to their distinct values).
        date: ``founded_on`` as int64 days since 1970-01-01, :data:`MISSING_DAY` when missing.
        tags_known: False where the enterprise's qualifications are unknown.
        indicator: ``(name, offset) -> (values, present)``: int64 values in internal units and a
            bool mask of present values. Offsets 0 and -1 are there for every indicator; earlier
            offsets only where some value is present (absent = missing everywhere).
        history_from: the first year on record (for "首次" conditions).
        tables: row tables: ``qualifications`` (type, level, certified, expires, first),
            ``items:<kind>`` (key, label, year and the facts), ``payments`` (family, policy, year,
            amount in fen, net per family, policy and year).
    """

    year: int
    credit_code: np.ndarray
    name: np.ndarray
    category: dict[str, CategoryColumn]
    date: dict[str, np.ndarray]
    tags_known: np.ndarray
    indicator: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    history_from: int = 0
    tables: dict[str, RowTable] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.credit_code.shape[0])

    def table(self, name: str) -> RowTable | None:
        return self.tables.get(name)

    def take(self, index: np.ndarray | Sequence[int]) -> "Population":
        """A sub-population of the given rows (distinct positions, any order), e.g. for
        explanations and samples."""
        idx = np.asarray(index, dtype=np.int64).reshape(-1)
        inverse = np.full(self.size + 1, -1, dtype=np.int64)
        inverse[idx] = np.arange(idx.size)
        if np.count_nonzero(inverse >= 0) != idx.size:
            raise ValueError("take needs distinct positions")
        tables = {}
        for key, t in self.tables.items():
            new_owner = inverse[t.owner]
            rows = np.flatnonzero(new_owner >= 0)
            rows = rows[np.argsort(new_owner[rows], kind="stable")]
            tables[key] = _compact_table(t.select(rows, new_owner[rows]))
        return Population(
            year=self.year,
            credit_code=self.credit_code[idx],
            name=self.name[idx],
            category={k: CategoryColumn(c.codes[idx], c.labels) for k, c in self.category.items()},
            date={k: v[idx] for k, v in self.date.items()},
            tags_known=self.tags_known[idx],
            indicator=_canonical_indicators({k: (v[idx], p[idx]) for k, (v, p) in self.indicator.items()}),
            history_from=self.history_from,
            tables=tables,
        )

    def with_rows(self, positions: np.ndarray | Sequence[int], other: "Population") -> "Population":
        """This population with rows ``positions`` replaced by the rows of ``other`` (row ``k`` of
        ``other`` goes to ``positions[k]``), equal to a fresh conversion of the resulting rows.

        Neither population is modified: a column whose values at ``positions`` already equal
        ``other``'s is shared with ``self``, any other column is copied once and written. Fixed
        vocabularies must agree; open vocabularies (industry codes, payment families) are merged
        and reduced to the used labels, sorted. Raises ``ValueError`` for another year, a length
        mismatch, positions out of range or repeated, or different columns.

        Examples:
            >>> pop = population_from_columns(2024, credit_code=["A", "B", "C"], industry_code=["C1", "C2", "C3"])
            >>> new = pop.with_rows([1], population_from_columns(2024, credit_code=["B"], industry_code=["C9"]))
            >>> new.category["industry_code"].labels, new.category["industry_code"].codes.tolist()
            (('C1', 'C3', 'C9'), [0, 2, 1])
            >>> pop.category["industry_code"].labels, new.credit_code is pop.credit_code
            (('C1', 'C2', 'C3'), True)
        """
        at = np.asarray(positions, dtype=np.int64).reshape(-1)
        if other.year != self.year or other.history_from != self.history_from:
            raise ValueError("populations of different years")
        if at.size != other.size:
            raise ValueError(f"{at.size} positions for {other.size} rows")
        if at.size and (at.min() < 0 or at.max() >= self.size or np.unique(at).size != at.size):
            raise ValueError("positions out of range or repeated")
        if set(self.category) != set(other.category) or set(self.date) != set(other.date):
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
        indicator = {}
        for key in set(self.indicator) | set(other.indicator):
            mine = self.indicator.get(key) or _missing_column(self.size)
            theirs = other.indicator.get(key) or _missing_column(other.size)
            indicator[key] = (put(mine[0], theirs[0]), put(mine[1], theirs[1]))
        tables = {}
        for key in set(self.tables) | set(other.tables):
            mine_t, theirs_t = self.tables.get(key), other.tables.get(key)
            if mine_t is None or theirs_t is None:
                raise ValueError(f"populations with different tables ({key})")
            tables[key] = _replace_rows(mine_t, at, theirs_t, self.size)
        return Population(
            year=self.year,
            credit_code=put(self.credit_code, other.credit_code),
            name=put(self.name, other.name),
            category=category,
            date={k: put(v, other.date[k]) for k, v in self.date.items()},
            tags_known=put(self.tags_known, other.tags_known),
            indicator=_canonical_indicators(indicator),
            history_from=self.history_from,
            tables=tables,
        )


def _missing_column(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)


def _canonical_indicators(indicator: dict) -> dict:
    """Offsets 0 and -1 always; earlier offsets only where some value is present."""
    return {k: v for k, v in indicator.items() if k[1] in OFFSETS or bool(v[1].any())}


def _merge_cats(columns: Sequence[CategoryColumn]) -> tuple[list[np.ndarray], list[str]]:
    """The codes of each column in the sorted union of their labels."""
    union = sorted(set().union(*(c.labels for c in columns)))
    index = {label: i for i, label in enumerate(union)}
    codes = []
    for c in columns:
        lookup = np.array([index[label] for label in c.labels] + [-1], dtype=np.int32)
        codes.append(lookup[c.codes])  # -1 picks the trailing -1
    return codes, union


def _compact_table(t: RowTable) -> RowTable:
    """Open vocabularies reduced to the labels used (as a fresh conversion)."""
    if not t.open:
        return t
    cat = dict(t.cat)
    for key in t.open:
        cat[key] = _compact(t.cat[key].codes, t.cat[key].labels)
    return RowTable(t.owner, t.num, t.present, cat, t.text, t.open)


def _concat_tables(parts: Sequence[RowTable], owners: Sequence[np.ndarray]) -> RowTable:
    """Rows of several tables (with their new owners), sorted by owner (stable)."""
    first = parts[0]
    owner = np.concatenate(owners) if owners else np.empty(0, np.int64)
    order = np.argsort(owner, kind="stable")
    cat = {}
    for key in first.cat:
        columns = [p.cat[key] for p in parts]
        if key in first.open:
            codes, union = _merge_cats(columns)
            cat[key] = _compact(np.concatenate(codes)[order] if codes else np.empty(0, np.int32), union)
        else:
            if any(c.labels != columns[0].labels for c in columns):
                raise ValueError(f"{key}: different label lists")
            cat[key] = CategoryColumn(np.concatenate([c.codes for c in columns])[order], columns[0].labels)
    return RowTable(
        owner=owner[order].astype(np.int64),
        num={k: np.concatenate([p.num[k] for p in parts])[order] for k in first.num},
        present={k: np.concatenate([p.present[k] for p in parts])[order] for k in first.present},
        cat=cat,
        text={k: np.concatenate([p.text[k] for p in parts])[order] for k in first.text},
        open=first.open,
    )


def _replace_rows(mine: RowTable, at: np.ndarray, theirs: RowTable, n: int) -> RowTable:
    """``mine`` with the rows of enterprises ``at`` replaced by ``theirs`` (owner k -> at[k])."""
    if set(mine.num) != set(theirs.num) or set(mine.cat) != set(theirs.cat) or set(mine.text) != set(theirs.text):
        raise ValueError("row tables with different columns")
    replaced = np.zeros(n + 1, dtype=bool)
    replaced[at] = True
    keep = np.flatnonzero(~replaced[mine.owner])
    if keep.size == mine.size and theirs.size == 0:
        return mine
    if mine.size - keep.size == theirs.size:  # the same rows again: share the table
        gone = np.flatnonzero(replaced[mine.owner])
        order = np.argsort(at[theirs.owner], kind="stable")
        if (np.array_equal(mine.owner[gone], at[theirs.owner][order])
                and all(np.array_equal(v[gone], theirs.num[k][order]) for k, v in mine.num.items())
                and all(np.array_equal(v[gone], theirs.present[k][order]) for k, v in mine.present.items())
                and all(np.array_equal(v[gone], theirs.text[k][order]) for k, v in mine.text.items())
                and all(np.array_equal(np.array(c.labels, dtype=object)[c.codes[gone]] if len(c.labels) else c.codes[gone],
                                       np.array(theirs.cat[k].labels, dtype=object)[theirs.cat[k].codes[order]]
                                       if len(theirs.cat[k].labels) else theirs.cat[k].codes[order])
                        for k, c in mine.cat.items())):
            return mine
    kept = mine.select(keep, mine.owner[keep])
    return _concat_tables([kept, theirs], [kept.owner, at[theirs.owner]])
_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")
_NONE = type(None)
_is_not_none = partial(is_not, None)
#: Decimal text the fast path converts without Decimal: optional minus, at most 15 digits before
#: the point (int64 holds them in thousandths), at most ``places`` after it. Anything else (an
#: exponent, more places, spaces, underscores) goes through Decimal as before. The patterns match
#: a whole column joined by newlines, so one regex scan checks every value.
_WHOLE_LINES = re.compile(r"(?:-?\d{1,18}\n)*")
_EXACT_LINES = {p: re.compile(rf"(?:-?\d{{1,{18 - p}}}\.\d{{{p}}}\n)*") for p in (2, 3, 6)}
_PLACES_LINES = {p: re.compile(rf"(?:-?\d{{1,{18 - p}}}(?:\.\d{{1,{p}}})?\n)*") for p in (2, 3, 6)}
_PLACES = {1: 0, 100: 2, 1000: 3, 1_000_000: 6}


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
    places = _PLACES[unit]
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
            step = Decimal(1).scaleb(-places)
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
DATES = ("founded_on",)
_TRUE = {True: 1, False: 0, "true": 1, "false": 0, "1": 1, "0": 0, "是": 1, "否": 0, None: -1}


def _category(values: Sequence[Any], labels: tuple[str, ...] | None, name: str,
              where=None) -> CategoryColumn:
    if labels is None:  # open vocabulary (industry codes): factorise
        labels = tuple(sorted({v for v in values if v is not None}))
    lookup: dict[Any, int] = {label: i for i, label in enumerate(labels)}
    lookup[None] = -1
    codes = np.fromiter(map(lookup.get, values, repeat(-2)), dtype=np.int64, count=len(values))
    bad = np.flatnonzero(codes == -2)
    if bad.size:
        i = int(bad[0])
        at = where(i) if where else f"record[{i}].{name}"
        raise RulesError(ErrorCode.BAD_RECORD, f"{name} 取值无效 {values[i]!r} / invalid {name}", at)
    return CategoryColumn(codes.astype(np.int32), labels)


def _as_date(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return v
    if isinstance(v, dt.datetime):
        return v
    return v


def _dates(col: Sequence[Any], key: str, where=None) -> np.ndarray:
    if isinstance(col, np.ndarray) and col.dtype.kind == "M":
        return col.astype("datetime64[D]").astype(np.int64)  # NaT is MISSING_DAY
    if not set(map(type, col)) <= {dt.date, _NONE}:
        col = list(map(_as_date, col))
        if not set(map(type, col)) <= {dt.date, _NONE}:
            i = _first_bad(col, (dt.date, _NONE))
            at = where(i) if where else f"record[{i}].{key}"
            raise RulesError(ErrorCode.BAD_RECORD, f"{key} 应为日期 / {key} must be a date", at)
    return np.array(col, dtype="datetime64[D]").reshape(len(col)).astype(np.int64)


def convert_values(values: Sequence[Any], spec: F.FieldSpec, where: str,
                   positions: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One column of values of a catalogue kind (indicator or item fact) to (int64, present)."""
    def at(i: int) -> str:
        return f"record[{i if positions is None else int(positions[i])}].{where}"

    if spec.kind in SCALE_OF:
        return _convert_column(values, spec.kind, where, positions)
    n = len(values)
    if spec.kind == "bool":
        codes = np.fromiter((_TRUE.get(v if not isinstance(v, str) else v.strip().lower(), -2)
                             if isinstance(v, (bool, int, str, _NONE)) else -2 for v in values),
                            dtype=np.int64, count=n)
        if (codes == -2).any():
            i = int(np.flatnonzero(codes == -2)[0])
            raise RulesError(ErrorCode.BAD_RECORD, f"应为是/否,实际为 {values[i]!r} / expected yes or no", at(i))
        return np.maximum(codes, 0), codes >= 0
    if spec.kind == "date":
        days = _dates(values, spec.name, at)
        return np.where(days == MISSING_DAY, 0, days), days != MISSING_DAY
    if spec.kind == "level":
        column = _category(values, spec.choices, spec.name, at)
        codes = column.codes.astype(np.int64)
        return np.maximum(codes, 0), codes >= 0
    raise ValueError(spec.kind)


def _check_length(values: Sequence[Any] | None, n: int, key: str) -> None:
    if values is not None and len(values) != n:
        raise RulesError(ErrorCode.BAD_RECORD, f"{key} 的长度应为 {n} / {key} has the wrong length", key)


def _sorted_rows(owner: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """Row order: by owner, then by ``keys`` (first key most significant), stable."""
    return np.lexsort(tuple(reversed(keys)) + (owner,)) if keys else np.argsort(owner, kind="stable")


def _qualification_rows(n: int, rows: tuple[Sequence[int], dict[str, Sequence[Any]]] | None) -> RowTable:
    labels = tuple(sorted(F.QUALIFICATIONS))
    if rows is None:
        return _empty_table(("level", "certified", "expires", "first"), ("certified", "expires"),
                            {"type": labels})
    positions, columns = rows
    owner = np.asarray(positions, dtype=np.int64).reshape(-1)
    m = owner.size
    if m and (owner.min() < 0 or owner.max() >= n):
        raise RulesError(ErrorCode.BAD_RECORD, "资质行的企业位置无效 / bad owner", "qualifications")

    def col(key):
        values = columns.get(key)
        _check_length(values, m, f"qualifications.{key}")
        return values if values is not None else [None] * m

    def where(key):
        return lambda k: f"record[{int(owner[k])}].qualifications[{key}]"

    types, levels = list(col("type")), list(col("level"))
    index = {code: i for i, code in enumerate(labels)}
    type_codes = np.empty(m, dtype=np.int32)
    level_codes = np.zeros(m, dtype=np.int64)
    for k in range(m):
        code, level = types[k], levels[k]
        if code in F.LEGACY_TAGS:
            code, legacy_level = F.LEGACY_TAGS[code]
            level = level if level is not None else legacy_level
        spec = F.QUALIFICATIONS.get(code) if isinstance(code, str) else None
        if spec is None:
            raise RulesError(ErrorCode.BAD_RECORD, f"未知资质类型 {types[k]!r} / unknown qualification type",
                             where("type")(k))
        type_codes[k] = index[code]
        if spec.levels:
            found = spec.level_index(level) if isinstance(level, str) else None
            if found is None:
                raise RulesError(ErrorCode.BAD_RECORD,
                                 f"{spec.label}的等级应为 {'、'.join(lv.name for lv in spec.levels)},实际为 {level!r}"
                                 f" / unknown level", where("level")(k))
            level_codes[k] = found
        elif level not in (None, "", spec.label, spec.code):
            raise RulesError(ErrorCode.BAD_RECORD, f"{spec.label}不分等级,实际为 {level!r} / this type has no levels",
                             where("level")(k))
    certified = _dates(col("certified_on"), "certified_on", where("certified_on"))
    expires = _dates(col("expires_on"), "expires_on", where("expires_on"))
    first_values = col("first")
    first = np.fromiter((_TRUE.get(v, -2) if isinstance(v, (bool, int, str, _NONE)) else -2 for v in first_values),
                        dtype=np.int64, count=m)
    if (first == -2).any():
        k = int(np.flatnonzero(first == -2)[0])
        raise RulesError(ErrorCode.BAD_RECORD, "首次认定应为是/否 / first must be yes or no", where("first")(k))
    order = _sorted_rows(owner, [type_codes, level_codes, certified, expires, first])
    return RowTable(
        owner=owner[order],
        num={"level": level_codes[order], "certified": np.where(certified == MISSING_DAY, 0, certified)[order],
             "expires": np.where(expires == MISSING_DAY, 0, expires)[order], "first": first[order]},
        present={"certified": (certified != MISSING_DAY)[order], "expires": (expires != MISSING_DAY)[order]},
        cat={"type": CategoryColumn(type_codes[order], labels)},
    )


def _item_rows(n: int, kind: str, rows: tuple[Sequence[int], dict[str, Sequence[Any]]] | None) -> RowTable:
    spec = F.ITEMS.get(kind)
    if spec is None:
        raise RulesError(ErrorCode.BAD_RECORD, f"未知事项类别 {kind!r} / unknown item kind", f"items.{kind}")
    numeric = [f for f in spec.facts.values() if f.kind in F.COLUMN_KINDS]
    cats = [f for f in spec.facts.values() if f.kind == "category"]
    texts = [f for f in spec.facts.values() if f.kind == "text"]
    if rows is None:
        return _empty_table(["year", *(f.name for f in numeric)], [f.name for f in numeric],
                            {f.name: f.choices for f in cats}, ["key", "label", *(f.name for f in texts)])
    positions, columns = rows
    owner = np.asarray(positions, dtype=np.int64).reshape(-1)
    m = owner.size
    unknown = set(columns) - set(spec.facts) - {"key", "label", "year"}
    if unknown:
        name = sorted(unknown)[0]
        k = next((k for k, v in enumerate(columns[name]) if v is not None), 0)
        raise RulesError(ErrorCode.BAD_RECORD, f"{spec.label}没有数据项 {name!r} / unknown item fact",
                         f"record[{int(owner[k]) if m else 0}].items.{kind}[{name}]")

    def col(key):
        values = columns.get(key)
        _check_length(values, m, f"items.{kind}.{key}")
        return list(values) if values is not None else [None] * m

    keys, labels_, years = col("key"), col("label"), col("year")
    for k in range(m):
        if not isinstance(keys[k], str) or not keys[k]:
            raise RulesError(ErrorCode.BAD_RECORD, "事项缺少编号(key) / an item needs a key",
                             f"record[{int(owner[k])}].items.{kind}[key]")
        if not isinstance(years[k], int) or isinstance(years[k], bool):
            raise RulesError(ErrorCode.BAD_RECORD, "事项缺少年度(year) / an item needs a year",
                             f"record[{int(owner[k])}].items.{kind}[{keys[k]}].year")
    year_arr = np.array(years, dtype=np.int64).reshape(m)
    key_arr = np.array(keys, dtype=object).reshape(m)
    pairs = set(zip(owner.tolist(), keys))
    if len(pairs) != m:
        seen: set = set()
        for k, pair in enumerate(zip(owner.tolist(), keys)):
            if pair in seen:
                raise RulesError(ErrorCode.BAD_RECORD, f"事项编号重复 {keys[k]!r} / repeated item key",
                                 f"record[{int(owner[k])}].items.{kind}[{keys[k]}]")
            seen.add(pair)
    num, present = {"year": year_arr}, {}
    for f in numeric:
        v, p = convert_values(col(f.name), f, f"items.{kind}.{f.name}", owner)
        num[f.name], present[f.name] = v, p
    cat = {f.name: _category(col(f.name), f.choices, f.name,
                             lambda k, f=f: f"record[{int(owner[k])}].items.{kind}.{f.name}") for f in cats}
    text = {"key": key_arr, "label": np.array([v or "" for v in labels_], dtype=object).reshape(m)}
    for f in texts:
        text[f.name] = np.array([v or "" for v in col(f.name)], dtype=object).reshape(m)
    order = np.lexsort((key_arr.astype(str), year_arr, owner)) if m else np.empty(0, np.int64)
    for f in numeric:
        present.setdefault(f.name, np.ones(m, bool))
    return RowTable(
        owner=owner[order],
        num={k: v[order] for k, v in num.items()},
        present={k: v[order] for k, v in present.items()},
        cat={k: CategoryColumn(c.codes[order], c.labels) for k, c in cat.items()},
        text={k: v[order] for k, v in text.items()},
    )


def _payment_rows(n: int, rows: tuple[Sequence[int], dict[str, Sequence[Any]]] | None) -> RowTable:
    if rows is None:
        return _empty_table(("year", "amount"), (), {"family": (), "policy": ()}, (), ("family", "policy"))
    positions, columns = rows
    owner = np.asarray(positions, dtype=np.int64).reshape(-1)
    m = owner.size
    family = list(columns.get("family") or [None] * m)
    policy = list(columns.get("policy") or [None] * m)
    years = list(columns.get("year") or [None] * m)
    for key, values in (("family", family), ("policy", policy), ("year", years)):
        _check_length(values, m, f"payments.{key}")
    for k in range(m):
        if not (isinstance(family[k], str) and family[k] and isinstance(policy[k], str) and policy[k]
                and isinstance(years[k], int) and not isinstance(years[k], bool)):
            raise RulesError(ErrorCode.BAD_RECORD, "兑付记录须有政策、条款族和年度 / a payment needs policy, family and year",
                             f"record[{int(owner[k])}].payments[{k}]")
    amounts = columns.get("amount") or [None] * m
    _check_length(amounts, m, "payments.amount")
    fen, present = _convert_column(list(amounts), "money", "payments.amount", owner)
    if not present.all():
        k = int(np.flatnonzero(~present)[0])
        raise RulesError(ErrorCode.BAD_RECORD, "兑付记录缺少金额 / a payment needs an amount",
                         f"record[{int(owner[k])}].payments[{k}].amount")
    totals: dict[tuple, int] = {}
    for key, amount in zip(zip(owner.tolist(), family, policy, years), fen.tolist()):
        totals[key] = totals.get(key, 0) + amount
    kept = sorted(k for k, v in totals.items() if v != 0)
    fam_labels = tuple(sorted({k[1] for k in kept}))
    pol_labels = tuple(sorted({k[2] for k in kept}))
    fi = {v: i for i, v in enumerate(fam_labels)}
    pi = {v: i for i, v in enumerate(pol_labels)}
    return RowTable(
        owner=np.array([k[0] for k in kept], dtype=np.int64),
        num={"year": np.array([k[3] for k in kept], dtype=np.int64),
             "amount": np.array([totals[k] for k in kept], dtype=np.int64)},
        cat={"family": CategoryColumn(np.array([fi[k[1]] for k in kept], dtype=np.int32), fam_labels),
             "policy": CategoryColumn(np.array([pi[k[2]] for k in kept], dtype=np.int32), pol_labels)},
        open=("family", "policy"),
    )


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
    qualifications: tuple[Sequence[int], dict[str, Sequence[Any]]] | None = None,
    indicators: dict[int, tuple[Sequence[int], dict[str, Sequence[Any]]]] | None = None,
    items: dict[str, tuple[Sequence[int], dict[str, Sequence[Any]]]] | None = None,
    payments: tuple[Sequence[int], dict[str, Sequence[Any]]] | None = None,
    history_from: int | None = None,
) -> Population:
    """Build a :class:`Population` from columns: the one conversion.

    Every attribute is a sequence with one entry per enterprise (``None`` = missing; an omitted
    attribute is missing everywhere). Dates may also be ``datetime64`` arrays (NaT = missing).
    Row inputs are (positions, {column: values per row}): enterprise ``positions[k]`` owns row
    ``k``. ``qualifications`` columns: type, level, certified_on, expires_on, first. ``tags``
    (the former tags, as (positions, names)) add rows without dates; ``high_tech_cert_date`` and
    ``high_tech_first_cert`` set the date and flag of the high_tech row (adding one when there is
    none). ``tags_known`` (default: all known) marks whose qualifications are known.
    ``indicators`` maps a year to that year's rows (at most one per enterprise and year).
    ``items`` maps an item kind to its rows (key, label, year and the kind's facts).
    ``payments`` rows: policy, family, year, amount (yuan; summed per family, policy and year).
    Values follow the module docstring; errors name ``record[position]``.

    Examples:
        >>> pop = population_from_columns(2024, credit_code=["A", "B"], town=["青阳", None],
        ...     tags=([1], ["high_tech"]), indicators={2024: ([1], {"rd_expense": ["3500000.50"]})})
        >>> pop.category["town"].codes.tolist(), pop.tables["qualifications"].owner.tolist()
        ([0, -1], [1])
        >>> pop.indicator[("rd_expense", 0)][0].tolist()
        [0, 350000050]
    """
    n = len(credit_code)
    if not (set(map(type, credit_code)) <= {str} and all(credit_code)):
        i = next(i for i, c in enumerate(credit_code) if not (isinstance(c, str) and c))
        raise RulesError(ErrorCode.BAD_RECORD, "缺少统一社会信用代码 / missing credit_code", f"record[{i}].credit_code")
    missing = [None] * n

    def column(values: Sequence[Any] | None, key: str) -> Sequence[Any]:
        if values is None:
            return missing
        _check_length(values, n, key)
        return values

    credit = np.array(credit_code, dtype=object).reshape(n)
    names = np.array([v or "" for v in column(name, "name")], dtype=object).reshape(n)
    given = {"town": town, "ownership": ownership, "size_class": size_class, "industry_code": industry_code}
    category = {
        key: _category(column(given[key], key), None if key in OPEN_VOCABULARY else F.ATTRIBUTES[key].choices, key)
        for key in CATEGORIES
    }
    dates = {"founded_on": _dates(column(founded_on, "founded_on"), "founded_on")}

    # qualifications: the rows, plus the former tags and high-tech fields as rows
    q_pos = list(qualifications[0]) if qualifications else []
    q_cols = {k: list(v) for k, v in (qualifications[1] if qualifications else {}).items()}
    q_len = len(q_pos)
    for key in ("type", "level", "certified_on", "expires_on", "first"):
        q_cols.setdefault(key, [None] * q_len)
    tag_positions = np.asarray(tags[0], dtype=np.int64).reshape(-1)
    for k, (pos, tag) in enumerate(zip(tag_positions.tolist(), tags[1])):
        if not isinstance(tag, str) or (tag not in F.QUALIFICATIONS and tag not in F.LEGACY_TAGS):
            raise RulesError(ErrorCode.BAD_RECORD, f"未知标签 {tag!r} / unknown tag", f"record[{pos}].tags")
        code, level = F.LEGACY_TAGS.get(tag, (tag, None))
        q_pos.append(pos)
        for key, value in (("type", code), ("level", level), ("certified_on", None), ("expires_on", None),
                           ("first", None)):
            q_cols[key].append(value)
    cert = column(high_tech_cert_date, "high_tech_cert_date")
    first_flag = column(high_tech_first_cert, "high_tech_first_cert")
    if high_tech_cert_date is not None or high_tech_first_cert is not None:
        cert = list(cert) if not isinstance(cert, np.ndarray) else [
            None if d == MISSING_DAY else from_day_number(d) for d in _dates(cert, "high_tech_cert_date")]
        rows_of = {}
        for k, (pos, code) in enumerate(zip(q_pos, q_cols["type"])):
            if code == "high_tech":
                rows_of.setdefault(pos, k)
        for i in range(n):
            if cert[i] is None and first_flag[i] is None:
                continue
            if not isinstance(first_flag[i], (bool, int, _NONE)) or isinstance(first_flag[i], float):
                raise RulesError(ErrorCode.BAD_RECORD, "high_tech_first_cert 应为是/否 / must be a bool",
                                 f"record[{i}].high_tech_first_cert")
            k = rows_of.get(i)
            if k is None:
                k = len(q_pos)
                q_pos.append(i)
                for key in q_cols:
                    q_cols[key].append("high_tech" if key == "type" else None)
            if cert[i] is not None:
                q_cols["certified_on"][k] = cert[i]
            if first_flag[i] is not None:
                q_cols["first"][k] = first_flag[i]
    known = np.ones(n, dtype=bool) if tags_known is None else np.asarray(tags_known, dtype=bool).reshape(n)
    tables = {QUALIFICATIONS: _qualification_rows(n, (q_pos, q_cols))}

    indicator: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    given_years = sorted((indicators or {}).keys())
    for y in sorted(set(given_years) | {year + o for o in OFFSETS}):
        offset = y - year
        if offset > 0:
            continue
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
        names_here = F.INDICATORS.values() if offset in OFFSETS else [F.INDICATORS[k] for k in per_indicator]
        for spec in names_here:
            values = np.zeros(n, dtype=np.int64)
            present = np.zeros(n, dtype=bool)
            rows = per_indicator.get(spec.name)
            if rows is not None and positions.size:
                v, p = convert_values(rows, spec, f"indicators.{y}.{spec.name}", positions)
                values[positions] = v
                present[positions] = p
            indicator[(spec.name, offset)] = (values, present)
    for kind, rows in sorted((items or {}).items()):
        tables[item_table(kind)] = _item_rows(n, kind, rows)
    tables[PAYMENTS] = _payment_rows(n, payments)
    earliest = min([y for y in given_years if y <= year] or [year - 1])
    return Population(
        year=year,
        credit_code=credit,
        name=names,
        category=category,
        date=dates,
        tags_known=known,
        indicator=_canonical_indicators(indicator),
        history_from=history_from if history_from is not None else earliest,
        tables=tables,
    )


def records_to_columns(records: Sequence[dict[str, Any]], year: int) -> dict[str, Any]:
    """The keyword arguments of :func:`population_from_columns` for per-enterprise records."""
    codes = [r.get("credit_code") for r in records]
    if not all(isinstance(c, str) and c for c in codes):
        i = next(i for i, c in enumerate(codes) if not (isinstance(c, str) and c))
        raise RulesError(ErrorCode.BAD_RECORD, "缺少统一社会信用代码 / missing credit_code", f"record[{i}].credit_code")
    get = {key: [r.get(key) for r in records] for key in ("name", *CATEGORIES, *DATES)}
    tag_positions: list[int] = []
    tag_names: list[str] = []
    q_pos: list[int] = []
    q_cols: dict[str, list[Any]] = {k: [] for k in ("type", "level", "certified_on", "expires_on", "first")}
    known = []
    legacy_cert = [r.get("high_tech_cert_date") for r in records]
    legacy_first = [r.get("high_tech_first_cert") for r in records]
    for i, r in enumerate(records):
        tag_set, quals = r.get("tags"), r.get("qualifications")
        known.append(tag_set is not None or quals is not None)
        if tag_set:
            tag_set = list(tag_set)
            tag_positions.extend(repeat(i, len(tag_set)))
            tag_names.extend(tag_set)
        for k, q in enumerate(quals or ()):
            if not isinstance(q, dict):
                raise RulesError(ErrorCode.BAD_RECORD, "资质应为映射 / a qualification must be a mapping",
                                 f"record[{i}].qualifications[{k}]")
            q_pos.append(i)
            for key in q_cols:
                q_cols[key].append(q.get(key))
    indicators: dict[int, tuple[Sequence[int], dict[str, Sequence[Any]]]] = {}
    years = sorted({y for r in records for y in (r.get("indicators") or {})} | {year, year - 1})
    for y in years:
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
    items: dict[str, tuple[list[int], dict[str, list[Any]]]] = {}
    kinds = sorted({k for r in records for k in (r.get("items") or {})})
    for kind in kinds:
        spec = F.ITEMS.get(kind)
        if spec is None:
            i = next(i for i, r in enumerate(records) if kind in (r.get("items") or {}))
            raise RulesError(ErrorCode.BAD_RECORD, f"未知事项类别 {kind!r} / unknown item kind", f"record[{i}].items.{kind}")
        pos: list[int] = []
        cols: dict[str, list[Any]] = {k: [] for k in ("key", "label", "year", *spec.facts)}
        for i, r in enumerate(records):
            for entry in (r.get("items") or {}).get(kind) or ():
                if not isinstance(entry, dict):
                    raise RulesError(ErrorCode.BAD_RECORD, "事项应为映射 / an item must be a mapping",
                                     f"record[{i}].items.{kind}")
                extra = set(entry) - set(cols)
                if extra:
                    raise RulesError(ErrorCode.BAD_RECORD, f"{spec.label}没有数据项 {sorted(extra)[0]!r} / unknown item fact",
                                     f"record[{i}].items.{kind}[{entry.get('key')}]")
                pos.append(i)
                for key in cols:
                    cols[key].append(entry.get(key))
        items[kind] = (pos, cols)
    p_pos: list[int] = []
    p_cols: dict[str, list[Any]] = {k: [] for k in ("policy", "family", "year", "amount")}
    for i, r in enumerate(records):
        for entry in r.get("payments") or ():
            p_pos.append(i)
            for key in p_cols:
                p_cols[key].append(entry.get(key))
    out = dict(credit_code=codes, **get, tags=(tag_positions, tag_names), tags_known=known,
               qualifications=(q_pos, q_cols), indicators=indicators, items=items, payments=(p_pos, p_cols))
    if any(v is not None for v in legacy_cert):
        out["high_tech_cert_date"] = legacy_cert
    if any(v is not None for v in legacy_first):
        out["high_tech_first_cert"] = legacy_first
    return out


def population_from_records(records: Iterable[dict[str, Any]], year: int, *,
                            history_from: int | None = None) -> Population:
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
    return population_from_columns(year, history_from=history_from, **records_to_columns(records, year))


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
    vocabularies must agree; open vocabularies (industry codes, payment families) are merged and
    re-factorised to the used labels, sorted, so the result equals a fresh conversion of the same
    rows."""
    if not parts:
        raise ValueError("nothing to concatenate")
    year = parts[0].year
    if any(p.year != year or p.history_from != parts[0].history_from for p in parts):
        raise ValueError("populations of different years")
    category: dict[str, CategoryColumn] = {}
    for key in parts[0].category:
        columns = [p.category[key] for p in parts]
        if key not in OPEN_VOCABULARY:
            if any(c.labels != columns[0].labels for c in columns):
                raise ValueError(f"{key}: different label lists")
            category[key] = CategoryColumn(np.concatenate([c.codes for c in columns]), columns[0].labels)
            continue
        codes, union = _merge_cats(columns)
        category[key] = _compact(np.concatenate(codes) if codes else np.empty(0, np.int32), union)
    starts = np.cumsum([0] + [p.size for p in parts])
    indicator = {}
    for key in set().union(*(p.indicator for p in parts)):
        cols = [p.indicator.get(key) or _missing_column(p.size) for p in parts]
        indicator[key] = (np.concatenate([c[0] for c in cols]), np.concatenate([c[1] for c in cols]))
    tables = {}
    for key in set().union(*(p.tables for p in parts)):
        if any(key not in p.tables for p in parts):
            raise ValueError(f"populations with different tables ({key})")
        tables[key] = _concat_tables([p.tables[key] for p in parts],
                                     [p.tables[key].owner + starts[k] for k, p in enumerate(parts)])
    return Population(
        year=year,
        credit_code=np.concatenate([p.credit_code for p in parts]),
        name=np.concatenate([p.name for p in parts]),
        category=category,
        date={k: np.concatenate([p.date[k] for p in parts]) for k in parts[0].date},
        tags_known=np.concatenate([p.tags_known for p in parts]),
        indicator=_canonical_indicators(indicator),
        history_from=parts[0].history_from,
        tables=tables,
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
        "year": np.array([pop.year, pop.size, pop.history_from], dtype=np.int64),
        "credit_code": _pack_text(pop.credit_code.tolist()),
        "name": _pack_text(pop.name.tolist()),
        "tags_known": pop.tags_known,
    }
    for key, c in pop.category.items():
        out[f"category:{key}"] = c.codes
        out[f"labels:{key}"] = _pack_text(c.labels)
        out[f"nlabels:{key}"] = np.array([len(c.labels)], dtype=np.int64)
    out.update({f"date:{k}": v for k, v in pop.date.items()})
    for (name, offset), (values, present) in pop.indicator.items():
        out[f"indicator:{name}:{offset}"] = values
        out[f"present:{name}:{offset}"] = present
    for tname, t in pop.tables.items():
        base = f"table|{tname}|"
        out[base + "owner"] = t.owner
        out[base + "meta"] = _pack_text(["|".join(t.open)])
        for k, v in t.num.items():
            out[base + f"num|{k}"] = v
        for k, v in t.present.items():
            out[base + f"present|{k}"] = v
        for k, c in t.cat.items():
            out[base + f"cat|{k}"] = c.codes
            out[base + f"labels|{k}"] = _pack_text(c.labels)
            out[base + f"nlabels|{k}"] = np.array([len(c.labels)], dtype=np.int64)
        for k, v in t.text.items():
            out[base + f"text|{k}"] = _pack_text(v.tolist())
    return out


def population_from_arrays(arrays: Any) -> Population:
    """The population stored by :func:`population_to_arrays` (any mapping of name -> array, such
    as an opened ``.npz``). Raises ``ValueError`` (or ``KeyError``) when the arrays are
    inconsistent, so a damaged file is refused rather than half-read."""
    year, n, history_from = (int(v) for v in arrays["year"])
    names = list(arrays.keys()) if hasattr(arrays, "keys") else list(arrays)
    category = {}
    date, indicator = {}, {}
    table_parts: dict[str, dict[str, Any]] = {}
    for key in names:
        if key.startswith("table|"):
            _, tname, rest = key.split("|", 2)
            table_parts.setdefault(tname, {})[rest] = arrays[key]
            continue
        kind, _, rest = key.partition(":")
        if kind == "category":
            labels = tuple(_unpack_text(arrays[f"labels:{rest}"], int(arrays[f"nlabels:{rest}"][0])))
            category[rest] = CategoryColumn(np.asarray(arrays[key], dtype=np.int32), labels)
        elif kind == "date":
            date[rest] = np.asarray(arrays[key], dtype=np.int64)
        elif kind == "indicator":
            name, offset = rest.rsplit(":", 1)
            indicator[(name, int(offset))] = (np.asarray(arrays[key], dtype=np.int64),
                                              np.asarray(arrays[f"present:{rest}"], dtype=bool))
    tables = {}
    for tname, parts in table_parts.items():
        owner = np.asarray(parts["owner"], dtype=np.int64)
        m = owner.size
        if m and (np.any(np.diff(owner) < 0) or owner.min() < 0 or owner.max() >= n):
            raise ValueError(f"table {tname}: owners out of order or range")
        meta = _unpack_text(parts["meta"], 1)[0]
        t = RowTable(owner=owner, open=tuple(x for x in meta.split("|") if x))
        for rest, value in parts.items():
            kind, _, col = rest.partition("|")
            if kind == "num":
                t.num[col] = np.asarray(value, dtype=np.int64)
            elif kind == "present":
                t.present[col] = np.asarray(value, dtype=bool)
            elif kind == "cat":
                labels = tuple(_unpack_text(parts[f"labels|{col}"], int(parts[f"nlabels|{col}"][0])))
                t.cat[col] = CategoryColumn(np.asarray(value, dtype=np.int32), labels)
            elif kind == "text":
                t.text[col] = np.array(_unpack_text(value, m), dtype=object).reshape(m)
        shapes = {a.shape for a in (*t.num.values(), *t.present.values(), *(c.codes for c in t.cat.values()),
                                    *t.text.values())}
        if shapes - {(m,)}:
            raise ValueError(f"table {tname}: columns of the wrong length")
        tables[tname] = t
    pop = Population(
        year=year,
        credit_code=np.array(_unpack_text(arrays["credit_code"], n), dtype=object).reshape(n),
        name=np.array(_unpack_text(arrays["name"], n), dtype=object).reshape(n),
        category=category, date=date,
        tags_known=np.asarray(arrays["tags_known"], dtype=bool),
        indicator=indicator, history_from=history_from, tables=tables,
    )
    lengths = {a.shape for a in (pop.name, pop.tags_known, *(c.codes for c in category.values()),
                                 *date.values(), *(x for pair in indicator.values() for x in pair))}
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

    if a.year != b.year or a.history_from != b.history_from:
        out.append("year")
    for key in ("credit_code", "name", "tags_known"):
        if not same(getattr(a, key), getattr(b, key)):
            out.append(key)
    out += [f"date.{k}" for k in sorted(set(a.date) | set(b.date))
            if k not in a.date or k not in b.date or not same(a.date[k], b.date[k])]
    for k in sorted(set(a.category) | set(b.category)):
        ca, cb = a.category.get(k), b.category.get(k)
        if ca is None or cb is None or ca.labels != cb.labels or not same(ca.codes, cb.codes):
            out.append(f"category.{k}")
    for k in sorted(set(a.indicator) | set(b.indicator)):
        ia, ib = a.indicator.get(k), b.indicator.get(k)
        if ia is None or ib is None or not (same(ia[0], ib[0]) and same(ia[1], ib[1])):
            out.append(f"indicator.{k[0]}.{k[1]}")
    for k in sorted(set(a.tables) | set(b.tables)):
        ta, tb = a.tables.get(k), b.tables.get(k)
        if ta is None or tb is None or not same(ta.owner, tb.owner) or ta.open != tb.open:
            out.append(f"table.{k}")
            continue
        for group in ("num", "present", "text"):
            ga, gb = getattr(ta, group), getattr(tb, group)
            out += [f"table.{k}.{c}" for c in sorted(set(ga) | set(gb))
                    if c not in ga or c not in gb or not same(ga[c], gb[c])]
        out += [f"table.{k}.{c}" for c in sorted(set(ta.cat) | set(tb.cat))
                if c not in ta.cat or c not in tb.cat or ta.cat[c].labels != tb.cat[c].labels
                or not same(ta.cat[c].codes, tb.cat[c].codes)]
    return out
