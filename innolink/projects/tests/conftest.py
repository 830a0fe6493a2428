import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user


@pytest.fixture
def staff(db):
    return make_user(Role.ORGANIZER, display_name="林主任")


@pytest.fixture
def leader(db):
    return make_user(Role.LEADER, display_name="蔡副市长")
