"""Uploaded files: stored under names nobody can guess and served only through a view that
checks the same access as the record they belong to (never from ``MEDIA_URL``)."""

from __future__ import annotations

import os
import uuid

from django.http import FileResponse


def unguessable_name(prefix: str, filename: str) -> str:
    """A storage name that says nothing about the file and cannot be guessed: a random
    128-bit name with the original extension, under ``prefix``.

    Examples:
        >>> name = unguessable_name("challenges/attachments", "规格书.PDF")
        >>> name.startswith("challenges/attachments/") and name.endswith(".pdf")
        True
        >>> len(name.rsplit("/", 1)[1])
        36
    """
    ext = os.path.splitext(filename or "")[1].lower()[:10]
    if not ext[1:].isalnum():
        ext = ""
    return f"{prefix.rstrip('/')}/{uuid.uuid4().hex}{ext}"


def attachment_response(file, *, filename: str, content_type: str | None = None
                        ) -> FileResponse:
    """The file as a download under its original name (``Content-Disposition: attachment``
    with the RFC 6266 UTF-8 form), never rendered by the browser and never cached by a
    shared cache. Call it only after the access check of the record the file belongs to."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename,
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
