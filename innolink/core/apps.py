from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "innolink.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self):
        from innolink.core import checks  # noqa: F401  (registers the deploy checks)
