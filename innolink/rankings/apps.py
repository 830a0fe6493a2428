from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RankingsConfig(AppConfig):
    name = "innolink.rankings"
    label = "rankings"
    verbose_name = _("民营企业榜单")

    def ready(self) -> None:
        from innolink.rankings import tasks  # noqa: F401  (registers the job runner)
