"""Enterprises shaped for particular clauses, and applications taken through the real services."""

from __future__ import annotations

import datetime as dt

from innolink.enterprises.testing import make_enterprise, make_user
from innolink.accounts.roles import Role
from innolink.enterprises.models import EnterpriseTag
from innolink.policies.models import PolicyClause
from innolink.policies.services import ClaimForm, application_submit

YEAR = 2025


def rd_enterprise(*, rd: str = "5500000", rd_prev: str = "2000000", fiscal_prev: str = "9000000",
                  tags=("tech_sme",), **fields):
    """Qualifies for p02 rd_increment_award: (rd - rd_prev) × 6%, capped at 600万元."""
    enterprise = make_enterprise(years={
        YEAR: {"rd_expense": rd, "revenue": "80000000"},
        YEAR - 1: {"rd_expense": rd_prev, "fiscal_contribution": fiscal_prev,
                   "revenue": "70000000"}}, **fields)
    for tag in tags:
        EnterpriseTag.objects.create(enterprise=enterprise, tag=tag)
    return enterprise


def high_tech_enterprise(*, first: bool = True, year: int = YEAR, **fields):
    """Qualifies for p01 high_tech_award (auto lane): 20万元 first time, 10万元 renewed."""
    enterprise = make_enterprise(years={year: {"revenue": "10000000"}}, **fields)
    EnterpriseTag.objects.create(enterprise=enterprise, tag="high_tech",
                                 certified_on=dt.date(year, 10, 15), first_certified=first)
    return enterprise


def upgrader(equipment: str, *, year: int = YEAR):
    """Qualifies for p06 general_upgrade (a pro_rata policy): 8% of the equipment investment."""
    enterprise = make_enterprise(years={
        year: {"equipment_investment": equipment, "energy_consumption": "1000"},
        year - 1: {"energy_consumption": "1200"}})
    EnterpriseTag.objects.create(enterprise=enterprise, tag="above_scale")
    return enterprise


def clause(policy_code: str, clause_code: str, year: int = YEAR) -> PolicyClause:
    for c in PolicyClause.objects.select_related("version__policy").filter(
            version__policy__code=policy_code, code=clause_code):
        if c.version.covers_year(year):
            return c
    raise LookupError((policy_code, clause_code, year))


FORM = ClaimForm(bank_name="中国银行晋江支行", bank_account="6217 0000 1234 5678",
                 account_holder="测试企业有限公司", contact_name="陈经理",
                 contact_phone="0595-85600000", consent=True)


def material_files(names) -> list:
    """One small PDF per material name (a 快申快享 application complete for approval)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [(name, SimpleUploadedFile(f"m{k}.pdf", b"%PDF-1.4 test", content_type="application/pdf"))
            for k, name in enumerate(names)]


def submitted(enterprise, policy_code="p01_high_tech_award", clause_code="high_tech_award",
              year: int = YEAR, actor=None, *, with_materials: bool = True):
    """Submitted through the service; a 快申快享 claim carries all its required materials unless
    ``with_materials`` is false."""
    actor = actor or make_user(Role.ENTERPRISE, enterprise=enterprise)
    target = clause(policy_code, clause_code, year)
    files = material_files(target.version.materials) \
        if with_materials and target.version.lane == "apply" else []
    return application_submit(actor=actor, enterprise=enterprise, clause=target, year=year,
                              form=FORM, materials=files)
