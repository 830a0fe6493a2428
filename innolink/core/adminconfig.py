from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

#: Chinese headings for third-party apps whose models the admin lists (their model names are
#: translated in innolink/locale/zh_Hans; an app's heading is a plain string there)
APP_NAMES = {"axes": _("登录保护"), "django_tasks_database": _("任务队列"),
             "auth": _("认证和授权")}


class PlatformAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the platform's site: its name, look and audit trail
    (``innolink.core.admin_site``)."""

    default_site = "innolink.core.admin_site.PlatformAdminSite"

    def ready(self):
        super().ready()
        for label, name in APP_NAMES.items():
            if self.apps.is_installed(label) or label in self.apps.app_configs:
                self.apps.get_app_config(label).verbose_name = name
