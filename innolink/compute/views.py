"""Compute platform pages: thin views that parse, authorize, call a selector or service and
render. Actions post, then redirect with the outcome (or the refusal) as a message."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.compute import access, fetch, selectors, services
from innolink.compute.models import (
    SCENARIO_KINDS,
    AcceleratorChoices,
    Booking,
    ClassChoices,
    KindChoices,
    Provider,
    RegionChoices,
    ScenarioNeed,
    UsageReport,
)
from innolink.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from innolink.core.flash import errors_as_messages


def _form(request, template, context, call, success, redirect_to):
    """GET shows the form; POST calls the service: field errors inline (422), else redirect."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            result = call(request.POST)
        except ValidationFailed as exc:
            errors, status = exc.fields, 422
        except ApplicationError as exc:
            from innolink.core.flash import refusal_as_message

            refusal_as_message(request, exc)
            status = exc.status
        else:
            messages.success(request, success)
            return redirect(redirect_to(result))
    return render(request, template, {**context, "errors": errors,
                                      "data": request.POST if request.method == "POST" else
                                      context.get("data", {})}, status=status)


@login_required
def home(request):
    user = request.user
    if access.is_enterprise(user):
        return render(request, "compute/enterprise_home.html", {
            "requests": selectors.requests_for(user)[:50],
            "bookings": selectors.bookings_for(user)[:50],
            "voucher": selectors.voucher_view(user),
            "needs": selectors.needs_for(user)[:20],
        })
    if access.is_provider(user):
        provider = access.provider_of(user)
        if provider is None:
            return redirect("compute:provider-register")
        bookings = selectors.bookings_for(user)
        return render(request, "compute/provider_home.html", {
            "provider": provider,
            "resources": selectors.resources_for(user),
            "pending": bookings.filter(status=Booking.Status.REQUESTED),
            "confirmed": bookings.filter(status=Booking.Status.CONFIRMED)[:50],
            "usage": selectors.usage_for(user)[:50],
            "solutions": selectors.solutions_for(user).filter(provider=provider),
        })
    if not access.is_staff(user):
        raise PermissionDenied()
    return render(request, "compute/staff_home.html", {
        "pending_providers": selectors.pending_providers(user),
        "held": selectors.held_usage(user)[:50],
        "providers": Provider.objects.all(),
        "bookings": selectors.bookings_for(user)[:30],
        "matches": selectors.matches_for(user)[:30],
    })


@login_required
@require_http_methods(["GET", "POST"])
def provider_register(request):
    if not access.is_provider(request.user):
        raise PermissionDenied()
    if access.provider_of(request.user) is not None:
        return redirect("compute:home")
    return _form(request, "compute/provider_form.html", {
        "kinds": Provider.Kind.choices, "regions": RegionChoices},
        lambda d: services.provider_register(actor=request.user, name=d.get("name", ""),
                                             kind=d.get("kind", ""),
                                             description=d.get("description", ""),
                                             region=d.get("region", "")),
        _("已提交，平台工作人员审核通过后即可发布资源和方案。"), lambda _r: "compute:home")


@login_required
@require_POST
def provider_decide(request, pk: int):
    with errors_as_messages(request):
        provider = services.provider_decide(actor=request.user, provider_id=pk,
                                            approve=request.POST.get("decision") == "approve",
                                            note=request.POST.get("note", ""))
        messages.success(request, _("%(p)s：%(s)s") % {"p": provider, "s": provider.get_status_display()})
    return redirect("compute:home")


