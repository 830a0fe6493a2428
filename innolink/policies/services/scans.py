"""Scans of the whole registry for a year (who qualifies for which clause) and the
eligibility notices sent after them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.jobs import job_start
from innolink.core.notifications import notify
from innolink.engines.rules import scan as rules_scan
from innolink.policies import fetch
from innolink.policies import snapshot as population_snapshot
from innolink.policies.selectors import unpaid_eligibilities
from innolink.policies.models import (
    Application,
    Eligibility,
    Policy,
    PolicyClause,
    Scan,
)
from innolink.policies.services._common import (
    _today,
    _yuan,
    check_year,
)
from innolink.policies.services.sync import policy_sync


SCAN_KIND = "policies.scan"


def _clause_map(year: int) -> dict[tuple[str, str], PolicyClause]:
    """(policy code, clause code) -> the clause row of the version in force for ``year``."""
    out = {}
    for clause in PolicyClause.objects.filter(retired=False).select_related("version__policy"):
        if clause.version.covers_year(year):
            out[(clause.version.policy.code, clause.code)] = clause
    return out


def scan_start(*, actor, year: Any) -> Scan:
    year = check_year(year)
    with transaction.atomic():
        job = job_start(kind=SCAN_KIND, title=N_("%(y)s 年度政策扫描（全企业库）"),
                        title_params={"y": year},
                        params={"year": year}, user=actor)
        scan = Scan.objects.create(year=year, job=job, created_by=actor
                                   if getattr(actor, "is_authenticated", False) else None)
        audit_record(actor=actor, action="create", instance=scan, changes={"year": [None, year]})
    return scan


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def scan_execute(*, scan: Scan, actor=None, progress=None, today: dt.date | None = None) -> Scan:
    """Scan the whole registry for ``scan.year`` and store who qualifies (payable amount > 0)
    per (clause, enterprise, year). Reading and computing happen outside the write
    transaction so progress is visible; the write is one transaction."""
    report = progress or (lambda *a, **k: None)
    today = today or _today()
    year = scan.year
    report(0, 3, N_("读取企业库"), force=True)
    registry = fetch.rules_registry()
    loaded = population_snapshot.load_population(year)  # stored snapshot + changes since
    ids, population = loaded.ids, loaded.population
    report(1, 3, N_("计算 %(n)s 家企业的符合条件情况"), params={"n": len(ids)}, force=True)
    result = rules_scan(registry, population)
    report(2, 3, N_("写入数据库"), force=True)
    with transaction.atomic():
        clauses = _clause_map(year)
        if any((c.policy_id, c.clause_id) not in clauses for c in result.clauses):
            policy_sync(actor=actor, source=f"scan:{scan.pk}")
            clauses = _clause_map(year)
        found: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
        for c in result.clauses:
            clause = clauses[(c.policy_id, c.clause_id)]
            for i, fen, gross in zip(c.index.tolist(), c.amount_fen.tolist(), c.gross_fen.tolist()):
                if fen > 0:
                    found[(clause.pk, ids[i])] = (_yuan(fen), _yuan(gross))
        existing = {(cid, eid): (pk, amount, active) for pk, cid, eid, amount, active in
                    Eligibility.objects.filter(year=year).values_list(
                        "pk", "clause_id", "enterprise_id", "amount", "active")}
        from innolink.core.bulk import insert_rows

        new_rows = [(cid, eid, year, amount, gross, today, scan.pk, True)
                    for (cid, eid), (amount, gross) in found.items() if (cid, eid) not in existing]
        insert_rows(Eligibility, ["clause", "enterprise", "year", "amount", "gross",
                                  "first_found_on", "last_scan", "active"], new_rows)
        changed = [Eligibility(pk=pk, amount=found[key][0], gross=found[key][1], active=True,
                               last_scan_id=scan.pk)
                   for key, (pk, amount, active) in existing.items()
                   if key in found and (amount != found[key][0] or not active)]
        Eligibility.objects.bulk_update(changed, ["amount", "gross", "active", "last_scan"],
                                        batch_size=500)
        # a pair found on an application from the enterprise's own declared figures is not
        # something the scan (platform data only) can see: it stays as the application found it
        declared = {(cid, eid) for cid, eid, facts in Application.objects.filter(year=year)
                    .values_list("clause_id", "enterprise_id", "declared") if facts}
        dropped = [pk for key, (pk, _a, active) in existing.items()
                   if active and key not in found and key not in declared]
        for chunk in _chunks(dropped):
            Eligibility.objects.filter(pk__in=chunk).update(active=False, last_scan=scan)
        totals = result.policy_totals()
        summary = {pid: {"enterprises": t["enterprises"], "total": str(t["total"]),
                         "budget": str(t["budget"]), "over_budget": t["over_budget"]}
                   for pid, t in totals.items()}
        before = snapshot(scan, ["enterprises", "eligible_pairs", "new_pairs", "dropped_pairs",
                                 "total"])
        scan.enterprises = len(ids)
        scan.eligible_pairs = len(found)
        scan.new_pairs = len(new_rows)
        scan.dropped_pairs = len(dropped)
        scan.total = sum((a for a, _g in found.values()), Decimal("0.00"))
        scan.summary = summary
        scan.finished_at = timezone.now()
        scan.save()
        audit_record(actor=actor, action="transition", instance=scan, source="job",
                     changes=audit_diff(before, snapshot(scan, list(before))),
                     note=f"changed {len(changed)}")
    report(3, 3, N_("完成：%(n)s 个（企业×条款）符合条件"), params={"n": len(found)},
           force=True)
    return scan


def scan_now(*, actor, year: int, today: dt.date | None = None) -> Scan:
    """A scan run in this process (management command and demo seed)."""
    with transaction.atomic():
        scan = Scan.objects.create(year=year, created_by=actor if getattr(
            actor, "is_authenticated", False) else None)
        audit_record(actor=actor, action="create", instance=scan, source="command",
                     changes={"year": [None, year]})
    return scan_execute(scan=scan, actor=actor, today=today)


# --------------------------------------------------------------------------- notices

@transaction.atomic
def eligibility_notify(*, actor, policy: Policy, year: int) -> int:
    """Push a notice to every enterprise user whose enterprise qualifies for ``policy`` in
    ``year``, has not claimed it yet and was not notified before. Returns the users notified."""
    rows = list(unpaid_eligibilities(policy=policy, year=year).filter(notified_at__isnull=True)
                .values_list("pk", "enterprise_id"))
    if not rows:
        return 0
    enterprise_ids = {eid for _pk, eid in rows}
    users = list(User.objects.filter(role=Role.ENTERPRISE, is_active=True,
                                     enterprise_id__in=enterprise_ids))
    from django.urls import reverse

    sent = notify(recipients=users, kind="policies.eligible",
                  title=N_("政策找企：您的企业符合《%(t)s》"),
                  body=N_("经 %(y)s 年度数据比对，贵企业符合该政策的兑现条件。请在「我能享受的政策」中查看金额与计算过程，并按提示确认领取或申请。"),
                  params={"t": policy.title, "y": year},
                  url=reverse("policies:mine"))
    now = timezone.now()
    for chunk in _chunks([pk for pk, _e in rows]):
        Eligibility.objects.filter(pk__in=chunk).update(notified_at=now)
    audit_record(actor=actor, action="transition", instance=policy,
                 changes={"notified_enterprises": [None, len(enterprise_ids)]},
                 note=f"eligibility notices for {year}: {len(sent)} users")
    return len(sent)


@transaction.atomic
def eligibility_notify_all(*, actor, year: int) -> int:
    """Push the notices of every policy for ``year`` (after a scan)."""
    return sum(eligibility_notify(actor=actor, policy=policy, year=year)
               for policy in Policy.objects.order_by("order", "pk"))
