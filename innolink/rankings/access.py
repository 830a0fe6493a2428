"""Who may do what with rankings. Views and the API ask these, never the raw role."""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role

RANKING_MANAGERS = frozenset({Role.ORGANIZER, Role.ADMIN})


def can_manage_rankings(user) -> bool:
    """Organizer staff and admins run, review, open 公示, answer objections and publish."""
    return has_role(user, *RANKING_MANAGERS)


def can_declare(user) -> bool:
    """An enterprise user declares its own enterprise's figures, and nothing else."""
    return has_role(user, Role.ENTERPRISE) and bool(user.enterprise_id)
