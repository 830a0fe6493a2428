import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.policies.services import policy_sync


@pytest.fixture
def synced(db):
    """The 12 demo policies mirrored into the database."""
    policy_sync(actor=None, source="test")


@pytest.fixture
def officer(db):
    return make_user(Role.POLICY_OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture(autouse=True)
def population_snapshot_dir(settings, tmp_path):
    """Each test stores the scan's population snapshot in its own directory, and starts without
    another test's copy in memory."""
    from innolink.policies import snapshot

    settings.INNOLINK_POLICY_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    snapshot.forget()
    yield tmp_path / "snapshots"
    snapshot.forget()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded materials go to this test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
