"""Read-only admin views of the dashboard's records: briefs and figure snapshots are written by
the services and jobs; the admin is for looking."""

from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin
from innolink.dashboard import models


@admin.register(models.Brief)
class BriefAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("week_start", "generated_at", "generated_by", "scheduled")


@admin.register(models.FigureSnapshot)
class FigureSnapshotAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("taken_on", "key", "value")
    list_filter = ("key",)
