"""How ``conftest.py`` shapes a CI run (decisions 0711, 0797): ``--database-only`` (the PostgreSQL
stage) keeps the tests that use the database and leaves out what CI's production check already
runs on PostgreSQL, the browser flows (marker ``e2e``) and the demo seed (marker
``demo_seed``); under xdist, files with a ``slow`` test are handed out first."""

from types import SimpleNamespace

import conftest


class _Item:
    def __init__(self, name, fixtures=(), markers=(), nodeid=None):
        self.name, self.fixturenames, self._markers = name, list(fixtures), set(markers)
        self.nodeid = nodeid or f"{name}.py::{name}"

    def get_closest_marker(self, name):
        return SimpleNamespace(name=name) if name in self._markers else None


def _selected(items, database_only=True):
    deselected = []
    config = SimpleNamespace(
        getoption=lambda name: database_only if name == "--database-only" else None,
        hook=SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items)))
    items = list(items)
    conftest.pytest_collection_modifyitems(config, items)
    return [i.name for i in items], [i.name for i in deselected]


ITEMS = [
    _Item("pure"),
    _Item("marked_db", markers={"django_db"}),
    _Item("db_fixture", fixtures={"db"}),
    _Item("transactional", fixtures={"transactional_db"}),
    _Item("browser", fixtures={"live_server"}, markers={"django_db", "e2e"}),
    _Item("demo", markers={"django_db", "demo_seed"}),
]


def test_database_only_keeps_database_tests_and_leaves_out_what_stage_3_runs():
    kept, left_out = _selected(ITEMS)
    assert kept == ["marked_db", "db_fixture", "transactional"]
    assert left_out == ["pure", "browser", "demo"]


def test_without_the_option_every_test_runs():
    kept, left_out = _selected(ITEMS, database_only=False)
    assert kept == [i.name for i in ITEMS] and left_out == []


def test_the_heavy_demo_seed_tests_are_marked():
    """The demo-seed tests that import a demo city (hundreds to 2,000 enterprises) carry the
    marker; a small-city edge case that the production check cannot reach stays unmarked."""
    from innolink.rankings.tests import test_demo as rankings

    marks = {m.name for m in rankings.test_demo_seed_publishes_2024_and_leaves_2025_under_notice
             .pytestmark}
    assert "demo_seed" in marks
    small = {m.name for m in rankings.test_a_city_too_small_for_the_lists_gets_no_lists_and_no_error
             .pytestmark}
    assert "demo_seed" not in small


def test_files_with_a_slow_test_come_first_then_the_biggest_files():
    items = [_Item("a1", nodeid="a.py::a1"), _Item("a2", nodeid="a.py::a2"),
             _Item("b1", nodeid="b.py::b1"),
             _Item("c1", nodeid="c.py::c1"), _Item("c2", nodeid="c.py::c2"),
             _Item("c3", nodeid="c.py::c3"),
             _Item("fuzz1", nodeid="fuzz.py::f[1]", markers={"slow"}),
             _Item("fuzz2", nodeid="fuzz.py::f[2]", markers={"slow"})]
    ordered = [i.name for i in conftest._slow_files_first(items)]
    assert ordered == ["fuzz1", "fuzz2", "c1", "c2", "c3", "a1", "a2", "b1"]


def test_the_api_fuzz_is_marked_slow():
    from tests import test_api_fuzz

    assert "slow" in {m.name for m in test_api_fuzz.pytestmark}
