"""Who may see and do what with signed projects. Views, the API and services ask these.

- Leaders and staff read every project; organizer staff and admins manage them.
- An enterprise user sees the projects its enterprise is a party to; a researcher sees the
  projects their institution is a party to (lead or partner: a partner organisation sees only
  the projects it is a party to); a cadre sees the projects they are responsible for. The list,
  the detail, the API and the CSV export all ask ``visible_projects``/``can_read``, which apply
  one rule (``PARTY_ROLES``). Anything else is the same 404 as a missing project.
- Reports are filed by the responsible party: a user of a lead party, the responsible cadre,
  or organizer staff on their behalf.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from innolink.accounts.roles import STAFF_ROLES, Role, has_role
from innolink.projects.models import ProjectParty

READ_ALL = frozenset(STAFF_ROLES | {Role.LEADER, Role.COORDINATOR})
MANAGERS = frozenset({Role.ORGANIZER, Role.ADMIN})


def reads_all(user) -> bool:
    return has_role(user, *READ_ALL)


def can_manage(user) -> bool:
    return has_role(user, *MANAGERS)


def can_list(user) -> bool:
    return reads_all(user) or has_role(user, Role.ENTERPRISE, Role.RESEARCHER, Role.CADRE)


#: the roles that act for a party: an enterprise user for its enterprise, a researcher for
#: their institution. One table for the list, the detail, the API and the export: a reviewer
#: (评审专家) of a party institution judges contests and does not act for it.
PARTY_ROLES = {Role.ENTERPRISE: "enterprise_id", Role.RESEARCHER: "institution_id"}


def _party_of(user) -> tuple[str, int] | None:
    """(party field, id) the user acts for, or None."""
    field = PARTY_ROLES.get(getattr(user, "role", None))
    if field is None or not has_role(user, *PARTY_ROLES):
        return None
    value = getattr(user, field, None)
    return (field, value) if value else None


def visible_projects(user, qs: QuerySet) -> QuerySet:
    """Every project for leaders and staff; otherwise the projects the user's organisation is
    a party to (lead or partner) and those the user is the responsible cadre of."""
    if reads_all(user):
        return qs
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    q = Q(pk__in=[])
    party = _party_of(user)
    if party:
        q |= Q(pk__in=ProjectParty.objects.filter(**{party[0]: party[1]})
               .values("project_id"))
    if has_role(user, Role.CADRE):
        q |= Q(cadre=user)
    return qs.filter(q)


def is_party_user(user, project, *, lead_only: bool = False) -> bool:
    """Whether the user acts for one of the project's parties (the same rule as
    ``visible_projects``)."""
    party = _party_of(user)
    if party is None:
        return False
    field, value = party
    return any(getattr(p, field) == value for p in project.parties.all()
               if not lead_only or p.role == ProjectParty.Role.LEAD)


def can_read(user, project) -> bool:
    return reads_all(user) or is_party_user(user, project) or (
        has_role(user, Role.CADRE) and project.cadre_id == user.pk)


def can_file_report(user, project) -> bool:
    return can_manage(user) or is_party_user(user, project, lead_only=True) or (
        has_role(user, Role.CADRE) and project.cadre_id == user.pk)


def can_review_report(user, project) -> bool:
    return can_manage(user)
