"""Officers write and test clauses themselves: drafts checked as they type, worked cases run on
every save, publication only when every case passes, a diff against the rules in force, and
nothing published when anything is wrong."""

import doctest
from decimal import Decimal

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.policies import authoring, fetch, present, services
from innolink.policies.models import Policy, PolicyClause, PolicyRevision, PolicyVersion

pytestmark = pytest.mark.django_db

CODE = "p04_digital_transformation"


def test_doctests():
    assert doctest.testmod(authoring).failed == 0
    assert doctest.testmod(present).failed == 0


def _draft(officer):
    return services.revision_open(actor=officer, code=CODE)


def _answer(enterprise, year=2025):
    from innolink.engines.rules import explain

    answer = explain(fetch.rules_registry(), fetch.record_for(enterprise.pk, year), year,
                     policy_ids={CODE})
    return {a.clause_id: a for a in (*answer.eligible, *answer.not_eligible)}


def _mirror():
    return (list(PolicyVersion.objects.filter(policy__code=CODE).values_list("doc_number", "budget")),
            list(PolicyClause.objects.filter(version__policy__code=CODE).values_list("code", "text", "rule")))


def test_a_draft_starts_from_the_rules_in_force_with_their_cases(synced, officer):
    draft = _draft(officer)
    assert draft.status == "draft" and draft.number == 1
    assert "digital_subsidy" in draft.text and "投入300万元" in draft.cases
    assert draft.valid and draft.results and all(r["passed"] for r in draft.results)
    assert draft.publishable  # nothing changed, every case passes
    assert _draft(officer).pk == draft.pk  # one open draft per policy
    assert AuditEntry.objects.filter(model="policies.policyrevision", action="create").count() == 1


def test_a_bad_clause_is_refused_with_place_and_reason_and_nothing_is_published(synced, officer):
    draft = _draft(officer)
    mirror, registry = _mirror(), fetch.rules_registry()
    text = draft.text.replace("field: software_hardware_investment, op: 以上", "field: software_spend, op: 以上", 1)
    saved, result = services.revision_save(actor=officer, revision_id=draft.pk, text=text, cases=draft.cases)
    # the draft is kept (work is not lost) but marked invalid, with where and why
    assert not saved.valid and saved.problem["code"] == "rules.unknown_field"
    assert "software_spend" in saved.problem["message"]
    line = text.splitlines().index(next(l for l in text.splitlines() if "software_spend" in l)) + 1
    assert saved.problem["line"] == line
    assert saved.problem["place"].startswith("第1个版本 › 第1个条款 › 条件")
    with pytest.raises(ValidationFailed) as refused:
        services.revision_publish(actor=officer, revision_id=draft.pk)
    assert refused.value.code == "rules.unknown_field"
    assert f"第{line}行" in refused.value.fields["text"][0]
    # nothing published
    draft.refresh_from_db()
    assert draft.status == "draft" and not PolicyRevision.objects.filter(status="published").exists()
    assert _mirror() == mirror and fetch.rules_registry() is registry


def test_an_amount_without_a_unit_is_refused_at_its_place(synced, officer):
    draft = _draft(officer)
    text = draft.text.replace("cap: 100万元, cap_label: 单个项目最高补助限额", "cap: 1000000, cap_label: 单个项目最高补助限额", 1)
    saved, _r = services.revision_save(actor=officer, revision_id=draft.pk, text=text, cases=draft.cases)
    assert saved.problem["code"] == "rules.missing_unit"
    assert "计算公式" in saved.problem["place"] and saved.problem["line"]


