"""The rankings API: runs and workflow for staff, public lists without login, objections,
declarations scoped to the user's own enterprise."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.rankings.models import Declaration, Objection, RankingEntry, RankingRun
from innolink.rankings.tests.factories import computed_run, notice_run

pytestmark = pytest.mark.usefixtures("small_lists")
JSON = "application/json"


def test_staff_run_the_whole_workflow_through_the_api(client, population, organizer,
                                                      django_capture_on_commit_callbacks):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(client.post("/api/rankings/runs", {"year": 2025},
                                                  content_type=JSON), 202)
    run_id = started["run_id"]
    run = assert_json_success(client.get(f"/api/rankings/runs/{run_id}"))
    assert run["status"] == "computed" and len(run["lists"]) == 7
    assert {rl["list_id"] for rl in run["lists"]} >= {"comprehensive_100", "tax_contribution"}
    review = assert_json_success(client.get(f"/api/rankings/runs/{run_id}/review"))
    assert review and all(e["uncertain"] for e in review)
    first = review[0]
    done = assert_json_success(client.post(f"/api/rankings/entries/{first['id']}/review",
                                           {"decision": "queried", "note": "核实纳税数据"},
                                           content_type=JSON))
    assert done["review"] == "queried"
    assert_json_error(client.post(f"/api/rankings/runs/{run_id}/reviewed"), 409,
                      "reviews_pending")
    count = assert_json_success(client.post(f"/api/rankings/runs/{run_id}/confirm-pending",
                                            {"note": "已核对"}, content_type=JSON))["count"]
    assert count == len(review) - 1
    assert_json_success(client.post(f"/api/rankings/runs/{run_id}/reviewed"))
    body = assert_json_error(client.post(f"/api/rankings/runs/{run_id}/notice",
                                         {"closes_on": str(timezone.localdate())},
                                         content_type=JSON), 422, "invalid")
    assert "closes_on" in body["extra"]["fields"]
    closes = timezone.localdate() + dt.timedelta(days=5)
    notice = assert_json_success(client.post(f"/api/rankings/runs/{run_id}/notice",
                                             {"closes_on": str(closes)}, content_type=JSON))
    assert notice["status"] == "notice" and notice["notice_closes_on"] == str(closes)
    assert_json_success(client.post(f"/api/rankings/runs/{run_id}/close-notice"))
    published = assert_json_success(client.post(f"/api/rankings/runs/{run_id}/publish"))
    assert published["status"] == "published"
    staff_list = assert_json_success(client.get(f"/api/rankings/runs/{run_id}/lists/green_50"))
    assert sum(r["in_list"] for r in staff_list["rows"]) == 5
    assert all(r["uncertain"] for r in staff_list["rows"] if not r["in_list"])


def test_a_bad_methodology_is_refused_with_the_engine_code(client, population, organizer,
                                                           small_lists):
    path = small_lists / "outward_50.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: exports,", "name: export,"),
                    encoding="utf-8")
    client.force_login(organizer)
    body = assert_json_error(client.post("/api/rankings/runs", {"year": 2025},
                                         content_type=JSON), 422, "ranking.unknown_indicator")
    assert body["extra"]["indicator"] == "export"
    assert not RankingRun.objects.exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.POLICY_OFFICER, Role.RESEARCHER])
def test_other_roles_cannot_run_or_see_runs(client, population, organizer, role):
    run = computed_run(2025, organizer)
    client.force_login(make_user(role))
    assert_json_error(client.post("/api/rankings/runs", {"year": 2025}, content_type=JSON),
                      403, "permission_denied")
    assert_json_error(client.get("/api/rankings/runs"), 403, "permission_denied")
    existing = assert_json_error(client.get(f"/api/rankings/runs/{run.pk}"), 404, "not_found")
    missing = assert_json_error(client.get(f"/api/rankings/runs/{run.pk + 99}"), 404,
                                "not_found")
    assert existing == missing
    entry = RankingEntry.objects.filter(ranking_list__run=run, uncertain=True).first()
    assert_json_error(client.post(f"/api/rankings/entries/{entry.pk}/review",
                                  {"decision": "confirmed"}, content_type=JSON), 404,
                      "not_found")
    assert RankingRun.objects.count() == 1


def test_the_public_api_needs_no_login_and_shows_only_public_lists(client, population,
                                                                   organizer):
    run = computed_run(2025, organizer)
    assert assert_json_success(client.get("/api/rankings/public")) == []
    assert_json_error(client.get("/api/rankings/public/2025/comprehensive_100"), 404,
                      "not_found")
    run.delete()
    notice_run(2025, organizer)
    body = assert_json_success(client.get("/api/rankings/public/2025/comprehensive_100"))
    assert body["status"] == "notice" and body["size"] == len(body["rows"]) == 5
    assert [r["rank"] for r in body["rows"]] == sorted(r["rank"] for r in body["rows"])
    assert body["url"] == "http://testserver/rankings/public/2025/comprehensive_100/"
    assert body["qr_url"].endswith("/qr.svg")
    first = body["rows"][0]
    assert set(first["indicators"]) == set(body["columns"])
    assert first["rank_p05"] <= first["median_rank"] <= first["rank_p95"]
    assert Decimal(body["entry_threshold"]) > 0
    assert_json_error(client.get("/api/rankings/public/2025/no_such_list"), 404, "not_found")
    # a NUL byte is refused before any handler by the API-wide guard (innolink/api/guards.py)
    assert_json_error(client.get("/api/rankings/public/2025/bad%00id"), 422, "invalid")


def test_public_objections_through_the_api(client, population, organizer):
    run = notice_run(2025, organizer)
    url = "/api/rankings/public/2025/comprehensive_100/objections"
    body = assert_json_error(client.post(url, {"name": "王建国", "phone": "x",
                                               "content": "短"}, content_type=JSON),
                             422, "invalid")
    assert set(body["extra"]["fields"]) == {"phone", "content"}
    assert not Objection.objects.exists()
    made = assert_json_success(client.post(url, {
        "name": "王建国", "phone": "13800000000",
        "content": "该企业纳税总额含代扣代缴部分，请核实。"}, content_type=JSON), 201)
    assert made["status"] == "open"
    client.force_login(organizer)
    listed = assert_json_success(client.get(f"/api/rankings/runs/{run.pk}/objections"))
    assert [o["id"] for o in listed] == [made["id"]]
    answered = assert_json_success(client.post(
        f"/api/rankings/objections/{made['id']}/answer",
        {"answer": "经核实，按税务部门口径统计。"}, content_type=JSON))
    assert answered["status"] == "answered"


def test_declarations_through_the_api(client, db, organizer):
    enterprise = make_enterprise(legal_representative="陈立新")
    user = make_user(Role.ENTERPRISE, enterprise=enterprise)
    client.force_login(user)
    values = {"revenue": "80000000", "total_assets": "60000000", "net_profit": "-200000",
              "tax_paid": "2000000", "employees": "150", "rd_expense": "90000000"}
    body = assert_json_error(client.post("/api/rankings/declarations", {
        "year": 2025, "values": values, "submit": True, "attested_name": "陈立新",
        "attest": True}, content_type=JSON), 422, "invalid")
    assert body["extra"]["fields"]["rd_expense"] == ["研发费用不能大于营业收入"]
    assert not Declaration.objects.exists()
    values["rd_expense"] = "900000.456"
    made = assert_json_success(client.post("/api/rankings/declarations", {
        "year": 2025, "values": values, "submit": True, "attested_name": "陈立新",
        "attest": True}, content_type=JSON))
    assert made["status"] == "submitted"
    assert Decimal(made["values"]["rd_expense"]) == Decimal("900000.46")
    mine = assert_json_success(client.get("/api/rankings/declarations"))
    assert [d["id"] for d in mine] == [made["id"]]
    assert_json_error(client.post(f"/api/rankings/declarations/{made['id']}/accept"), 403,
                      "permission_denied")

    other = make_user(Role.ENTERPRISE)
    client.force_login(other)
    assert assert_json_success(client.get("/api/rankings/declarations")) == []
    existing = assert_json_error(client.get(f"/api/rankings/declarations/{made['id']}"), 404,
                                 "not_found")
    missing = assert_json_error(client.get(f"/api/rankings/declarations/{made['id'] + 9}"),
                                404, "not_found")
    assert existing == missing
    client.force_login(organizer)
    assert_json_error(client.post("/api/rankings/declarations", {"year": 2025, "values": {}},
                                  content_type=JSON), 403, "permission_denied")
    accepted = assert_json_success(client.post(
        f"/api/rankings/declarations/{made['id']}/accept"))
    assert accepted["status"] == "accepted"
    assert enterprise.years.get(year=2025).value("net_profit") == Decimal("-200000.00")


def test_api_actions_are_audited_with_source_api(client, db, organizer):
    from innolink.core.models import AuditEntry

    enterprise = make_enterprise(legal_representative="陈立新")
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    values = {"revenue": "80000000", "total_assets": "60000000", "net_profit": "200000",
              "tax_paid": "2000000", "employees": "150", "rd_expense": "900000"}
    made = assert_json_success(client.post("/api/rankings/declarations", {
        "year": 2025, "values": values, "submit": True, "attested_name": "陈立新",
        "attest": True}, content_type=JSON))
    client.force_login(organizer)
    assert_json_success(client.post(f"/api/rankings/declarations/{made['id']}/accept"))
    entries = AuditEntry.objects.filter(model="rankings.declaration", object_id=str(made["id"]))
    assert entries.count() >= 2
    assert set(entries.values_list("source", flat=True)) == {"api"}


def test_anonymous_objections_are_throttled_per_client_and_list(client, population, organizer,
                                                                settings):
    from django.test import Client

    settings.INNOLINK = {**settings.INNOLINK, "PUBLIC_POST_LIMIT": 3,
                         "PUBLIC_POST_WINDOW": 600}
    settings.INNOLINK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    notice_run(2025, organizer)
    url = "/api/rankings/public/2025/comprehensive_100/objections"
    good = {"name": "王建国", "phone": "13800000000",
            "content": "该企业纳税总额含代扣代缴部分，请核实。"}

    def post(forwarded, data=good, target=url):
        return Client().post(target, data, content_type=JSON, REMOTE_ADDR="10.0.0.2",
                             HTTP_X_FORWARDED_FOR=forwarded)

    assert post("203.0.113.9", {**good, "phone": "x"}).status_code == 422  # counted as well
    for _ in range(2):
        assert_json_success(post("203.0.113.9"), 201)
    body = assert_json_error(post("203.0.113.9"), 429, "throttled")
    assert "分钟后再试" in body["message"] and 0 < body["extra"]["retry_after"] <= 601
    assert Objection.objects.count() == 2
    # another client behind the same proxy, and the same client on another list, go on
    assert_json_success(post("198.51.100.7"), 201)
    assert_json_success(post("203.0.113.9", target=url.replace("comprehensive_100",
                                                                 "green_50")), 201)
    # the page form shares the count: a 429 page with the message, nothing written
    page = Client().post("/rankings/public/2025/comprehensive_100/objections/", {
        **good, "enterprise": ""}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert page.status_code == 429 and "分钟后再试" in page.content.decode()
    assert Objection.objects.count() == 4


def test_a_leader_reads_runs_but_every_workflow_step_is_refused(client, population, organizer):
    """The city leader reads the lists from the overview; publishing, 公示, review and
    corrections stay with organizer staff (pages and API alike), and nothing is written."""
    from innolink.core.models import AuditEntry
    from innolink.rankings.models import Correction

    run = notice_run(2025, organizer)
    client.force_login(make_user(Role.LEADER))
    assert_json_success(client.get(f"/api/rankings/runs/{run.pk}"))
    audits = AuditEntry.objects.count()
    for path, body in [(f"/api/rankings/runs/{run.pk}/close-notice", None),
                       (f"/api/rankings/runs/{run.pk}/publish", None),
                       (f"/api/rankings/runs/{run.pk}/reviewed", None),
                       (f"/api/rankings/runs/{run.pk}/confirm-pending", {"note": "已核对"}),
                       (f"/api/rankings/runs/{run.pk}/lists/green_50/corrections",
                        {"description": "更正某企业的纳税数据"})]:
        response = client.post(path, body or {}, content_type=JSON)
        assert_json_error(response, 403, "permission_denied")
    for path in [f"/rankings/runs/{run.pk}/publish/", f"/rankings/runs/{run.pk}/close-notice/",
                 f"/rankings/runs/{run.pk}/review/",
                 f"/rankings/runs/{run.pk}/lists/green_50/corrections/"]:
        assert client.post(path, {"description": "更正某企业的纳税数据"}).status_code in (403, 405)
    page = client.get(f"/rankings/runs/{run.pk}/")
    assert page.status_code == 200 and b'id="publish"' not in page.content
    assert b'id="close-notice"' not in page.content
    run.refresh_from_db()
    assert run.status == "notice"
    assert not Correction.objects.exists()
    assert AuditEntry.objects.count() == audits
