"""Helpers for service-desk tests: counting what was written, moving the clock."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from innolink.core.models import AuditEntry, Notification
from innolink.servicedesk.models import (
    Attachment, CoHandling, RateCounter, RequestEvent, ServiceRequest, TopicCounter,
)

TZ = timezone.get_default_timezone()


def written() -> dict[str, int]:
    """Row counts of everything a service-desk write can touch."""
    return {
        "requests": ServiceRequest.objects.count(), "events": RequestEvent.objects.count(),
        "audit": AuditEntry.objects.count(), "counters": sum(
            sum(v for k, v in row.items() if k in RateCounter.FIELDS)
            for row in RateCounter.objects.values()),
        "topics": TopicCounter.objects.count(), "attachments": Attachment.objects.count(),
        "notifications": Notification.objects.count(), "cohandlings": CoHandling.objects.count(),
        "statuses": tuple(ServiceRequest.objects.order_by("pk").values_list("status", flat=True)),
    }


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), TZ)


@contextlib.contextmanager
def frozen(moment: dt.datetime):
    """Every ``timezone.now()`` returns ``moment`` inside the block."""
    original = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = original


def upload(name: str = "说明.pdf", size: int = 1024, content: bytes | None = None):
    return SimpleUploadedFile(name, content if content is not None else b"%PDF" + b"0" * (size - 4),
                              content_type="application/pdf")
