import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import make_enterprise, make_user


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def organizer(db):
    return make_user(Role.ORGANIZER)


@pytest.fixture
def enterprise_user(db):
    return make_user(Role.ENTERPRISE)


@pytest.fixture
def other_enterprise(db):
    return make_enterprise(name="另一家企业有限公司")


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def enterprise_client(client, enterprise_user):
    client.force_login(enterprise_user)
    return client
