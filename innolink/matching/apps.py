from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "innolink.matching"
    label = "matching"
    verbose_name = _("精准匹配")

    def ready(self) -> None:
        from innolink.matching import tasks  # noqa: F401  (registers the job runners)
