"""Every refusal code the policies app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.policies.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

ALREADY_APPLIED = "already_applied"
ALREADY_REVERSED = "already_reversed"
BUDGET_BELOW_COMMITTED = "budget_below_committed"
BUDGET_EXCEEDED = "budget_exceeded"
CALENDAR_DAY_EXISTS = "calendar_day_exists"
CASES_FAILING = "cases_failing"
CLAUSE_RETIRED = "clause_retired"
FACT_KNOWN = "fact_known"
HAS_PAYMENTS = "has_payments"
MATERIALS_MISSING = "materials_missing"
NOT_DECIDABLE = "not_decidable"
NOT_ELIGIBLE = "not_eligible"
NOT_OPEN = "not_open"
NOT_PAYABLE = "not_payable"
REVISION_CLOSED = "revision_closed"
VERSION_REMOVED = "version_removed"
