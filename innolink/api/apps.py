from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "innolink.api"
    label = "api"
    verbose_name = "API"
