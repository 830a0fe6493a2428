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
