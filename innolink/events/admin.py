"""Read-only admin views of events and judging records: every change goes through the
services (audited); the admin is for looking."""

from django.contrib import admin

from innolink.events import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Event)
class EventAdmin(ReadOnly):
    list_display = ("title", "date", "venue", "state", "is_demo")
    list_filter = ("state", "is_demo")
    search_fields = ("title", "venue")


@admin.register(models.JudgingRound)
class JudgingRoundAdmin(ReadOnly):
    list_display = ("title", "state", "reviewers_per_entry", "default_max_load", "is_demo")
    list_filter = ("state", "is_demo")
    search_fields = ("title",)


@admin.register(models.ReviewerProfile)
class ReviewerProfileAdmin(ReadOnly):
    list_display = ("user", "title", "default_max_load")
    search_fields = ("user__username", "user__display_name")


for model in (models.Invitation, models.Meeting, models.ReviewAssignment, models.Award,
              models.DeclaredConflict):
    admin.site.register(model, ReadOnly)
