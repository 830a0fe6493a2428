"""The scan's population snapshot: stored, patched with the registry's changes, and always equal
to a cold build of the registry (``fetch.registry_columns``) column by column."""

import datetime as dt
import json
import random
import threading
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from innolink.enterprises.testing import make_enterprise
from innolink.engines.rules.population import population_differences, population_from_arrays, population_to_arrays
from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear
from innolink.policies import fetch, snapshot

pytestmark = pytest.mark.django_db

YEAR = 2025
TAGS = ["high_tech", "tech_sme", "above_scale", "specialized_provincial", "listed"]
TOWNS = ["青阳", "磁灶", "陈埭", "安海"]
INDUSTRIES = ["C1951", "C3071", "C2641", "I6510", "C1811"]


def _values(rng: random.Random) -> dict[str, str]:
    values = {"revenue": f"{rng.randint(0, 10**9) / 100:.2f}", "employees": str(rng.randint(1, 900))}
    if rng.random() < 0.5:
        values["rd_expense"] = f"{rng.randint(0, 10**8) / 100:.2f}"
    if rng.random() < 0.3:
        values["energy_consumption"] = rng.choice(["1E+3", "406.62", "12", "0.125"])
    return values


def _enterprise(rng: random.Random) -> Enterprise:
    e = make_enterprise(town=rng.choice(TOWNS), industry_code=rng.choice(INDUSTRIES),
                        founded_on=rng.choice([None, dt.date(2001, 3, 4), dt.date(2019, 9, 9)]),
                        years={y: _values(rng) for y in (YEAR, YEAR - 1, YEAR - 2) if rng.random() < 0.8})
    for tag in rng.sample(TAGS, rng.randint(0, 3)):
        EnterpriseTag.objects.create(enterprise=e, tag=tag, certified_on=dt.date(2024, 11, 20),
                                     first_certified=rng.choice([None, True, False]))
    return e


def _edit(rng: random.Random) -> str:
    """One random change to the registry, through the ORM as the services make them."""
    ids = list(Enterprise.objects.values_list("id", flat=True))
    what = rng.choice(["attribute", "tag_add", "tag_delete", "tag_change", "year_change", "year_add",
                       "year_delete", "year_moves_out", "add", "delete"])
    e = Enterprise.objects.get(pk=rng.choice(ids))
    if what == "attribute":
        e.town, e.industry_code = rng.choice(TOWNS), rng.choice(INDUSTRIES + ["C2929"])
        e.save()
    elif what == "tag_add":
        EnterpriseTag.objects.get_or_create(enterprise=e, tag=rng.choice(TAGS))
    elif what == "tag_delete":
        EnterpriseTag.objects.filter(enterprise=e).order_by("id")[:1].get().delete() if e.tags.exists() else None
    elif what == "tag_change":
        tag = e.tags.first()
        if tag:
            tag.certified_on, tag.first_certified = dt.date(2025, 1, 2), rng.choice([True, False, None])
            tag.save()
    elif what == "year_change":
        row = e.years.filter(year__in=(YEAR, YEAR - 1)).first()
        if row:
            row.values = {**row.values, "rd_expense": f"{rng.randint(0, 10**7)}.{rng.randint(0, 99):02d}"}
            row.values.pop("employees", None)
            row.save()
    elif what == "year_add":
        EnterpriseYear.objects.get_or_create(enterprise=e, year=YEAR + 1 if rng.random() < 0.3 else YEAR,
                                             defaults={"values": _values(rng)})
    elif what == "year_delete":
        e.years.filter(year=YEAR - 1).delete()
    elif what == "year_moves_out":
        row = e.years.filter(year=YEAR).first()
        if row and not e.years.filter(year=YEAR - 3).exists():
            row.year = YEAR - 3
            row.save()
    elif what == "add":
        _enterprise(rng)
    elif what == "delete" and len(ids) > 3:
        e.delete()
    return what


def _assert_equals_cold(load: snapshot.Load) -> None:
    cold = fetch.registry_columns(YEAR)
    assert list(load.ids) == cold.ids.tolist()
    assert population_differences(load.population, cold.population) == []


def test_first_load_is_cold_and_stored_then_read_back_equal(population_snapshot_dir, settings):
    settings.INNOLINK_POLICY_SNAPSHOT_OVERLAP = 0  # no commit lag to cover here: nothing is re-read
    rng = random.Random(1)
    for _ in range(12):
        _enterprise(rng)
    first = snapshot.load_population(YEAR)
    assert (first.source, first.reason, first.saved) == ("cold", "missing", True)
    assert [p.name for p in population_snapshot_dir.iterdir()] == [snapshot.snapshot_path(YEAR).name]
    _assert_equals_cold(first)
    snapshot.forget()
    again = snapshot.load_population(YEAR)
    assert (again.source, again.changed, again.removed) == ("file", 0, 0)
    _assert_equals_cold(again)
    assert snapshot.load_population(YEAR).source == "memory"


