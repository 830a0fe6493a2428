from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innolink.accounts.navigation import may_open, workspace_panels_for
from innolink.core.errors import PermissionDenied
from innolink.dashboard import access, geo, services
from innolink.dashboard.models import Brief
from innolink.dashboard.overview import Figure, Section, sections


#: the overview's late table lists the longest overdue items of every block, up to this many;
#: each block links to its own full list
LATE_SHOWN = 30


def home(request):
    return render(request, "dashboard/home.html")


@login_required
def workspace(request):
    return render(request, "dashboard/workspace.html",
                  {"panels": workspace_panels_for(request.user)})


@dataclass
class FigureView:
    figure: Figure
    change: Decimal | None
    change_pct: Decimal | None
    tone: str  # "up-good" | "up-bad" | ""

    @property
    def key(self) -> str:
        return self.figure.key


def _view(figure: Figure) -> FigureView:
    change = pct = None
    tone = ""
    if figure.value is not None and figure.previous is not None:
        change = Decimal(figure.value) - Decimal(figure.previous)
        if figure.previous:
            pct = (change * 100 / Decimal(figure.previous)).quantize(Decimal("0.1"))
        if change:
            tone = "good" if (change > 0) == figure.higher_is_better else "bad"
    return FigureView(figure, change, pct, tone)


def _require_reader(user) -> None:
    if not access.can_read_overview(user):
        raise PermissionDenied()


def _links_for(found: list[Section], user) -> list[Section]:
    """The sections with every link the reader could not follow taken out (a department
    handler or a leader saw links to the registry and the payment statistics, which answer
    them 403)."""
    allowed: dict[str, bool] = {}

    def link(url: str) -> str:
        if url not in allowed:
            allowed[url] = may_open(user, url)
        return url if allowed[url] else ""

    return [replace(s, url=link(s.url), late_url=link(s.late_url),
                    figures=[replace(f, url=link(f.url)) for f in s.figures],
                    late=[replace(i, url=link(i.url)) for i in s.late],
                    tables=[replace(t, rows=[(link(u), cells) for u, cells in t.rows])
                            for t in s.tables])
            for s in found]


@login_required
def overview(request):
    """The leaders' overview: every app's section, a map coloured by any town measure, the
    trend of any monthly measure against last year, and the late items with their owners."""
    _require_reader(request.user)
    today = timezone.localdate()
    found = _links_for(sections(today=today), request.user)
    views = [(s, [_view(f) for f in s.figures]) for s in found]
    figures = {f.key: f for s in found for f in s.figures}
    mappable = [f for f in figures.values() if f.by_town is not None]
    trendable = [f for f in figures.values() if f.by_month]
    measure = figures.get(request.GET.get("measure", "")) if request.GET.get("measure") in {
        f.key for f in mappable} else next((f for f in mappable if f.key == "policies.paid"),
                                          mappable[0] if mappable else None)
    trend = figures.get(request.GET.get("trend", "")) if request.GET.get("trend") in {
        f.key for f in trendable} else next((f for f in trendable if f.key == "policies.paid"),
                                           trendable[0] if trendable else None)
    the_map = geo.draw(measure.by_town or {}, url=measure.url, unit=str(measure.unit)) \
        if measure else None
    chart = None
    if trend:
        chart = {"type": "line", "labels": [_("%(m)s月") % {"m": int(m[5:])}
                                            for m, _v in trend.by_month],
                 "series": [{"label": _("%(y)s年") % {"y": today.year},
                             "values": [float(v) for _m, v in trend.by_month]},
                            {"label": _("%(y)s年") % {"y": today.year - 1},
                             "values": [float(v) for _m, v in trend.by_month_previous or []]}]}
    trend_rows = []
    if trend:
        before = dict(zip(range(len(trend.by_month)), [v for _m, v in trend.by_month_previous or []]))
        trend_rows = [(_("%(m)s月") % {"m": int(m[5:])}, v, before.get(i)) for i, (m, v) in
                      enumerate(trend.by_month)]
    late = sorted(((s, item) for s in found for item in s.late),
                  key=lambda pair: -pair[1].days_late)
    late_blocks = [s for s in found if s.late_count]
    return render(request, "dashboard/overview.html", {
        "sections": views, "map": the_map, "measure": measure, "mappable": mappable,
        "trend": trend, "trendable": trendable, "chart": chart, "trend_rows": trend_rows, "late": late[:LATE_SHOWN],
        "late_total": sum(s.late_count for s in late_blocks), "late_blocks": late_blocks, "moved": [(s, line) for s in found for line in s.moved],
        "today": today, "refreshed": services.last_refresh(),
        "can_refresh": access.can_refresh(request.user),
        "briefs": Brief.objects.defer("pdf", "xlsx")[:3]})


@login_required
@require_POST
def refresh(request):
    job = services.refresh_start(actor=request.user)
    return redirect("core:job", pk=job.pk)


@login_required
def unpaid(request):
    """Every policy's eligible-but-unpaid (应兑未兑) pairs, the list the overview's figure
    counts: the policies app's rule (active, amount > 0, no paid application), city-wide,
    filtered by year, town and policy."""
    _require_reader(request.user)
    from innolink.dashboard.filters import town_of
    from innolink.policies.models import Application, Eligibility, Policy

    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today_year() - 1
    paid = Application.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                      clause_id=OuterRef("clause_id"), year=year,
                                      status=Application.Status.PAID)
    qs = (Eligibility.objects.filter(year=year, active=True, amount__gt=0).exclude(Exists(paid))
          .select_related("enterprise", "clause__version__policy").order_by("-amount", "id"))
    town = town_of(request.GET)
    if town:
        qs = qs.filter(enterprise__town=town)
    policy = request.GET.get("policy", "")
    if policy.isdigit():
        qs = qs.filter(clause__version__policy_id=int(policy))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    from innolink.enterprises.reference import TOWN_CHOICES

    return render(request, "dashboard/unpaid.html", {
        "page": page, "year": year, "town": town, "policy": policy, "query": query.urlencode(),
        "towns": TOWN_CHOICES, "policies": Policy.objects.order_by("order", "code")})


def today_year() -> int:
    return timezone.localdate().year


@login_required
def briefs(request):
    _require_reader(request.user)
    if request.method == "POST":
        brief = services.brief_generate(actor=request.user)
        messages.success(request, _("已生成本周调度简报"))
        return redirect(f"{request.path}#brief-{brief.pk}")
    return render(request, "dashboard/briefs.html", {
        "briefs": Brief.objects.defer("pdf", "xlsx").select_related("generated_by")[:30]})


@login_required
def brief_download(request, pk: int, kind: str):
    _require_reader(request.user)
    brief = get_object_or_404(Brief, pk=pk)
    name = f"weekly-brief-{brief.week_start:%Y%m%d}"
    if kind == "pdf":
        response = HttpResponse(bytes(brief.pdf), content_type="application/pdf")
    elif kind == "xlsx":
        response = HttpResponse(
            bytes(brief.xlsx),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise PermissionDenied()
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
