from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_after_flush(sender, apps=None, **kwargs) -> None:
    """Put the shipped categories and time limits back when their tables are empty (``flush``,
    as transactional tests do, emits post_migrate after deleting every row)."""
    from django.apps import apps as installed_apps

    from innolink.servicedesk.reference import seed_reference

    apps = apps or installed_apps
    try:
        apps.get_model("servicedesk", "DeskSettings")
    except LookupError:  # migrating backwards past the models
        return
    seed_reference(apps)


class ServicedeskConfig(AppConfig):
    name = "innolink.servicedesk"
    label = "servicedesk"
    verbose_name = _("诉求办理")

    def ready(self) -> None:
        from innolink.servicedesk import tasks  # noqa: F401  (registers the job runner)

        post_migrate.connect(_seed_after_flush, sender=self,
                             dispatch_uid="servicedesk-reference-data")
