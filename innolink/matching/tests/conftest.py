import pytest


@pytest.fixture(autouse=True)
def _matching_settings(settings, tmp_path):
    """Fast, deterministic matching in tests: no dense model unless a test asks for one, a
    delta sync before every query, and a fresh per-process engine for each test."""
    from innolink.matching.index import reset_index_cache

    settings.INNOLINK_MATCHING_ENCODER = "none"
    settings.INNOLINK_MATCHING_SYNC_INTERVAL = 0
    settings.INNOLINK_MATCHING_INDEX_DIR = str(tmp_path / "matching-index")
    reset_index_cache()
    yield
    reset_index_cache()
