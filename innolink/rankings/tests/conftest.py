import pytest

from innolink.rankings.tests.factories import make_population, small_methodologies


@pytest.fixture
def small_lists(settings, tmp_path):
    """Every shipped methodology with lists of 5 and 60 perturbation samples."""
    folder = small_methodologies(tmp_path / "methodologies")
    settings.INNOLINK = {**settings.INNOLINK, "RANKING_METHODOLOGY_DIR": str(folder)}
    return folder


@pytest.fixture
def population(db):
    return make_population()


def _ensure_indicator_definitions() -> None:
    import importlib

    from innolink.enterprises.models import IndicatorDefinition

    migration = importlib.import_module("innolink.enterprises.migrations.0002_indicator_definitions")
    for order, (code, name, kind, unit, negative) in enumerate(migration.INDICATORS):
        IndicatorDefinition.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "unit": unit, "allow_negative": negative, "order": order})


@pytest.fixture
def indicator_definitions(db):
    """The registry's indicator rows (a data migration). A transactional test's flush empties
    every table, so tests that import registry files after one put them back."""
    _ensure_indicator_definitions()


@pytest.fixture(scope="module")
def restore_migration_data(django_db_setup, django_db_blocker):
    """For modules of transactional tests: their flush also deletes the rows the data
    migrations wrote (the registry's indicators); put them back after the module, so tests that
    run later in the same worker find them."""
    yield
    with django_db_blocker.unblock():
        _ensure_indicator_definitions()
