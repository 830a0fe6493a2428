from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "innolink.challenges"
    label = "challenges"
    verbose_name = _("揭榜领题")

    def ready(self) -> None:
        from innolink.challenges import tasks  # noqa: F401  (registers the job runner)
