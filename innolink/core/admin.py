from django.contrib import admin

from innolink.core.models import AuditEntry, Job


class ReadOnlyAdmin:
    """Business records change only through services, which audit every change; the admin
    shows them and never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("at", "actor_name", "actor_username", "actor_role", "action", "model",
                    "object_repr", "source")
    list_filter = ("action", "source", "model")
    search_fields = ("object_repr", "object_id", "actor_username", "actor_name")


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "done", "total", "created_at")
    list_filter = ("status", "kind")
