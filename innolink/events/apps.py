from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "innolink.events"
    label = "events"
    verbose_name = _("对接活动与评审")

    def ready(self) -> None:
        from innolink.events import tasks  # noqa: F401  (registers the job runners)
