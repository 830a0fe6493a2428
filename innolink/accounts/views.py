from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from innolink.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout(request, credentials=None, *args, **kwargs):
    """What django-axes answers after too many failed logins."""
    message = _("登录失败次数过多，该账户已暂时锁定 15 分钟，请稍后再试。")
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"code": "throttled", "message": message, "extra": {}}, status=429)
    return render(request, "accounts/locked.html", {"message": message}, status=429)
