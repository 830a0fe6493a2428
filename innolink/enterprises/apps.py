from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_indicator_definitions(sender, apps=None, **kwargs) -> None:
    """Keep the indicator definitions, qualification types and item kinds present after ``flush`` too (Django emits post_migrate
    after flushing, as transactional tests do), not only after the data migration."""
    from django.apps import apps as installed_apps

    from innolink.enterprises.migrations._seed import (
        catalogue_indicators, indicator_definitions, item_kinds, qualification_types,
    )

    apps = apps or installed_apps  # flush sends no app registry: the current models apply
    try:
        apps.get_model("enterprises", "IndicatorDefinition")
    except LookupError:  # migrating backwards past the model
        return
    indicator_definitions(apps)
    try:
        apps.get_model("enterprises", "QualificationType")
        apps.get_model("enterprises", "IndicatorDefinition")._meta.get_field("levels")
    except (LookupError, Exception):  # an older schema during a backwards migration
        return
    qualification_types(apps)
    item_kinds(apps)
    catalogue_indicators(apps)


class EnterprisesConfig(AppConfig):
    name = "innolink.enterprises"
    label = "enterprises"
    verbose_name = _("企业库")

    def ready(self) -> None:
        from innolink.enterprises import tasks  # noqa: F401  (registers the job runners)

        post_migrate.connect(_seed_indicator_definitions, sender=self,
                             dispatch_uid="enterprises-indicator-definitions")
