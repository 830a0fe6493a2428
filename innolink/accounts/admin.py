from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from innolink.accounts.models import ApiToken, Department, Institution, User


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets,
                 ("InnoLink", {"fields": ("role", "display_name", "phone", "enterprise",
                                          "institution", "department")}))
    list_display = ("username", "display_name", "role", "enterprise", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("enterprise",)


admin.site.register(Institution)
admin.site.register(Department)
admin.site.register(ApiToken)
