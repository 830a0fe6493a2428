"""Fixtures for the Django apps. Engine tests run with or without Django
(``pytest innolink/engines -p no:django`` works): nothing here imports Django at load time."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(request, tmp_path):
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def organizer(db):
    from innolink.accounts.roles import Role
    from innolink.core.testing import make_user

    return make_user(Role.ORGANIZER)


@pytest.fixture
def enterprise_user(db):
    from innolink.accounts.roles import Role
    from innolink.core.testing import make_user

    return make_user(Role.ENTERPRISE)


@pytest.fixture
def other_enterprise(db):
    from innolink.core.testing import make_enterprise

    return make_enterprise(name="另一家企业有限公司")


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def enterprise_client(client, enterprise_user):
    client.force_login(enterprise_user)
    return client
