"""System checks an operator sees in `manage.py check --deploy` (and /healthz reads the same).

A production deployment with manifest static storage renders every page through the manifest
that `collectstatic` writes; without it every HTML page fails with 500 while the API still
answers, so the deploy check and the health probe both look for it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import storages


def static_manifest_problem() -> str | None:
    """Why pages cannot find their static files, or None when they can."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return None
    if not storage.exists(storage.manifest_name):
        return (
            f"{settings.STATIC_ROOT}/{storage.manifest_name} is missing: "
            "run `manage.py collectstatic --noinput`"
        )
    return None


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs=None, **kwargs):
    problem = static_manifest_problem()
    if problem is None:
        return []
    return [
        checks.Error(
            "The static files manifest is missing, so every page would answer 500.",
            hint=problem,
            id="innolink.E001",
        )
    ]
