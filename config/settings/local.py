"""A developer's machine and the README's one-command demo: the embedded database, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.flag("DJANGO_DEBUG", True)

# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