def test_a_failing_case_blocks_publication_and_nothing_is_published(synced, officer):
    enterprise = make_enterprise(years={2025: {"software_hardware_investment": "3000000"}})
    assert _answer(enterprise)["digital_subsidy"].amount == Decimal("600000.00")
    draft = _draft(officer)
    mirror = _mirror()
    # the officer raises the rate to 25% but forgets the worked cases (300万元 → 60万元)
    text = draft.text.replace("rate: 20%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额",
                              "rate: 25%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额", 1)
    saved, result = services.revision_save(actor=officer, revision_id=draft.pk, text=text, cases=draft.cases)
    assert saved.valid and not result.cases_passed and not saved.publishable
    failed = next(c for c in result.cases if not c.passed)
    line = next(l for l in failed.lines if not l["passed"])
    assert (line["expected_amount"], line["amount"]) == ("600000.00", "750000.00")
    with pytest.raises(Conflict) as refused:
        services.revision_publish(actor=officer, revision_id=draft.pk)
    assert refused.value.code == "cases_failing" and "投入300万元,补助60万元" in refused.value.extra["failed"]
    draft.refresh_from_db()
    assert draft.status == "draft" and _mirror() == mirror
    assert _answer(enterprise)["digital_subsidy"].amount == Decimal("600000.00")  # still 20%


def test_a_changed_clause_needs_a_case_of_its_own(synced, officer, client):
    draft = _draft(officer)
    text = draft.text.replace("单个项目最高补助限额100万元。", "单个项目最高补助限额100万元(修订)。", 1)
    cases = draft.cases.split("  - name: 综合改造两个项目")[0]  # keep only digital_subsidy's cases
    cases = "\n".join(l for l in cases.splitlines() if "integrated_upgrade" not in l)
    text = text.replace("数字化项目按投入的20%补助", "数字化项目按投入的20%补助(修订)", 1)
    saved, result = services.revision_save(actor=officer, revision_id=draft.pk, text=text, cases=cases)
    assert result.cases_passed and not saved.publishable
    # stored as a message id with its values (ADR 0390), worded in the reader's language
    stored = saved.blockers[-1]
    assert stored["msgid"] == "以下新增或修改的条款还没有核对案例：%(clauses)s"
    assert stored["params"]["clauses"][0]["msgid"] == "%(year)s版「%(title)s」"
    chinese = authoring.blocker_text(stored)
    assert chinese.startswith("以下新增或修改的条款还没有核对案例：") and "版「数字化与装备综合改造补助」" in chinese
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("policies:revision", args=[draft.pk])).content.decode()
    assert "Changed or new clauses without a worked case: 数字化与装备综合改造补助 (20" in page
    assert "还没有核对案例" not in page
    client.cookies["django_language"] = "zh-hans"
    assert chinese in client.get(reverse("policies:revision", args=[draft.pk])).content.decode()
    with pytest.raises(Conflict) as refused:
        services.revision_publish(actor=officer, revision_id=draft.pk)
    assert refused.value.extra["blockers"] == [chinese]


def test_publishing_replaces_the_rules_everywhere(synced, officer, client):
    enterprise = make_enterprise(years={2025: {"software_hardware_investment": "3000000"}})
    draft = _draft(officer)
    text = draft.text.replace("rate: 20%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额",
                              "rate: 25%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额", 1)
    text = text.replace("按不超过其软件系统、硬件设备投入金额的20%给予补助", "按不超过其软件系统、硬件设备投入金额的25%给予补助")
    cases = (draft.cases.replace("投入300万元,补助60万元", "投入300万元,补助75万元")
             .replace("digital_subsidy: {eligible: true, amount: 60万元}", "digital_subsidy: {eligible: true, amount: 75万元}")
             .replace("digital_subsidy: {eligible: true, amount: 10万元}", "digital_subsidy: {eligible: true, amount: 12.5万元}"))
    saved, result = services.revision_save(actor=officer, revision_id=draft.pk, text=text, cases=cases,
                                           note="比例调整为25%")
    assert saved.publishable, saved.blockers
    published = services.revision_publish(actor=officer, revision_id=draft.pk)
    assert published.status == "published" and published.published_by == officer
    assert _answer(enterprise)["digital_subsidy"].amount == Decimal("750000.00")
    clause = PolicyClause.objects.get(version__policy__code=CODE, code="digital_subsidy")
    assert clause.rule["benefit"]["rate"] == "25%" and "25%给予补助" in clause.text
    assert AuditEntry.objects.filter(model="policies.policyrevision", action="transition",
                                     object_id=str(published.pk)).exists()
    # the next draft starts from what was published, and publishing it supersedes it
    second = _draft(officer)
    assert second.number == 2 and second.text == published.text and second.based_on == published
    services.revision_publish(actor=officer, revision_id=second.pk)
    published.refresh_from_db()
    assert published.status == "superseded"
    # the policy page says where its rules come from now
    client.force_login(officer)
    policy = Policy.objects.get(code=CODE)
    assert "经办人发布的第 2 版" in client.get(reverse("policies:detail", args=[policy.pk])).content.decode()


