"""Matching pages: thin views that parse, authorize, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.core.errors import ValidationFailed
from innolink.core.models import Job
from innolink.matching import access, selectors, services
from innolink.matching.index import cache_info, encoder_setting

DEFAULT_TEAMS = 3
DEFAULT_LIMIT = 2


@login_required
def challenge_matches(request, pk: int):
    challenge = selectors.challenge_for_matching(request.user, pk)
    recs = selectors.recommend_researchers(challenge, request.GET.get("k", 20))
    return render(request, "matching/challenge.html", {
        "challenge": challenge, "recommendations": recs,
        "can_invite": access.is_matching_staff(request.user)
        and challenge.state in ("published", "claimed"),
        "invite": {"teams_per_challenge": DEFAULT_TEAMS, "researcher_limit": DEFAULT_LIMIT,
                   "seed": 0}, "errors": {}})


@login_required
@require_POST
def invitations_assign(request, pk: int):
    challenge = selectors.challenge_for_matching(request.user, pk)
    form = {name: request.POST.get(name, "") for name in
            ("teams_per_challenge", "researcher_limit", "seed")}
    try:
        run = services.invitations_assign(challenge_ids=[challenge.pk], actor=request.user,
                                          **form)
    except ValidationFailed as exc:
        recs = selectors.recommend_researchers(challenge)
        return render(request, "matching/challenge.html", {
            "challenge": challenge, "recommendations": recs, "can_invite": True,
            "invite": form, "errors": exc.fields}, status=422)
    messages.success(request, _("已完成邀请分配，共邀请 %(n)s 个团队") % {"n": len(run.pairs)})
    return redirect("matching:assignment", pk=run.pk)


@login_required
def researcher_me(request):
    profile = selectors.own_profile(request.user)
    return _researcher_page(request, profile)


@login_required
def researcher_matches(request, pk: int):
    profile = selectors.profile_for_matching(request.user, pk)
    return _researcher_page(request, profile)


def _researcher_page(request, profile):
    recs = selectors.recommend_challenges(profile, request.GET.get("k", 20))
    return render(request, "matching/researcher.html", {"profile": profile,
                                                        "recommendations": recs})


@login_required
def offer_matches(request, pk: int):
    offer = selectors.offer_for_matching(request.user, pk)
    recs = selectors.recommend_enterprises(offer, request.GET.get("k", 20))
    return render(request, "matching/offer.html", {"offer": offer, "recommendations": recs})


@login_required
@require_http_methods(["GET", "POST"])
def terms(request):
    rows = selectors.terms_for(request.user)
    errors, value = {}, ""
    if request.method == "POST":
        value = request.POST.get("term", "")
        try:
            row = services.techterm_add(actor=request.user, term=value)
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            messages.success(request, _("已添加术语“%(term)s”，索引将在下次查询时按新词典重建")
                             % {"term": row.term})
            return redirect("matching:terms")
    return render(request, "matching/terms.html", {"terms": rows, "errors": errors,
                                                   "value": value},
                  status=422 if errors else 200)


@login_required
@require_POST
def techterm_remove(request, pk: int):
    services.techterm_remove(actor=request.user, term_id=pk)
    messages.success(request, _("已删除术语"))
    return redirect("matching:terms")


def encoder_label(setting: str) -> str:
    """The dense model setting in plain words for staff."""
    labels = {"use": _("多语言语义模型（本机运行）"), "none": _("未启用"),
              "hashing": _("测试用简易模型")}
    return str(labels.get(setting, _("自定义模型：%(path)s") % {"path": setting}))


@login_required
@require_http_methods(["GET", "POST"])
def index_rebuild_start(request):
    if not access.is_matching_staff(request.user):
        from innolink.core.errors import PermissionDenied

        raise PermissionDenied(_("只有组织方工作人员可以重建匹配索引"))
    if request.method == "POST":
        job = services.index_rebuild_start(actor=request.user)
        return redirect("core:job", pk=job.pk)
    jobs = Job.objects.filter(kind__in=[services.REBUILD_KIND, services.ENCODE_KIND]).order_by(
        "-created_at")[:20]
    from innolink.matching.models import MatchIndexState, StoredEmbedding

    state = MatchIndexState.objects.filter(pk=1).first()
    return render(request, "matching/rebuild.html", {
        "jobs": jobs, "state": state, "info": cache_info(),
        "encoder_label": encoder_label(encoder_setting()),
        "vectors": StoredEmbedding.objects.count()})


@login_required
def assignments(request):
    runs = selectors.assignment_runs_for(request.user)[:50]
    return render(request, "matching/assignments.html", {"runs": runs})


@login_required
def assignment(request, pk: int):
    run = selectors.assignment_run_for(request.user, pk)
    return render(request, "matching/assignment.html", {"run": run,
                                                        **selectors.assignment_rows(run)})
