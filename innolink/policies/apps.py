from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_calendar_after_flush(sender, apps=None, **kwargs) -> None:
    """Put the shipped working-day calendar back when the table is empty: ``flush`` (as
    transactional tests do) emits post_migrate after deleting every row. A table with rows is
    the operator's and is left alone."""
    from django.apps import apps as installed_apps

    from innolink.policies.workdays import reset_cache, seed_calendar

    apps = apps or installed_apps
    try:
        model = apps.get_model("policies", "CalendarDay")
    except LookupError:  # migrating backwards past the model
        return
    if not model.objects.exists():
        seed_calendar(apps)
    reset_cache()


class PoliciesConfig(AppConfig):
    name = "innolink.policies"
    label = "policies"
    verbose_name = _("惠企政策")

    def ready(self) -> None:
        from innolink.policies import tasks  # noqa: F401  (registers the job runner)

        post_migrate.connect(_seed_calendar_after_flush, sender=self,
                             dispatch_uid="policies-working-day-calendar")
