"""A real listing through the API and the pages (decisions 0350–0353): targets as written,
funding forms, an outside issuer, screening checks the organizer waives with a reason, the
domain given at screening; who may do which of it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.challenges import services
from innolink.challenges.models import Challenge, Issuer, Programme
from innolink.challenges.tests.factories import make_challenge, make_poster
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def post(client, url, payload=None):
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def listing(**overrides):
    deadline = (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    data = {
        "title": "柔性折叠屏铰链耐弯折材料", "statement": "折叠屏铰链用高分子缓冲材料需要在反复弯折后"
        "不开裂、不蠕变，并适应高低温环境。", "domain": "", "secondary_domains": [],
        "funding_kind": "prize", "prize_schedule": [
            {"award": "一等奖", "amount": "500000", "count": 1},
            {"award": "二等奖", "amount": "200000", "count": 2}],
        "claim_deadline": deadline, "ip_ownership": "joint_open",
        "issuer_name": "某省先进高分子重点实验室（测试）", "issuer_kind": "key_lab",
        "issuer_region": "山东省青岛市", "external_ref": "A-07",
        "indicators": [{"name": "弯折寿命", "target": "≥20万次"},
                       {"name": "使用温度", "target": "-30℃至85℃"},
                       {"name": "外观", "target": "优于进口同类产品"}],
    }
    data.update(overrides)
    return data


def test_an_outside_listing_posted_by_staff_is_screened_and_published(client, staff):
    client.force_login(staff)
    created = assert_json_success(post(client, "/api/challenges", listing()), 201)
    cid = created["id"]
    assert created["funding_kind"] == "prize" and created["funding"] == "900000.00"
    assert created["issuer_kind"] == "重点实验室" and created["issuer_region"] == "山东省青岛市"
    assert [(i["comparator"], i["value"], i["raw_text"]) for i in created["indicators"]] == [
        ("ge", "200000.000000000", "≥20万次"), ("range", "-30.000000000", "-30℃至85℃"),
        ("text", None, "优于进口同类产品")]
    assert [c["code"] for c in created["screening"]] == ["domain_missing"]
    assert created["contact"] == {"name": "", "phone": "", "email": ""}
    assert_json_success(post(client, f"/api/challenges/{cid}/submit"))
    refused = assert_json_error(post(client, f"/api/challenges/{cid}/publish"), 409,
                                "screening_open")
    assert refused["extra"]["checks"] == ["domain_missing"]
    # the domain cannot be waived, only given
    assert_json_error(post(client, f"/api/challenges/{cid}/screening/waive",
                           {"code": "domain_missing", "reason": "不需要领域"}), 422, "invalid")
    given = assert_json_success(post(client, f"/api/challenges/{cid}/domains",
                                     {"domain": "materials", "secondary_domains": ["it"]}))
    assert (given["domain"], given["secondary_domains"]) == ("materials", ["it"])
    published = assert_json_success(post(client, f"/api/challenges/{cid}/publish"))
    assert published["state"] == "published"
    challenge = Challenge.objects.get(pk=cid)
    assert challenge.issuer.name == "某省先进高分子重点实验室（测试）"
    entry = AuditEntry.objects.filter(model="challenges.challenge", object_id=str(cid),
                                      note="组织方指定领域").get()
    assert entry.changes["domain"] == ["", "materials"]
    # the board lists it under a secondary domain too, and as a prize listing
    board = client.get(reverse("challenges:board"), {"domain": "it"})
    assert [c.pk for c in board.context["page"].object_list] == [cid]
    assert "奖金合计 90 万元" in board.content.decode()


def test_the_same_outside_issuer_is_one_row(staff):
    first = services.challenge_create(actor=staff, data=listing())
    second = services.challenge_create(actor=staff, data=listing(
        title="折叠屏盖板耐刮擦涂层", issuer_region=""))
    assert first.issuer_id == second.issuer_id and Issuer.objects.count() == 1
    assert Issuer.objects.get().region == "山东省青岛市"


@pytest.mark.parametrize("overrides, field, message", [
    ({"funding_kind": "range", "funding": "500000", "funding_max": "300000"}, "funding_max",
     "资金上限：应大于资金下限"),
    ({"funding_kind": "prize", "prize_schedule": []}, "prize_schedule",
     "奖项设置：至少填写一个奖项（名称、金额）"),
    ({"funding_kind": "fixed", "funding": None}, "funding", "资金投入：必填"),
    ({"funding_kind": "lottery"}, "funding_kind",
     "资金形式：应为 固定金额、金额区间、不超过、奖金 或 面议"),
    ({"time_limit_months": 121}, "time_limit_months", "时限要求：最长 120 个月"),
    ({"secondary_domains": ["太空"]}, "secondary_domains", "其他领域：无法识别“太空”"),
    ({"disciplines": ["炼金术"]}, "disciplines", "学科：在 GB/T 13745 学科代码表中找不到“炼金术”"),
    ({"solver_types": ["alien"]}, "solver_types", "揭榜方类型：无法识别“alien”"),
    ({"trl_min": 10}, "trl_min", "最低技术成熟度：不得大于 9"),
])
def test_bad_listing_input_is_refused_by_field_and_nothing_written(client, staff, overrides,
                                                                   field, message):
    client.force_login(staff)
    body = assert_json_error(post(client, "/api/challenges", listing(**overrides)), 422,
                             "invalid")
    assert body["extra"]["fields"][field] == [message]
    assert Challenge.objects.count() == 0 and Issuer.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_funding_forms_are_stored_and_shown_as_the_listing_states_them(poster):
    rows = {
        "up_to": services.challenge_create(actor=poster, data=listing(
            issuer_name="", funding_kind="up_to", funding="1000000", contact_name="王工",
            contact_phone="13800000000")),
        "negotiable": services.challenge_create(actor=poster, data=listing(
            issuer_name="", title="面议的榜单示例", funding_kind="negotiable",
            contact_name="王工", contact_phone="13800000000")),
    }
    from innolink.challenges.templatetags.challenges_tags import funding_text

    assert funding_text(rows["up_to"]) == "不超过 100 万元"
    assert rows["negotiable"].funding is None and funding_text(rows["negotiable"]) == "面议"
    # the enterprise posts for itself: no outside issuer, the contact is required
    assert rows["up_to"].enterprise_id == poster.enterprise_id and rows["up_to"].issuer is None
    with pytest.raises(ValidationFailed) as exc:
        services.challenge_create(actor=poster, data=listing(issuer_name=""))
    assert exc.value.fields["contact_name"] == ["联系人：必填"]


def test_board_funding_filters_cover_ranges_limits_and_skip_negotiable(staff, poster):
    def publish(**overrides):
        c = services.challenge_create(actor=staff, data=listing(**overrides))
        services.challenge_set_domains(actor=staff, challenge=c, domain="materials")
        services.challenge_submit(actor=staff, challenge=c)
        services.challenge_publish(actor=staff, challenge=c)
        return c

    ranged = publish(title="区间榜单示例", funding_kind="range", funding="300000",
                     funding_max="800000")
    fixed = publish(title="固定金额榜单", funding_kind="fixed", funding="200000")
    publish(title="面议榜单示例", funding_kind="negotiable")
    from innolink.challenges import selectors

    def found(**kw):
        return {c.title for c in selectors.board_search(selectors.BoardFilters(**kw))}

    # the most a range offers counts for the lower filter; 面议 has no amount to filter on
    assert found(funding_min_wan=Decimal(50)) == {ranged.title}
    assert found(funding_max_wan=Decimal(25)) == {fixed.title}
    assert len(found()) == 3


def test_waivers_are_for_staff_in_screening_with_a_reason(staff, poster):
    challenge = services.challenge_create(actor=poster, data=listing(
        issuer_name="", contact_name="王工", contact_phone="13800000000", indicators=[],
        time_limit_months=48, domain="materials"))
    services.challenge_submit(actor=poster, challenge=challenge)
    with pytest.raises(PermissionDenied):
        services.challenge_waive_check(actor=poster, challenge=challenge,
                                       code="indicators_missing", reason="不需要指标的理由")
    with pytest.raises(NotFound):
        services.challenge_waive_check(actor=make_poster(), challenge=challenge,
                                       code="indicators_missing", reason="别家企业的理由")
    with pytest.raises(ValidationFailed):
        services.challenge_waive_check(actor=staff, challenge=challenge,
                                       code="indicators_missing", reason="短")
    with pytest.raises(Conflict):
        services.challenge_waive_check(actor=staff, challenge=challenge,
                                       code="indicators_unreadable", reason="并不存在的筛查项")
    assert not AuditEntry.objects.filter(action="update", model="challenges.challenge").exists()
    services.challenge_waive_check(actor=staff, challenge=challenge, code="indicators_missing",
                                   reason="以节能效果为目标，方案评审时细化指标")
    services.challenge_waive_check(actor=staff, challenge=challenge, code="time_limit_over",
                                   reason="设备改造跨两个生产年度")
    services.challenge_publish(actor=staff, challenge=challenge)
    challenge.refresh_from_db()
    assert challenge.state == "published"
    assert set(challenge.screening_waivers) == {"indicators_missing", "time_limit_over"}
    # an exception covers the months it was granted for, not a longer limit later
    from innolink.challenges import screening

    challenge.time_limit_months = 60
    assert [c.code for c in screening.open_checks(challenge)] == ["time_limit_over"]


def test_pages_show_the_checks_to_the_poster_and_the_waive_form_to_staff_only(client, staff,
                                                                            poster):
    challenge = services.challenge_create(actor=poster, data=listing(
        issuer_name="", contact_name="王工", contact_phone="13800000000", indicators=[
            {"name": "台面", "target": "≥4500×2500mm"}], domain=""))
    client.force_login(poster)
    page = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert 'data-check="indicators_unreadable"' in page and 'data-check="domain_missing"' in page
    assert 'name="reason"' not in page and 'id="domain-form"' not in page
    assert "数值待核对" in page and "≥4500×2500mm" in page
    assert client.post(reverse("challenges:waive-check", args=[challenge.pk]),
                       {"code": "indicators_unreadable", "reason": "自己豁免自己"}).status_code == 403
    assert client.post(reverse("challenges:domains", args=[challenge.pk]),
                       {"domain": "it"}).status_code == 403
    client.force_login(make_user(Role.RESEARCHER))
    assert client.post(reverse("challenges:waive-check", args=[challenge.pk]),
                       {"code": "indicators_unreadable", "reason": "别人的榜单"}).status_code == 404
    challenge.refresh_from_db()
    assert challenge.screening_waivers == {} and challenge.domain == ""
    client.force_login(staff)
    page = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert 'name="reason"' in page and 'id="domain-form"' in page


def test_programme_pages_are_for_staff_and_the_rubric_adds_up(client, staff):
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(reverse("challenges:programmes")).status_code == 403
    assert client.post(reverse("challenges:programme-create"), {"name": "x"}).status_code == 403
    client.force_login(staff)
    bad = client.post(reverse("challenges:programme-create"), {
        "name": "第三届揭榜领题赛（测试）", "rub-0-name": "创新性", "rub-0-weight": "60",
        "rub-1-name": "可行性", "rub-1-weight": "30"})
    assert bad.status_code == 422 and "各项分值之和应为 100（现为 90）" in bad.content.decode()
    assert Programme.objects.count() == 0
    ok = client.post(reverse("challenges:programme-create"), {
        "name": "第三届揭榜领题赛（测试）", "edition": "第三届", "track": "揭榜领题赛",
        "rub-0-name": "创新性", "rub-0-weight": "60", "rub-1-name": "可行性",
        "rub-1-weight": "40", "tl-0-stage": "揭榜报名", "tl-0-start": "2027-01-01",
        "tl-0-end": "2027-03-01"})
    assert ok.status_code == 302
    programme = Programme.objects.get()
    assert programme.rubric_total == 100 and programme.timeline[0]["stage"] == "揭榜报名"
    assert AuditEntry.objects.filter(model="challenges.programme", action="create").count() == 1


def test_discipline_table_is_searchable_on_the_page_and_the_api(client):
    page = client.get(reverse("challenges:disciplines"), {"q": "印染废水处理"})
    body = page.content.decode()
    assert page.status_code == 200 and "54050" in body and "染整技术" in body
    rows = assert_json_success(client.get("/api/challenges/disciplines", {"q": "高分子"}))
    assert {"code": "43050", "name": "有机高分子材料", "level": 2,
            "label": "43050 有机高分子材料（材料科学）"} in rows
    assert len(client.get(reverse("challenges:disciplines")).context["rows"]) == 62


def test_a_researcher_profile_needs_only_name_and_field(client):
    user = make_user(Role.RESEARCHER)
    client.force_login(user)
    response = client.post(reverse("challenges:researcher-profile"), {
        "name": "林一", "research_fields": "锂离子电池正极材料", "kind": "team",
        "mem-0-name": "林一"})
    assert response.status_code == 302
    profile = user.researcher_profile
    assert profile.discipline == "" and profile.discipline_codes == ["48040"]
    assert profile.kind == "team" and len(profile.members) == 1
    assert profile.station_kind == "none"


def test_existing_challenges_keep_their_data_through_the_migration(db):
    """0007 writes what each old target said and maps old disciplines (run again here)."""
    import importlib

    from django.apps import apps as django_apps

    from innolink.challenges.models import IndicatorTarget, ResearcherProfile

    challenge = make_challenge()
    IndicatorTarget.objects.filter(challenge=challenge).update(raw_text="")
    accounts_inst = challenge.institution
    profile = ResearcherProfile.objects.create(name="旧数据", institution=accounts_inst,
                                               discipline="材料科学与工程", research_fields="高分子")
    migration = importlib.import_module(
        "innolink.challenges.migrations.0007_backfill_real_fields")
    migration.forwards(django_apps, None)
    assert list(challenge.indicators.values_list("raw_text", flat=True)) == ["≤2.7", "≥350℃"]
    profile.refresh_from_db()
    assert profile.discipline_codes[0] == "430"


def test_funding_reads_in_yuan_for_an_english_reader_and_in_wan_for_a_chinese_one():
    from types import SimpleNamespace
    from decimal import Decimal

    from django.utils import translation

    from innolink.challenges.templatetags.challenges_tags import funding_text

    def listing_money(kind, low, high=None):
        return SimpleNamespace(funding_kind=kind, funding=Decimal(low) if low else None,
                               funding_max=Decimal(high) if high else None)

    cases = [(listing_money("fixed", "800000"), "80 万元", "800,000 yuan"),
             (listing_money("range", "300000", "500000"), "30–50 万元", "300,000–500,000 yuan"),
             (listing_money("up_to", "1000000"), "不超过 100 万元", "up to 1 million yuan"),
             (listing_money("prize", "1200000"), "奖金合计 120 万元", "prizes totalling 1.2 million yuan"),
             (listing_money("fixed", "12345.5"), "1.23 万元", "12,345.50 yuan"),
             (listing_money("fixed", "1234567.89"), "123.46 万元", "1,234,567.89 yuan"),
             (listing_money("range", "50000000", "120000000"), "5,000 万元 – 1.2 亿元",
              "50–120 million yuan"),
             (listing_money("range", "500000", "1500000"), "50–150 万元",
              "500,000 yuan – 1.5 million yuan"),
             (listing_money("negotiable", None), "面议", "Negotiable")]
    for challenge, zh, en in cases:
        with translation.override("zh-hans"):
            assert funding_text(challenge) == zh
        with translation.override("en"):
            assert funding_text(challenge) == en
