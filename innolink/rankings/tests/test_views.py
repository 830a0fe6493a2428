"""Pages: who may see what, the staff workflow through the browser forms, the public list with
its QR code and exports."""

import datetime as dt
import io
import re
import zlib

import pytest
import segno
from django.utils import timezone
from openpyxl import load_workbook

from innolink.accounts.roles import Role
from innolink.core.models import AuditEntry, Job
from innolink.enterprises.testing import make_user
from innolink.rankings.models import Objection, RankingEntry, RankingRun
from innolink.rankings.tests.factories import computed_run, notice_run, published_run

pytestmark = pytest.mark.usefixtures("small_lists")

STAFF_PAGES = ["/rankings/", "/rankings/declarations/"]


def _without_tokens(response, path: str) -> str:
    """The page without its per-response CSRF tokens and its own address."""
    page = response.content.decode().replace(path, "PATH")
    return re.sub(r'(csrf-token" content=|csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"',
                  "", page)


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.RESEARCHER, Role.POLICY_OFFICER,
                                  Role.DEPT_HANDLER, Role.REVIEWER])
def test_only_organizers_and_admins_reach_the_staff_pages(client, db, role):
    client.force_login(make_user(role))
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403
    response = client.post("/rankings/", {"year": 2025})
    assert response.status_code == 403
    assert not RankingRun.objects.exists()


def test_a_run_page_of_another_role_answers_like_a_missing_one(client, population, organizer):
    run = computed_run(2025, organizer)
    client.force_login(make_user(Role.POLICY_OFFICER))
    existing = client.get(f"/rankings/runs/{run.pk}/")
    missing = client.get(f"/rankings/runs/{run.pk + 1000}/")
    assert existing.status_code == missing.status_code == 404
    assert (_without_tokens(existing, f"/rankings/runs/{run.pk}/")
            == _without_tokens(missing, f"/rankings/runs/{run.pk + 1000}/"))
    entry = RankingEntry.objects.filter(ranking_list__run=run, review="pending").first()
    response = client.post(f"/rankings/entries/{entry.pk}/review/", {"decision": "confirmed"})
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.review == "pending"


def test_staff_start_a_run_and_follow_its_job(client, population, organizer,
                                              django_capture_on_commit_callbacks):
    client.force_login(organizer)
    page = client.get("/rankings/")
    assert page.status_code == 200 and 'value="2025" selected' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rankings/", {"year": "2025"})

    run = RankingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rankings/runs/{run.pk}/"
    assert Job.objects.get().status == Job.Status.SUCCEEDED
    page = client.get(response["Location"]).content.decode()
    assert "已计算" in page and run.fingerprint in page and "晋江市纳税贡献突出民营企业" in page


def test_a_refused_run_shows_the_reason_at_the_form(client, population, organizer, small_lists):
    path = small_lists / "green_50.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("list_size: 5", "list_size: 900"),
                    encoding="utf-8")
    client.force_login(organizer)
    response = client.post("/rankings/", {"year": "2025"})
    assert response.status_code == 422
    assert "green_50" in response.content.decode() or "绿色" in response.content.decode()
    assert not RankingRun.objects.exists()


def test_staff_review_then_open_and_close_the_notice_then_publish(client, population, organizer):
    run = computed_run(2025, organizer)
    client.force_login(organizer)
    review = client.get(f"/rankings/runs/{run.pk}/review/")
    pending = RankingEntry.objects.filter(ranking_list__run=run, review="pending")
    assert review.status_code == 200
    assert review.content.decode().count('name="decision"') == pending.count()

    first = pending.first()
    response = client.post(f"/rankings/entries/{first.pk}/review/",
                           {"decision": "queried", "note": ""})
    assert response.status_code == 422 and "复核存疑时须填写复核意见" in response.content.decode()
    client.post(f"/rankings/entries/{first.pk}/review/",
                {"decision": "queried", "note": "需核实纳税数据"}, HTTP_HX_REQUEST="true")
    first.refresh_from_db()
    assert first.review == "queried" and first.reviewed_by == organizer
    client.post(f"/rankings/runs/{run.pk}/review/confirm-pending/", {"note": "已核对申报数据"})
    assert not pending.exists()
    client.post(f"/rankings/runs/{run.pk}/reviewed/")
    response = client.post(f"/rankings/runs/{run.pk}/notice/",
                           {"closes_on": timezone.localdate().isoformat()})
    assert response.status_code == 422 and "公示截止日期应晚于今天" in response.content.decode()
    closes = timezone.localdate() + dt.timedelta(days=7)
    client.post(f"/rankings/runs/{run.pk}/notice/", {"closes_on": closes.isoformat()})
    run.refresh_from_db()
    assert run.status == "notice" and run.notice_closes_on == closes
    client.post(f"/rankings/runs/{run.pk}/close-notice/")
    client.post(f"/rankings/runs/{run.pk}/publish/")
    run.refresh_from_db()
    assert run.status == "published"


