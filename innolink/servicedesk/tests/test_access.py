"""Who sees and does what, endpoint by endpoint, on pages and in the API: an enterprise only its
own requests, a handler only its department's, a cadre only their enterprises', the coordinator
all, the leader all but read-only. Another tenant's record answers exactly like a missing one."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.servicedesk import services
from innolink.servicedesk.models import RoutingRule, ServiceRequest, Status
from innolink.servicedesk.tests.helpers import upload, written


@pytest.fixture
def world(desk, company, owner, handler, other_handler, coordinator, leader, cadre):
    other_company = make_enterprise(name="另一家鞋业有限公司", town="陈埭")
    other_owner = make_user(Role.ENTERPRISE, enterprise=other_company)
    services.cadre_assign(actor=coordinator, enterprise=company, cadre=cadre)
    mine = services.request_create(enterprise=company, channel="online", category="land",
                                   description="厂房产权证办不下来", actor=owner,
                                   attachments=[upload("图纸.pdf")])
    theirs = services.request_create(enterprise=other_company, channel="online", category="labor",
                                     description="缺普工两百人", actor=other_owner)
    return {"mine": mine, "theirs": theirs, "owner": owner, "other_owner": other_owner,
            "handler": handler, "other_handler": other_handler, "coordinator": coordinator,
            "leader": leader, "cadre": cadre, "organizer": make_user(Role.ORGANIZER),
            "researcher": make_user(Role.RESEARCHER), "company": company,
            "other_company": other_company}


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


PAGE_ACCESS = {
    # url: roles that get 200 (others 403)
    "/servicedesk/requests/": {"owner", "handler", "other_handler", "coordinator", "leader",
                               "cadre", "organizer"},
    "/servicedesk/new/": {"owner"},
    # the desk's work queue, settings and roster: not the read-only leader's (ADR 0760)
    "/servicedesk/coordination/": {"coordinator", "organizer"},
    "/servicedesk/overdue/": {"coordinator", "leader", "organizer"},
    "/servicedesk/routing/": {"coordinator", "organizer"},
    "/servicedesk/sessions/": {"coordinator", "leader", "organizer"},
    "/servicedesk/sessions/new/": {"coordinator", "organizer"},
    "/servicedesk/import/": {"coordinator", "organizer"},
    "/servicedesk/import/template.xlsx": {"coordinator", "organizer"},
    "/servicedesk/cadres/": {"coordinator", "organizer", "cadre"},
    "/servicedesk/plans/": {"coordinator", "leader", "organizer"},
    "/servicedesk/coverage/": {"coordinator", "leader", "organizer"},
    "/servicedesk/visits/": {"coordinator", "leader", "organizer", "cadre"},
    "/servicedesk/measures/": {"coordinator", "leader", "organizer", "handler",
                               "other_handler"},
    "/servicedesk/measures/weekly.xlsx": {"coordinator", "leader", "organizer", "handler",
                                          "other_handler"},
}
ROLES = ["owner", "handler", "other_handler", "coordinator", "leader", "cadre", "organizer",
         "researcher"]


@pytest.mark.parametrize("url", list(PAGE_ACCESS))
def test_pages_by_role(client, world, url):
    for role in ROLES:
        response = get(client, world[role], url)
        expected = 200 if role in PAGE_ACCESS[url] else 403
        assert response.status_code == expected, (url, role, response.status_code)


def _write_forms(response) -> list[str]:
    """The POST forms in a page's main part (the header's language and logout forms are not)."""
    return re.findall(r'<form[^>]*method="post"[^>]*>', _main(response), flags=re.I)


def test_no_write_form_renders_for_the_leader(client, world):
    """The leader reads city-wide and acts on nothing: every desk page the leader may open
    (the table above, a request, a session, a visit sheet) renders without a write form, in
    both languages, while the coordinator's copy of the same page has its forms."""
    from innolink.servicedesk.models import Session

    from django.utils import timezone

    session = services.session_record(actor=world["coordinator"], kind=Session.Kind.RECEPTION,
                                      title="接访日", held_on=timezone.localdate(), host="陈局长",
                                      place="行政服务中心", problems=[services.Problem(
                                          category="land", description="用地指标咨询",
                                          kind="consult", urgent=False,
                                          enterprise=world["company"], town="")])
    pages = [url for url, roles in PAGE_ACCESS.items()
             if "leader" in roles and not url.endswith(".xlsx")]
    pages += [f"/servicedesk/requests/{world['mine'].pk}/",
              f"/servicedesk/sheet/{world['company'].pk}/"]
    pages.append(f"/servicedesk/sessions/{session.pk}/")
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        for url in pages:
            response = get(client, world["leader"], url)
            assert response.status_code == 200, (url, language)
            assert _write_forms(response) == [], (url, language, _write_forms(response))
    client.cookies["django_language"] = "zh-hans"
    # the check can fail: the coordinator's request page and plans page do carry forms
    for url in (f"/servicedesk/requests/{world['mine'].pk}/", "/servicedesk/plans/"):
        assert _write_forms(get(client, world["coordinator"], url)), url


