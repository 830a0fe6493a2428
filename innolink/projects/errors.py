"""Every refusal code the projects app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.projects.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

BAD_TRANSITION = "bad_transition"
NO_ENTERPRISE = "no_enterprise"
PROBLEM_HANDLED = "problem_handled"
PROJECT_CLOSED = "project_closed"
REPORT_LOCKED = "report_locked"
REPORT_PENDING = "report_pending"
REPORTS_PENDING = "reports_pending"
SERVICEDESK_MISSING = "servicedesk_missing"