def test_an_expired_notice_offers_publishing_directly(client, population, organizer):
    run = notice_run(2025, organizer, days=3)
    client.force_login(organizer)
    page = client.get(f"/rankings/runs/{run.pk}/").content.decode()
    assert 'id="close-notice"' in page and 'id="notice-expired"' not in page
    RankingRun.objects.filter(pk=run.pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1))
    page = client.get(f"/rankings/runs/{run.pk}/").content.decode()
    assert 'id="notice-expired"' in page and 'id="publish"' in page
    client.post(f"/rankings/runs/{run.pk}/publish/")
    run.refresh_from_db()
    assert run.status == "published"


def test_the_public_sees_nothing_before_the_notice(client, population, organizer):
    run = computed_run(2025, organizer)
    for url in ("/rankings/public/2025/comprehensive_100/",
                "/rankings/public/2025/comprehensive_100/qr.svg",
                "/rankings/public/2025/comprehensive_100/export.xlsx"):
        assert client.get(url).status_code == 404
    assert run.lists.get(list_id="comprehensive_100").title_zh not in client.get(
        "/rankings/public/").content.decode()


def test_the_public_list_page_needs_no_login_and_shows_the_list(client, population, organizer,
                                                                 django_assert_num_queries):
    run = notice_run(2025, organizer)
    ranking_list = run.lists.get(list_id="comprehensive_100")
    members = list(ranking_list.entries.filter(in_list=True).select_related("enterprise")
                   .order_by("position"))

    with django_assert_num_queries(7):  # whatever the list size: no per-row query
        response = client.get("/rankings/public/2025/comprehensive_100/")

    page = response.content.decode()
    assert response.status_code == 200
    names = [m.enterprise.name for m in members]
    assert all(name in page for name in names)
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "评价方法说明" in page and "营业收入35%" in page and "并列规则" in page
    assert "名次区间" in page and "公示期" in page and "实名提出异议" in page
    assert 'id="qr"' in page and "/rankings/public/2025/comprehensive_100/qr.svg" in page


def test_the_qr_code_encodes_the_public_page_url(client, population, organizer):
    notice_run(2025, organizer)
    response = client.get("/rankings/public/2025/tax_contribution/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    url = "http://testserver/rankings/public/2025/tax_contribution/"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, title="榜单二维码")
    assert response.content == out.getvalue()
    assert client.get(url).status_code == 200


def test_a_phone_number_and_real_name_are_needed_for_an_objection(client, population,
                                                                  organizer):
    run = notice_run(2025, organizer)
    url = "/rankings/public/2025/comprehensive_100/objections/"
    bad = client.post(url, {"name": "王", "phone": "12", "content": "不服"})
    assert bad.status_code == 422
    assert "联系电话" in bad.content.decode() and not Objection.objects.exists()
    good = client.post(url, {"name": "王建国", "phone": "0595-85600000",
                             "content": "该企业纳税数据与税务口径不一致，请核实。"})
    assert good.status_code == 302
    objection = Objection.objects.get()
    assert objection.run == run and objection.submitted_by is None
    assert AuditEntry.objects.filter(model="rankings.objection", source="public").exists()


def test_the_objection_form_disappears_after_the_closing_day(client, population, organizer):
    run = notice_run(2025, organizer)
    assert 'id="objection"' in client.get("/rankings/public/2025/comprehensive_100/").content.decode()
    RankingRun.objects.filter(pk=run.pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1))
    page = client.get("/rankings/public/2025/comprehensive_100/").content.decode()
    assert 'id="objection"' not in page and "公示期" in page