def _windows(data) -> list[tuple[str, str]]:
    return list(zip(data.getlist("window_start"), data.getlist("window_end")))


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk: int | None = None):
    if access.provider_of(request.user) is None:
        raise PermissionDenied()
    resource = selectors.resource_for_provider(request.user, pk) if pk else None
    today = timezone.localdate()
    data = {}
    if resource is not None:
        data = {"name": resource.name, "accelerator": resource.accelerator,
                "cards_per_node": resource.cards_per_node, "nodes": resource.nodes,
                "memory_gb": resource.memory_gb, "price": resource.price,
                "region": resource.region, "description": resource.description}
    windows = ([(w.start.isoformat(), w.end.isoformat()) for w in resource.windows.all()]
               if resource else [(today.isoformat(), (today + dt.timedelta(days=90)).isoformat())])
    if request.method == "POST":
        windows = _windows(request.POST)
    return _form(request, "compute/resource_form.html", {
        "resource": resource, "data": data, "windows": windows + [("", "")],
        "accelerators": AcceleratorChoices, "regions": RegionChoices},
        lambda d: services.resource_save(
            actor=request.user, resource_id=resource.pk if resource else None,
            name=d.get("name", ""), accelerator=d.get("accelerator", ""),
            cards_per_node=d.get("cards_per_node"), nodes=d.get("nodes"),
            memory_gb=d.get("memory_gb"), price=d.get("price", ""), region=d.get("region", ""),
            windows=_windows(d), description=d.get("description", ""),
            active=d.get("active", "on") == "on"),
        _("资源已保存。"), lambda _r: "compute:home")


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    if not access.is_enterprise(request.user):
        raise PermissionDenied()
    today = timezone.localdate()
    return _form(request, "compute/request_form.html", {
        "kinds": KindChoices, "classes": ClassChoices, "regions": RegionChoices,
        "data": {"earliest": today.isoformat(),
                 "deadline": (today + dt.timedelta(days=14)).isoformat(),
                 "residency": "quanzhou", "accelerator_class": "training", "kind": "training"}},
        lambda d: services.request_create(
            actor=request.user, title=d.get("title", ""), kind=d.get("kind", ""),
            card_hours=d.get("card_hours"), accelerator_class=d.get("accelerator_class", ""),
            earliest=d.get("earliest"), deadline=d.get("deadline"),
            residency=d.get("residency", ""), min_memory_gb=d.get("min_memory_gb") or 0),
        _("需求已登记，以下是符合条件的算力资源。"), lambda r: f"/compute/requests/{r.pk}/")


@login_required
def request_detail(request, pk: int):
    workload = selectors.request_for_user(request.user, pk)
    return render(request, "compute/request_detail.html", {
        "workload": workload,
        "ranked": fetch.offers_for(workload) if workload.status == "open" else [],
        "bookings": workload.bookings.select_related("resource", "provider"),
        "can_book": access.is_enterprise(request.user) and workload.status == "open",
    })


@login_required
@require_POST
def booking_create(request, pk: int):
    with errors_as_messages(request):
        booking = services.booking_create(actor=request.user, request_id=pk,
                                          resource_id=request.POST.get("resource"))
        messages.success(request, _("已提交预订，等待服务商确认。"))
        return redirect("compute:booking", pk=booking.pk)
    return redirect("compute:request", pk=pk)


@login_required
def booking_detail(request, pk: int):
    booking = selectors.booking_for_user(request.user, pk)
    provider = access.provider_of(request.user)
    return render(request, "compute/booking_detail.html", {
        "booking": booking, "usage": booking.usage.all(),
        "is_provider": provider is not None and provider.pk == booking.provider_id,
        "is_owner": access.is_enterprise(request.user),
        "today": timezone.localdate().isoformat(),
        "errors": {}, "data": {},
    })


def _booking_step(request, pk: int, step, done: str):
    """Run one booking step (a POST) and go back to the booking, with its outcome as a message
    (ADR 0006: refusals become messages, 404/403 propagate)."""
    with errors_as_messages(request):
        step()
        messages.success(request, done)
    return redirect("compute:booking", pk=pk)


@login_required
@require_POST
def booking_confirm(request, pk: int):
    return _booking_step(request, pk, lambda: services.booking_confirm(
        actor=request.user, booking_id=pk, note=request.POST.get("note", "")),
        _("已确认预订。"))


@login_required
@require_POST
def booking_decline(request, pk: int):
    return _booking_step(request, pk, lambda: services.booking_decline(
        actor=request.user, booking_id=pk, note=request.POST.get("note", "")),
        _("已谢绝预订。"))


@login_required
@require_POST
def booking_cancel(request, pk: int):
    return _booking_step(request, pk, lambda: services.booking_cancel(
        actor=request.user, booking_id=pk), _("预订已取消。"))


@login_required
@require_POST
def usage_report(request, pk: int):
    with errors_as_messages(request):
        usage = services.usage_report(
            actor=request.user, booking_id=pk, period_start=request.POST.get("period_start"),
            period_end=request.POST.get("period_end"),
            card_hours=request.POST.get("card_hours", ""),
            invoice_number=request.POST.get("invoice_number", ""))
        if usage.status == UsageReport.Status.HELD:
            messages.warning(request, _("使用量已登记，但需平台复核：%(r)s") % {
                "r": "；".join(usage.hold_reasons)})
        else:
            messages.success(request, _("使用量已登记。%(v)s") % {"v": usage.voucher_note})
    return redirect("compute:booking", pk=pk)


