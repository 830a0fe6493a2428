"""With these settings, tests run faster and never leave the process."""

from .base import *  # noqa: F403
from .base import INNOLINK, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
INNOLINK = {**INNOLINK, "IMPORT_MAX_BYTES": 2 * 1024 * 1024}
MEDIA_ROOT = env.get("INNOLINK_MEDIA_ROOT") or "/tmp/innolink-test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# No dense model in tests (loading it costs seconds per process); matching tests that need one
# set it themselves.
INNOLINK_MATCHING_ENCODER = "none"
