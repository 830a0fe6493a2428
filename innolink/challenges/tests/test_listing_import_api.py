"""The 榜单 import through the API (ADR 0171): a token client gets the page's service — the same
all-or-nothing check, the same per-row report, the same remembered mapping — and every refusal
writes nothing. Also: a token client reads its own draft with the page's visibility."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.challenges.listing_services import LISTING_IMPORT_KIND
from innolink.challenges.models import Challenge, ImportColumnMapping, IndicatorTarget, Issuer
from innolink.core.models import AuditEntry, Job
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
API = "/api/challenges/listings/import"


def sample(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (SAMPLES / name).read_bytes())


def bearer(user) -> dict:
    _token, plain = api_token_create(user=user, name="etl")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def nothing_written():
    assert Challenge.objects.count() == 0 and IndicatorTarget.objects.count() == 0
    assert Issuer.objects.count() == 0
    assert not AuditEntry.objects.filter(model="challenges.challenge").exists()


def test_check_then_commit_by_token(client, staff, django_capture_on_commit_callbacks):
    auth = bearer(staff)
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post(
            API, {"file": sample("listings-sample.xlsx"), "publish": "true"}, **auth), 202)
    assert started["commit"] is False
    assert Job.objects.get(pk=started["job_id"]).kind == LISTING_IMPORT_KIND
    report = assert_json_success(client.get(f"{API}/{started['job_id']}", **auth))
    assert (report["status"], report["committed"], report["listings"],
            report["error_count"]) == ("succeeded", False, 6, 0)
    nothing_written()
    with django_capture_on_commit_callbacks(execute=True):
        imported = assert_json_success(client.post(f"{API}/{started['job_id']}/commit",
                                                   **auth), 202)
    assert imported["commit"] is True
    done = assert_json_success(client.get(f"{API}/{imported['job_id']}", **auth))
    assert (done["committed"], done["created"], done["published"]) == (True, 6, 6)
    assert Challenge.objects.count() == 6
    sources = set(AuditEntry.objects.filter(model="challenges.challenge")
                  .values_list("source", flat=True))
    assert sources == {f"api:import:{imported['job_id'][:8]}"}
    # a confirmation is used once; the import job itself cannot be confirmed
    assert_json_error(client.post(f"{API}/{started['job_id']}/commit", **auth), 409,
                      "import_already_started")
    assert_json_error(client.post(f"{API}/{imported['job_id']}/commit", **auth), 409,
                      "import_not_checked")
    assert Challenge.objects.count() == 6


def test_one_step_commit_of_a_bad_file_writes_nothing_and_reports_rows(
        client, staff, django_capture_on_commit_callbacks):
    auth = bearer(staff)
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post(
            API, {"file": sample("listings-bad.csv"), "commit": "true"}, **auth), 202)
    report = assert_json_success(client.get(f"{API}/{started['job_id']}", **auth))
    assert report["committed"] is False and report["commit"] is True
    assert {(e["row"], e["code"]) for e in report["errors"]} == {
        (3, "duplicate_in_file"), (4, "required"), (5, "deadline_past")}
    assert "与第 2 行重复（同一发榜单位、同一名称）" in {e["reason"] for e in report["errors"]}
    english = assert_json_success(client.get(f"{API}/{started['job_id']}",
                                             HTTP_ACCEPT_LANGUAGE="en", **auth))
    assert any("Duplicate of row 2" in e["reason"] for e in english["errors"])
    nothing_written()


def test_unknown_columns_are_mapped_by_the_client_and_remembered(
        client, staff, django_capture_on_commit_callbacks):
    auth = bearer(staff)
    deadline = "2099-12-31"
    asked = assert_json_success(client.post(
        API, {"file": sample("listings-sample-gbk.csv"), "default_deadline": deadline}, **auth))
    assert asked["needs_mapping"] is True and Job.objects.count() == 0
    headers = [c["header"] for c in asked["columns"]]
    assert "攻关方向" in headers and "ignore" in {f["key"] for f in asked["fields"]}
    choices = {c["header"]: c["guess"] or "statement" for c in asked["columns"]}
    incomplete = dict(choices)
    incomplete.pop("攻关方向")
    assert_json_error(client.post(f"{API}/mapping", {"token": asked["token"],
                                                     "choices": incomplete},
                                  content_type="application/json", **auth), 422, "invalid")
    assert ImportColumnMapping.objects.count() == 0 and Job.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post(
            f"{API}/mapping", {"token": asked["token"], "choices": choices, "commit": True},
            content_type="application/json", **auth), 202)
    report = assert_json_success(client.get(f"{API}/{started['job_id']}", **auth))
    assert (report["committed"], report["created"]) == (True, 2)
    assert ImportColumnMapping.objects.get().header == "攻关方向"
    # another organizer cannot use the token, a forged one is refused; nothing more written
    other = bearer(make_user(Role.ORGANIZER))
    assert_json_error(client.post(f"{API}/mapping", {"token": asked["token"],
                                                     "choices": choices},
                                  content_type="application/json", **other), 403,
                      "permission_denied")
    assert_json_error(client.post(f"{API}/mapping", {"token": asked["token"] + "x",
                                                     "choices": choices},
                                  content_type="application/json", **auth), 400,
                      "import_token")
    assert Challenge.objects.count() == 2 and Job.objects.count() == 1


@pytest.mark.parametrize("content, name, code", [
    (b"", "x.csv", "import_empty"),
    (b"a,b\n1,2\n", "x.csv", "import_no_header"),
    (b"PK\x03\x04 broken", "x.xlsx", "import_bad_file"),
    (b"%PDF-1.4", "x.pdf", "import_bad_type"),
])
def test_unreadable_files_are_refused_without_a_job(client, staff, content, name, code):
    assert_json_error(client.post(API, {"file": SimpleUploadedFile(name, content),
                                        "commit": "true"}, **bearer(staff)), 400, code)
    assert Job.objects.count() == 0
    nothing_written()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.RESEARCHER, Role.REVIEWER])
def test_other_roles_and_anonymous_are_refused(client, role, staff,
                                               django_capture_on_commit_callbacks):
    auth = bearer(make_user(role))
    with django_capture_on_commit_callbacks(execute=True):
        assert_json_error(client.post(API, {"file": sample("listings-sample.xlsx"),
                                            "commit": "true"}, **auth), 403,
                          "permission_denied")
        assert client.post(API, {"file": sample("listings-sample.xlsx")}).status_code == 401
        started = assert_json_success(client.post(
            API, {"file": sample("listings-sample.xlsx")}, **bearer(staff)), 202)
        # the organizer's check job is not theirs to read or confirm
        assert client.get(f"{API}/{started['job_id']}", **auth).status_code in (403, 404)
        assert client.post(f"{API}/{started['job_id']}/commit", **auth).status_code in (403,
                                                                                         404)
    assert Job.objects.count() == 1
    nothing_written()


# --- GET /api/challenges/{id}: token and session, the page's visibility ----------------------

def test_a_token_client_reads_its_own_draft_and_nobody_else_does(client, poster):
    from innolink.challenges.tests.factories import make_challenge

    draft = make_challenge(poster=poster, state="draft")
    url = f"/api/challenges/{draft.pk}"
    body = assert_json_success(client.get(url, **bearer(poster)))
    assert (body["id"], body["state"]) == (draft.pk, "draft")
    assert_json_error(client.get(url), 404, "not_found")  # anonymous: as on the page
    assert_json_error(client.get(url, **bearer(make_user(Role.RESEARCHER))), 404, "not_found")
    assert client.get(url, HTTP_AUTHORIZATION="Bearer il_wrong").status_code == 401
    client.force_login(poster)
    assert assert_json_success(client.get(url))["state"] == "draft"


def test_a_published_challenge_is_public_with_or_without_a_token(client, poster):
    from innolink.challenges.tests.factories import make_challenge

    published = make_challenge(poster=poster, state="published")
    url = f"/api/challenges/{published.pk}"
    assert assert_json_success(client.get(url))["id"] == published.pk
    other = assert_json_success(client.get(url, **bearer(make_user(Role.RESEARCHER))))
    assert other["id"] == published.pk and other["contact"] is None
