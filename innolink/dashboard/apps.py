from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "innolink.dashboard"
    label = "dashboard"
    verbose_name = _("总览")

    def ready(self) -> None:
        from innolink.dashboard import tasks  # noqa: F401  (registers the job runners)
