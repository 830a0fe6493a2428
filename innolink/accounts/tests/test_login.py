import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def test_login_with_correct_password_goes_to_the_workspace(client):
    user = make_user(Role.POLICY_OFFICER)
    response = client.post(reverse("accounts:login"), {"username": user.username,
                                                       "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:workspace")


def test_wrong_password_says_so_in_chinese(client):
    user = make_user()
    response = client.post(reverse("accounts:login"), {"username": user.username,
                                                       "password": "wrong"})
    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client):
    user = make_user()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "x"})
    response = client.post(reverse("accounts:login"), {"username": user.username,
                                                       "password": PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_production_uses_argon2_first():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize("role,visible,hidden", [
    (Role.ORGANIZER, ["企业库", "批量导入"], ["我的企业"]),
    (Role.POLICY_OFFICER, ["企业库"], ["批量导入", "我的企业"]),
    (Role.ENTERPRISE, ["我的企业"], ["企业库", "批量导入"]),
    (Role.RESEARCHER, ["工作台"], ["企业库", "我的企业", "批量导入"]),
])
def test_navigation_shows_only_what_the_role_can_use(client, role, visible, hidden):
    client.force_login(make_user(role))
    response = client.get(reverse("dashboard:workspace"))
    labels = [item.label for item in response.context["nav_items"]]
    assert all(v in labels for v in visible) and not any(h in labels for h in hidden)


def test_english_is_available(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.status_code == 200 and 'lang="en"' in response.content.decode()


def test_signed_in_pages_group_the_menu_under_headings(client):
    """A staff member's twenty entries sit in a side menu under the GROUPS headings, in
    heading order; an anonymous visitor gets the public entries as one row."""
    from innolink.accounts.navigation import GROUPS

    response = client.get("/")
    html = response.content.decode()
    assert 'class="mainnav side"' not in html and 'class="mainnav"' in html
    client.force_login(make_user(Role.ADMIN))
    response = client.get(reverse("dashboard:workspace"))
    groups = response.context["nav_groups"]
    assert [g.label for g in groups] == [str(GROUPS[key]) for key in GROUPS
                                         if any(i.group == key for g in groups for i in g.items)]
    assert len(groups) >= 6
    rank = {key: n for n, key in enumerate(GROUPS)}
    items = response.context["nav_items"]
    by_heading = sorted(items, key=lambda i: rank[i.group])  # stable: keeps each app's order
    assert [i.label for g in groups for i in g.items] == [i.label for i in by_heading]
    html = response.content.decode()
    assert 'class="mainnav side"' in html and "<h2>企业服务</h2>" in html


def test_a_navigation_entry_must_name_a_known_group():
    from innolink.accounts.navigation import NavEntry

    with pytest.raises(ValueError, match="unknown navigation group"):
        NavEntry("x", "dashboard:workspace", group="nowhere")


def test_no_menu_heading_repeats_an_entry_label():
    from innolink.accounts.navigation import GROUPS, _entries

    labels = {str(e.label) for e in _entries()}
    assert not labels & {str(h) for h in GROUPS.values() if h}
