"""Every write of the policies app, by entity. Each service is keyword-only, runs in one
transaction, writes its audit entries there and sends notifications (in-platform rows in the
same transaction, external channels on commit).

- ``sync``: the database mirror of the rule files and published revisions;
- ``scans``: registry scans for a year and the eligibility notices after them;
- ``claims``: an enterprise's claims: form, declared figures, answers, materials, submission;
- ``decisions``: approvals under the budget lock, rejections, deferrals, payments, reversals;
- ``calendar_days``: the working-day calendar (holidays and make-up working days);
- ``revisions``: rule revisions drafted, checked, published or discarded (ADR 0150);
- ``_common``: helpers they share (today, money short names, parsers, the application lock).

Callers import from ``innolink.policies.services``; the names below are its public surface.
"""

from innolink.policies.services._common import (
    CENT,
    MIN_YEAR,
    check_year,
    parse_money,
)
from innolink.policies.services.sync import (
    SyncOutcome,
    policy_sync,
)
from innolink.policies.services.scans import (
    SCAN_KIND,
    eligibility_notify,
    eligibility_notify_all,
    scan_execute,
    scan_now,
    scan_start,
)
from innolink.policies.services.claims import (
    MATERIAL_EXTENSIONS,
    MATERIAL_MAX_BYTES,
    OTHER_MATERIAL,
    ClaimForm,
    application_items,
    application_material_add,
    application_submit,
    application_submit_staged,
    claim_stage,
    claim_staged,
    clause_answer,
    clause_answer_with_facts,
    declared_facts_set,
)
from innolink.policies.services.decisions import (
    OVERRIDE_MIN_CHARS,
    application_approve,
    application_bulk_approve,
    application_defer,
    application_pay,
    application_reject,
    ledger_reverse,
    missing_materials,
)
from innolink.policies.services.calendar_days import (
    CALENDAR_MAX_RANGE_DAYS,
    calendar_day_delete,
    calendar_days_add,
)
from innolink.policies.services.revisions import (
    MAX_RULE_TEXT,
    NEW_CASES_TEMPLATE,
    NEW_POLICY_TEMPLATE,
    published_policy,
    revision_check,
    revision_discard,
    revision_new_policy,
    revision_open,
    revision_publish,
    revision_save,
)

__all__ = [
    "CALENDAR_MAX_RANGE_DAYS", "CENT", "MATERIAL_EXTENSIONS", "MATERIAL_MAX_BYTES", "MAX_RULE_TEXT",
    "MIN_YEAR", "NEW_CASES_TEMPLATE", "NEW_POLICY_TEMPLATE", "OTHER_MATERIAL", "OVERRIDE_MIN_CHARS",
    "SCAN_KIND", "ClaimForm", "SyncOutcome", "application_approve", "application_bulk_approve",
    "application_defer", "application_items", "application_material_add", "application_pay",
    "application_reject", "application_submit", "application_submit_staged", "calendar_day_delete",
    "calendar_days_add", "check_year", "claim_stage", "claim_staged", "clause_answer",
    "clause_answer_with_facts", "declared_facts_set", "eligibility_notify",
    "eligibility_notify_all", "ledger_reverse", "missing_materials", "parse_money", "policy_sync",
    "published_policy", "revision_check", "revision_discard", "revision_new_policy",
    "revision_open", "revision_publish", "revision_save", "scan_execute", "scan_now", "scan_start",
]
