"""IP terms include co-ownership without a stated split (issue #10): posted from the page or
the API it is stored with no share, shown as such, and a share sent with it is not kept."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from innolink.challenges import services
from innolink.challenges.models import Challenge
from innolink.challenges.tests.factories import challenge_data
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_success

pytestmark = pytest.mark.django_db


def test_co_ownership_without_a_split_is_stored_without_a_share_and_shown(client, poster):
    challenge = services.challenge_create(actor=poster, data=challenge_data(
        ip_ownership="joint_open", ip_enterprise_share=None))
    challenge.refresh_from_db()
    assert (challenge.ip_ownership, challenge.ip_enterprise_share) == ("joint_open", None)
    audit = AuditEntry.objects.get(model="challenges.challenge", action="create")
    assert audit.changes["ip_ownership"] == [None, "joint_open"]
    client.force_login(poster)
    page = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert "双方共有（未约定份额）" in page and "发榜方 " not in page
    with translation.override("en"):
        english = client.get(reverse("challenges:detail", args=[challenge.pk]),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "双方共有" not in english


def test_a_share_sent_with_an_open_co_ownership_is_not_kept(client, poster):
    client.force_login(poster)
    created = assert_json_success(client.post(
        "/api/challenges", json.dumps(challenge_data(ip_ownership="joint_open",
                                                     ip_enterprise_share=60)),
        content_type="application/json"), 201)
    assert Challenge.objects.get(pk=created["id"]).ip_enterprise_share is None
    detail = assert_json_success(client.get(f"/api/challenges/{created['id']}"))
    assert (detail["ip_ownership"], detail["ip_enterprise_share"]) == ("joint_open", None)
