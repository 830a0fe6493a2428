from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import Role
from innolink.compute.access import COMPUTE_STAFF

USERS = COMPUTE_STAFF | {Role.ENTERPRISE, Role.PROVIDER}

NAV_ITEMS = [
    NavEntry(_("算力服务"), "compute:home", USERS, order=60, group="platforms"),
    NavEntry(_("算力券"), "compute:voucher", frozenset({Role.ENTERPRISE}), order=61,
             group="platforms"),
    NavEntry(_("AI 应用场景"), "compute:scenarios", USERS, order=62, group="platforms"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.compute import access, selectors
    from innolink.compute.models import Booking

    provider = access.provider_of(user)
    if provider is not None:
        pending = selectors.bookings_for(user).filter(status=Booking.Status.REQUESTED).count()
        return [Panel("compute/_workspace_provider.html", {"provider": provider,
                                                           "pending": pending}, 10)]
    if access.is_staff(user):
        pending = selectors.pending_providers(user).count()
        held = selectors.held_usage(user).count()
        if pending or held:
            return [Panel("compute/_workspace_staff.html", {"pending": pending, "held": held}, 65)]
    return []
