"""A developer's machine and the README's one-command demo: the embedded database, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.flag("DJANGO_DEBUG", True)
