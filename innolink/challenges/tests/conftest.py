import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user


@pytest.fixture
def staff(db):
    return make_user(Role.ORGANIZER, display_name="组织方小张")


@pytest.fixture
def poster(db):
    from innolink.challenges.tests.factories import make_poster

    return make_poster()


@pytest.fixture
def researcher(db):
    from innolink.challenges.tests.factories import make_researcher

    return make_researcher()
