from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "innolink.policies"
    label = "policies"
    verbose_name = _("惠企政策")
