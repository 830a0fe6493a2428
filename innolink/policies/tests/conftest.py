import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import make_user
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
