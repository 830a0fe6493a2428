from django.contrib import admin

from innolink.compute.models import Provider, ProviderMember, Resource
from innolink.core.admin import ReadOnlyAdmin


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "status", "is_partner", "is_operator")


@admin.register(ProviderMember)
class ProviderMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "provider")


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("provider", "name", "accelerator", "price", "active")
