from django.contrib import admin

from innolink.core.admin import ReadOnlyAdmin
from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear, IndicatorDefinition


class TagInline(ReadOnlyAdmin, admin.TabularInline):
    model = EnterpriseTag
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "credit_code", "town", "industry_code", "ownership", "is_demo")
    list_filter = ("town", "ownership", "size_class", "is_demo")
    search_fields = ("name", "credit_code")
    inlines = [TagInline]
    show_full_result_count = False


@admin.register(EnterpriseYear)
class EnterpriseYearAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("enterprise", "year")
    raw_id_fields = ("enterprise",)
    list_filter = ("year",)


admin.site.register(IndicatorDefinition)