@login_required
@require_POST
def usage_review(request, pk: int):
    with errors_as_messages(request):
        services.usage_review(actor=request.user, usage_id=pk,
                              release=request.POST.get("decision") == "release",
                              note=request.POST.get("note", ""))
        messages.success(request, _("复核已完成。"))
    return redirect("compute:home")


@login_required
@require_http_methods(["GET", "POST"])
def voucher_settle(request):
    view = selectors.voucher_view(request.user)
    if request.method == "POST":
        with errors_as_messages(request):
            paid = services.voucher_settle(actor=request.user,
                                           enterprise_id=request.user.enterprise_id, year=view.year)
            messages.success(request, _("已结算 %(p)s 元。") % {"p": paid})
        return redirect("compute:voucher")
    return render(request, "compute/voucher.html", {
        "v": view, "usage": selectors.usage_for(request.user).filter(
            period_end__year=view.year)[:100]})


# ------------------------------------------------------------------------------ scenarios

@login_required
def scenarios(request):
    user = request.user
    provider = access.provider_of(user)
    return render(request, "compute/scenarios.html", {
        "needs": selectors.needs_for(user).filter(status=ScenarioNeed.Status.OPEN)[:100]
        if not access.is_enterprise(user) else selectors.needs_for(user)[:100],
        "solutions": selectors.solutions_for(user)[:100],
        "matches": selectors.matches_for(user)[:50],
        "is_enterprise": access.is_enterprise(user),
        "can_publish": provider is not None and provider.status == Provider.Status.APPROVED,
    })


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request):
    if not access.is_enterprise(request.user):
        raise PermissionDenied()
    return _form(request, "compute/need_form.html", {"kinds": SCENARIO_KINDS},
                 lambda d: services.need_create(
                     actor=request.user, kind=d.get("kind", ""), title=d.get("title", ""),
                     description=d.get("description", ""),
                     data_available=d.get("data_available", ""),
                     expected_gain=d.get("expected_gain", ""), budget=d.get("budget")),
                 _("场景需求已发布，以下是平台推荐的解决方案。"),
                 lambda n: f"/compute/scenarios/needs/{n.pk}/")


@login_required
def need_detail(request, pk: int):
    need = selectors.need_for_user(request.user, pk)
    matched = {m.solution_id for m in selectors.matches_for_need(need)}
    return render(request, "compute/need_detail.html", {
        "need": need,
        "recommended": [r for r in fetch.solutions_for_need(need) if r[0].pk not in matched]
        if need.status == ScenarioNeed.Status.OPEN else [],
        "matches": selectors.matches_for_need(need),
        "is_owner": access.is_enterprise(request.user),
        "can_propose": access.is_enterprise(request.user) or access.is_staff(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def solution_create(request):
    if access.provider_of(request.user) is None:
        raise PermissionDenied()
    return _form(request, "compute/solution_form.html", {"kinds": SCENARIO_KINDS},
                 lambda d: services.solution_save(
                     actor=request.user, title=d.get("title", ""), kinds=d.getlist("kinds"),
                     description=d.get("description", ""), cases=d.get("cases", "")),
                 _("解决方案已发布，以下是匹配的企业场景需求。"),
                 lambda s: f"/compute/scenarios/solutions/{s.pk}/")


@login_required
def solution_detail(request, pk: int):
    solution = selectors.solution_for_user(request.user, pk)
    provider = access.provider_of(request.user)
    own = provider is not None and provider.pk == solution.provider_id
    return render(request, "compute/solution_detail.html", {
        "solution": solution, "own": own,
        "recommended": fetch.needs_for_solution(solution) if own or access.is_staff(request.user)
        else [],
    })


@login_required
@require_POST
def match_propose(request):
    with errors_as_messages(request):
        match = services.match_propose(actor=request.user, need_id=request.POST.get("need"),
                                       solution_id=request.POST.get("solution"))
        messages.success(request, _("已推荐对接：%(m)s") % {"m": match})
    target = str(request.POST.get("next", ""))
    return redirect(target if target.startswith("/compute/") else "compute:scenarios")


@login_required
@require_POST
def match_decide(request, pk: int):
    with errors_as_messages(request):
        match = services.match_decide(actor=request.user, match_id=pk,
                                      signed=request.POST.get("decision") == "signed")
        messages.success(request, _("已记录对接结果：%(s)s") % {"s": match.get_state_display()})
        return redirect("compute:need", pk=match.need_id)
    return redirect("compute:scenarios")
