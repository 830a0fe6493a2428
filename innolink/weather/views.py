"""气象+ pages: thin views that parse, authorize, call a selector or service and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.core.audit import audit_trail_for
from innolink.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from innolink.core.flash import errors_as_messages, refusal_as_message
from innolink.weather import access, fetch, selectors, services
from innolink.weather.forms import date_or_none
from innolink.weather.models import CapMessage, ForecastProduct, IndustrialPark, Notice, Warning

MAX_UPLOAD = 512 * 1024


@login_required
def home(request):
    user = request.user
    if access.is_enterprise(user):
        notices = list(selectors.notices_for(user).select_related("advice")
                       .order_by("state", "-updated_at")[:50])
        return render(request, "weather/enterprise_home.html", {
            "notices": notices,
            "open": [n for n in notices if n.state == Notice.State.ACTIVE and not n.acknowledged_at],
            "profile": selectors.profile_of(user.enterprise),
            "forecasts": selectors.forecasts_for_enterprise(user.enterprise)[:20],
            "labels": fetch.exposure_labels(),
        })
    if not access.can_read_warnings(user):
        raise PermissionDenied()
    return render(request, "weather/staff_home.html", {
        "active": list(selectors.active_warnings()[:50]),
        "recent": Warning.objects.exclude(state=Warning.State.ACTIVE)[:10],
        "reds": selectors.red_warnings_open(user),
        "staff": access.is_weather_staff(user),
    })


@login_required
def warning_detail(request, pk: int):
    warning = selectors.warning_for_user(request.user, pk)
    if access.is_enterprise(request.user):
        notice = Notice.objects.filter(warning=warning, enterprise_id=request.user.enterprise_id
                                       ).first()
        return redirect("weather:notice", pk=notice.pk)
    return render(request, "weather/warning_detail.html", {
        "warning": warning,
        "tallies": selectors.town_tallies(warning),
        "missing": selectors.non_responders(request.user, warning)[:200],
        "messages_cap": warning.messages.order_by("sent"),
        "audit": audit_trail_for(warning)[:20],
    })


@login_required
@require_http_methods(["GET", "POST"])
def notice_detail(request, pk: int):
    notice = selectors.notice_for_user(request.user, pk)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            services.notice_acknowledge(actor=request.user, notice_id=notice.pk,
                                        measures=request.POST.get("measures", ""),
                                        measures_done=request.POST.getlist("done"))
        except ValidationFailed as exc:
            errors, status = exc.fields, 422
        except ApplicationError as exc:
            refusal_as_message(request, exc)
            return redirect("weather:notice", pk=notice.pk)
        else:
            messages.success(request, _("已确认收到，措施已报告。"))
            return redirect("weather:home")
    return render(request, "weather/notice.html", {
        "notice": notice, "warning": notice.warning, "errors": errors,
        "data": request.POST if request.method == "POST" else {
            "measures": notice.measures, "done": notice.measures_done or []},
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile_save(request):
    if not access.is_enterprise(request.user):
        raise PermissionDenied()
    enterprise = request.user.enterprise
    profile = selectors.profile_of(enterprise)
    errors, status = {}, 200
    if request.method == "POST":
        data = request.POST
        try:
            services.profile_save(actor=request.user, enterprise=enterprise,
                                  exposures=data.getlist("exposures"), park_id=data.get("park"),
                                  lat=data.get("lat"), lon=data.get("lon"),
                                  outdoor_staff=data.get("outdoor_staff") or 0,
                                  note=data.get("note", ""))
        except ValidationFailed as exc:
            errors, status = exc.fields, 422
        else:
            messages.success(request, _("气象风险画像已保存，今后的预警将按此推送。"))
            return redirect("weather:home")
        values = {"exposures": data.getlist("exposures"), "park": data.get("park", ""),
                  "lat": data.get("lat", ""), "lon": data.get("lon", ""),
                  "outdoor_staff": data.get("outdoor_staff", ""), "note": data.get("note", "")}
    else:
        values = {"exposures": profile.exposures if profile else [],
                  "park": str(profile.park_id or "") if profile else "",
                  "lat": profile.lat if profile and profile.lat is not None else "",
                  "lon": profile.lon if profile and profile.lon is not None else "",
                  "outdoor_staff": profile.outdoor_staff if profile else 0,
                  "note": profile.note if profile else ""}
    return render(request, "weather/profile_form.html", {
        "values": values, "errors": errors, "exposures": fetch.response_rules().exposures,
        "parks": IndustrialPark.objects.filter(town=enterprise.town) or IndustrialPark.objects.all(),
        "enterprise": enterprise}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def forecasts(request):
    rows = selectors.forecasts_for_staff(request.user)
    staff = access.is_weather_staff(request.user)
    errors, status, data = {}, 200, {}
    if request.method == "POST":
        if not staff:
            raise PermissionDenied()
        data = request.POST
        try:
            services.forecast_create(
                actor=request.user, area=data.get("area", ""), title=data.get("title", ""),
                valid_from=date_or_none(data.get("valid_from")),
                valid_to=date_or_none(data.get("valid_to")), risk=data.get("risk", ""),
                summary=data.get("summary", ""), advice=data.get("advice", ""),
                park_id=data.get("park") or None, event_id=data.get("event") or None,
                industry_prefix=data.get("industry_prefix", ""), exposure=data.get("exposure", ""))
        except ValidationFailed as exc:
            errors, status = exc.fields, 422
        else:
            messages.success(request, _("气象服务产品已发布，将显示在适用的页面上。"))
            return redirect("weather:forecasts")
    from innolink.events.models import Event
    from innolink.events.selectors import events_visible_to

    today = timezone.localdate()
    rows = list(rows[:100])
    # an event's name links to its agenda only for those who may open it (ADR 0018)
    openable = set(events_visible_to(request.user).filter(
        pk__in=[r.event_id for r in rows if r.event_id]).values_list("pk", flat=True))
    return render(request, "weather/forecasts.html", {
        "rows": rows, "openable_events": openable, "staff": staff, "errors": errors, "data": data,
        "areas": ForecastProduct.Area.choices, "risks": ForecastProduct.Risk.choices,
        "parks": IndustrialPark.objects.all(),
        "events": Event.objects.filter(date__gte=today).order_by("date")[:50],
        "exposures": fetch.response_rules().exposures, "today": today.isoformat()},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def ingest(request):
    if not access.is_weather_staff(request.user):
        raise PermissionDenied()
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size == 0:
            messages.error(request, _("请选择 CAP 1.2 消息文件（.xml）"))
        elif upload.size > MAX_UPLOAD:
            messages.error(request, _("文件不能超过512KB"))
        else:
            result = services.cap_ingest(data=upload.read(), source=CapMessage.Source.MANUAL,
                                         actor=request.user, filename=upload.name or "")
            (messages.success if result.applied else messages.error)(request, result.reason)
        return redirect("weather:ingest")
    from innolink.weather.models import CapSender

    return render(request, "weather/ingest.html", {
        "log": selectors.ingest_log(request.user)[:100],
        "senders": CapSender.objects.all(),
    })


@login_required
@require_POST
def sender_save(request):
    with errors_as_messages(request):
        services.sender_save(actor=request.user, sender=request.POST.get("sender", ""),
                             name=request.POST.get("name", ""),
                             # a blank certificate field keeps the one registered
                             certificate=request.POST.get("certificate", "").strip() or None,
                             require_signature=request.POST.get("require_signature") == "on")
        messages.success(request, _("预警信息源已登记。"))
    return redirect("weather:ingest")
