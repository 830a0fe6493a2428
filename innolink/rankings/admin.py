"""Read-only admin: rankings records change only through the services (audited)."""

from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin
from innolink.rankings.models import Correction, Declaration, Objection, RankingList, RankingRun


@admin.register(RankingRun)
class RankingRunAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("pk", "year", "status", "fingerprint", "created_at")
    list_filter = ("year", "status")


@admin.register(RankingList)
class RankingListAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title_zh", "run", "size", "eligible", "methodology_version")
    list_filter = ("list_id",)
    exclude = ("result",)


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("enterprise", "year", "status", "submitted_at")
    list_filter = ("year", "status")
    raw_id_fields = ("enterprise",)
    search_fields = ("enterprise__name",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "ranking_list", "status", "created_at")
    list_filter = ("status",)


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("ranking_list", "description", "created_at")
