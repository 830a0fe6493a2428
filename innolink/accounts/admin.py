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

    def user_change_password(self, request, id, form_url=""):
        """The password form saves without ``save_model``: audit it here (the hash never)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            from innolink.core.admin_site import MASK
            from innolink.core.audit import audit_record

            user = self.get_object(request, id)
            if user is not None:
                audit_record(actor=request.user, action="update", instance=user,
                             changes={"password": [MASK, MASK]}, source="admin",
                             note="管理后台：重设密码")
        return response


admin.site.register(Institution)
admin.site.register(Department)
@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created on the API 令牌 page (shown once there); the admin lists them and
    can revoke one by editing its 撤销时间 or delete it, both audited."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at",
                    "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
