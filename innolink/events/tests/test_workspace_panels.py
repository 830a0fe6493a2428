"""Issue 16, "Workspaces" (ADR 0795): the organizer's and the admin's workspace list the events
that exist (not 还没有活动), the reviewer's shows its counts, and a participant of a published
event finds it under 我的洽谈日程 with a link to the agenda."""

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.tests.factories import make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


def _workspace(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard:workspace"))
    assert response.status_code == 200
    return response.content.decode()


def test_staff_and_participants_see_the_events(client, staff, event, pairs):
    services.invitations_invite_shortlisted(actor=staff, event=event)
    services.event_schedule(actor=staff, event=event)
    services.event_publish(actor=staff, event=event)
    for user in (staff, make_user(Role.ADMIN)):
        body = _workspace(client, user)
        assert event.title in body and "还没有活动" not in body, user.role
    enterprise_user = make_user(Role.ENTERPRISE, enterprise=pairs["enterprise"])
    body = _workspace(client, enterprise_user)
    assert "我的洽谈日程" in body
    assert reverse("events:agenda", args=[event.pk]) in body and event.title in body


def test_the_reviewers_counts_are_shown(client, staff):
    reviewer = make_reviewer()
    rnd = services.round_create(actor=staff, title="决赛", reviewers_per_entry=1,
                                default_max_load=2)
    services.round_entries_add(actor=staff, round=rnd,
                               proposals=[make_proposal(), make_proposal()])
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[reviewer])
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    body = _workspace(client, reviewer)
    assert '<span class="stat">2</span> 份待评分 · 0 份已提交' in body
