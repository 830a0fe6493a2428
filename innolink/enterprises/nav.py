from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import FACT_EDITORS, REGISTRY_IMPORTERS, REGISTRY_READERS, Role

NAV_ITEMS = [
    NavEntry(_("企业库"), "enterprises:list", REGISTRY_READERS, order=10, group="enterprises"),
    NavEntry(_("我的企业"), "enterprises:mine", frozenset({Role.ENTERPRISE}),
             order=10, group="enterprises"),
    NavEntry(_("批量导入"), "enterprises:import", REGISTRY_IMPORTERS, order=90, group="enterprises"),
    NavEntry(_("资质与事项目录"), "enterprises:facts", FACT_EDITORS, order=80, group="enterprises"),
    NavEntry(_("导入资质和事项"), "enterprises:facts-import", FACT_EDITORS, order=85, group="enterprises"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.dashboard.selectors import registry_overview

    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return [Panel("enterprises/_workspace_mine.html", {"enterprise": user.enterprise}, 0)]
    if user.role in REGISTRY_READERS:
        return [Panel("enterprises/_workspace_registry.html", registry_overview(), 80)]
    return []