def test_anonymous_is_sent_to_login(client, world):
    for url in [*PAGE_ACCESS, f"/servicedesk/requests/{world['mine'].pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url


def test_request_page_by_role(client, world):
    url = f"/servicedesk/requests/{world['mine'].pk}/"
    missing = "/servicedesk/requests/999999/"
    for role, status in (("owner", 200), ("other_owner", 404), ("handler", 200),
                         ("other_handler", 404), ("cadre", 200), ("coordinator", 200),
                         ("leader", 200), ("organizer", 200), ("researcher", 404)):
        response = get(client, world[role], url)
        assert response.status_code == status, (role, response.status_code)
        if status == 404:  # exactly like a request that does not exist
            assert _main(get(client, world[role], missing)) == _main(response)


def test_enterprise_page_hides_internal_notes(client, world):
    services.request_return(actor=world["handler"], request_id=world["mine"].pk,
                            reason="内部理由：不归口")
    page = get(client, world["owner"], f"/servicedesk/requests/{world['mine'].pk}/")
    assert "内部理由" not in page.content.decode()
    assert "退单" in page.content.decode()  # the step itself is shown
    staff = get(client, world["coordinator"], f"/servicedesk/requests/{world['mine'].pk}/")
    assert "内部理由" in staff.content.decode()


def test_list_shows_only_what_each_may_see(client, world):
    mine, theirs = world["mine"], world["theirs"]
    for role, seen in (("owner", {mine}), ("other_owner", {theirs}), ("cadre", {mine}),
                       ("coordinator", {mine, theirs}), ("leader", {mine, theirs})):
        html = get(client, world[role], "/servicedesk/requests/").content.decode()
        for r in (mine, theirs):
            assert (r.number in html) == (r in seen), (role, r.number)
    queue = get(client, world["handler"], "/servicedesk/requests/").content.decode()
    assert mine.number in queue and theirs.number not in queue


def test_handler_queue_narrows_to_a_stage(client, world, desk, company):
    signed = services.request_create(enterprise=company, channel="online", category="land",
                                     title="厂房产权证办理进度", description="产权证办理进度咨询",
                                     actor=world["owner"])
    services.request_sign(actor=world["handler"], request_id=signed.pk)
    mine = world["mine"]

    def numbers(url):
        html = get(client, world["handler"], url).content.decode()
        return {r.number for r in (mine, signed) if r.number in html}

    assert numbers("/servicedesk/requests/") == {mine.number, signed.number}
    assert numbers("/servicedesk/requests/?status=assigned") == {mine.number}
    assert numbers("/servicedesk/requests/?status=handling") == {signed.number}
    # a stage the queue does not know (or one without a clock) is the whole queue, never an error
    assert numbers("/servicedesk/requests/?status=closed") == {mine.number, signed.number}
    assert numbers("/servicedesk/requests/?status=%00") == {mine.number, signed.number}


def test_attachment_download_is_scoped(client, world):
    attachment = world["mine"].attachments.get()
    assert get(client, world["owner"], f"/servicedesk/attachments/{attachment.pk}/").status_code == 200
    for role in ("other_owner", "other_handler", "researcher"):
        assert get(client, world[role],
                   f"/servicedesk/attachments/{attachment.pk}/").status_code == 404


def test_visit_sheet_is_scoped(client, world):
    mine = f"/servicedesk/sheet/{world['company'].pk}/"
    theirs = f"/servicedesk/sheet/{world['other_company'].pk}/"
    assert get(client, world["cadre"], mine).status_code == 200
    assert get(client, world["cadre"], theirs).status_code == 404
    assert get(client, world["owner"], mine).status_code == 404
    assert get(client, world["coordinator"], theirs).status_code == 200
    assert get(client, world["cadre"], f"/servicedesk/visits/new/{world['company'].pk}/").status_code == 200
    assert get(client, world["cadre"],
               f"/servicedesk/visits/new/{world['other_company'].pk}/").status_code == 404
    assert get(client, world["coordinator"],
               f"/servicedesk/visits/new/{world['company'].pk}/").status_code == 403


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def test_actions_are_refused_to_those_who_may_not_act(client, world):
    mine = world["mine"]
    sign = f"/servicedesk/requests/{mine.pk}/sign/"
    before = written()
    assert post(client, world["other_handler"], sign).status_code == 404
    assert post(client, world["other_owner"], sign).status_code == 404
    assert post(client, world["leader"], sign).status_code == 403
    assert post(client, world["owner"], sign).status_code == 403
    assert post(client, world["cadre"], sign).status_code == 403
    assert post(client, world["leader"], f"/servicedesk/requests/{mine.pk}/assign/",
                {"department": "rsj"}).status_code == 403
    assert post(client, world["other_owner"], f"/servicedesk/requests/{mine.pk}/rate/",
                {"rating": "satisfied"}).status_code == 404
    assert post(client, world["owner"], f"/servicedesk/requests/{mine.pk}/nonsense/").status_code == 404
    assert written() == before
    response = post(client, world["handler"], sign)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Status.HANDLING


def test_state_refusals_become_messages(client, world):
    mine = world["mine"]
    services.request_sign(actor=world["handler"], request_id=mine.pk)
    before = written()
    response = post(client, world["handler"], f"/servicedesk/requests/{mine.pk}/sign/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "该诉求已被签收" in page
    assert written() == before


def test_staff_pages_refuse_writes_from_readers(client, world):
    before = written(), RoutingRule.objects.count()
    for url, data in (("/servicedesk/routing/", {"category": "tax", "lead": "rsj"}),
                      ("/servicedesk/routing/settings/", {"office_hours": "08:00-12:00"}),
                      ("/servicedesk/routing/sla/help/", {"sign_hours": "1"}),
                      ("/servicedesk/routing/train/", {}),
                      ("/servicedesk/routing/supervision/", {"department": "rsj"}),
                      (f"/servicedesk/routing/{RoutingRule.objects.first().pk}/delete/", {}),
                      ("/servicedesk/cadres/import/", {}),
                      ("/servicedesk/cadres/assign/", {"enterprise": "x"}),
                      ("/servicedesk/plans/", {"target": "3"}),
                      ("/servicedesk/sessions/new/", {"title": "x"}),
                      ("/servicedesk/import/", {})):
        assert post(client, world["leader"], url, data).status_code == 403, url
        assert post(client, world["handler"], url, data).status_code == 403, url
    assert post(client, world["handler"], "/servicedesk/extensions/1/", {}).status_code == 403
    assert post(client, world["leader"], "/servicedesk/callbacks/1/", {}).status_code == 403
    assert (written(), RoutingRule.objects.count()) == before
    response = post(client, world["coordinator"], "/servicedesk/routing/",
                    {"category": "tax", "lead": "rsj", "co_departments": ["zjj"]})
    assert response.status_code == 302 and RoutingRule.objects.filter(category__code="tax").exists()


def test_new_request_page_bad_input(client, world):
    client.force_login(world["owner"])
    before = written()
    response = client.post("/servicedesk/new/", {"category": "land", "kind": "help",
                                                 "town": "陈埭", "description": "  "})
    assert response.status_code == 422 and "诉求内容不能为空" in response.content.decode()
    big = SimpleUploadedFile("照片.jpg", b"0" * (20 * 1024 * 1024), content_type="image/jpeg")
    response = client.post("/servicedesk/new/", {"category": "land", "kind": "help",
                                                 "town": "陈埭", "description": "产权证",
                                                 "attachments": [big]})
    assert response.status_code == 422 and "超过 10 MB 上限" in response.content.decode()
    response = client.post("/servicedesk/new/", {"category": "nope", "kind": "help",
                                                 "town": "火星", "description": "产权证"})
    assert response.status_code == 422
    assert written() == before
    response = client.post("/servicedesk/new/", {"category": "land", "kind": "help",
                                                 "town": "陈埭", "description": "产权证办不下来"})
    assert response.status_code == 302


# --------------------------------------------------------------------------- API

def api(client, user, method, url, payload=None, **extra):
    plain = getattr(user, "_test_token", None)
    if plain is None:
        _token, plain = api_token_create(user=user, name="test")
        user._test_token = plain
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    call = getattr(client, method)
    if payload is not None:
        return call(url, json.dumps(payload), content_type="application/json", **headers, **extra)
    return call(url, **headers, **extra)


def test_api_list_scopes(client, world):
    expected = {"owner": {world["mine"].pk}, "other_owner": {world["theirs"].pk},
                "cadre": {world["mine"].pk},
                "coordinator": {world["mine"].pk, world["theirs"].pk},
                "leader": {world["mine"].pk, world["theirs"].pk}}
    for role, ids in expected.items():
        body = assert_json_success(api(client, world[role], "get", "/api/servicedesk/requests"))
        assert {i["id"] for i in body["items"]} == ids, role
    assert_json_error(api(client, world["researcher"], "get", "/api/servicedesk/requests"),
                      403, "permission_denied")


def test_api_detail_no_existence_leak(client, world):
    url = f"/api/servicedesk/requests/{world['mine'].pk}"
    foreign = assert_json_error(api(client, world["other_owner"], "get", url), 404, "not_found")
    missing = assert_json_error(api(client, world["other_owner"], "get",
                                    "/api/servicedesk/requests/999999"), 404, "not_found")
    assert foreign == missing
    assert_json_error(api(client, world["other_handler"], "get", url), 404, "not_found")
    body = assert_json_success(api(client, world["owner"], "get", url))
    assert body["suggestions"] == [] and [s["kind"] for s in body["steps"]] == ["created", "routed"]


def test_api_actions(client, world):
    url = f"/api/servicedesk/requests/{world['mine'].pk}"
    for role in ("other_handler", "leader", "owner", "handler"):
        api(client, world[role], "get", "/api/servicedesk/categories")  # tokens made up front
    before = written()
    assert_json_error(api(client, world["other_handler"], "post", f"{url}/sign"), 404, "not_found")
    assert_json_error(api(client, world["leader"], "post", f"{url}/sign"), 403, "permission_denied")
    assert_json_error(api(client, world["owner"], "post", f"{url}/reply", {"text": "x"}), 409,
                      "wrong_state")
    assert written() == before
    body = assert_json_success(api(client, world["handler"], "post", f"{url}/sign"))
    assert body["status"] == "handling" and body["countdown"]["stage"] == "handle"
    assert_json_error(api(client, world["handler"], "post", f"{url}/sign"), 409, "already_signed")
    assert_json_error(api(client, world["handler"], "post", f"{url}/reply", {"text": "  "}), 422,
                      "empty_text")
    body = assert_json_success(api(client, world["handler"], "post", f"{url}/reply",
                                   {"text": "已办理"}))
    assert body["status"] == "replied"
    body = assert_json_success(api(client, world["owner"], "post", f"{url}/rate",
                                   {"rating": "satisfied"}))
    assert body["status"] == "closed"
    before = written()
    error = assert_json_error(api(client, world["handler"], "post", f"{url}/reply",
                                  {"text": "再答复"}), 409, "request_closed")
    assert "已办结" in error["message"]
    assert written() == before


def test_api_12345_push_with_a_token(client, world):
    payload = {"credit_code": world["company"].credit_code, "channel": "hotline",
               "category": "水电气保障", "description": "园区停电频繁", "external_id": "GD001",
               "kind": "complaint"}
    body = assert_json_success(api(client, world["coordinator"], "post",
                                   "/api/servicedesk/requests", payload), 201)
    assert body["channel"] == "hotline" and body["external_id"] == "GD001"
    assert body["department"] == "qyfw"  # utilities has no rule in this desk: the fallback owner
    api(client, world["owner"], "get", "/api/servicedesk/categories")  # its token, made up front
    before = written()
    assert_json_error(api(client, world["coordinator"], "post", "/api/servicedesk/requests",
                          payload), 409, "duplicate_external_id")
    for bad, code in (({"description": ""}, "empty_text"),
                      ({"category": "火星", "external_id": "GD002"}, "unknown_category"),
                      ({"town": "火星", "external_id": "GD003"}, "unknown_town"),
                      ({"credit_code": "000", "external_id": "GD004"}, "unknown_enterprise")):
        assert_json_error(api(client, world["coordinator"], "post", "/api/servicedesk/requests",
                              {**payload, **bad}), 422, code)
    # an enterprise cannot file for another, nor on the 12345 channel; another enterprise's id
    # or credit code answers exactly as a missing one (ADR 0005: no existence leak)
    answers = [api(client, world["owner"], "post", "/api/servicedesk/requests",
                   {**named, "category": "land", "description": "x"})
               for named in ({"enterprise_id": world["other_company"].pk},
                             {"enterprise_id": 2**40},
                             {"credit_code": world["other_company"].credit_code},
                             {"credit_code": "91350582MA0000000X"})]
    bodies = {(a.status_code, a.content) for a in answers}
    assert len(bodies) == 1
    assert_json_error(answers[0], 422, "unknown_enterprise")
    assert_json_error(api(client, world["owner"], "post", "/api/servicedesk/requests",
                          {**payload, "credit_code": world["company"].credit_code,
                           "external_id": "GD005"}), 403, "permission_denied")
    assert written() == before


def test_api_staff_endpoints(client, world):
    assert_json_error(api(client, world["owner"], "get", "/api/servicedesk/rates?year=2026"), 403,
                      "permission_denied")
    body = assert_json_success(api(client, world["leader"], "get",
                                   "/api/servicedesk/rates?year=2026&by=town"))
    assert body["by"] == "town"
    assert_json_error(api(client, world["coordinator"], "get", "/api/servicedesk/queue"), 403,
                      "permission_denied")
    body = assert_json_success(api(client, world["handler"], "get", "/api/servicedesk/queue"))
    assert [i["id"] for i in body["items"]] == [world["mine"].pk]
    assert_json_error(api(client, world["handler"], "get", "/api/servicedesk/overdue"), 403,
                      "permission_denied")
    assert_json_success(api(client, world["leader"], "get", "/api/servicedesk/overdue"))
    rule = {"category": "tax", "lead": "rsj"}
    assert_json_error(api(client, world["leader"], "post", "/api/servicedesk/routing-rules", rule),
                      403, "permission_denied")
    created = assert_json_success(api(client, world["coordinator"], "post",
                                      "/api/servicedesk/routing-rules", rule), 201)
    assert_json_error(api(client, world["coordinator"], "post", "/api/servicedesk/routing-rules",
                          rule), 409, "rule_exists")
    assert_json_error(api(client, world["leader"], "delete",
                          f"/api/servicedesk/routing-rules/{created['id']}"), 403,
                      "permission_denied")
    assert api(client, world["coordinator"], "delete",
               f"/api/servicedesk/routing-rules/{created['id']}").status_code == 204
    assert_json_error(api(client, world["owner"], "get", "/api/servicedesk/routing-rules"), 403,
                      "permission_denied")


def test_api_hotline_import_refusals(client, world):
    _token, plain = api_token_create(user=world["handler"], name="t")
    _token, coordinator_token = api_token_create(user=world["coordinator"], name="t")
    csv = ("工单编号,统一社会信用代码,诉求类别,诉求内容\n"
           f"GD1,{world['company'].credit_code},用地用房,缺地\nGD2,000,火星,\n").encode()
    before = written()
    response = client.post("/api/servicedesk/hotline/import",
                           {"file": SimpleUploadedFile("t.csv", csv, content_type="text/csv")},
                           HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert_json_error(response, 403, "permission_denied")
    response = client.post("/api/servicedesk/hotline/import",
                           {"file": SimpleUploadedFile("t.csv", csv, content_type="text/csv")},
                           HTTP_AUTHORIZATION=f"Bearer {coordinator_token}")
    body = assert_json_error(response, 422, "import_rows_invalid")
    assert {(e["row"], e["column"]) for e in body["extra"]["errors"]} == {
        (3, "统一社会信用代码"), (3, "诉求类别"), (3, "诉求内容")}
    assert written() == before
    assert not ServiceRequest.objects.filter(channel="hotline").exists()


def test_queue_and_overdue_pages_take_a_fixed_number_of_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(user, url):
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    from django.utils import timezone

    from innolink.servicedesk.models import ServiceRequest

    late = timezone.now() - timezone.timedelta(hours=1)
    ServiceRequest.objects.update(deadline_at=late)
    few_queue = count(world["handler"], "/servicedesk/requests/")
    few_overdue = count(world["coordinator"], "/servicedesk/overdue/")
    for i in range(30):
        services.request_create(enterprise=world["company"], channel="online", category="land",
                                description=f"第{i}件产权证诉求", actor=world["owner"])
    ServiceRequest.objects.update(deadline_at=late)
    assert count(world["handler"], "/servicedesk/requests/") == few_queue
    assert count(world["coordinator"], "/servicedesk/overdue/") == few_overdue


def test_api_every_request_step_is_scoped(client, world):
    """Each step endpoint: another department's handler gets the 404 of a missing request, a
    reader (the leader) the 403 of an action not theirs; nothing is written."""
    from innolink.servicedesk.models import CoHandling, Extension

    mine = world["mine"]
    services.request_sign(actor=world["handler"], request_id=mine.pk)
    question = services.request_input_ask(actor=world["handler"], request_id=mine.pk,
                                          department="zjj", question="规划核实意见？")
    extension = services.request_extension_ask(actor=world["handler"], request_id=mine.pk,
                                               days=3, reason="需测绘")
    other = services.request_create(enterprise=world["company"], channel="online",
                                    category="land", description="另一件产权证问题",
                                    actor=world["owner"])
    url = f"/api/servicedesk/requests/{mine.pk}"
    steps = [(f"{url}/return", {"reason": "x"}), (f"{url}/assign", {"department": "rsj"}),
             (f"{url}/return-decision", {"accept": True, "department": "rsj"}),
             (f"{url}/inputs", {"department": "rsj", "question": "x"}),
             (f"{url}/reply", {"text": "x"}), (f"{url}/close", {"note": ""}),
             (f"{url}/rate", {"rating": "satisfied"}),
             (f"{url}/review", {"reopen": True, "note": "x"}),
             (f"{url}/extension", {"days": 2, "reason": "x"}),
             (f"{url}/merge", {"target": other.pk}),
             (f"/api/servicedesk/inputs/{question.pk}/answer", {"answer": "x"}),
             (f"/api/servicedesk/extensions/{extension.pk}/decision", {"approve": True})]
    for role in ("other_handler", "other_owner", "leader"):
        api(client, world[role], "get", "/api/servicedesk/categories")
    before = written(), CoHandling.objects.filter(answered_at__isnull=False).count(), \
        Extension.objects.filter(state="pending").count()
    for path, payload in steps:
        for role in ("other_handler", "other_owner"):
            response = api(client, world[role], "post", path, payload)
            assert response.status_code in (403, 404), (path, role, response.status_code)
            if "/extensions/" not in path:
                assert_json_error(response, 404, "not_found")
        response = api(client, world["leader"], "post", path, payload)
        assert_json_error(response, 403, "permission_denied")
    assert (written(), CoHandling.objects.filter(answered_at__isnull=False).count(),
            Extension.objects.filter(state="pending").count()) == before
    # the attachment upload too
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"{url}/attachments",
                           {"files": [SimpleUploadedFile("a.pdf", b"%PDF-1", "application/pdf")]},
                           HTTP_AUTHORIZATION=f"Bearer {world['other_owner']._test_token}")
    assert_json_error(response, 404, "not_found")
    response = client.post(f"{url}/attachments",
                           {"files": [SimpleUploadedFile("a.pdf", b"%PDF-1", "application/pdf")]},
                           HTTP_AUTHORIZATION=f"Bearer {world['leader']._test_token}")
    assert_json_error(response, 403, "permission_denied")
    assert written() == before[0]
