"""Who may do what with policies. Views and API endpoints ask these predicates."""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role

MANAGERS = (Role.POLICY_OFFICER, Role.ADMIN)
METRIC_READERS = (Role.POLICY_OFFICER, Role.ADMIN, Role.ORGANIZER, Role.LEADER)


def can_manage_policies(user) -> bool:
    """Run scans, push notices, approve, reject, defer, pay, reverse ledger entries, sync."""
    return has_role(user, *MANAGERS)


def can_read_metrics(user) -> bool:
    return has_role(user, *METRIC_READERS)


def can_read_ledger(user) -> bool:
    return has_role(user, *METRIC_READERS)


def is_enterprise_user(user) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(user.enterprise_id)


def can_claim(user) -> bool:
    """Confirm a 免申即享 benefit or submit a 快申快享 application for its own enterprise."""
    return is_enterprise_user(user)
