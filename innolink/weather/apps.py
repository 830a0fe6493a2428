from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeatherConfig(AppConfig):
    name = "innolink.weather"
    label = "weather"
    verbose_name = _("气象服务")