def test_rarely_needed_fields_have_defaults(synced, officer):
    draft = _draft(officer)
    text = draft.text.replace("    doc_number: 晋工信〔2024〕21号(示意)\n", "").replace("    shares: {市: 1, 县: 1}\n", "") \
        .replace("    lane: apply\n", "")
    policy = authoring.load_draft(text)
    version = policy.versions[0]
    assert (version.doc_number, version.shares, version.lane) == ("文号待定", (("县", 1),), "apply")


def test_a_version_in_use_cannot_disappear(synced, officer):
    draft = _draft(officer)
    text = draft.text.replace("effective_from: 2024-01-01", "effective_from: 2024-02-01", 1)
    cases = draft.cases
    services.revision_save(actor=officer, revision_id=draft.pk, text=text, cases=cases)
    with pytest.raises(Conflict) as refused:
        services.revision_publish(actor=officer, revision_id=draft.pk)
    assert refused.value.code == "version_removed"
    assert not PolicyRevision.objects.filter(status="published").exists()


def test_a_new_policy_from_the_browser(synced, officer):
    with pytest.raises(ValidationFailed) as bad:
        services.revision_new_policy(actor=officer, code="P 13", title="", issuer="科技局", area="创新")
    assert set(bad.value.fields) == {"code", "title"} and not PolicyRevision.objects.exists()
    draft = services.revision_new_policy(actor=officer, code="p13_design_award", title="工业设计奖励",
                                         issuer="晋江市工业和信息化局", area="四链产业升级")
    assert draft.valid and draft.publishable, (draft.problem, draft.blockers)
    services.revision_publish(actor=officer, revision_id=draft.pk)
    policy = Policy.objects.get(code="p13_design_award")
    assert policy.versions.get().doc_number == "文号待定"
    enterprise = make_enterprise(years={2026: {"revenue": "1000000"}})
    from innolink.engines.rules import explain

    answer = explain(fetch.rules_registry(), fetch.record_for(enterprise.pk, 2026), 2026,
                     policy_ids={"p13_design_award"})
    assert [(a.clause_id, a.amount) for a in answer.eligible] == [("c1", Decimal("50000.00"))]


def test_the_editor_checks_as_the_officer_types_and_writes_nothing(synced, officer, client):
    draft = _draft(officer)
    client.force_login(officer)
    audits = AuditEntry.objects.count()
    live = client.post(reverse("policies:revision-check", args=[draft.pk]),
                       {"text": draft.text.replace("op: 以上, value: 50万元", "op: 大约, value: 50万元", 1),
                        "cases": draft.cases}, HTTP_HX_REQUEST="true")
    html = live.content.decode()
    assert live.status_code == 200 and 'id="rules-problem"' in html and "rules.bad_operator" in html
    assert "运算符" in html  # the place in words
    draft.refresh_from_db()
    assert "大约" not in draft.text and AuditEntry.objects.count() == audits


def test_the_editor_page_saves_runs_cases_and_shows_the_diff(synced, officer, client):
    client.force_login(officer)
    policy = Policy.objects.get(code=CODE)
    opened = client.post(reverse("policies:editor", args=[policy.pk]))
    draft = PolicyRevision.objects.get(code=CODE, status="draft")
    assert opened.status_code == 302 and opened["Location"] == reverse("policies:revision", args=[draft.pk])
    page = client.get(opened["Location"]).content.decode()
    assert 'id="rules-text"' in page and 'id="case-results"' in page and "全部通过" in page
    text = draft.text.replace("budget: 6000万元", "budget: 6500万元", 1)
    saved = client.post(reverse("policies:revision", args=[draft.pk]), {"text": text, "cases": draft.cases})
    html = saved.content.decode()
    assert saved.status_code == 200 and "已保存" in html
    assert "资金总额" in html and "6,000.00万元" in html and "6,500.00万元" in html  # the change in words
    assert 'class="diff-add"' in html and "budget: 6500万元" in html  # and in the text
    published = client.post(reverse("policies:revision-publish", args=[draft.pk]))
    assert published.status_code == 302
    assert PolicyVersion.objects.get(policy__code=CODE).budget == Decimal("65000000.00")


