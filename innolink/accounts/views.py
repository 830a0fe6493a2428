from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from innolink.accounts import services
from innolink.accounts.forms import LoginForm
from innolink.accounts.models import ApiToken
from innolink.core.errors import ValidationFailed
from innolink.core.flash import errors_as_messages


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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """Every user's own API tokens: create one (shown once, on this answer only), list, revoke."""
    data = {"name": "", "expires_on": ""}
    errors: dict[str, list[str]] = {}
    created = None
    if request.method == "POST":
        data = {key: request.POST.get(key, "") for key in data}
        try:
            token, plain = services.api_token_create(user=request.user, name=data["name"],
                                                     expires_on=data["expires_on"])
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            created = {"token": token, "plain": plain}
            data = {"name": "", "expires_on": ""}
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {
        "tokens": tokens, "data": data, "errors": errors, "created": created,
        "example_url": request.build_absolute_uri("/api/me")},
        status=422 if errors else 200)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    with errors_as_messages(request):
        token = services.api_token_revoke(actor=request.user, token_id=pk)
        messages.success(request, _("已撤销令牌“%(name)s”，使用它的脚本将无法再访问") % {
            "name": token.name})
    return redirect("accounts:tokens")