def test_the_objection_form_is_prefilled_for_a_signed_in_user(client, population, organizer):
    notice_run(2025, organizer)
    user = make_user(Role.ENTERPRISE, display_name="陈经理", phone="13905950000")
    client.force_login(user)
    page = client.get("/rankings/public/2025/comprehensive_100/").content.decode()
    assert 'value="陈经理"' in page and 'value="13905950000"' in page
    assert f'value="{user.enterprise.name}"' in page
    client.post("/rankings/public/2025/comprehensive_100/objections/", {
        "name": "陈经理", "phone": "13905950000", "content": "本企业出口额统计口径有误，请核实。"})
    objection = Objection.objects.get(submitted_by=user)
    client.force_login(organizer)
    client.post(f"/rankings/objections/{objection.pk}/answer/", {"answer": "已核实并更正口径。"})
    from innolink.core.models import Notification

    note = Notification.objects.get(recipient=user)
    assert note.body == "已核实并更正口径。"
    assert note.url == "/rankings/public/2025/comprehensive_100/"


def test_the_public_page_shows_change_against_last_year(client, organizer):
    from innolink.rankings.tests.factories import make_population

    make_population(40, seed=11)
    published_run(2024, organizer)
    run = notice_run(2025, organizer)
    page = client.get("/rankings/public/2025/comprehensive_100/").content.decode()
    assert "与 2024 年度发布榜单比较" in page
    assert re.search(r"rk-(up|down|new)", page)
    assert client.get("/rankings/public/").status_code == 200
    assert "2024" in client.get("/rankings/public/").content.decode()
    assert run.status == "notice"


