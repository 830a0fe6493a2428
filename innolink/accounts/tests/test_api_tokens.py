"""API tokens: writes with a bearer token pass without CSRF (cookie sessions are still
checked), and every user manages their own tokens on a page (created, shown once, listed,
revoked, expired ones refused), all in the audit trail."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from innolink.accounts.models import ApiToken
from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error
from innolink.enterprises.testing import make_user
from innolink.matching.models import TechTerm

pytestmark = pytest.mark.django_db


def _post_term(client: Client, term: str, **headers):
    return client.post("/api/matching/terms", json.dumps({"term": term}),
                       content_type="application/json", **headers)


def test_bearer_write_needs_no_csrf_but_a_session_write_still_does():
    organizer = make_user(Role.ORGANIZER)
    _token, plain = api_token_create(user=organizer, name="etl")
    client = Client(enforce_csrf_checks=True)  # what a real browser or script meets

    response = _post_term(client, "超临界发泡", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 201, response.content
    assert TechTerm.objects.filter(term="超临界发泡").exists()

    session = Client(enforce_csrf_checks=True)
    session.force_login(organizer)
    assert_json_error(_post_term(session, "光敏介质"), 403, "permission_denied")
    # a bearer token next to a signed-in session cookie does not skip the session's check
    assert_json_error(_post_term(session, "光敏介质", HTTP_AUTHORIZATION=f"Bearer {plain}"),
                      403, "permission_denied")
    assert not TechTerm.objects.filter(term="光敏介质").exists()
    session.get("/")  # the page sets the CSRF cookie; the header carries its token
    csrf = session.cookies["csrftoken"].value
    response = _post_term(session, "光敏介质", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201, response.content


def test_user_creates_a_token_shown_once_and_it_works(client):
    user = make_user(Role.RESEARCHER)
    client.force_login(user)
    response = client.post(reverse("accounts:tokens"), {"name": "统计脚本", "expires_on": ""})
    assert response.status_code == 200
    plain = response.context["created"]["plain"]
    assert plain.startswith("il_") and plain in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response[
        "Cache-Control"]
    token = ApiToken.objects.get(user=user)
    assert token.name == "统计脚本" and token.digest == ApiToken.hash(plain)
    assert plain not in client.get(reverse("accounts:tokens")).content.decode()  # once only
    entry = AuditEntry.objects.get(model="accounts.apitoken", object_id=str(token.pk))
    assert entry.action == "create" and entry.actor == user and "digest" not in entry.changes
    api = Client()
    assert api.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {plain}").json()["id"] == user.pk


def test_the_token_page_is_in_every_signed_in_users_menu(client):
    for role in (Role.ENTERPRISE, Role.RESEARCHER, Role.ORGANIZER, Role.REVIEWER):
        client.force_login(make_user(role))
        labels = [i.label for i in client.get(reverse("dashboard:workspace")).context[
            "nav_items"]]
        assert "API 令牌" in labels, role
    client.logout()
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("data,field", [
    ({"name": "", "expires_on": ""}, "name"),
    ({"name": "x" * 65, "expires_on": ""}, "name"),
    ({"name": "脚本", "expires_on": "2020-01-01"}, "expires_on"),
    ({"name": "脚本", "expires_on": "明天"}, "expires_on"),
])
def test_bad_token_input_is_refused_and_writes_nothing(client, data, field):
    user = make_user(Role.ENTERPRISE)
    client.force_login(user)
    response = client.post(reverse("accounts:tokens"), data)
    assert response.status_code == 422 and field in response.context["errors"]
    assert response.context["created"] is None
    assert ApiToken.objects.count() == 0
    assert not AuditEntry.objects.filter(model="accounts.apitoken").exists()


def test_expired_token_is_refused():
    user = make_user(Role.ORGANIZER)
    token, plain = api_token_create(user=user, name="短期", expires_on=timezone.localdate())
    client = Client()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_json_error(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {plain}"), 401,
                      "not_authenticated")


def test_expiry_date_means_the_end_of_that_day_in_shanghai():
    user = make_user(Role.ORGANIZER)
    day = timezone.localdate() + dt.timedelta(days=30)
    token, _plain = api_token_create(user=user, name="月度", expires_on=day.isoformat())
    local = timezone.localtime(token.expires_at)
    assert (local.date(), local.hour, local.minute) == (day + dt.timedelta(days=1), 0, 0)


def test_owner_revokes_a_token_and_it_stops_working(client):
    user = make_user(Role.ORGANIZER)
    token, plain = api_token_create(user=user, name="etl")
    client.force_login(user)
    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.filter(model="accounts.apitoken", object_id=str(token.pk),
                                      action="transition").get()
    assert entry.actor == user and "revoked_at" in entry.changes
    assert_json_error(Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {plain}"), 401,
                      "not_authenticated")
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "已撤销" in page


def test_another_user_cannot_revoke_or_see_a_token(client):
    owner = make_user(Role.ORGANIZER)
    token, plain = api_token_create(user=owner, name="私有脚本")
    other = make_user(Role.ADMIN)
    client.force_login(other)
    assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("accounts:token-revoke", args=[999999])).status_code == 404
    assert "私有脚本" not in client.get(reverse("accounts:tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEntry.objects.filter(model="accounts.apitoken", action="transition").exists()
