"""Rows into the weather engine's inputs: the response rules file and the exposure profiles as
columns (one query, no model instances)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from innolink.engines.weather import Profiles, RuleSet, load_rules_text
from innolink.enterprises.reference import SUBDISTRICTS, TOWNS as TOWN_LIST

TOWNS = SUBDISTRICTS + TOWN_LIST  # the town index used by the engine
TOWN_INDEX = {name: i for i, name in enumerate(TOWNS)}
RULES_FILE = Path(__file__).resolve().parent / "rules" / "response_rules.yaml"
TOWNSHIP_CODES_FILE = Path(__file__).resolve().parent / "rules" / "township_codes.yaml"
CITY_CODE = "350582"  # GB/T 2260 code of 晋江市

_lock = threading.Lock()
_cache: dict = {"key": None, "rules": None}
_codes_cache: dict = {"key": None, "codes": {}}


def response_rules(path: Path | None = None) -> RuleSet:
    """The response rules, reloaded only when the file changes."""
    path = Path(path or RULES_FILE)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _cache["key"] != key:
            _cache["rules"] = load_rules_text(path.read_text(encoding="utf-8"), towns=TOWNS)
            _cache["key"] = key
        return _cache["rules"]


def township_codes(path: Path | None = None) -> dict[str, str]:
    """The city's township codes (9 digits) and the registry town each names, from
    ``rules/township_codes.yaml``; reloaded when the file changes. A malformed entry raises
    ValueError: not a township code of the city, a street office (街道) outside 001-099 or a town
    (镇) outside 100-199 (GB/T 10114), an unknown town, a code listed twice, a town given two
    codes, or an entry without its published source."""
    path = Path(path or TOWNSHIP_CODES_FILE)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _codes_cache["key"] == key:
            return _codes_cache["codes"]
        data = _load_unique_yaml(path) or {}
        codes: dict[str, str] = {}
        for code, entry in (data.get("codes") or {}).items():
            code = str(code)
            town = (entry or {}).get("town") if isinstance(entry, dict) else None
            if not (len(code) == 9 and code.isdigit() and code.startswith(CITY_CODE)
                    and code[6:] != "000"):
                raise ValueError(f"{path.name}: {code!r} is not a township code of {CITY_CODE}")
            if town not in TOWN_INDEX:
                raise ValueError(f"{path.name}: {code}: unknown town {town!r}")
            street_office = town in SUBDISTRICTS
            if street_office != (1 <= int(code[6:]) <= 99) or int(code[6:]) > 199:
                kind, span = ("street office (街道)", "001-099") if street_office else (
                    "town (镇)", "100-199")
                raise ValueError(f"{path.name}: {code}: {town} is a {kind}, its code must end "
                                 f"in {span}")
            if town in codes.values():
                raise ValueError(f"{path.name}: {code}: town {town} already has a code")
            if not str(entry.get("source") or "").strip():
                raise ValueError(f"{path.name}: {code}: no source given")
            codes[code] = town
        _codes_cache.update(key=key, codes=codes)
        return codes


def _load_unique_yaml(path: Path):
    """YAML with duplicate mapping keys refused (plain ``safe_load`` keeps the last one silently:
    a code listed twice would quietly change which town it warns)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise ValueError(f"{path.name}: {key!r} is listed twice")
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506


def exposure_labels() -> dict[str, str]:
    return dict(response_rules().exposures)


def profiles(towns: list[str] | None = None, *, coordinates: bool = True) -> Profiles:
    """Every exposure profile as columns, with the enterprise's town (one query); with
    ``towns``, only the profiles of enterprises in those towns. Without ``coordinates`` (a
    warning by towns or the whole city has no polygon or circle to test) the location columns
    are not read and come back as NaN: two fewer values per row to fetch and convert."""
    from django.db import connection

    from innolink.weather.models import ExposureProfile

    table = ExposureProfile._meta.db_table
    enterprise_table = ExposureProfile._meta.get_field("enterprise").related_model._meta.db_table
    # the town index is computed by the database, so every column arrives as a number
    cases = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(TOWNS))
    located = ", p.lat, p.lon" if coordinates else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.enterprise_id, CASE e.town {cases} ELSE -1 END, p.exposure_mask"
            f"{located} FROM {table} p JOIN {enterprise_table} e ON e.id = p.enterprise_id "
            + (f"WHERE e.town IN ({', '.join(['%s'] * len(towns))}) " if towns else "")
            + "ORDER BY p.enterprise_id", list(towns or []))
        rows = cursor.fetchall()
    if not rows:
        return Profiles.build(ids=[], towns=[], exposures=[], lats=[], lons=[])
    if coordinates:
        ids, towns, masks, lats, lons = zip(*rows)
        return Profiles(np.array(ids, np.int64), np.array(towns, np.int16),
                        np.array(masks, np.int64),
                        np.array(lats, np.float64),  # None becomes NaN
                        np.array(lons, np.float64))
    columns = np.array(rows, np.int64)  # one conversion of the (id, town, mask) rows
    unknown = np.full(len(rows), np.nan)
    return Profiles(np.ascontiguousarray(columns[:, 0]), columns[:, 1].astype(np.int16),
                    np.ascontiguousarray(columns[:, 2]), unknown, unknown.copy())
