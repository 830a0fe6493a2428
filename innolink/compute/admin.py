from django.contrib import admin

from innolink.compute.models import Provider, ProviderMember, Resource


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "status", "is_partner", "is_operator")
    readonly_fields = ("status", "decided_at", "decided_by", "decision_note")


@admin.register(ProviderMember)
class ProviderMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "provider")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("provider", "name", "accelerator", "price", "active")

    def has_change_permission(self, request, obj=None):
        return False
