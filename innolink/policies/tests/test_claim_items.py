"""Items listed on the 快申快享 claim form (p04 digital_projects: 20% of each project's
investment, each project at most 10万元, the enterprise at most 50万元)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.enterprises.models import EnterpriseItem
from innolink.policies import claim_items, services
from innolink.policies.models import Application, ApplicationMaterial
from innolink.policies.services import claims
from innolink.policies.tests.factories import FORM, YEAR, clause

pytestmark = pytest.mark.django_db


def _reference(items) -> Decimal:
    """The clause as the legal text says it, by hand: 20% per digital project, 10万元 each, 50万元
    in all (amounts in 万元)."""
    total = sum(min(Decimal(inv) * Decimal("0.2"), Decimal(10)) for kind, inv in items if kind == "数字化改造")
    return min(total, Decimal(50)) * 10000


def _post_rows(rows):
    data = {"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0"}
    for i, (label, kind, investment) in enumerate(rows):
        data.update({f"items-{i}-label": label, f"items-{i}-kind": kind, f"items-{i}-investment": investment})
    return data


def _form_data(rows, **extra):
    return {"account_holder": "测试企业有限公司", "bank_name": "农业银行", "bank_account": "6228480000000000",
            "year": YEAR, **_post_rows(rows), **extra}


def _counts():
    return (Application.objects.count(), EnterpriseItem.objects.count(), AuditEntry.objects.count(),
            ApplicationMaterial.objects.count())


@pytest.fixture
def projects(synced):
    return clause("p04_digital_transformation", "digital_projects")


@pytest.fixture
def maker():
    enterprise = make_enterprise(industry_code="C3921", years={YEAR: {"revenue": "90000000"}})
    return enterprise, make_user(Role.ENTERPRISE, enterprise=enterprise)


def test_the_clause_asks_for_the_facts_its_rule_reads(projects):
    spec = claim_items.spec_for(projects)
    assert spec.kind == "projects"
    assert [f.code for f in spec.facts] == ["investment", "kind"]
    assert all(f.required for f in spec.facts)
    assert claim_items.spec_for(clause("p04_digital_transformation", "digital_subsidy")) is None


@pytest.mark.parametrize("rows", [
    [("仓储系统", "数字化改造", "30"), ("设备联网", "数字化改造", "80"), ("产线", "技术改造", "300")],
    [(f"项目{k}", "数字化改造", "60") for k in range(7)],  # seven projects: the 50万元 cap, not 6 slots
    [("质检系统", "数字化改造", "12.5")],
])
def test_submitted_items_feed_the_per_project_amount_and_are_recorded(projects, maker, rows):
    enterprise, user = maker
    application = services.application_submit(
        actor=user, enterprise=enterprise, clause=projects, year=YEAR, form=FORM,
        items=[{"label": label, "kind": kind, "investment": inv} for label, kind, inv in rows])
    assert application.amount_expected == _reference([(k, i) for _l, k, i in rows])
    items = services.application_items(application)
    assert [(i.label, i.facts["kind"], Decimal(i.facts["investment"]) / 10000) for i in items] == [
        (label, kind, Decimal(inv)) for label, kind, inv in rows]
    assert {i.source for i in items} == {EnterpriseItem.Source.APPLICATION}
    assert AuditEntry.objects.filter(model__iendswith="enterpriseitem").count() == len(rows)
    # the registry now holds the items: the enterprise's answer (and the scan) read the same amount
    answer = services.clause_answer(enterprise=enterprise, clause=projects, year=YEAR)
    assert answer.amount == application.amount_expected


def test_an_item_missing_a_fact_is_refused_at_its_field_and_nothing_is_written(projects, maker):
    enterprise, user = maker
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit(
            actor=user, enterprise=enterprise, clause=projects, year=YEAR, form=FORM,
            items=[{"label": "仓储系统", "kind": "数字化改造", "investment": "30"},
                   {"label": "", "kind": "区块链", "investment": "-3"}])
    assert set(exc.value.fields) == {"items-1-label", "items-1-kind", "items-1-investment"}
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit(
            actor=user, enterprise=enterprise, clause=projects, year=YEAR, form=FORM,
            items=[{"label": "仓储\x00系统", "kind": "数字化改造", "investment": "30"}])
    assert set(exc.value.fields) == {"items-0-label"}
    assert _counts() == before


def test_items_that_earn_nothing_are_refused_and_nothing_is_written(projects, maker):
    enterprise, user = maker
    before = _counts()
    with pytest.raises(Conflict) as exc:
        services.application_submit(actor=user, enterprise=enterprise, clause=projects, year=YEAR,
                                    form=FORM, items=[{"label": "产线", "kind": "技术改造", "investment": "300"}])
    assert exc.value.code == "not_eligible"
    assert _counts() == before


@pytest.mark.parametrize("language, opening", [
    ("en", "By the platform's data your enterprise does not yet qualify for this clause"),
    ("zh-hans", "按平台数据，贵企业暂不符合该条款"),
])
def test_the_not_eligible_refusal_reads_in_the_readers_language(projects, maker, language,
                                                                opening):
    from django.utils import translation

    enterprise, user = maker
    before = _counts()
    with translation.override(language), pytest.raises(Conflict) as exc:
        services.application_submit(actor=user, enterprise=enterprise, clause=projects, year=YEAR,
                                    form=FORM, items=[{"label": "产线", "kind": "技术改造",
                                                       "investment": "300"}])
    assert exc.value.message.startswith(opening)
    assert _counts() == before


def test_items_on_a_clause_without_items_are_refused(synced, maker):
    enterprise, user = maker
    before = _counts()
    with pytest.raises(ValidationFailed):
        services.application_submit(actor=user, enterprise=enterprise,
                                    clause=clause("p04_digital_transformation", "digital_subsidy"),
                                    year=YEAR, form=FORM, items=[{"label": "x", "kind": "数字化改造"}])
    assert _counts() == before


def test_a_failure_after_the_application_row_rolls_the_items_back(projects, maker, monkeypatch):
    enterprise, user = maker
    before = _counts()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(claims, "_save_items", broken)  # where application_submit looks it up
    with pytest.raises(RuntimeError):
        services.application_submit(actor=user, enterprise=enterprise, clause=projects, year=YEAR,
                                    form=FORM, items=[{"label": "仓储系统", "kind": "数字化改造", "investment": "30"}])
    assert _counts() == before


# --------------------------------------------------------------------------- the page

def _url(c):
    return reverse("policies:claim", args=[c.pk]) + f"?year={YEAR}"


def test_the_form_offers_items_even_before_any_item_exists(client, projects, maker):
    _enterprise, user = maker
    client.force_login(user)
    page = client.get(_url(projects))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="items-0-investment"' in html and 'name="items-TOTAL_FORMS"' in html
    assert 'value="add"' in html and 'id="submit-claim"' in html


def test_adding_and_removing_items_keeps_what_was_typed_and_writes_nothing(client, projects, maker):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    rows = [("仓储系统", "数字化改造", "30"), ("设备联网", "数字化改造", "80")]
    page = client.post(_url(projects), _form_data(rows, action="add", contact_name="陈经理"))
    formset = page.context["item_formset"]
    assert len(formset.forms) == 3
    assert [f["label"].value() or "" for f in formset.forms] == ["仓储系统", "设备联网", ""]
    assert page.context["form"]["contact_name"].value() == "陈经理"
    page = client.post(_url(projects), _form_data(rows, action="remove-0"))
    assert [f["label"].value() for f in page.context["item_formset"].forms] == ["设备联网"]
    assert _counts() == before


def test_preview_shows_each_project_and_the_capped_total_without_writing(client, projects, maker):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    rows = [(f"项目{k}", "数字化改造", "60") for k in range(7)]
    page = client.post(_url(projects), _form_data(rows, action="preview"))
    assert page.status_code == 200
    assert page.context["answer"].amount == Decimal("500000.00")
    lines = page.context["item_lines"]
    assert len(lines) == 7 and all(line.included and line.amount == Decimal("100000.00") for line in lines)
    assert "单个企业最高" in " ".join(page.context["row"].steps)
    assert _counts() == before


def test_a_bad_item_comes_back_at_its_field_with_everything_typed(client, projects, maker):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    rows = [("仓储系统", "数字化改造", "30"), ("设备联网", "数字化改造", "八十")]
    page = client.post(_url(projects), _form_data(rows, contact_name="陈经理"))
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="id_items-1-investment-error"' in html and "应为数字" in html
    assert 'aria-invalid="true"' in html
    formset = page.context["item_formset"]
    assert [f["investment"].value() for f in formset.forms] == ["30", "八十"]
    assert page.context["form"]["contact_name"].value() == "陈经理"
    assert _counts() == before


def test_submitting_items_on_the_page_records_them_with_the_application(client, projects, maker):
    enterprise, user = maker
    client.force_login(user)
    rows = [("仓储系统", "数字化改造", "30"), ("", "", ""), ("设备联网", "数字化改造", "80")]  # a blank row is ignored
    response = client.post(_url(projects), _form_data(rows))
    assert response.status_code == 302
    application = Application.objects.get(enterprise=enterprise)
    assert application.amount_expected == Decimal("160000.00")
    assert [i.label for i in services.application_items(application)] == ["仓储系统", "设备联网"]
    # the officer sees the items on the application page
    officer = make_user(Role.POLICY_OFFICER)
    client.force_login(officer)
    html = client.get(reverse("policies:application", args=[application.pk])).content.decode()
    assert "仓储系统" in html and "设备联网" in html


def test_another_enterprise_cannot_see_or_use_the_items(client, projects, maker):
    enterprise, user = maker
    services.application_submit(actor=user, enterprise=enterprise, clause=projects, year=YEAR, form=FORM,
                                items=[{"label": "仓储系统", "kind": "数字化改造", "investment": "30"}])
    other = make_user(Role.ENTERPRISE, enterprise=make_enterprise(industry_code="C3921"))
    client.force_login(other)
    page = client.get(_url(projects))
    assert "仓储系统" not in page.content.decode()
    assert page.context["items_on_record"] == []
    client.force_login(make_user(Role.POLICY_OFFICER))
    assert client.post(_url(projects), _form_data([("x", "数字化改造", "1")])).status_code == 404


def test_the_items_form_reads_in_english(client, projects, maker):
    _enterprise, user = maker
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.post(_url(projects), _form_data([("仓储系统", "数字化改造", "30")], action="preview"))
    html = page.content.decode()
    assert "Work out the amount from these items" in html
    assert "Payable 60,000 yuan" in html
    assert "应兑现" not in html


# --------------------------------------------------------------------------- the API (ADR 0375)

def _api_claim(client, clause_pk, items, **extra):
    return client.post("/api/policies/applications", {
        "clause_id": clause_pk, "year": YEAR, "bank_name": "农业银行", "bank_account": "6228480000000000",
        "account_holder": "测试企业有限公司", "items": items, **extra}, content_type="application/json")


def test_the_api_takes_the_projects_in_yuan_and_records_them(client, projects, maker):
    enterprise, user = maker
    client.force_login(user)
    rows = [("仓储系统", "数字化改造", "300000.00"), ("设备联网", "数字化改造", "800000"),
            ("产线", "技术改造", "3000000.50")]
    response = _api_claim(client, projects.pk, [{"name": n, "facts": {"kind": k, "investment": inv}}
                                                for n, k, inv in rows])
    assert response.status_code == 201, response.content
    body = response.json()
    # 30万 × 20% = 6万, 80万 × 20% = 16万 → 10万 (each project's cap); 技术改造 is not counted
    expected = _reference([(k, Decimal(inv) / 10000) for _n, k, inv in rows])
    assert expected == Decimal("160000")
    assert Decimal(body["amount_expected"]) == expected
    application = Application.objects.get(pk=body["id"])
    assert [(i.label, i.facts["kind"], Decimal(i.facts["investment"]))
            for i in services.application_items(application)] == [
        (n, k, Decimal(inv)) for n, k, inv in rows]


@pytest.mark.parametrize("item, path", [
    ({"name": "", "facts": {"kind": "数字化改造", "investment": "300000"}}, "items.1.name"),
    ({"name": "设备联网", "facts": {"kind": "数字化改造"}}, "items.1.facts.investment"),
    ({"name": "设备联网", "facts": {"kind": "数字化改造", "investment": "300000.005"}}, "items.1.facts.investment"),
    ({"name": "设备联网", "facts": {"kind": "数字化改造", "investment": "-1"}}, "items.1.facts.investment"),
    ({"name": "设备联网", "facts": {"kind": "数字化改造", "investment": "三十万"}}, "items.1.facts.investment"),
    ({"name": "设备联网", "facts": {"kind": "装修", "investment": "300000"}}, "items.1.facts.kind"),
])
def test_a_bad_api_item_is_a_422_at_its_path_and_nothing_is_written(client, projects, maker, item, path):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    good = {"name": "仓储系统", "facts": {"kind": "数字化改造", "investment": "300000"}}
    response = _api_claim(client, projects.pk, [good, item])
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["extra"]["fields"]) == [path]
    assert _counts() == before


@pytest.mark.parametrize("code", ["colour", "label", "equipment_investment", "投资额"])
def test_an_unknown_api_fact_code_is_a_422_naming_it_and_the_known_codes(client, projects, maker, code):
    """Refused, never dropped (ADR 0380): ``equipment_investment`` is a fact of the item kind
    that this clause does not read, ``label`` is not a fact (the name is ``name``)."""
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    good = {"name": "仓储系统", "facts": {"kind": "数字化改造", "investment": "300000"}}
    bad = {"name": "设备联网", "facts": {"kind": "数字化改造", "investment": "300000", code: "1"}}
    response = _api_claim(client, projects.pk, [good, bad])
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["extra"]["fields"]) == [f"items.1.facts.{code}"]
    assert f"没有数据项 {code}" in body["extra"]["fields"][f"items.1.facts.{code}"][0]
    assert body["extra"]["known_facts"] == ["investment", "kind"]
    assert body["extra"]["unknown_facts"] == [{"item": 1, "code": code}]
    assert _counts() == before


@pytest.mark.parametrize("extra", [{"colour": "red"}, {"amount_expected": "99999999"}])
def test_an_unknown_api_field_is_refused_not_ignored(client, projects, maker, extra):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    response = _api_claim(client, projects.pk, [{"name": "仓储系统", "facts": {
        "kind": "数字化改造", "investment": "300000"}}], **extra)
    assert response.status_code == 422, response.content
    assert list(response.json()["extra"]["fields"]) == list(extra)
    assert _counts() == before


@pytest.mark.parametrize("action", ["preview", ""])
def test_a_forged_item_field_on_the_page_is_refused_and_nothing_is_written(client, projects, maker, action):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    data = _form_data([("仓储系统", "数字化改造", "30")], **({"action": action} if action else {}))
    page = client.post(_url(projects), {**data, "items-0-colour": "red"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "没有数据项 colour" in html and "investment（项目投资额）" in html
    assert [f["label"].value() for f in page.context["item_formset"].forms] == ["仓储系统"]
    assert _counts() == before


@pytest.mark.parametrize("items", [
    [{"name": "设备联网", "facts": {"kind": "数字化改造", "investment": 300000.5}}],  # a float: no
    [{"name": "x", "facts": {}}] * 51,
])
def test_malformed_api_items_are_refused_by_the_schema(client, projects, maker, items):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    assert _api_claim(client, projects.pk, items).status_code == 422
    assert _counts() == before


def test_api_items_on_a_clause_without_items_are_refused(client, synced, maker):
    _enterprise, user = maker
    client.force_login(user)
    before = _counts()
    other = clause("p04_digital_transformation", "digital_subsidy")
    response = _api_claim(client, other.pk, [{"name": "仓储系统", "facts": {"investment": "1"}}])
    assert response.status_code == 422
    assert list(response.json()["extra"]["fields"]) == ["items"]
    assert _counts() == before


def test_another_role_cannot_claim_with_items(client, projects):
    client.force_login(make_user(Role.POLICY_OFFICER))
    before = _counts()
    response = _api_claim(client, projects.pk, [{"name": "仓储系统", "facts": {"kind": "数字化改造",
                                                                              "investment": "1"}}])
    assert response.status_code in (403, 404)
    assert _counts() == before


# --------------------------------------------------------------------------- declared order (ADR 0380)

CATALOGUE_ORDER = ["investment", "equipment_investment", "kind", "completed_on", "level",
                   "construction_months", "in_operation"]


def _declare(order):
    """Re-declare the projects kind with ``order`` first (as an officer saves it: no ``order``
    keys, the order typed)."""
    from innolink.enterprises.models import ItemKind
    from innolink.enterprises.services import item_kind_save

    row = ItemKind.objects.get(code="projects")
    facts = {code: {k: v for k, v in spec.items() if k != "order"} for code, spec in row.facts_in_order}
    codes = [*order, *(c for c in facts if c not in order)]
    item_kind_save(actor=None, code="projects", name=row.name, facts={c: facts[c] for c in codes})
    return codes


def test_the_seeded_kinds_carry_the_catalogue_order(db):
    from innolink.enterprises.models import ItemKind

    row = ItemKind.objects.get(code="projects")
    assert [c for c, _s in row.facts_in_order] == CATALOGUE_ORDER
    assert [s["order"] for _c, s in row.facts_in_order] == list(range(len(CATALOGUE_ORDER)))


# each order differs from one of the two accidental orders: by name (the former stopgap) and
# PostgreSQL's jsonb order (shorter keys first), so together they fail on either database
@pytest.mark.parametrize("order", [["kind", "investment"], ["investment", "kind"]])
def test_the_form_and_the_records_list_facts_in_the_declared_order(client, projects, maker, order):
    from innolink.enterprises.models import ItemKind

    codes = _declare(order)
    assert [c for c, _s in ItemKind.objects.get(code="projects").facts_in_order] == codes
    assert [f.code for f in claim_items.spec_for(projects).facts] == order
    enterprise, user = maker
    client.force_login(user)
    html = client.get(_url(projects)).content.decode()
    first, second = (html.index(f'name="items-0-{code}"') for code in order)
    assert first < second
    application = services.application_submit(
        actor=user, enterprise=enterprise, clause=projects, year=YEAR, form=FORM,
        items=[{"label": "仓储系统", "kind": "数字化改造", "investment": "30"}])
    [(_label, shown)] = claim_items.shown(services.application_items(application))
    names = {"kind": "项目类别", "investment": "项目投资额"}
    assert [name for name, _v in shown] == [names[c] for c in order]


def test_the_migration_orders_facts_that_have_no_order(db):
    from django.apps import apps

    from innolink.enterprises.migrations._seed import item_fact_order
    from innolink.enterprises.models import ItemKind
    from innolink.enterprises.services import item_kind_save

    row = ItemKind.objects.get(code="projects")
    bare = {c: {k: v for k, v in s.items() if k != "order"} for c, s in reversed(row.facts_in_order)}
    ItemKind.objects.filter(code="projects").update(facts={**bare, "an_added": {"name": "后加", "kind": "text"}})
    item_kind_save(actor=None, code="gadgets", name="小器具", facts={"zz": {"name": "甲", "kind": "text"},
                                                                     "aa": {"name": "乙", "kind": "text"}})
    ItemKind.objects.filter(code="gadgets").update(facts={"zz": {"name": "甲", "kind": "text"},
                                                          "aa": {"name": "乙", "kind": "text"}})
    item_fact_order(apps)
    assert [c for c, _s in ItemKind.objects.get(code="projects").facts_in_order] == [*CATALOGUE_ORDER, "an_added"]
    gadgets = [c for c, _s in ItemKind.objects.get(code="gadgets").facts_in_order]
    assert sorted(gadgets) == ["aa", "zz"]  # a kind of the officers' own: the order read, now kept
    assert all(type(s["order"]) is int for s in ItemKind.objects.get(code="gadgets").facts.values())


def test_the_item_kind_editor_keeps_the_order_typed(client):
    from innolink.enterprises.models import ItemKind

    client.force_login(make_user(Role.POLICY_OFFICER))
    facts = "zz|甲|text\naa|乙|text\nmm|丙|money"  # neither by code nor by length
    assert client.post(reverse("enterprises:item-kind-new"),
                       {"code": "lab_order", "name": "排序试点", "facts": facts}).status_code == 302
    assert [c for c, _s in ItemKind.objects.get(code="lab_order").facts_in_order] == ["zz", "aa", "mm"]
    page = client.get(reverse("enterprises:item-kind", args=["lab_order"])).content.decode()
    assert page.index("zz|甲") < page.index("aa|乙") < page.index("mm|丙")
    listing = client.get(reverse("enterprises:facts")).content.decode()
    assert listing.index("甲、乙、丙") > 0