def test_xlsx_export_has_the_chinese_list(client, population, organizer):
    run = notice_run(2025, organizer)
    ranking_list = run.lists.get(list_id="comprehensive_100")
    first = ranking_list.entries.filter(in_list=True).order_by("position").select_related(
        "enterprise").first()
    response = client.get("/rankings/public/2025/comprehensive_100/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["榜单"]
    assert ws["A1"].value == "晋江市民营企业综合实力100强（2025年度数据）"
    assert [c.value for c in ws[3]][:4] == ["名次", "企业名称", "所属镇街", "营业收入（万元）"]
    assert ws["A4"].value == first.rank and ws["B4"].value == first.enterprise.name
    assert ws["C4"].value == first.enterprise.get_town_display()
    assert ws.max_row == 3 + ranking_list.size
    assert "评价对象" in wb["评价方法说明"]["A1"].value


def _inflated(pdf: bytes) -> bytes:
    """Every Flate stream of the PDF, decompressed (fonts sit in object streams)."""
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_pdf_export_embeds_a_cjk_font_and_renders_pages(client, population, organizer):
    notice_run(2025, organizer)
    response = client.get("/rankings/public/2025/comprehensive_100/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    objects = _inflated(pdf)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK-?SC", objects)  # a subset
    assert re.search(rb"/FontFile[23]?\b", objects)  # embedded, not referenced
    assert re.search(rb"/Type\s*/Page\b", objects)
    assert b"<664B>" in objects.upper()  # 晋 (U+664B) is in the text's Unicode map


def test_staff_export_a_list_before_it_is_public(client, population, organizer):
    run = computed_run(2025, organizer)
    client.force_login(organizer)
    response = client.get(f"/rankings/runs/{run.pk}/lists/green_50/export.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["榜单"]["A1"].value.startswith(
        "晋江市绿色发展民营企业50强")
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(f"/rankings/runs/{run.pk}/lists/green_50/export.xlsx").status_code == 404


def test_a_job_that_fails_marks_the_run_failed_with_the_reason(client, population, organizer,
                                                               small_lists):
    from innolink.core.jobs import job_run
    from innolink.rankings import services

    run = services.run_start(year=2025, actor=organizer)
    path = small_lists / "green_50.yaml"  # the file is broken after the check, before the job
    path.write_text(path.read_text(encoding="utf-8").replace("name: energy_intensity,",
                                                             "name: energy_intensty,"),
                    encoding="utf-8")
    job = job_run(run.job)
    run.refresh_from_db()
    assert job.status == "failed" and run.status == "failed"
    assert run.error["code"] == "ranking.unknown_indicator"
    assert not run.lists.exists()
    client.force_login(organizer)
    page = client.get(f"/rankings/runs/{run.pk}/").content.decode()
    assert 'id="run-error"' in page and "energy_intensty" in page


def test_the_workspace_shows_the_rankings_panel_by_role(client, population, organizer):
    computed_run(2025, organizer)
    client.force_login(organizer)
    page = client.get("/workspace/").content.decode()
    assert "民营企业榜单" in page and "2025 #" in page and "待审核申报 0 份" in page
    client.force_login(make_user(Role.ENTERPRISE))
    page = client.get("/workspace/").content.decode()
    assert "民营企业榜单申报" in page and "/rankings/declare/" in page


def test_staff_lists_keep_a_fixed_number_of_queries(client, population, organizer,
                                                    django_assert_num_queries):
    from innolink.rankings.models import Declaration

    for i, enterprise in enumerate(population[:12]):
        Declaration.objects.create(enterprise=enterprise, year=2025, status="submitted",
                                   values={"revenue": "1"}, flags=[{"code": "jump"}] * (i % 2))
    computed_run(2025, organizer)
    computed_run(2024, organizer)
    client.force_login(organizer)
    client.get("/rankings/")  # the session and the user are loaded once per request
    with django_assert_num_queries(5):
        assert client.get("/rankings/declarations/").status_code == 200
    with django_assert_num_queries(4):
        assert client.get("/rankings/").status_code == 200


def test_reproduce_says_the_lists_are_identical(client, population, organizer):
    run = computed_run(2025, organizer)
    client.force_login(organizer)
    page = client.post(f"/rankings/runs/{run.pk}/reproduce/", follow=True).content.decode()
    assert "复算核验通过" in page


def test_xlsx_export_never_carries_a_live_formula_and_amounts_are_numbers(client, population,
                                                                          organizer):
    import zipfile

    evil = '=HYPERLINK("http://evil.example/x","点击查看")'
    run = notice_run(2025, organizer)
    ranking_list = run.lists.get(list_id="comprehensive_100")
    first = ranking_list.entries.filter(in_list=True).order_by("position").first()
    type(first.enterprise).objects.filter(pk=first.enterprise_id).update(name=evil)
    response = client.get("/rankings/public/2025/comprehensive_100/export.xlsx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any("<f>" in z.read(n).decode() for n in sheets)
    ws = load_workbook(io.BytesIO(response.content))["榜单"]
    name = ws["B4"]
    assert (name.value, name.data_type, name.quotePrefix) == (evil, "s", True)
    revenue = ws["D4"]
    assert ws["D3"].value == "营业收入（万元）"
    assert revenue.data_type == "n" and isinstance(revenue.value, (int, float))
    assert revenue.number_format == "#,##0.00" and ws["A4"].data_type == "n"


def test_the_review_page_pages_and_filters_by_list_and_state(client, population, organizer, monkeypatch):
    from innolink.rankings import views

    monkeypatch.setattr(views, "REVIEW_PAGE", 20)
    run = computed_run(2025, organizer)
    entries = RankingEntry.objects.filter(ranking_list__run=run)
    entries.update(uncertain=True, review="pending")
    total = entries.count()
    assert total > 20
    queried = entries.filter(ranking_list__list_id="green_50").first()
    RankingEntry.objects.filter(pk=queried.pk).update(review="queried")
    client.force_login(organizer)
    first = client.get(f"/rankings/runs/{run.pk}/review/").content.decode()
    assert first.count('data-review=') == 20 and f"共 {total} 条" in first
    rest = client.get(f"/rankings/runs/{run.pk}/review/?page=2").content.decode()
    assert rest.count('data-review=') == min(20, total - 20)
    green = client.get(f"/rankings/runs/{run.pk}/review/?list=green_50").content.decode()
    assert green.count('data-review=') == min(20, entries.filter(
        ranking_list__list_id="green_50").count())
    only = client.get(f"/rankings/runs/{run.pk}/review/?review=queried").content.decode()
    assert only.count('data-review=') == 1 and queried.enterprise.name in only
    odd = client.get(f"/rankings/runs/{run.pk}/review/?list=nope&review=x")
    assert odd.status_code == 200 and odd.content.decode().count('data-review=') == 20
