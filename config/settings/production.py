"""Production: every secret and host comes from the environment, and a missing one stops start-up.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL.
"""

from .base import *  # noqa: F403
from whitenoise.compress import Compressor

from .base import database_settings, env

DEBUG = False
SECRET_KEY = env.require("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS") or [env.require("DJANGO_ALLOWED_HOSTS")]
DATABASES = {
    # the same options as everywhere else, SQLite's included (config/database.py)
    "default": database_settings(
        env.require("DATABASE_URL"), conn_max_age=env.integer("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
CSRF_TRUSTED_ORIGINS = env.csv("DJANGO_CSRF_TRUSTED_ORIGINS")

SECURE_SSL_REDIRECT = env.flag("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers probe /healthz over plain HTTP: it answers 200/503 there, never a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.integer("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps (chart.js's, Swagger UI's and ReDoc's: 13 MB) are fetched only by a developer's
# browser tools: served as they are, without gzip and brotli copies, which took 25 of
# collectstatic's ~47 CPU-seconds (decision 0712).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
}