@pytest.mark.parametrize("seed,save_after", [(3, 2000), (7, 2000), (11, 2000), (13, 1)])
def test_random_edits_then_warm_equals_cold(seed, save_after, monkeypatch):
    # save_after 2000: the file stays the cold build's and each load from it patches every edit
    # so far; 1: the file is rewritten after every patch
    monkeypatch.setattr(snapshot, "SAVE_AFTER", save_after)
    rng = random.Random(seed)
    for _ in range(15):
        _enterprise(rng)
    snapshot.load_population(YEAR)
    done = []
    for round_ in range(8):
        for _ in range(rng.randint(1, 5)):
            done.append(_edit(rng))
        if round_ % 2:
            snapshot.forget()  # from the file, as another process would
        load = snapshot.load_population(YEAR)
        assert load.source in ("memory", "file"), (load.source, load.reason, done)
        _assert_equals_cold(load)


def test_a_row_written_without_a_recent_updated_at_is_still_found_by_count():
    rng = random.Random(5)
    enterprises = [_enterprise(rng) for _ in range(6)]
    snapshot.load_population(YEAR)
    old = timezone.now() - dt.timedelta(days=3)
    EnterpriseTag.objects.filter(enterprise=enterprises[0]).delete()
    tag = EnterpriseTag.objects.create(enterprise=enterprises[1], tag="listed")
    EnterpriseTag.objects.filter(pk=tag.pk).update(updated_at=old)  # a writer that forgot the time
    Enterprise.objects.filter(pk=enterprises[2].pk).update(updated_at=old)
    load = snapshot.load_population(YEAR)
    assert load.source == "memory" and load.changed >= 2
    _assert_equals_cold(load)


def test_damaged_or_foreign_file_falls_back_to_a_cold_build(population_snapshot_dir):
    rng = random.Random(2)
    for _ in range(5):
        _enterprise(rng)
    snapshot.load_population(YEAR)
    path = snapshot.snapshot_path(YEAR)
    for damage in (b"", b"not a zip file", path.read_bytes()[: path.stat().st_size // 2]):
        snapshot.forget()
        path.write_bytes(damage)
        load = snapshot.load_population(YEAR)
        assert (load.source, load.reason, load.saved) == ("cold", "damaged", True)
        _assert_equals_cold(load)
    # a file written for another database or catalogue under this name is refused too
    other = snapshot.read(YEAR, snapshot.snapshot_key(YEAR))
    snapshot.save(snapshot.State(key="another", read=other.read, built_at=other.built_at, as_of=other.as_of,
                                 marks=other.marks), path)
    snapshot.forget()
    assert snapshot.load_population(YEAR).reason == "damaged"
    assert sorted(p.name for p in population_snapshot_dir.iterdir()) == [path.name]


def test_restored_registry_and_old_snapshot_are_built_again():
    rng = random.Random(4)
    for _ in range(4):
        _enterprise(rng)
    snapshot.load_population(YEAR)
    # a backup restored: every row is older than what the snapshot saw
    old = timezone.now() - dt.timedelta(days=2)
    for model in (Enterprise, EnterpriseTag, EnterpriseYear):
        model.objects.update(updated_at=old)
    load = snapshot.load_population(YEAR)
    assert (load.source, load.reason) == ("cold", "restored")
    _assert_equals_cold(load)


def test_snapshot_older_than_the_max_age_is_built_again(settings):
    _enterprise(random.Random(8))
    snapshot.load_population(YEAR)
    settings.INNOLINK_POLICY_SNAPSHOT_MAX_AGE = 0
    assert snapshot.load_population(YEAR).reason == "old"


def test_many_changes_rebuild_cold(monkeypatch):
    monkeypatch.setattr(snapshot, "REBUILD_MIN", 0)
    rng = random.Random(6)
    enterprises = [_enterprise(rng) for _ in range(10)]
    snapshot.load_population(YEAR)
    for e in enterprises[:5]:
        e.name += "（更名）"
        e.save()
    load = snapshot.load_population(YEAR)
    assert (load.source, load.reason) == ("cold", "many changes")
    _assert_equals_cold(load)


def test_unwritable_directory_still_loads_and_writes_nothing(settings, tmp_path):
    _enterprise(random.Random(9))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be")
    settings.INNOLINK_POLICY_SNAPSHOT_DIR = str(blocked / "snapshots")
    load = snapshot.load_population(YEAR)
    assert (load.source, load.saved) == ("cold", False)
    _assert_equals_cold(load)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked"]


def test_concurrent_writers_leave_a_whole_file_a_reader_can_always_read(population_snapshot_dir):
    rng = random.Random(10)
    for _ in range(6):
        _enterprise(rng)
    snapshot.load_population(YEAR)
    key = snapshot.snapshot_key(YEAR)
    small = snapshot.read(YEAR, key)
    _enterprise(rng)
    snapshot.forget()
    big = snapshot.refresh(small)[0]
    errors: list[Exception] = []
    seen: set[int] = set()

    def write(state):
        try:
            for _ in range(15):
                snapshot.save(state)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(s,)) for s in (small, big)]
    for w in writers:
        w.start()
    while any(w.is_alive() for w in writers):
        seen.add(snapshot.read(YEAR, key).read.population.size)
    for w in writers:
        w.join()
    assert errors == []
    assert seen <= {small.read.population.size, big.read.population.size}
    assert [p.suffix for p in population_snapshot_dir.iterdir()] == [".npz"]  # no temporary left


