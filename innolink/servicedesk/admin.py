"""The admin is read-only for service-desk records: they change only through the services
(audited) and the desk's own pages."""

from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin
from innolink.servicedesk.models import (
    CadreAssignment, Category, RequestEvent, RoutingRule, ServiceRequest, Session, SlaRule, Visit,
)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("id", "title", "enterprise", "channel", "status", "department", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("title", "external_id")
    raw_id_fields = ("enterprise",)


@admin.register(RequestEvent)
class RequestEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("request_id", "at", "kind", "department")


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("code", "name", "order", "active")


@admin.register(SlaRule)
class SlaRuleAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("key", "sign_hours", "handle_value", "handle_unit", "warn_fraction")


@admin.register(RoutingRule)
class RoutingRuleAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("category", "town", "lead")


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("held_on", "kind", "title", "host")


@admin.register(CadreAssignment)
class CadreAssignmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("enterprise", "cadre", "since")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("visited_on", "enterprise", "cadre")
