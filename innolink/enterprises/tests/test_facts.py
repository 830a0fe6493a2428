"""Facts as data (ADR 0132): qualification types, certifications, item kinds, items and indicators
of every kind are rows officers define, import (all or nothing, audited) and edit; the rules engine
reads them without a code change; the former tags were moved onto them without losing anything."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import credit_code, make_enterprise, make_user
from innolink.engines.rules import fields as rule_fields
from innolink.enterprises import services
from innolink.enterprises.models import (
    EnterpriseItem, EnterpriseTag, EnterpriseYear, IndicatorDefinition, ItemKind, QualificationType,
)
from innolink.enterprises.tests.files import csv_bytes, row
from innolink.policies import fetch

pytestmark = pytest.mark.django_db

QUAL_HEADER = ["统一社会信用代码", "资质类型", "等级", "认定日期", "有效期至", "首次认定", "证书编号"]
ITEM_HEADER = ["统一社会信用代码", "事项类别", "年度", "编号", "名称", "设备购置金额(万元)", "设备类别"]


def _counts():
    return (QualificationType.objects.count(), EnterpriseTag.objects.count(), EnterpriseItem.objects.count(),
            ItemKind.objects.count(), IndicatorDefinition.objects.count(), AuditEntry.objects.count())


def test_the_seed_catalogue_is_in_the_database():
    specialized = QualificationType.objects.get(code="specialized")
    assert [lv["code"] for lv in specialized.levels] == ["innovative", "provincial", "national"]
    assert QualificationType.objects.get(code="high_tech").validity_years == 3
    assert QualificationType.objects.get(code="above_scale").renewal_is_new is True
    assert "amount" in ItemKind.objects.get(code="equipment").facts
    assert IndicatorDefinition.objects.get(code="tax_credit_grade").levels == ["D", "C", "M", "B", "A"]


def test_the_former_specialized_tags_move_onto_levels_keeping_dates_and_numbers():
    enterprise = make_enterprise()
    a = EnterpriseTag.objects.create(enterprise=enterprise, tag="specialized_provincial",
                                     certified_on=dt.date(2021, 6, 1), reference="闽工信〔2021〕1号")
    b = EnterpriseTag.objects.create(enterprise=enterprise, tag="specialized_national", first_certified=True)
    c = EnterpriseTag.objects.create(enterprise=enterprise, tag="high_tech", certified_on=dt.date(2022, 12, 1))
    migration = importlib.import_module("innolink.enterprises.migrations.0006_seed_catalogue_migrate_tags")
    migration.forward(django_apps, None)
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.tag, a.level, a.certified_on, a.reference) == ("specialized", "provincial", dt.date(2021, 6, 1),
                                                            "闽工信〔2021〕1号")
    assert (b.tag, b.level, b.first_certified) == ("specialized", "national", True)
    assert (c.tag, c.level, c.certified_on) == ("high_tech", "", dt.date(2022, 12, 1))
    migration.backward(django_apps, None)
    a.refresh_from_db()
    assert (a.tag, a.level) == ("specialized_provincial", "")


def test_an_officer_defines_a_type_with_levels_and_the_engine_knows_it():
    officer = make_user(Role.POLICY_OFFICER)
    row_ = services.qualification_type_save(actor=officer, code="sme_star", name="测试之星企业", issuer="测试局",
                                            levels=[{"code": "city", "name": "市级测试之星"},
                                                    {"code": "provincial", "name": "省级测试之星"}],
                                            validity_years="2", renewal_is_new=True)
    assert row_.validity_years == 2 and AuditEntry.objects.filter(object_id="sme_star").count() == 1
    fetch._cache["key"] = None
    fetch.rules_registry()
    spec = rule_fields.QUALIFICATIONS["sme_star"]
    assert [lv.name for lv in spec.levels] == ["市级测试之星", "省级测试之星"] and spec.renewal_is_new


def test_bad_qualification_types_are_refused_and_nothing_is_written():
    officer = make_user(Role.POLICY_OFFICER)
    before = _counts()
    bad = [
        dict(code="Bad Code", name="x"),
        dict(code="ok_code", name=""),
        dict(code="ok_code", name="重复等级", levels=[{"code": "a", "name": "甲"}, {"code": "a", "name": "乙"}]),
        dict(code="ok_code", name="有效期", validity_years="0"),
        dict(code="ok_code", name="高新技术企业"),  # the name of another type
    ]
    for data in bad:
        with pytest.raises(ValidationFailed):
            services.qualification_type_save(actor=officer, **data)
    assert _counts() == before


def test_a_level_certifications_use_cannot_be_removed():
    officer = make_user(Role.POLICY_OFFICER)
    EnterpriseTag.objects.create(enterprise=make_enterprise(), tag="specialized", level="innovative")
    spec = QualificationType.objects.get(code="specialized")
    before = _counts()
    with pytest.raises(Conflict) as info:
        services.qualification_type_save(actor=officer, code="specialized", name=spec.name,
                                         levels=[lv for lv in spec.levels if lv["code"] != "innovative"])
    assert info.value.code == "level_in_use" and info.value.extra["count"] == 1
    assert _counts() == before
    assert QualificationType.objects.get(code="specialized").levels == spec.levels


def test_certifications_are_added_checked_and_audited():
    officer = make_user(Role.POLICY_OFFICER)
    enterprise = make_enterprise()
    row_ = services.qualification_add(actor=officer, enterprise=enterprise, type="specialized", level="省级专精特新中小企业",
                                      certified_on="2024-05-21", expires_on="2027-05-20", first=True,
                                      reference="闽工信函〔2024〕9号")
    assert (row_.level, row_.source, row_.label) == ("provincial", "officer", "省级专精特新中小企业")
    assert AuditEntry.objects.filter(object_id=str(row_.pk), action="create").exists()
    before = _counts()
    for data, field in ((dict(type="specialized", level="市级"), "level"),
                        (dict(type="high_tech", level="national"), "level"),
                        (dict(type="high_tech", certified_on="2024-05-21", expires_on="2023-01-01"), "expires_on"),
                        (dict(type="no_such_type"), "type")):
        with pytest.raises(ValidationFailed) as info:
            services.qualification_add(actor=officer, enterprise=enterprise, **data)
        assert field in info.value.fields
    with pytest.raises(Conflict):
        services.qualification_add(actor=officer, enterprise=enterprise, type="specialized", level="provincial",
                                   certified_on=dt.date(2024, 5, 21))
    assert _counts() == before


def _qual_file(rows):
    return csv_bytes(rows, header=QUAL_HEADER)


def test_qualification_import_is_all_or_nothing_and_audited():
    officer = make_user(Role.POLICY_OFFICER)
    a, b = make_enterprise(), make_enterprise()
    good = [[a.credit_code, "专精特新中小企业", "国家级专精特新“小巨人”企业", "2024-07-15", "2027-07-14", "是", "工信部"],
            [a.credit_code, "高新技术企业", "", "2023-12-12", "", "否", "GR202335000001"],
            [b.credit_code, "high_tech", "", "2024-11-30", "", "首次", ""]]
    bad = good + [[b.credit_code, "瞪羚企业", "国家级", "2024-01-01", "", "", ""],
                  [credit_code(987), "高新技术企业", "", "2024-01-01", "", "", ""],
                  [b.credit_code, "高新技术企业", "", "2024/13/40", "", "", ""]]
    before = _counts()
    outcome = services.qualification_import(actor=officer, content=_qual_file(bad), filename="q.csv")
    assert not outcome.committed and [e["row"] for e in outcome.errors] == [5, 6, 7]
    assert "瞪羚企业的等级应为" in outcome.errors[0]["reason"]
    assert "企业库中没有该企业" in outcome.errors[1]["reason"]
    assert _counts() == before
    outcome = services.qualification_import(actor=officer, content=_qual_file(good), filename="q.csv")
    assert (outcome.created, outcome.updated, outcome.committed) == (3, 0, True)
    assert AuditEntry.objects.count() == before[-1] + 3
    national = EnterpriseTag.objects.get(enterprise=a, tag="specialized")
    assert (national.level, national.expires_on, national.first_certified) == ("national", dt.date(2027, 7, 14), True)
    # re-importing changes nothing; a changed expiry updates the record it names
    again = services.qualification_import(actor=officer, content=_qual_file(good), filename="q.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    good[1][4] = "2026-12-11"
    again = services.qualification_import(actor=officer, content=_qual_file(good), filename="q.csv")
    assert (again.created, again.updated) == (0, 1)
    assert EnterpriseTag.objects.get(enterprise=a, tag="high_tech").expires_on == dt.date(2026, 12, 11)


def test_registry_import_keeps_certifications_recorded_in_detail():
    officer = make_user(Role.ORGANIZER)
    services.registry_import(content=csv_bytes([row(1)]), filename="r.csv", actor=officer, commit=True)
    enterprise = EnterpriseYear.objects.get().enterprise
    detailed = services.qualification_add(actor=officer, enterprise=enterprise, type="high_tech",
                                          certified_on="2024-12-01", first=True)
    # a later registry file lists other tags: its own rows are replaced, the detailed one stays
    services.registry_import(content=csv_bytes([row(1, 标签="规上企业;小巨人")]), filename="r.csv", actor=officer,
                             commit=True)
    kinds = sorted(enterprise.tags.values_list("tag", "level", "source"))
    assert kinds == [("above_scale", "", "registry"), ("high_tech", "", "officer"),
                     ("specialized", "national", "registry")]
    assert EnterpriseTag.objects.filter(pk=detailed.pk).exists()


def test_item_import_reads_fact_columns_with_units():
    officer = make_user(Role.POLICY_OFFICER)
    a = make_enterprise()
    content = csv_bytes([[a.credit_code, "设备购置", "2024", "E1", "扫描电镜", "300", "研发设备"],
                         [a.credit_code, "equipment", "2024", "E2", "包装线", "", "生产设备"]], header=ITEM_HEADER)
    outcome = services.item_import(actor=officer, content=content, filename="i.csv")
    assert (outcome.created, outcome.errors) == (2, [])
    e1 = EnterpriseItem.objects.get(key="E1")
    assert e1.facts == {"amount": "3000000.00", "category": "研发设备"} and e1.year == 2024
    assert EnterpriseItem.objects.get(key="E2").facts == {"category": "生产设备"}  # missing amount: not reported
    before = _counts()
    bad = csv_bytes([[a.credit_code, "设备购置", "2024", "E3", "x", "-5", "研发设备"],
                     [a.credit_code, "设备购置", "2024", "E4", "y", "10", "办公设备"],
                     [a.credit_code, "设备购置", "1900", "E5", "z", "10", "研发设备"]], header=ITEM_HEADER)
    outcome = services.item_import(actor=officer, content=bad, filename="i.csv")
    assert [e["reason"] for e in outcome.errors] == ["不能为负数", "应为以下之一：生产设备、检测设备、研发设备、工业软件、其他",
                                                     "年度应为 1990 至 %d 的四位年份" % (dt.date.today().year + 1)]
    assert _counts() == before


def test_indicators_of_every_kind_are_data_and_the_registry_import_checks_them():
    officer = make_user(Role.POLICY_OFFICER)
    services.indicator_definition_save(actor=officer, code="credit_band", name="信用评价等级测试", kind="level",
                                       levels=["C", "B", "A"])
    services.indicator_definition_save(actor=officer, code="export_share", name="出口占比测试", kind="ratio")
    services.indicator_definition_save(actor=officer, code="is_key", name="重点企业测试", kind="bool")
    services.indicator_definition_save(actor=officer, code="listed_on", name="挂牌日期测试", kind="date")
    with pytest.raises(Conflict):
        services.indicator_definition_save(actor=officer, code="is_key", name="重点企业测试", kind="count", unit="件")
    header = ["统一社会信用代码", "企业名称", "所属镇街", "行业代码", "所有制", "年度", "信用评价等级测试",
              "出口占比测试(%)", "重点企业测试", "挂牌日期测试"]
    good = [credit_code(55), "测试企业", "陈埭", "C1953", "民营", "2025", "B", "35", "是", "2024-03-01"]
    outcome = services.registry_import(content=csv_bytes([good], header=header), filename="r.csv", actor=officer,
                                       commit=True)
    assert outcome.errors == []
    values = EnterpriseYear.objects.get().values
    assert values == {"credit_band": "B", "export_share": "0.35", "is_key": "true", "listed_on": "2024-03-01"}
    bad = [credit_code(56), "测试企业2", "陈埭", "C1953", "民营", "2025", "AAA", "abc", "也许", "去年"]
    outcome = services.registry_import(content=csv_bytes([bad], header=header), filename="r.csv", actor=officer,
                                       commit=True)
    assert [e["column"] for e in outcome.errors] == ["信用评价等级测试", "出口占比测试(%)", "重点企业测试", "挂牌日期测试"]
    # the engine reads the stored values as their kinds
    fetch._cache["key"] = None
    fetch.rules_registry()
    _ids, records = fetch.records_for(2025)
    assert rule_fields.INDICATORS["credit_band"].choices == ("C", "B", "A")
    from innolink.engines.rules.population import population_from_records

    pop = population_from_records(records, 2025)
    assert pop.indicator[("credit_band", 0)][0].tolist() == [1]
    assert pop.indicator[("export_share", 0)][0].tolist() == [350_000]  # millionths
    assert pop.indicator[("is_key", 0)][0].tolist() == [1]


def test_pages_are_for_fact_editors_and_refuse_bad_files_writing_nothing(client):
    enterprise_user = make_user(Role.ENTERPRISE)
    client.force_login(enterprise_user)
    for name in ("enterprises:facts", "enterprises:facts-import", "enterprises:qualification-type-new"):
        assert client.get(reverse(name)).status_code == 403
    response = client.post(reverse("enterprises:qualification-add", args=[enterprise_user.enterprise_id]),
                           {"type": "high_tech"})
    assert response.status_code == 403
    officer = make_user(Role.POLICY_OFFICER)
    client.force_login(officer)
    page = client.get(reverse("enterprises:facts"))
    assert page.status_code == 200 and "专精特新中小企业" in page.content.decode()
    before = _counts()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("q.csv", _qual_file([[credit_code(1), "不存在的资质", "", "", "", "", ""]]))
    response = client.post(reverse("enterprises:facts-import"), {"what": "qualifications", "file": upload})
    assert response.status_code == 422 and "未定义的资质类型" in response.content.decode()
    assert _counts() == before
    response = client.post(reverse("enterprises:qualification-type-new"), {"code": "x y", "name": ""})
    assert response.status_code == 422
    assert _counts() == before


def test_an_officer_adds_a_certification_on_the_enterprise_page(client):
    officer = make_user(Role.POLICY_OFFICER)
    enterprise = make_enterprise()
    client.force_login(officer)
    response = client.post(reverse("enterprises:qualification-add", args=[enterprise.pk]), {
        "type": "specialized", "level": "national", "certified_on": "2024-07-15", "first": "1"})
    assert response.status_code == 302
    row_ = EnterpriseTag.objects.get(enterprise=enterprise)
    assert (row_.level, row_.first_certified) == ("national", True)
    page = client.get(reverse("enterprises:detail", args=[enterprise.pk])).content.decode()
    assert "国家级专精特新“小巨人”企业" in page
    response = client.post(reverse("enterprises:qualification-delete", args=[enterprise.pk, row_.pk]))
    assert response.status_code == 302 and not EnterpriseTag.objects.exists()


def test_decimal_money_facts_stay_exact():
    assert services.importing._fact_value({"kind": "money"}, "1.005", "1.005", "万元") == ("10050.00", "")
    assert Decimal("10050.00") == Decimal("1.005") * 10000


def test_a_missing_value_is_filled_in_by_kind_and_audited():
    enterprise_user = make_user(Role.ENTERPRISE)
    enterprise = enterprise_user.enterprise
    row_ = services.indicator_value_set(actor=enterprise_user, enterprise=enterprise, year=2024, code="rd_expense",
                                        value="1200000.5")
    assert row_.values == {"rd_expense": "1200000.50"}
    services.indicator_value_set(actor=enterprise_user, enterprise=enterprise, year=2024, code="rd_intensity",
                                 value="3.5%")
    services.indicator_value_set(actor=enterprise_user, enterprise=enterprise, year=2024, code="tax_credit_grade",
                                 value="A")
    assert EnterpriseYear.objects.get(enterprise=enterprise, year=2024).values == {
        "rd_expense": "1200000.50", "rd_intensity": "0.035", "tax_credit_grade": "A"}
    assert AuditEntry.objects.filter(object_id=str(enterprise.pk)).count() == 3
    before = _counts()
    for code, value in (("rd_expense", "-5"), ("tax_credit_grade", "AAA"), ("employees", "1.5"),
                        ("no_such", "1"), ("rd_expense", "")):
        with pytest.raises(ValidationFailed):
            services.indicator_value_set(actor=enterprise_user, enterprise=enterprise, year=2024, code=code,
                                         value=value)
    assert _counts() == before


@pytest.mark.parametrize("new, edit, post", [
    ("enterprises:qualification-type-new", "enterprises:qualification-type",
     {"code": "gazelle_t", "name": "瞪羚试点", "issuer": "市科技局", "levels": "city 市级\nprov 省级",
      "validity_years": "3"}),
    ("enterprises:item-kind-new", "enterprises:item-kind",
     {"code": "lab_t", "name": "研发平台试点", "facts": "amount|投入金额|money"}),
    ("enterprises:indicator-new", "enterprises:indicator",
     {"code": "water_t", "name": "用水量试点", "kind": "quantity", "unit": "吨"}),
])
def test_each_catalogue_editor_creates_prefills_and_keeps_its_code(client, new, edit, post):
    """The three catalogue editors share one flow: a new row is saved and audited, its page
    shows what it holds, a changed code is refused at the field, a missing code is 404, and
    anyone but a fact editor gets 403; a refusal writes nothing."""
    client.force_login(make_user(Role.POLICY_OFFICER))
    before = AuditEntry.objects.count()
    assert client.post(reverse(new), post).status_code == 302
    assert AuditEntry.objects.count() == before + 1
    page = client.get(reverse(edit, args=[post["code"]])).content.decode()
    assert post["name"] in page and f'value="{post["code"]}"' in page
    counts = _counts()
    refused = client.post(reverse(edit, args=[post["code"]]), {**post, "code": "other_code"})
    assert refused.status_code == 422 and "代码不能修改" in refused.content.decode()
    assert _counts() == counts
    assert client.get(reverse(edit, args=["no_such_code"])).status_code == 404
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(reverse(edit, args=[post["code"]])).status_code == 403
    assert client.post(reverse(new), {**post, "code": "by_enterprise"}).status_code == 403
    assert _counts() == counts