def test_scan_uses_the_snapshot_and_finds_edits(synced):
    from innolink.policies.models import Eligibility, Scan
    from innolink.policies.services import scan_execute

    e = make_enterprise(years={YEAR: {"rd_expense": "5500000.00"}, YEAR - 1: {"rd_expense": "2000000.00"}})
    EnterpriseTag.objects.create(enterprise=e, tag="tech_sme")
    first = scan_execute(scan=Scan.objects.create(year=YEAR))
    assert first.eligible_pairs > 0
    # the next scan reads the stored copy plus the change: the enterprise lost its data
    EnterpriseYear.objects.filter(enterprise=e, year=YEAR).delete()
    scan_execute(scan=Scan.objects.create(year=YEAR))
    assert not Eligibility.objects.filter(enterprise=e, year=YEAR, active=True).exists()
    assert snapshot.load_population(YEAR).source == "memory"


def test_decimal_text_from_the_database_is_exact():
    e = make_enterprise(years={YEAR: {"revenue": "-0.05", "employees": "12", "energy_consumption": "1E+3",
                                      "rd_expense": "1234567890123.45"}})
    population = snapshot.load_population(YEAR).population
    row = snapshot.load_population(YEAR).ids.index(e.pk)
    value = {k: int(population.indicator[(k, 0)][0][row]) for k in
             ("revenue", "employees", "energy_consumption", "rd_expense")}
    assert value == {"revenue": -5, "employees": 12, "energy_consumption": 1_000_000,
                     "rd_expense": int(Decimal("1234567890123.45") * 100)}
    assert np.count_nonzero(population.indicator[("revenue", -1)][1]) == 0


def _copy(population):
    return population_from_arrays(population_to_arrays(population))


def test_a_late_commit_inside_the_overlap_is_caught_by_its_stamp():
    rng = random.Random(14)
    enterprises = [_enterprise(rng) for _ in range(5)]
    before = timezone.now()
    snapshot.load_population(YEAR)
    snapshot.load_population(YEAR)  # the stored copy has read every row at its current version
    # transactions that stamped their rows before the last load and committed after it
    late = before - dt.timedelta(seconds=60)
    Enterprise.objects.filter(pk=enterprises[0].pk).update(town="安海", updated_at=late)
    row = EnterpriseYear.objects.filter(enterprise=enterprises[1], year=YEAR).first() or \
        EnterpriseYear.objects.create(enterprise=enterprises[1], year=YEAR, values={})
    EnterpriseYear.objects.filter(pk=row.pk).update(values={"revenue": "77.70"}, updated_at=late)
    load = snapshot.load_population(YEAR)
    assert (load.source, load.changed) == ("memory", 2)
    _assert_equals_cold(load)


def test_rows_already_read_in_the_window_are_not_read_again(django_assert_num_queries):
    rng = random.Random(15)
    enterprises = [_enterprise(rng) for _ in range(8)]  # all written inside the overlap window
    assert snapshot.load_population(YEAR).source == "cold"
    enterprises[3].name += "（更名）"
    enterprises[3].save()
    load = snapshot.load_population(YEAR)
    assert (load.source, load.changed, load.removed) == ("memory", 1, 0)
    _assert_equals_cold(load)
    # nothing changed: newest rows (4 tables), ids and stamps of the window (3), counts (3), the
    # catalogue's signature (3), the published revisions (1, ADR 0150), the clauses' families
    # (1), ledger entries since (1); the item table's newest row and window (2: the demo rules
    # read projects since ADR 0370); no re-read
    with django_assert_num_queries(18):
        idle = snapshot.load_population(YEAR)
    assert (idle.changed, idle.saved) == (0, False)
    assert idle.population is load.population and idle.ids is load.ids
    snapshot.forget()  # another process: the file is the cold build's, the stamps tell what changed
    assert snapshot.load_population(YEAR).changed == 1


