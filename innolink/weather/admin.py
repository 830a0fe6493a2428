from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin

from innolink.weather.models import CapSender, IndustrialPark, IngestLog, Warning


@admin.register(CapSender)
class CapSenderAdmin(admin.ModelAdmin):
    list_display = ("name", "sender", "active")


@admin.register(IndustrialPark)
class IndustrialParkAdmin(admin.ModelAdmin):
    list_display = ("name", "town")


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("__str__", "state", "first_sent", "notices_active", "notices_acknowledged")


@admin.register(IngestLog)
class IngestLogAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("at", "source", "identifier", "outcome", "code", "reason_text")
