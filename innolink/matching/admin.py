"""Read-only admin views of matching's records: the terms and assignment runs change only
through the services (audited); the admin is for looking."""

from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin
from innolink.matching import models


@admin.register(models.TechTerm)
class TechTermAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("term", "added_by", "created_at")
    search_fields = ("term",)


@admin.register(models.AssignmentRun)
class AssignmentRunAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("created_at", "created_by", "status", "teams_per_challenge", "total_score")
    list_filter = ("status",)


@admin.register(models.MatchIndexState)
class MatchIndexStateAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("generation", "rebuilt_at", "note")
