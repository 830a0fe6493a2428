from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry
from innolink.dashboard.access import OVERVIEW_READERS

NAV_ITEMS = [
    NavEntry(_("工作台"), "dashboard:workspace", None, order=0),
    NavEntry(_("领导驾驶舱"), "dashboard:overview", OVERVIEW_READERS, order=1),
    NavEntry(_("调度简报"), "dashboard:briefs", OVERVIEW_READERS, order=2),
    NavEntry(_("API 文档"), "api-1.0.0:openapi-view", None, order=99, group="system"),
]
