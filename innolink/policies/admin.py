"""The admin is read-only for policy records: they change only through the services (audited),
and the rule files are the source of truth for policies."""

from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin
from innolink.policies.models import (
    Application, Budget, CalendarDay, Eligibility, LedgerEntry, Policy, PolicyClause, PolicyVersion, Scan,
)


class ClauseInline(ReadOnlyAdmin, admin.TabularInline):
    model = PolicyClause
    extra = 0
    fields = ("code", "title", "retired")


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title", "code", "area", "illustrative", "synced_at")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("policy", "doc_number", "effective_from", "effective_to", "lane", "budget")
    inlines = [ClauseInline]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("version", "total", "committed", "paid")


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("year", "created_at", "enterprises", "eligible_pairs", "new_pairs", "total")


@admin.register(Eligibility)
class EligibilityAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("enterprise", "clause", "year", "amount", "first_found_on", "active")
    list_filter = ("year", "active")
    raw_id_fields = ("enterprise", "clause", "last_scan")
    show_full_result_count = False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("pk", "enterprise", "clause", "year", "lane", "status", "amount_expected",
                    "paid_total", "due_on")
    list_filter = ("status", "lane", "year")
    raw_id_fields = ("enterprise", "clause")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("booked_on", "version", "enterprise", "kind", "level", "amount", "reverses")
    list_filter = ("kind", "level")
    raw_id_fields = ("enterprise", "application", "reverses")
    show_full_result_count = False


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Edited on the calendar page (/policies/calendar/), which audits every change."""

    list_display = ("date", "kind", "name", "updated_at")
    list_filter = ("kind",)
    date_hierarchy = "date"
