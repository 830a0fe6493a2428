"""Demo records: the 12 policies in the database, a scan of the demo city, and claims,
approvals and payments so that the ledger and the metrics move. Idempotent and deterministic."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from innolink.accounts.models import User
from innolink.core.errors import ApplicationError
from innolink.policies import services
from innolink.policies.models import Application, Eligibility, Scan
from innolink.policies.selectors import default_year

MAX_CLAIMS = 240
# A one-page PDF that says it is a demo material (the demo's 快申快享 claims attach one per
# required material, so approvals find them complete).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
            b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>endobj\n"
            b"4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 72 760 Td (InnoLink demo) Tj ET\nendstream endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
BANKS = ["中国工商银行晋江支行", "中国农业银行晋江支行", "中国银行晋江支行", "中国建设银行晋江支行",
         "晋江农村商业银行", "泉州银行晋江支行"]


def seed(*, seed: int) -> str:
    sync = services.policy_sync(actor=None, source="demo")
    year = default_year()
    today = timezone.localdate()
    scan = Scan.objects.filter(year=year).order_by("pk").first()
    if scan is None:
        scan = services.scan_now(actor=None, year=year, today=today - dt.timedelta(days=60))
    if Application.objects.exists():
        return f"{sync.summary()}；{year} 年度扫描已存在，申请与拨付无变化"
    rng = random.Random(seed)
    officer = User.objects.filter(username="officer").first()
    demo_user = User.objects.filter(username="enterprise").first()
    reserved = {demo_user.enterprise_id} if demo_user and demo_user.enterprise_id else set()
    rows = list(Eligibility.objects.filter(year=year, active=True).exclude(enterprise_id__in=reserved)
                .select_related("enterprise", "clause__version").order_by("id"))
    picked = [r for r in rows if rng.random() < 0.35]
    rng.shuffle(picked)  # spread the demo claims over every policy
    picked = sorted(picked[:MAX_CLAIMS], key=lambda r: r.pk)
    claims: list[Application] = []
    for row in picked:
        submitted_on = row.first_found_on + dt.timedelta(days=rng.randint(3, 30))
        form = services.ClaimForm(
            bank_name=rng.choice(BANKS), bank_account=f"6222{rng.randint(10**11, 10**12 - 1)}",
            account_holder=row.enterprise.name, contact_name="财务部", consent=True,
            statement="" if row.clause.version.lane == "auto" else "按平台测算申请")
        materials = [] if row.clause.version.lane == "auto" else [
            (name, ContentFile(DEMO_PDF, name=f"demo-{k + 1}.pdf"))
            for k, name in enumerate(row.clause.version.materials)
            if rng.random() < 0.9]  # a few applications lack a material: approval waits for it
        try:
            claims.append(services.application_submit(actor=None, enterprise=row.enterprise,
                                                      clause=row.clause, year=year, form=form,
                                                      today=submitted_on, materials=materials))
        except ApplicationError:
            continue
    by_version: dict[int, list[Application]] = defaultdict(list)
    for application in claims:
        roll = rng.random()
        if roll < 0.06:
            services.application_reject(actor=officer, application_id=application.pk,
                                        reason="经核实，认定证书不在政策年度内（演示）")
        elif roll < 0.12:
            services.application_defer(actor=officer, application_id=application.pk,
                                       reason="待补充完税证明（演示）")
        elif roll < 0.80:
            by_version[application.clause.version_id].append(application)
    approved: list[Application] = []
    for version_id in list(by_version):  # approval waits for the missing materials
        by_version[version_id] = [a for a in by_version[version_id]
                                  if not services.missing_materials(a)]
    for apps in by_version.values():
        try:
            approved += services.application_bulk_approve(
                actor=officer, application_ids=[a.pk for a in apps], note="演示批量批准",
                on=today - dt.timedelta(days=20))
        except ApplicationError:
            continue
    paid = 0
    for application in approved:
        roll = rng.random()
        on = today - dt.timedelta(days=rng.randint(0, 15))
        if roll < 0.55:
            services.application_pay(actor=officer, application_id=application.pk,
                                     amount=application.amount_approved, on=on)
            paid += 1
        elif roll < 0.75:
            half = (application.amount_approved / 2).quantize(Decimal("0.01"))
            if half > 0:
                services.application_pay(actor=officer, application_id=application.pk,
                                         amount=half, note="第一期", on=on)
    return (f"{sync.summary()}；{year} 年度扫描 {scan.eligible_pairs} 个（企业×条款）符合；"
            f"演示申请 {len(claims)}，批准 {len(approved)}，全额拨付 {paid}")
