"""Issue 16 (ADR 0795): the landing page promises only services that exist. Each of its six
cards names a role and what it can do; the role's menu holds a page for each promise."""

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db

# card heading -> (role, the menu pages its sentence promises)
PROMISES = {
    "企业": (Role.ENTERPRISE, ["policies:mine", "challenges:manage", "servicedesk:create",
                             "servicedesk:list"]),
    "科研人员与团队": (Role.RESEARCHER, ["challenges:board", "matching:researcher-me",
                                  "challenges:workspace", "challenges:offers"]),
    "组织方": (Role.ORGANIZER, ["challenges:manage", "events:list", "events:rounds",
                             "challenges:overview"]),
    "政策专员与财政": (Role.POLICY_OFFICER, ["policies:applications", "policies:ledger",
                                      "policies:metrics"]),
    "部门与挂钩干部": (Role.CADRE, ["servicedesk:list", "servicedesk:visits"]),
    "领导与公众": (Role.LEADER, ["dashboard:overview", "rankings:public"]),
}


def _menu(html: str) -> str:
    return html.split('class="mainnav')[1].split("</nav>")[0]


def test_every_card_of_the_landing_page_is_a_service_in_that_roles_menu(client):
    home = client.get("/").content.decode()
    for heading in PROMISES:
        assert f"<h2>{heading}</h2>" in home, heading
    assert f'href="{reverse("rankings:public")}"' in _menu(home)  # the public reads it signed out
    for heading, (role, names) in PROMISES.items():
        client.force_login(make_user(role))
        menu = _menu(client.get(reverse("dashboard:workspace")).content.decode())
        for name in names:
            assert f'href="{reverse(name)}"' in menu, (heading, role, name)
    handler = make_user(Role.DEPT_HANDLER)  # 部门: the requests dispatched to the department
    client.force_login(handler)
    menu = _menu(client.get(reverse("dashboard:workspace")).content.decode())
    assert f'href="{reverse("servicedesk:list")}"' in menu
