from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config import env
from config.database import database_settings

BASE_DIR = env.BASE_DIR
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env.get("DJANGO_SECRET_KEY", "dev-insecure-key-change-me-in-production-0123456789")
DEBUG = False
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    # the admin with the platform's name, look and audit trail (innolink/core/admin_site.py)
    "innolink.core.adminconfig.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # django-ninja's own static files: /api/docs serves Swagger UI locally instead of a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "innolink.core",
    "innolink.accounts",
    "innolink.enterprises",
    "innolink.policies",
    "innolink.challenges",
    "innolink.events",
    "innolink.matching",
    "innolink.rankings",
    "innolink.servicedesk",
    "innolink.projects",
    "innolink.compute",
    "innolink.weather",
    "innolink.dashboard",
    "innolink.demo",
    "innolink.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "innolink.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "innolink.core.middleware.AuditSourceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "innolink.core.middleware.ApplicationErrorMiddleware",
    "innolink.core.middleware.ApiErrorShapeMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "innolink" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "innolink.core.context_processors.platform",
            ],
        },
    }
]

# The embedded database is the default; DATABASE_URL selects PostgreSQL (or another) instead.
# SQLite gets WAL, immediate transactions and a lock timeout (config/database.py).
DATABASES = {
    "default": database_settings(
        env.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'innolink.sqlite3'}",
        conn_max_age=env.integer("DB_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:workspace"
LOGOUT_REDIRECT_URL = "dashboard:home"

# Login throttling: five failures for one account from one client lock that account for that
# client for 15 minutes. The client is the real one behind the operator's proxies
# (INNOLINK_TRUSTED_PROXIES, core/net.py), never simply the proxy's REMOTE_ADDR.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "innolink.core.net.client_ip"
INNOLINK_TRUSTED_PROXIES = env.csv("INNOLINK_TRUSTED_PROXIES")
AXES_LOCKOUT_CALLABLE = "innolink.accounts.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page's meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
# Scripts only from the platform's own static files (no inline script, no eval); styles also
# allow inline style attributes (templates and Chart.js/Swagger UI set them); nothing from
# another host, no framing (docs/decisions/0017).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'",
    "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "innolink" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.get("INNOLINK_STATIC_ROOT") or str(BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "innolink" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.get("INNOLINK_MEDIA_ROOT") or str(VAR_DIR / "media")
MEDIA_URL = "/media/"

# Background work goes through Django's task API; the database backend needs no extra service.
# INNOLINK_TASK_QUEUE=rq with REDIS_URL switches to Redis + RQ (pip install django-tasks-rq).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if env.get("INNOLINK_TASK_QUEUE", "db") == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env.require("REDIS_URL"), "DEFAULT_TIMEOUT": 3600}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "WARNING")},
}

# Matching: the dense encoder ("use" = the USE-multilingual model shipped in a PyPI package;
# "none"; "hashing"; or a local sentence-transformers model directory), the character n-gram
# signal ("auto": off when a dense model is configured), and how often a process syncs edits.
INNOLINK_MATCHING_ENCODER = env.get("INNOLINK_MATCHING_ENCODER", "use")
INNOLINK_MATCHING_NGRAMS = env.get("INNOLINK_MATCHING_NGRAMS", "auto")
INNOLINK_MATCHING_SYNC_INTERVAL = 0.5

# Weather warnings (气象+): the folder a CAP feed drops files into, and the shared key of the
# detached HMAC-SHA256 signature (<file>.sig) each file there must carry.
INNOLINK_WEATHER_INBOX = env.get("INNOLINK_WEATHER_INBOX") or str(VAR_DIR / "weather-inbox")
# Files derived from the database (caches any process can rebuild). A second deployment on the
# same checkout (CI's production check, beside the PostgreSQL tests: decision 0770) keeps its own.
INNOLINK_MATCHING_INDEX_DIR = (env.get("INNOLINK_MATCHING_INDEX_DIR")
                               or str(VAR_DIR / "matching-index"))
INNOLINK_POLICY_SNAPSHOT_DIR = (env.get("INNOLINK_POLICY_SNAPSHOT_DIR")
                                or str(VAR_DIR / "cache" / "policy-population"))
INNOLINK_WEATHER_INBOX_KEY = env.get("INNOLINK_WEATHER_INBOX_KEY", "")

# Platform settings.
INNOLINK = {
    "CITY": _("晋江市"),
    "DEMO_MODE": env.flag("INNOLINK_DEMO_MODE", True),
    "IMPORT_MAX_BYTES": env.integer("INNOLINK_IMPORT_MAX_BYTES", 50 * 1024 * 1024),
    "IMPORT_MAX_ROWS": env.integer("INNOLINK_IMPORT_MAX_ROWS", 200_000),
    # an .xlsx is a zip: refused before parsing when it would unpack beyond this (zip bombs)
    "IMPORT_MAX_UNPACKED_BYTES": env.integer("INNOLINK_IMPORT_MAX_UNPACKED_BYTES",
                                             300 * 1024 * 1024),
    # uploaded import files nobody confirmed are removed after this many days
    "UPLOAD_RETENTION_DAYS": env.integer("INNOLINK_UPLOAD_RETENTION_DAYS", 7),
    "PAGE_SIZE": 25,
    # anonymous posts (公示 objections): at most this many per client and target per window
    "PUBLIC_POST_LIMIT": env.integer("INNOLINK_PUBLIC_POST_LIMIT", 10),
    "PUBLIC_POST_WINDOW": env.integer("INNOLINK_PUBLIC_POST_WINDOW", 3600),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