def test_a_refused_publication_shows_why_on_the_editor(synced, officer, client):
    client.force_login(officer)
    draft = _draft(officer)
    text = draft.text.replace("rate: 20%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额",
                              "rate: 30%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额", 1)
    client.post(reverse("policies:revision", args=[draft.pk]), {"text": text, "cases": draft.cases})
    refused = client.post(reverse("policies:revision-publish", args=[draft.pk]))
    assert refused.status_code == 409 and 'id="publish-error"' in refused.content.decode()
    assert not PolicyRevision.objects.filter(status="published").exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.ORGANIZER, Role.RESEARCHER])
def test_only_policy_officers_edit_rules(synced, officer, client, role):
    draft = _draft(officer)
    policy = Policy.objects.get(code=CODE)
    client.force_login(make_user(role))
    assert client.get(reverse("policies:revision", args=[draft.pk])).status_code == 403
    assert client.post(reverse("policies:editor", args=[policy.pk])).status_code == 403
    assert client.post(reverse("policies:revision-publish", args=[draft.pk])).status_code == 403
    assert client.post(reverse("policies:revision-new"), {"code": "p99_x"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft" and PolicyRevision.objects.count() == 1


def test_stored_case_results_read_in_english(synced, officer, client):
    """The worked cases' results stored with a revision keep the engine's message ids and params,
    so an English page words them in English (no Chinese frame, amounts in yuan)."""
    import re

    from innolink.engines.rules import steps as S

    draft = _draft(officer)
    text = draft.text.replace("rate: 20%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额",
                              "rate: 25%, base: software_hardware_investment, cap: 100万元, cap_label: 单个项目最高补助限额", 1)
    services.revision_save(actor=officer, revision_id=draft.pk, text=text, cases=draft.cases)
    draft.refresh_from_db()
    whys = [w for c in draft.results for line in c["lines"] if not line["passed"] for w in line["why"]]
    assert whys and all(isinstance(w, dict) and w.get("msgid") in S.FRAMES for w in whys), whys
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("policies:revision", args=[draft.pk])).content.decode()
    table = html[html.index('id="case-results"'):]
    table = table[:table.index("</table>")]
    failing = [w for w in re.findall(r'<div class="small muted">(.*?)</div>', table, re.S) if not w.isdigit()]
    assert failing, html[:2000]
    assert any("Payable 750,000 yuan" in why for why in failing), failing  # 300万元 × 25%
    for why in failing:
        assert " yuan" in why and "应兑现" not in why and "万元" not in why, why
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("policies:revision", args=[draft.pk])).content.decode()
    assert "75万元" in html


def test_a_budget_change_is_the_only_change_against_the_rules_from_their_file(synced):
    """The rules in force come from their file, the draft from the editor: where each part was
    written differs, the rules do not; only what changed is listed and needs a case."""
    from pathlib import Path

    text = next(Path(__file__).resolve().parents[1].glob("rulesets/*p04*")).read_text(encoding="utf-8")
    published = services.published_policy("p04_digital_transformation")
    budget = authoring.load_draft(text.replace("budget: 6000万元", "budget: 6500万元", 1))
    assert [c.what for c in authoring.version_changes(published.versions[0], budget.versions[0])] == ["资金总额"]
    assert authoring.changed_clause_ids(budget, published) == set()
    rate = authoring.load_draft(text.replace("rate: 20%, base: software_hardware_investment",
                                             "rate: 25%, base: software_hardware_investment", 1))
    assert [c.what for c in authoring.version_changes(published.versions[0], rate.versions[0])] == [
        "条款「数字化改造项目补助」的条件或计算"]
    assert authoring.changed_clause_ids(rate, published) == {("2024-01-01", "digital_subsidy")}
