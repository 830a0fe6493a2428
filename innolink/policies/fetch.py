"""Database rows into the rules engine's inputs.

``records_for(year)`` builds the engine's per-enterprise records for the whole registry (or a
set of enterprise ids) in three queries (enterprises, tags, two years of indicators) with
``values_list``, never one query per enterprise; ``population_for(year)`` hands them to
``population_from_records``, the engine's one conversion. ``rules_registry()`` loads the rule
files once per change of the files and registers the registry's indicator definitions first,
so a new indicator row is usable in rules without code.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from innolink.engines.rules import (
    DEFAULT_RULESETS_DIR,
    Population,
    Registry,
    load_registry,
    population_from_records,
)
from innolink.engines.rules import fields as rule_fields
from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear, IndicatorDefinition

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "registry": None}


def rulesets_dir() -> Path:
    return Path(DEFAULT_RULESETS_DIR)


def _files_key(directory: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                        for p in directory.glob("*.yaml")))


def register_indicators() -> None:
    for code, kind, unit, name in IndicatorDefinition.objects.values_list("code", "kind", "unit",
                                                                         "name"):
        if code not in rule_fields.INDICATORS:
            rule_fields.register_indicator(code, kind, unit, name)


def rules_registry(directory: Path | None = None) -> Registry:
    """The loaded rules; reloaded only when a rule file changes."""
    directory = Path(directory or rulesets_dir())
    key = (str(directory), _files_key(directory))
    with _lock:
        if _cache["key"] != key:
            register_indicators()
            _cache["registry"] = load_registry(directory)
            _cache["key"] = key
        return _cache["registry"]


def records_for(year: int, enterprise_ids: Iterable[int] | None = None
                ) -> tuple[list[int], list[dict[str, Any]]]:
    """(enterprise ids, engine records) in registry id order, for ``year`` and the year before."""
    enterprises = Enterprise.objects.order_by("id")
    tags = EnterpriseTag.objects.all()
    years = EnterpriseYear.objects.filter(year__in=(year, year - 1))
    if enterprise_ids is not None:
        ids = list(enterprise_ids)
        enterprises = enterprises.filter(id__in=ids)
        tags = tags.filter(enterprise_id__in=ids)
        years = years.filter(enterprise_id__in=ids)
    order: list[int] = []
    records: dict[int, dict[str, Any]] = {}
    for pk, code, name, town, industry, ownership, founded, size in enterprises.values_list(
            "id", "credit_code", "name", "town", "industry_code", "ownership", "founded_on",
            "size_class").iterator(chunk_size=20_000):
        order.append(pk)
        records[pk] = {
            "credit_code": code, "name": name, "town": town or None,
            "industry_code": industry or None, "ownership": ownership or None,
            "founded_on": founded, "size_class": size or None, "tags": [],
            "high_tech_cert_date": None, "high_tech_first_cert": None, "indicators": {},
        }
    for enterprise_id, tag, certified_on, first in tags.values_list(
            "enterprise_id", "tag", "certified_on", "first_certified").iterator(chunk_size=20_000):
        record = records.get(enterprise_id)
        if record is None:
            continue
        record["tags"].append(tag)
        if tag == "high_tech":
            record["high_tech_cert_date"] = certified_on
            record["high_tech_first_cert"] = first
    for enterprise_id, y, values in years.values_list("enterprise_id", "year", "values").iterator(
            chunk_size=20_000):
        record = records.get(enterprise_id)
        if record is not None:
            record["indicators"][y] = values
    return order, [records[pk] for pk in order]


def population_for(year: int, enterprise_ids: Iterable[int] | None = None
                   ) -> tuple[list[int], Population]:
    ids, records = records_for(year, enterprise_ids)
    return ids, population_from_records(records, year)


def record_for(enterprise_id: int, year: int) -> dict[str, Any] | None:
    _ids, records = records_for(year, [enterprise_id])
    return records[0] if records else None
