"""Uploaded files that wait for their background job (imports of the registry, researchers and
listings) in ``MEDIA_ROOT/imports/`` under random names. A file is removed once nothing can use
it, and files older than ``UPLOAD_RETENTION_DAYS`` are purged."""

from __future__ import annotations

from django.utils.translation import gettext as _
import time
import uuid
from pathlib import Path

from django.conf import settings

from innolink.core.errors import ApplicationError
from innolink.core.errors import IMPORT_GONE


def upload_path(name: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def store_upload(content: bytes, suffix: str) -> str:
    """Keep an uploaded file for its job under a new random name (returned); files past the
    retention period are removed first."""
    purge_stale_uploads()
    name = f"{uuid.uuid4().hex}.{suffix}"
    upload_path(name).write_bytes(content)
    return name


def read_upload(name: str) -> bytes:
    try:
        return upload_path(name).read_bytes()
    except FileNotFoundError:
        days = settings.INNOLINK["UPLOAD_RETENTION_DAYS"]
        raise ApplicationError(_("上传的文件已不存在（未确认的文件保留 %(days)s 天），请重新上传") % {"days": days},
                               code=IMPORT_GONE) from None


def purge_stale_uploads(*, now: float | None = None) -> int:
    """Remove uploaded files older than the retention period; returns how many."""
    limit = (now if now is not None else time.time()) - (
        settings.INNOLINK["UPLOAD_RETENTION_DAYS"] * 86400)
    removed = 0
    for path in upload_path("x").parent.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed by another process meanwhile
            pass
    return removed
