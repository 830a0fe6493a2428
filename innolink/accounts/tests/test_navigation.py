"""The side menu: each page highlights exactly the one entry it belongs to."""

import pytest

from innolink.accounts.models import Department
from innolink.accounts.navigation import navigation_for
from innolink.accounts.roles import Role
from innolink.core.testing import make_user


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_page_highlights_only_its_own_entry(db, role):
    department, _ = Department.objects.get_or_create(code="test", defaults={"name": "测试局"})
    user = make_user(role, department=department) if role in (
        Role.DEPT_HANDLER, Role.CADRE, Role.METEOROLOGIST) else make_user(role)
    items = navigation_for(user, "/")
    assert items, role
    for item in items:
        active = [i.url for i in navigation_for(user, item.url) if i.active]
        assert active == [item.url], (role, item.url, active)
        deeper = [i.url for i in navigation_for(user, item.url + "123/") if i.active]
        assert len(deeper) <= 1, (role, item.url, deeper)


def test_the_language_menu_names_each_language_in_itself(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="en" lang="en">English</option>' in page
    assert "英语" not in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans">简体中文</option>' in page
