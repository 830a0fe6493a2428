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


@pytest.fixture
def indicator_definitions(db):
    """The registry's indicator rows (a data migration). A transactional test's flush empties
    every table, so tests that import registry files after one put them back."""
    import importlib

    from innolink.enterprises.models import IndicatorDefinition

    migration = importlib.import_module("innolink.enterprises.migrations.0002_indicator_definitions")
    for order, (code, name, kind, unit, negative) in enumerate(migration.INDICATORS):
        IndicatorDefinition.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "unit": unit, "allow_negative": negative, "order": order})
