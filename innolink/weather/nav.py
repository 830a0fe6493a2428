from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import Role
from innolink.weather.access import WEATHER_READERS, WEATHER_STAFF

NAV_ITEMS = [
    NavEntry(_("气象预警"), "weather:home", WEATHER_READERS | {Role.ENTERPRISE}, order=70,
             group="platforms"),
    NavEntry(_("气象服务产品"), "weather:forecasts", WEATHER_READERS, order=71, group="platforms"),
    NavEntry(_("预警接收"), "weather:ingest", WEATHER_STAFF, order=72, group="platforms"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.weather import access, selectors
    from innolink.weather.models import Notice

    if access.is_enterprise(user):
        open_notices = selectors.notices_for(user).filter(
            state=Notice.State.ACTIVE, acknowledged_at__isnull=True).count()
        if open_notices:
            return [Panel("weather/_workspace_enterprise.html", {"open": open_notices}, 5)]
        return []
    if access.can_read_warnings(user):
        return [Panel("weather/_workspace_staff.html", {
            "active": selectors.active_warnings().count(),
            "reds": selectors.red_warnings_open(user)}, 55)]
    return []
