"""The side menu: each page highlights exactly the one entry it belongs to."""

import pytest

from innolink.accounts.models import Department
from innolink.accounts.navigation import navigation_for
from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user


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


def test_the_language_switch_names_the_other_language_in_itself(client, db):
    """One button to the other language, named in that language (no select that submits on
    change: WCAG 3.2.2)."""
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="language" value="en" lang="en" title="切换语言">English</button>' in page
    assert "英语" not in page and 'value="zh-hans"' not in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="zh-hans" lang="zh-hans" title="Switch language">简体中文</button>' in page
    assert "<select name=\"language\"" not in page


def test_the_leaders_menu_and_workspace_show_reading_pages_not_the_desks_work(client, db):
    """A leader reads city-wide and acts on nothing: no coordination queue, routing settings or
    cadre lists in the menu or on the workspace; every entry it has opens; the coordinator
    keeps them."""
    leader = make_user(Role.LEADER)
    urls = [i.url for i in navigation_for(leader, "/")]
    for work in ("/servicedesk/coordination/", "/servicedesk/routing/", "/servicedesk/cadres/",
                 "/servicedesk/import/"):
        assert work not in urls
    assert "/overview/" in urls and "/servicedesk/overdue/" in urls
    client.force_login(leader)
    for url in urls:
        if url.startswith("/api/"):
            continue
        assert client.get(url).status_code == 200, url
    page = client.get("/workspace/").content.decode()
    assert 'href="/servicedesk/coordination/"' not in page
    coordinator = make_user(Role.COORDINATOR)
    mine = [i.url for i in navigation_for(coordinator, "/")]
    assert {"/servicedesk/coordination/", "/servicedesk/routing/", "/servicedesk/cadres/"} <= set(mine)
