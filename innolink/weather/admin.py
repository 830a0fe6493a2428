from django.contrib import admin

from innolink.weather.models import CapSender, IndustrialPark, IngestLog, Warning


@admin.register(CapSender)
class CapSenderAdmin(admin.ModelAdmin):
    list_display = ("name", "sender", "active")


@admin.register(IndustrialPark)
class IndustrialParkAdmin(admin.ModelAdmin):
    list_display = ("name", "town")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Warning)
class WarningAdmin(ReadOnly):
    list_display = ("__str__", "state", "first_sent", "notices_active", "notices_acknowledged")


@admin.register(IngestLog)
class IngestLogAdmin(ReadOnly):
    list_display = ("at", "source", "identifier", "outcome", "code", "reason")
