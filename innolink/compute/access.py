"""Who may do what on the compute platform. A provider sees only its own resources, bookings and
usage; an enterprise only its own requests, bookings, vouchers and needs; staff approve providers
and review held usage."""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role

COMPUTE_STAFF = frozenset({Role.ORGANIZER, Role.ADMIN, Role.POLICY_OFFICER})


def is_staff(user) -> bool:
    return has_role(user, *COMPUTE_STAFF)


def is_enterprise(user) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(getattr(user, "enterprise_id", None))


def provider_of(user):
    """The provider this user acts for, or None."""
    if not has_role(user, Role.PROVIDER):
        return None
    membership = getattr(user, "provider_membership", None)
    return membership.provider if membership is not None else None


def is_provider(user) -> bool:
    return has_role(user, Role.PROVIDER)