def test_in_place_patch_equals_cold_and_never_writes_a_population_handed_out():
    rng = random.Random(16)
    enterprises = [_enterprise(rng) for _ in range(10)]
    EnterpriseYear.objects.update_or_create(enterprise=enterprises[4], year=YEAR, defaults={"values": {"revenue": "5.00"}})
    first = snapshot.load_population(YEAR)
    kept = _copy(first.population)
    enterprises[0].town, enterprises[0].industry_code = "陈埭", "C9999"  # a new industry label
    enterprises[0].save()
    EnterpriseTag.objects.filter(enterprise=enterprises[1], tag="listed").delete()
    EnterpriseTag.objects.create(enterprise=enterprises[1], tag="listed")
    row, _ = EnterpriseYear.objects.get_or_create(enterprise=enterprises[2], year=YEAR - 1, defaults={"values": {}})
    row.values = {"revenue": "1.00"}
    row.save()
    EnterpriseYear.objects.filter(enterprise=enterprises[4], year=YEAR).delete()  # found by count
    second = snapshot.load_population(YEAR)
    assert (second.source, second.changed, second.removed) == ("memory", 4, 0)
    assert second.ids is first.ids  # the same enterprises: patched in place of a copy
    _assert_equals_cold(second)
    assert population_differences(first.population, kept) == []
    # an enterprise added: the splice path, equal too
    _enterprise(rng)
    third = snapshot.load_population(YEAR)
    assert third.ids != second.ids and len(third.ids) == 11
    _assert_equals_cold(third)


def test_a_file_of_the_previous_format_is_built_again(population_snapshot_dir, monkeypatch):
    rng = random.Random(17)
    for _ in range(4):
        _enterprise(rng)
    path = snapshot.snapshot_path(YEAR)
    monkeypatch.setattr(snapshot, "FORMAT", 2)
    assert snapshot.snapshot_path(YEAR) != path  # the format is part of the file's key
    monkeypatch.setattr(snapshot, "FORMAT", 3)
    snapshot.load_population(YEAR)
    # the same name holding a file of an older format (no stamps): refused, built cold and replaced
    with np.load(path, allow_pickle=False) as stored:
        arrays = {k: stored[k] for k in stored.files if not k.endswith("stamp")}
    meta = json.loads(arrays["meta"].tobytes())
    arrays["meta"] = np.frombuffer(json.dumps({**meta, "format": 1}).encode(), dtype=np.uint8)
    with open(path, "wb") as out:
        np.savez(out, **arrays)
    snapshot.forget()
    load = snapshot.load_population(YEAR)
    assert (load.source, load.reason, load.saved) == ("cold", "damaged", True)
    _assert_equals_cold(load)
    assert "stamp" in np.load(path).files
    assert [p.name for p in population_snapshot_dir.iterdir()] == [path.name]


def test_the_file_is_written_after_a_cold_build_and_then_only_now_and_then(monkeypatch):
    rng = random.Random(18)
    enterprises = [_enterprise(rng) for _ in range(6)]
    key = snapshot.snapshot_key(YEAR)
    assert snapshot.load_population(YEAR).saved
    written = snapshot.read(YEAR, key).as_of
    enterprises[0].name += "（一）"
    enterprises[0].save()
    load = snapshot.load_population(YEAR)
    assert (load.changed, load.saved) == (1, False)
    assert snapshot.read(YEAR, key).as_of == written  # the file was left as it was
    snapshot.forget()  # a new process patches the older file: the stamps say what to re-read
    load = snapshot.load_population(YEAR)
    assert (load.source, load.changed, load.saved) == ("file", 1, False)
    _assert_equals_cold(load)
    monkeypatch.setattr(snapshot, "SAVE_AFTER", 2)
    enterprises[1].name += "（二）"
    enterprises[1].save()
    assert snapshot.load_population(YEAR).saved  # two enterprises re-read since the file
    assert snapshot.read(YEAR, key).as_of > written
    monkeypatch.setattr(snapshot, "SAVE_EVERY", 0)
    assert not snapshot.load_population(YEAR).saved  # nothing changed: an idle load never writes
    enterprises[2].name += "（三）"
    enterprises[2].save()
    assert snapshot.load_population(YEAR).saved  # the file is older than SAVE_EVERY
    snapshot.forget()
    assert snapshot.load_population(YEAR).changed == 0
    # write_current: this process's patches, written on request
    monkeypatch.setattr(snapshot, "SAVE_EVERY", 600)
    enterprises[3].name += "（四）"
    enterprises[3].save()
    assert not snapshot.load_population(YEAR).saved
    assert snapshot.write_current(YEAR) and not snapshot.write_current(YEAR)
    snapshot.forget()
    load = snapshot.load_population(YEAR)
    assert (load.source, load.changed) == ("file", 0)
    _assert_equals_cold(load)
