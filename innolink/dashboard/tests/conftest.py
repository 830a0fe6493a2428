import pytest


@pytest.fixture(autouse=True)
def population_snapshot_dir(settings, tmp_path):
    """Policy scans keep their population snapshot in this test's own directory."""
    from innolink.policies import snapshot

    settings.INNOLINK_POLICY_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    snapshot.forget()
    yield
    snapshot.forget()
