"""Fixtures for the Django apps and the browser tests. Engine tests run with or without Django
(``pytest innolink/engines -p no:django`` works): nothing here imports Django at load time."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True)
def _media_root(request, tmp_path):
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _default_language(request):
    """Each test starts and ends in the default language: LocaleMiddleware activates a request's
    language in the test's thread and nothing deactivates it, so one test's English page would
    otherwise turn the next test's service messages English."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_matching_index(request):
    """Each test starts with no per-process matching engine (the database is rolled back
    between tests, so an engine built in an earlier test would describe rows that are gone)."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from innolink.matching.index import reset_index_cache

    reset_index_cache()
    yield
    reset_index_cache()


@pytest.fixture(autouse=True)
def _fresh_work_calendar(request):
    """Each test reads the working-day calendar from its own database state (an edit rolled
    back with the previous test must not linger in the per-process cache)."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from innolink.policies.workdays import reset_cache

    reset_cache()
    yield
    reset_cache()


@pytest.fixture
def organizer(db):
    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user

    return make_user(Role.ORGANIZER)


@pytest.fixture
def enterprise_user(db):
    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user

    return make_user(Role.ENTERPRISE)


@pytest.fixture
def other_enterprise(db):
    from innolink.enterprises.testing import make_enterprise

    return make_enterprise(name="另一家企业有限公司")


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def enterprise_client(client, enterprise_user):
    client.force_login(enterprise_user)
    return client


@pytest.fixture
def browser():
    """Debian's headless Chromium driven by Playwright (``playwright install`` cannot download
    browsers here). Missing chromium skips the test on a developer's machine and fails it in CI,
    where ``scripts/test`` installs it."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (scripts/test installs it)")
        pytest.skip("chromium is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM runs beside Playwright's loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser):
    """A Simplified-Chinese page; the timeout allows for a loaded two-core CI machine."""
    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(30_000)
    return page


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_use_migrations,
                    django_db_keepdb, django_db_createdb, django_db_modify_db_settings):
    """pytest-django's test database setup, except that with two or more xdist workers the
    migrations run once per run and each worker copies the result (tests/testdb.py, decision
    0712) instead of every worker migrating its own database."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests import testdb

    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        if testdb.usable(request.config, aliases, serialized_aliases, keepdb,
                         django_db_use_migrations):
            old_config = testdb.setup(request.config, verbosity)
        else:
            if not django_db_use_migrations:
                _disable_migrations()
            old_config = setup_databases(verbosity=verbosity, interactive=False, aliases=aliases,
                                         serialized_aliases=serialized_aliases, keepdb=keepdb)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(old_config, verbosity=verbosity)
            except Exception as exc:  # e.g. the live server's thread still connected
                request.node.warn(pytest.PytestWarning(
                    f"Error when trying to teardown test databases: {exc!r}"))


def pytest_sessionfinish(session):
    """The last xdist worker to finish drops the run's template database (tests/testdb.py)."""
    if session.config.pluginmanager.hasplugin("django"):
        from pytest_django.plugin import blocking_manager_key

        from tests import testdb

        with session.config.stash[blocking_manager_key].unblock():
            testdb.finish(session.config)


def pytest_addoption(parser):
    parser.addoption(
        "--database-only", action="store_true",
        help="run only the tests that use the database, browser tests (marker e2e) and demo "
             "seed tests (marker demo_seed) left out (CI's second run on PostgreSQL: the others "
             "do not depend on the database and already ran once; the browser flows run on "
             "PostgreSQL in CI's production check, which also seeds the whole demo city there; "
             "decisions 0711, 0797)")


def pytest_configure(config):
    """xdist hands out whole files (``--dist loadfile``) in the order ``pytest_collection_
    modifyitems`` leaves them (below), not re-sorted by how many tests each file holds."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    _database_only(config, items)
    if hasattr(config, "workerinput"):  # the xdist controller schedules in this order
        items[:] = _slow_files_first(items)


def _slow_files_first(items):
    """Files with a test marked ``slow`` first, then the others by number of tests, most first
    (xdist's own order for ``loadfile``). Without this, xdist's order put the few-test files
    last, among them the API fuzz (minutes of CPU): one worker ran it alone at the end of the
    run while the other had nothing left to do (decision 0797). A stable sort: the order inside
    a file (pytest-django's) is kept."""
    files = {}
    for item in items:
        slow, count = files.get(item.nodeid.split("::")[0], (False, 0))
        files[item.nodeid.split("::")[0]] = (slow or item.get_closest_marker("slow") is not None,
                                             count + 1)
    return sorted(items, key=lambda item: (not files[item.nodeid.split("::")[0]][0],
                                           -files[item.nodeid.split("::")[0]][1]))


def _database_only(config, items):
    if not config.getoption("--database-only"):
        return
    keep, drop = [], []
    for item in items:
        names = getattr(item, "fixturenames", ())
        uses_db = (item.get_closest_marker("django_db") is not None
                   or "db" in names or "transactional_db" in names or "live_server" in names)
        # what CI's production check already runs on PostgreSQL: the browser flows and the
        # demo seed (decision 0797)
        run_by_stage_3 = (item.get_closest_marker("e2e") is not None
                          or item.get_closest_marker("demo_seed") is not None)
        (keep if uses_db and not run_by_stage_3 else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
