"""Uploaded files are served only through a view that checks access to their record, in every
setting (DEBUG included), under random storage names, as downloads that browsers never
render."""

import importlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from innolink.accounts.roles import Role
from innolink.challenges import services as board
from innolink.challenges.tests.factories import (make_challenge, make_poster, make_proposal,
                                                 make_researcher)
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


@pytest.fixture
def debug_urls(settings):
    """The URLs as `make start` (DEBUG on) builds them."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def _draft_with_attachment():
    poster = make_poster()
    challenge = make_challenge(poster=poster, state="draft")
    attachment = board.attachment_add(
        actor=poster, upload=SimpleUploadedFile("工艺规格书.pdf", PDF), kind="spec",
        challenge=challenge)
    return poster, challenge, attachment


def test_storage_names_are_random_and_say_nothing():
    _poster, _challenge, attachment = _draft_with_attachment()
    assert re.fullmatch(r"challenges/attachments/[0-9a-f]{32}\.pdf", attachment.file.name)
    assert "规格书" not in attachment.file.name and attachment.original_name == "工艺规格书.pdf"


def test_media_is_not_served_even_with_debug_on(client, debug_urls):
    poster, _challenge, attachment = _draft_with_attachment()
    for user in (None, make_poster(), poster):
        if user is not None:
            client.force_login(user)
        response = client.get(f"/media/{attachment.file.name}")
        assert response.status_code == 404
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_download_view_checks_the_records_access(client):
    poster, challenge, attachment = _draft_with_attachment()
    url = reverse("challenges:attachment", args=[attachment.pk])
    missing = reverse("challenges:attachment", args=[attachment.pk + 1000])
    for user in (None, make_poster(), make_researcher(), make_user(Role.REVIEWER)):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == client.get(missing).status_code == 404, user
        assert PDF not in response.content
    client.force_login(poster)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%B7%A5%E8%89%BA" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_a_proposals_attachment_is_for_its_readers_only(client):
    challenge = make_challenge(state="published")
    researcher = make_researcher()
    proposal = make_proposal(challenge, researcher)
    attachment = board.attachment_add(actor=researcher, upload=SimpleUploadedFile(
        "方案.pdf", PDF), kind="proposal", proposal=proposal)
    url = reverse("challenges:attachment", args=[attachment.pk])
    for user in (None, make_researcher(), make_poster()):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(researcher)
    assert client.get(url).status_code == 200
