"""Writes of the overview: folding every source into the tallies, the daily figure snapshot and
the weekly brief. Run by ``manage.py overview_refresh`` (cron) or as a job from the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from innolink.core.audit import audit_record
from innolink.core.errors import PermissionDenied
from innolink.dashboard import access
from innolink.dashboard.models import Brief, FigureSnapshot, TallyCursor
from innolink.dashboard.overview import sections
from innolink.dashboard.sources import all_sources
from innolink.dashboard.tallies import tally_replace

#: Job kinds ``innolink.dashboard.tasks`` registers its runners under.
REFRESH_KIND = "dashboard.refresh"
BRIEF_KIND = "dashboard.brief"
SETTLE_SECONDS = 30


def overview_refresh(*, today: dt.date | None = None, settle_seconds: int | None = None,
                     recount: bool = False, progress=None) -> dict[str, int]:
    """Fold what each source wrote since its cursor into the tallies (``recount``: rebuild them
    from scratch, e.g. nightly), then snapshot today's figures. Returns touched points per
    source."""
    today = today or timezone.localdate()
    if settle_seconds is None:
        settle_seconds = getattr(settings, "INNOLINK_TALLY_SETTLE_SECONDS", SETTLE_SECONDS)
    settle = dt.timedelta(seconds=settle_seconds)
    done: dict[str, int] = {}
    sources = all_sources()
    for i, source in enumerate(sources):
        if progress:
            progress(i, len(sources), N_("汇总数据源 %(source)s"), params={"source": source.name},
                     force=True)
        with transaction.atomic():
            if recount and hasattr(source, "rebuild"):
                done[source.name] = source.rebuild()
            elif recount:
                done[source.name] = tally_replace(source.prefixes, source.recount())
            else:
                done[source.name] = source.catch_up(settle=settle)
    snapshot_figures(today=today)
    cursor, _ = TallyCursor.objects.get_or_create(name="refresh")
    cursor.refreshed_at = timezone.now()
    cursor.position = today.isoformat()
    cursor.save(update_fields=["refreshed_at", "position"])
    if progress:
        progress(len(sources), len(sources), N_("完成"), force=True)
    return done


def last_refresh() -> dt.datetime | None:
    row = TallyCursor.objects.filter(name="refresh").first()
    return row.refreshed_at if row else None


@transaction.atomic
def snapshot_figures(*, today: dt.date) -> int:
    """Today's value of every numeric figure (the weekly brief compares with a week ago)."""
    rows = {}
    for section in sections(today=today):
        for figure in section.figures:
            if figure.value is not None:
                rows[figure.key] = Decimal(figure.value)
    FigureSnapshot.objects.filter(taken_on=today).delete()
    FigureSnapshot.objects.bulk_create([FigureSnapshot(taken_on=today, key=k, value=v)
                                        for k, v in rows.items()])
    return len(rows)


def refresh_start(*, actor):
    from innolink.core.jobs import job_start

    if not access.can_refresh(actor):
        raise PermissionDenied()
    return job_start(kind=REFRESH_KIND, title=N_("刷新领导驾驶舱数据"), user=actor)


@transaction.atomic
def brief_generate(*, actor=None, today: dt.date | None = None,
                   scheduled: bool = False) -> Brief:
    """Build the weekly 调度 brief (PDF and Excel) for the week ending ``today`` and keep it."""
    from innolink.dashboard import brief

    if actor is not None and not access.can_read_overview(actor):
        raise PermissionDenied()
    today = today or timezone.localdate()
    content = brief.brief_content(today=today)
    row = Brief.objects.create(week_start=content.week_start, generated_by=actor
                               if getattr(actor, "is_authenticated", False) else None,
                               scheduled=scheduled, pdf=brief.render_pdf(content),
                               xlsx=brief.render_xlsx(content), summary=content.summary())
    audit_record(actor=actor, action="create", instance=row,
                 changes={"week_start": [None, content.week_start.isoformat()],
                          "late": [None, len(content.late)]},
                 source="schedule" if scheduled else "web")
    return row
