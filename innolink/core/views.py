from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from innolink.core.health import health_report
from innolink.core.jobs import result_template_for
from innolink.core.notifications import notifications_for, notifications_mark_read
from innolink.core.selectors import job_for_user, jobs_visible_to


def favicon(request):
    """Clients that ask for /favicon.ico without reading the page's icon link."""
    return HttpResponseRedirect(static("favicon.svg"))


@never_cache
def healthz(request):
    ok, checks = health_report()
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": checks},
                        status=200 if ok else 503)


@login_required
def job_list(request):
    jobs = jobs_visible_to(request.user).select_related("created_by")[:50]
    return render(request, "core/jobs.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    job = job_for_user(request.user, pk)
    context = {"job": job, "result_template": result_template_for(job.kind)}
    if request.htmx:
        return render(request, "core/_job.html", context)
    return render(request, "core/job.html", context)


@login_required
def notification_list(request):
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect(request.get_full_path())
    unread_only = request.GET.get("unread") == "1"
    query = request.GET.get("q", "").strip()[:50]
    rows = notifications_for(request.user, unread_only=unread_only, query=query)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {
        "page": page, "notifications": page.object_list, "unread_only": unread_only,
        "query": query})
