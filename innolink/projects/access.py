"""Who may see and do what with signed projects. Views, the API and services ask these.

- Leaders and staff read every project; organizer staff and admins manage them.
- An enterprise user sees the projects its enterprise is a party to; a user of a party
  institution (researcher) sees the projects the institution is a party to; a cadre sees the
  projects they are responsible for. Anything else is the same 404 as a missing project.
- Reports are filed by the responsible party: a user of a lead party, the responsible cadre,
  or organizer staff on their behalf.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from innolink.accounts.roles import STAFF_ROLES, Role, has_role

READ_ALL = frozenset(STAFF_ROLES | {Role.LEADER, Role.COORDINATOR})
MANAGERS = frozenset({Role.ORGANIZER, Role.ADMIN})


def reads_all(user) -> bool:
    return has_role(user, *READ_ALL)


def can_manage(user) -> bool:
    return has_role(user, *MANAGERS)


def can_list(user) -> bool:
    return reads_all(user) or has_role(user, Role.ENTERPRISE, Role.RESEARCHER, Role.CADRE)


def visible_projects(user, qs: QuerySet) -> QuerySet:
    if reads_all(user):
        return qs
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    q = Q(pk__in=[])
    if has_role(user, Role.ENTERPRISE) and user.enterprise_id:
        q |= Q(parties__enterprise_id=user.enterprise_id)
    if has_role(user, Role.RESEARCHER, Role.REVIEWER) and user.institution_id:
        q |= Q(parties__institution_id=user.institution_id)
    if has_role(user, Role.CADRE):
        q |= Q(cadre=user)
    return qs.filter(q).distinct()


def is_party_user(user, project, *, lead_only: bool = False) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    parties = project.parties.all()
    if lead_only:
        parties = [p for p in parties if p.role == "lead"]
    for party in parties:
        if party.enterprise_id and has_role(user, Role.ENTERPRISE) \
                and party.enterprise_id == user.enterprise_id:
            return True
        if party.institution_id and has_role(user, Role.RESEARCHER) \
                and party.institution_id == user.institution_id:
            return True
    return False


def can_read(user, project) -> bool:
    return reads_all(user) or is_party_user(user, project) or (
        has_role(user, Role.CADRE) and project.cadre_id == user.pk)


def can_file_report(user, project) -> bool:
    return can_manage(user) or is_party_user(user, project, lead_only=True) or (
        has_role(user, Role.CADRE) and project.cadre_id == user.pk)


def can_review_report(user, project) -> bool:
    return can_manage(user)
