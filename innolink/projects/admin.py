"""Read-only admin views of signed projects and their reports: every change goes through the
services (audited); the admin is for looking."""

from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin
from innolink.projects import models


@admin.register(models.Project)
class ProjectAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "state", "town", "signed_on", "investment")
    list_filter = ("state", "kind")
    search_fields = ("title",)


@admin.register(models.ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("project", "period_start", "period_end", "state", "filed_at")
    list_filter = ("state",)


@admin.register(models.ProjectProblem)
class ProjectProblemAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("project", "state", "request_ref", "created_at")
    list_filter = ("state",)
