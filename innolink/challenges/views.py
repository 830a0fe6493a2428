"""Challenge board pages: thin views that parse, authorize, call a selector or service, render.

Refused input re-renders the form with the field messages (status 422); other application
errors become a message on the page the user came from, or the error page for a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role, can_see_audit, has_role
from innolink.challenges import access, forms, lifecycle, selectors, services
from innolink.challenges.models import (
    Attachment,
    ChallengeState,
    Domain,
    FundingKind,
    IpOwnership,
    IssuerKind,
    Milestone,
    Programme,
    ResearcherProfile,
    SolverType,
    TechnologyOffer,
)
from innolink.core.audit import audit_trail_for
from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from innolink.core.files import attachment_response
from innolink.core.flash import error_text, errors_as_messages, refusal_as_message
from innolink.core.money import WAN, wan_input
from innolink.core.selectors import job_for_user, jobs_visible_to


def _page(request, queryset, size: int = 20):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _board_filters(form) -> selectors.BoardFilters:
    if not form.is_valid():
        return selectors.BoardFilters()
    d = form.cleaned_data
    return selectors.BoardFilters(q=d["q"], domain=d["domain"], funding_min_wan=d["funding_min"],
                                  funding_max_wan=d["funding_max"], max_months=d["max_months"],
                                  ip=d["ip"], deadline_from=d["deadline_from"])


# --- board and detail ----------------------------------------------------------------------

def board(request):
    """The public board (张榜): published challenges, searchable in Chinese, with filters."""
    form = forms.BoardFilterForm(request.GET or None)
    page, query = _page(request, selectors.board_search(_board_filters(form)))
    template = "challenges/_board_table.html" if request.htmx else "challenges/board.html"
    return render(request, template, {"form": form, "page": page, "query": query,
                                      "recommendations": selectors.recommendations_for(
                                          request.user)})


def detail(request, pk: int):
    challenge = selectors.challenge_for_user(request.user, pk)
    user = request.user
    actors = access.actors_for(user, challenge) if user.is_authenticated else set()
    proposals = list(selectors.proposals_for_challenge(user, challenge)) \
        if user.is_authenticated else []
    profile = selectors.profile_of(user) if access.is_researcher(user) else None
    own = [p for p in proposals if profile and p.researcher_id == profile.pk]
    # contract has its own form, shortlist and match act on a proposal (the proposals table);
    # the rest are buttons here (return/reject take a text)
    today = timezone.localdate()
    actions = [(t, reverse(f"challenges:challenge-{t.action}", args=[challenge.pk]),
                services.step_label(t.action))
               for t in lifecycle.actions_for(challenge.state, actors)
               if t.action in CHALLENGE_STEPS
               and not (t.action == "expire" and challenge.claim_deadline >= today)]
    indicators = list(challenge.indicators.all())
    checks = []
    if lifecycle.STAFF in actors or lifecycle.OWNER in actors:
        from innolink.challenges import screening

        checks = screening.checks_for(challenge, indicators)
    return render(request, "challenges/detail.html", {
        "challenge": challenge,
        "indicators": indicators,
        "checks": checks,
        "can_screen": lifecycle.STAFF in actors and challenge.state in services.SCREENING_STATES,
        "can_set_domain": lifecycle.STAFF in actors and challenge.state not in (
            "closed", "withdrawn", "rejected"),
        "suggested_domain": services.suggest_domain(challenge)
        if lifecycle.STAFF in actors and not challenge.domain else None,
        "domains": Domain.choices,
        "attachments": challenge.attachments.all(),
        "milestones": challenge.milestones.all(),
        "show_contact": selectors.can_see_contact(user, challenge),
        "show_proposals": selectors.can_see_proposals(user, challenge),
        "proposals": proposals,
        "own_proposals": own,
        "profile": profile,
        "actions": actions,
        "is_owner": lifecycle.OWNER in actors,
        "is_staff": lifecycle.STAFF in actors,
        "can_edit": lifecycle.OWNER in actors and challenge.state in lifecycle.EDITABLE_STATES,
        "can_claim": access.is_researcher(user) and challenge.state in ("published", "claimed")
        and challenge.places_left > 0 and not own_open(own),
        "today": today,
        "audit": audit_trail_for(challenge)[:50] if can_see_audit(user) else None,
        "recommendations": selectors.recommendations_for(user, challenge=challenge),
        "attachment_kinds": Attachment.Kind.choices,
    })


def _contact_initial(user, kind: str) -> dict[str, str]:
    """The contact this account gave on its last challenge (or offer), else its own name,
    phone and e-mail: a new form never asks again for what the platform knows."""
    from innolink.accounts.contact import contact_initial
    from innolink.challenges.models import Challenge, TechnologyOffer

    model = Challenge if kind == "challenge" else TechnologyOffer
    last = model.objects.filter(created_by=user).order_by("-pk").first()
    return contact_initial(user, last)


@login_required
@require_POST
def challenge_waive_check(request, pk: int):
    """Organizer: waive a screening check with a reason."""
    challenge = selectors.challenge_for_user(request.user, pk)
    with errors_as_messages(request):
        services.challenge_waive_check(actor=request.user, challenge=challenge,
                                       code=request.POST.get("code", ""),
                                       reason=request.POST.get("reason", ""))
        messages.success(request, _("已豁免该筛查项，理由已记录"))
    return redirect("challenges:detail", pk=challenge.pk)


@login_required
@require_POST
def challenge_set_domains(request, pk: int):
    """Organizer: the primary and secondary domains of a listing."""
    challenge = selectors.challenge_for_user(request.user, pk)
    with errors_as_messages(request):
        services.challenge_set_domains(actor=request.user, challenge=challenge,
                                       domain=request.POST.get("domain", ""),
                                       secondary=request.POST.getlist("secondary_domains"))
        messages.success(request, _("领域已保存"))
    return redirect("challenges:detail", pk=challenge.pk)


def own_open(own) -> bool:
    return any(p.state in ("submitted", "shortlisted", "matched") for p in own)


# --- posting and editing -------------------------------------------------------------------

def _discipline_options():
    from innolink.challenges import disciplines

    # science, engineering, medicine and agriculture (first-level codes below 700)
    return [d for d in disciplines.table().values() if int(d.code[:3]) < 700]


def _form_context(user, data, errors=None, challenge=None):
    staff = access.is_board_staff(user)
    return {
        "data": data, "errors": errors or {}, "challenge": challenge,
        "indicator_rows": forms.padded(data.get("indicators", []), forms.INDICATOR_ROWS,
                                       forms.INDICATOR_KEYS),
        "prize_rows": forms.padded(data.get("prize_schedule", []), forms.PRIZE_ROWS,
                                   forms.PRIZE_KEYS),
        "domains": Domain.choices, "ip_choices": IpOwnership.choices,
        "funding_kinds": FundingKind.choices, "issuer_kinds": IssuerKind.choices,
        "solver_type_choices": SolverType.choices,
        "discipline_options": _discipline_options(),
        "on_behalf": staff,
        "institutions": Institution.objects.order_by("name").only("id", "name")
        if staff else [],
        "programmes": Programme.objects.order_by("-created_at").only("id", "name", "track")
        if staff else [],
        "today": timezone.localdate(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request):
    if not access.can_post_challenge(request.user):
        raise PermissionDenied(_("只有企业用户和组织方工作人员可以发布榜单"))
    user = request.user
    if request.method == "POST":
        data = forms.challenge_data(request.POST)
        try:
            challenge = services.challenge_create(actor=user, data=data, funding_unit=WAN)
        except ValidationFailed as exc:
            return render(request, "challenges/form.html", _form_context(user, data, exc.fields),
                          status=422)
        if request.POST.get("then") == "submit":
            try:
                services.challenge_submit(actor=user, challenge=challenge)
                messages.success(request, _("榜单已提交审核"))
            except ApplicationError as exc:
                refusal_as_message(request, exc)
        else:
            messages.success(request, _("榜单草稿已保存"))
        return redirect("challenges:detail", pk=challenge.pk)
    data = {**_contact_initial(user, "challenge"), "max_claims": 5, "time_limit_months": 12,
            "funding_kind": "fixed", "indicators": [], "secondary_domains": [],
            "solver_types": []}
    return render(request, "challenges/form.html", _form_context(user, data))


@login_required
@require_http_methods(["GET", "POST"])
def challenge_update(request, pk: int):
    challenge = selectors.challenge_for_user(request.user, pk)
    if not access.owns_challenge(request.user, challenge):
        raise NotFound()
    if request.method == "POST":
        data = forms.challenge_data(request.POST)
        try:
            services.challenge_update(actor=request.user, challenge=challenge, data=data,
                                      funding_unit=WAN)
        except ValidationFailed as exc:
            return render(request, "challenges/form.html",
                          _form_context(request.user, data, exc.fields, challenge), status=422)
        messages.success(request, _("榜单已保存"))
        return redirect("challenges:detail", pk=challenge.pk)
    return render(request, "challenges/form.html",
                  _form_context(request.user, forms.challenge_initial(challenge),
                                challenge=challenge))


#: the lifecycle steps that are a button on the detail page, each its own view and URL
#: (``challenges:challenge-<step>``); contract has its own form, shortlist and match act on a
#: proposal
CHALLENGE_STEPS = ("submit", "return", "reject", "publish", "withdraw", "expire", "accept",
                   "close")
#: what each step's message says once it is done
CHALLENGE_STEP_DONE = {
    "submit": gettext_lazy("已提交审核"), "return": gettext_lazy("已退回修改"),
    "reject": gettext_lazy("已不予发布"), "publish": gettext_lazy("已张榜发布"),
    "withdraw": gettext_lazy("已撤回"), "expire": gettext_lazy("已过期下榜"),
    "accept": gettext_lazy("已验收通过"), "close": gettext_lazy("已结项"),
}

def _challenge_step(request, pk: int, step: str, run):
    """Run one lifecycle step (a POST) on a challenge the user may see and go back to it, with
    the outcome as a message (ADR 0006). ``run(challenge, text)`` calls the step's service;
    ``text`` is the form's comment (a reason where the step takes one)."""
    challenge = selectors.challenge_for_user(request.user, pk)
    with errors_as_messages(request):
        run(challenge, request.POST.get("comment", ""))
        messages.success(request, str(CHALLENGE_STEP_DONE[step]))
    return redirect("challenges:detail", pk=challenge.pk)


@login_required
@require_POST
def challenge_submit(request, pk: int):
    return _challenge_step(request, pk, "submit", lambda c, text: services.challenge_submit(
        actor=request.user, challenge=c))


@login_required
@require_POST
def challenge_return(request, pk: int):
    return _challenge_step(request, pk, "return", lambda c, text: services.challenge_return(
        actor=request.user, challenge=c, comment=text))


@login_required
@require_POST
def challenge_reject(request, pk: int):
    return _challenge_step(request, pk, "reject", lambda c, text: services.challenge_reject(
        actor=request.user, challenge=c, reason=text))


@login_required
@require_POST
def challenge_publish(request, pk: int):
    return _challenge_step(request, pk, "publish", lambda c, text: services.challenge_publish(
        actor=request.user, challenge=c))


@login_required
@require_POST
def challenge_withdraw(request, pk: int):
    return _challenge_step(request, pk, "withdraw", lambda c, text: services.challenge_withdraw(
        actor=request.user, challenge=c, reason=text))


@login_required
@require_POST
def challenge_expire(request, pk: int):
    return _challenge_step(request, pk, "expire", lambda c, text: services.challenge_expire(
        actor=request.user, challenge=c))


@login_required
@require_POST
def challenge_accept(request, pk: int):
    return _challenge_step(request, pk, "accept", lambda c, text: services.challenge_accept(
        actor=request.user, challenge=c))


@login_required
@require_POST
def challenge_close(request, pk: int):
    return _challenge_step(request, pk, "close", lambda c, text: services.challenge_close(
        actor=request.user, challenge=c))


@login_required
@require_http_methods(["GET", "POST"])
def challenge_contract(request, pk: int):
    challenge = selectors.challenge_for_user(request.user, pk)
    actors = access.actors_for(request.user, challenge)
    if not actors & lifecycle.TRANSITIONS["contract"].actors:
        raise NotFound()
    keys = ("title", "due_on", "payment")
    if request.method == "POST":
        rows = forms.rows_from_post(request.POST, "ms", keys, forms.MILESTONE_ROWS)
        try:
            services.challenge_contract(actor=request.user, challenge=challenge,
                                        amount=request.POST.get("amount", ""),
                                        start=request.POST.get("start", ""), milestones=rows,
                                        amount_unit=WAN)
        except ValidationFailed as exc:
            return render(request, "challenges/contract.html", {
                "challenge": challenge, "errors": exc.fields, "data": request.POST,
                "rows": forms.padded(rows, forms.MILESTONE_ROWS, keys)}, status=422)
        except ApplicationError as exc:
            refusal_as_message(request, exc)
            return redirect("challenges:detail", pk=challenge.pk)
        messages.success(request, _("合同已登记"))
        return redirect("challenges:detail", pk=challenge.pk)
    proposal = challenge.matched_proposal
    initial_rows = []
    if proposal is not None:
        start = timezone.localdate()
        for m in proposal.milestones:
            month = int(m.get("month") or 1)
            year, mon = divmod(start.month - 1 + month, 12)
            try:
                due = start.replace(year=start.year + year, month=mon + 1)
            except ValueError:
                due = start.replace(year=start.year + year, month=mon + 1, day=28)
            initial_rows.append({"title": m.get("title", ""), "due_on": due.isoformat(),
                                 "payment": ""})
    data = {"amount": wan_input(proposal.budget) if proposal else wan_input(challenge.funding),
            "start": timezone.localdate().isoformat()}
    return render(request, "challenges/contract.html", {
        "challenge": challenge, "errors": {}, "data": data,
        "rows": forms.padded(initial_rows, forms.MILESTONE_ROWS, keys)})


@login_required
@require_POST
def milestone_complete(request, pk: int):
    milestone = Milestone.objects.filter(pk=selectors._valid_pk(pk)).first()
    if milestone is None:
        raise NotFound()
    challenge = selectors.challenge_for_user(request.user, milestone.challenge_id)
    with errors_as_messages(request):
        services.milestone_complete(actor=request.user, milestone=milestone,
                                    note=request.POST.get("note", ""))
        messages.success(request, _("节点“%(title)s”已完成") % {"title": milestone.title})
    return redirect("challenges:detail", pk=challenge.pk)


@login_required
@require_POST
def attachment_add(request, pk: int):
    challenge = selectors.challenge_for_user(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("附件：请选择文件"))
        return redirect("challenges:detail", pk=challenge.pk)
    with errors_as_messages(request):
        services.attachment_add(actor=request.user, upload=upload,
                                kind=request.POST.get("kind", "other"), challenge=challenge)
        messages.success(request, _("附件已上传"))
    return redirect("challenges:detail", pk=challenge.pk)


def attachment_download(request, pk: int):
    attachment = Attachment.objects.filter(pk=selectors._valid_pk(pk)).first()
    if attachment is None:
        raise NotFound()
    if attachment.challenge_id:
        selectors.challenge_for_user(request.user, attachment.challenge_id)
    elif attachment.proposal_id:
        selectors.proposal_for_user(request.user, attachment.proposal_id)
    else:
        selectors.offer_for_user(request.user, attachment.offer_id)
    return attachment_response(attachment.file, filename=attachment.original_name,
                               content_type=attachment.content_type)


@login_required
def manage(request):
    """The poster's and the organizer's list of challenges in every state."""
    user = request.user
    if not (access.is_board_staff(user) or has_role(user, Role.ENTERPRISE, Role.LEADER)):
        raise PermissionDenied()
    state = request.GET.get("state", "")
    if state not in ChallengeState.values:
        state = ""
    form = forms.BoardFilterForm(request.GET or None)
    programme = forms.parse_int(request.GET.get("programme", ""))
    from innolink.dashboard.filters import challenge_filter, describe  # the overview's links

    page, query = _page(request, challenge_filter(selectors.challenges_managed_by(
        user, state=state, filters=_board_filters(form), programme=programme), request.GET))
    return render(request, "challenges/manage.html", {
        "page": page, "query": query, "state": state, "states": ChallengeState.choices,
        "form": form, "is_staff": access.is_board_staff(user) or has_role(user, Role.LEADER),
        "is_organizer": access.is_board_staff(user), "overview_filter": describe(request.GET)})


# --- claims --------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def claim(request, pk: int):
    challenge = selectors.challenge_for_user(request.user, pk)
    if not access.is_researcher(request.user):
        raise PermissionDenied(_("只有科研人员可以揭榜"))
    profile = selectors.profile_of(request.user)
    if profile is None:
        messages.info(request, _("揭榜前请先登记科研人员/团队信息"))
        return redirect(f"{_url('challenges:researcher-profile')}?next={request.path}")
    refusal = services.claim_refusal(challenge, profile)
    if refusal is not None:  # said before the form is filled in, not after
        messages.error(request, error_text(refusal))
        return redirect("challenges:detail", pk=challenge.pk)
    keys = ("title", "month", "deliverable")
    if request.method == "POST":
        data = forms.proposal_data(request.POST)
        try:
            proposal = services.proposal_create(actor=request.user, challenge=challenge,
                                                data=data, budget_unit=WAN)
        except ValidationFailed as exc:
            return render(request, "challenges/claim.html", {
                "challenge": challenge, "data": data, "errors": exc.fields, "profile": profile,
                "rows": forms.padded(data["milestones"], forms.MILESTONE_ROWS, keys)},
                status=422)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
            return redirect("challenges:detail", pk=challenge.pk)
        messages.success(request, _("揭榜方案已提交"))
        return redirect("challenges:proposal", pk=proposal.pk)
    team = profile.name if profile.kind == "individual" else "；".join(
        f"{m['name']}（{m.get('title') or ''}{'，' + m['role'] if m.get('role') else ''}）"
        for m in profile.members)
    data = {"team": team, "prior_results": profile.achievements,
            "budget": wan_input(challenge.funding)}
    return render(request, "challenges/claim.html", {
        "challenge": challenge, "data": data, "errors": {}, "profile": profile,
        "rows": forms.padded([], forms.MILESTONE_ROWS, keys)})


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


@login_required
def proposal_detail(request, pk: int):
    proposal = selectors.proposal_for_user(request.user, pk)
    return render(request, "challenges/proposal.html", {
        "proposal": proposal, "challenge": proposal.challenge,
        "is_staff": access.is_board_staff(request.user),
        "is_mine": proposal.researcher.user_id == request.user.pk,
        "attachments": proposal.attachments.all(),
        "attachment_kinds": Attachment.Kind.choices,
    })


def _proposal_step(request, pk: int, run, done: str):
    """Run one step (a POST) on a proposal the user may see, with the outcome as a message
    (ADR 0006), and go back to the proposal (or to its challenge when the form says
    ``next=challenge``). ``run(proposal, note)`` calls the step's service."""
    proposal = selectors.proposal_for_user(request.user, pk)
    with errors_as_messages(request):
        run(proposal, request.POST.get("note", ""))
        messages.success(request, done)
    if request.POST.get("next", "") == "challenge":
        return redirect("challenges:detail", pk=proposal.challenge_id)
    return redirect("challenges:proposal", pk=proposal.pk)


@login_required
@require_POST
def proposal_shortlist(request, pk: int):
    return _proposal_step(request, pk, lambda p, note: services.proposal_shortlist(
        actor=request.user, proposal=p, note=note), _("已入围"))


@login_required
@require_POST
def proposal_match(request, pk: int):
    return _proposal_step(request, pk, lambda p, note: services.proposal_match(
        actor=request.user, proposal=p), _("已确认对接成功"))


@login_required
@require_POST
def proposal_decline(request, pk: int):
    return _proposal_step(request, pk, lambda p, note: services.proposal_decline(
        actor=request.user, proposal=p, note=note), _("已标记为未入选"))


@login_required
@require_POST
def proposal_withdraw(request, pk: int):
    return _proposal_step(request, pk, lambda p, note: services.proposal_withdraw(
        actor=request.user, proposal=p), _("方案已撤回"))


@login_required
@require_POST
def proposal_attachment(request, pk: int):
    proposal = selectors.proposal_for_user(request.user, pk)
    upload = request.FILES.get("file")
    with errors_as_messages(request):
        if upload is None:
            raise ValidationFailed({"file": [_("附件：请选择文件")]})
        services.attachment_add(actor=request.user, upload=upload,
                                kind=request.POST.get("kind", "proposal"), proposal=proposal)
        messages.success(request, _("附件已上传"))
    return redirect("challenges:proposal", pk=proposal.pk)


# --- researchers ---------------------------------------------------------------------------

@login_required
def workspace(request):
    """A researcher's workspace: the profile and every proposal with its state."""
    if not access.is_researcher(request.user):
        raise PermissionDenied(_("只有科研人员有揭榜工作台"))
    profile = selectors.profile_of(request.user)
    proposals = selectors.proposals_of(request.user)[:200]
    offers = selectors.offers_managed_by(request.user)[:50]
    return render(request, "challenges/workspace.html", {
        "profile": profile, "proposals": proposals, "offers": offers,
        "recommendations": selectors.recommendations_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def researcher_profile_save(request):
    if not access.is_researcher(request.user):
        raise PermissionDenied(_("只有科研人员可以登记科研人员/团队信息"))
    profile = selectors.profile_of(request.user)
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not next_url.startswith("/challenges/"):
        next_url = ""
    if request.method == "POST":
        data = forms.profile_data(request.POST)
        try:
            services.researcher_profile_save(actor=request.user, data=data)
        except ValidationFailed as exc:
            return render(request, "challenges/profile_form.html", _profile_ctx(
                request, data, exc.fields, next_url), status=422)
        messages.success(request, _("科研人员信息已保存"))
        return redirect(next_url or "challenges:workspace")
    if profile is not None:
        data = {key: getattr(profile, key) for key in forms.PROFILE_KEYS}
        data["domains"], data["members"] = profile.domains, profile.members
        data["discipline_codes"] = profile.discipline_codes
    else:
        user = request.user
        data = {"kind": "individual", "name": user.display_name or user.username,
                "email": user.email, "phone": user.phone, "availability": "available",
                "station_kind": "station", "domains": [], "members": []}
    return render(request, "challenges/profile_form.html",
                  _profile_ctx(request, data, {}, next_url))


def _profile_ctx(request, data, errors, next_url):
    return {"data": data, "errors": errors, "next": next_url,
            "institution": request.user.institution,
            "members": forms.padded(data.get("members") or [], 6, ("name", "title", "role")),
            "kinds": ResearcherProfile.Kind.choices,
            "station_kinds": ResearcherProfile.StationKind.choices,
            "availabilities": ResearcherProfile.Availability.choices,
            "domains": Domain.choices,
            "discipline_options": [d for d in _discipline_options() if d.level == 1]}


@login_required
def researcher_list(request):
    if not (access.is_board_staff(request.user) or has_role(request.user, Role.ENTERPRISE)):
        raise PermissionDenied()
    q = request.GET.get("q", "").replace("\x00", "")[:100]
    page, query = _page(request, selectors.researchers_visible_to(request.user, q), 25)
    return render(request, "challenges/researchers.html", {
        "page": page, "query": query, "q": q, "is_staff": access.is_board_staff(request.user)})


@login_required
def researcher_detail(request, pk: int):
    profile = selectors.researcher_for_user(request.user, pk)
    return render(request, "challenges/researcher.html", {
        "profile": profile, "show_contact": access.is_board_staff(request.user)
        or profile.user_id == request.user.pk})


# --- organizer overview --------------------------------------------------------------------

@login_required
def overview(request):
    if not access.is_board_staff(request.user):
        raise PermissionDenied()
    return render(request, "challenges/overview.html", {"o": selectors.overview()})


# --- technology offers ---------------------------------------------------------------------

def offer_board(request):
    form = forms.OfferFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    page, query = _page(request, selectors.offer_board(
        q=d.get("q", ""), domain=d.get("domain", ""), min_trl=d.get("min_trl"),
        mode=d.get("mode", "")))
    return render(request, "challenges/offers.html", {
        "form": form, "page": page, "query": query,
        "can_post": access.can_post_offer(request.user)})


def _offer_ctx(user, data, errors=None, offer=None):
    return {"data": data, "errors": errors or {}, "offer": offer, "domains": Domain.choices,
            "ip_choices": TechnologyOffer.IpStatus.choices,
            "modes": TechnologyOffer.Mode.choices,
            "institutions": Institution.objects.order_by("name").only("id", "name")
            if access.is_board_staff(user) else [],
            "trls": range(1, 10)}


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request):
    if not access.can_post_offer(request.user):
        raise PermissionDenied(_("只有科研人员和组织方工作人员可以发布拟转化成果"))
    if request.method == "POST":
        data = forms.offer_data(request.POST)
        try:
            offer = services.offer_create(actor=request.user, data=data, price_unit=WAN)
        except ValidationFailed as exc:
            return render(request, "challenges/offer_form.html",
                          _offer_ctx(request.user, data, exc.fields), status=422)
        if request.POST.get("then") == "submit":
            services.offer_submit(actor=request.user, offer=offer)
            messages.success(request, _("成果已提交审核"))
        else:
            messages.success(request, _("成果草稿已保存"))
        return redirect("challenges:offer-detail", pk=offer.pk)
    user = request.user
    profile = selectors.profile_of(user)
    data = {**_contact_initial(user, "offer"),
            "keywords": profile.keywords if profile else ""}
    return render(request, "challenges/offer_form.html", _offer_ctx(user, data))


@login_required
@require_http_methods(["GET", "POST"])
def offer_update(request, pk: int):
    offer = selectors.offer_for_user(request.user, pk)
    if not access.owns_offer(request.user, offer):
        raise NotFound()
    if request.method == "POST":
        data = forms.offer_data(request.POST)
        try:
            services.offer_update(actor=request.user, offer=offer, data=data, price_unit=WAN)
        except ValidationFailed as exc:
            return render(request, "challenges/offer_form.html",
                          _offer_ctx(request.user, data, exc.fields, offer), status=422)
        except ApplicationError as exc:
            refusal_as_message(request, exc)
        return redirect("challenges:offer-detail", pk=offer.pk)
    data = {key: getattr(offer, key, "") for key in forms.OFFER_KEYS if key != "institution_id"}
    data["asking_price"] = wan_input(offer.asking_price)
    return render(request, "challenges/offer_form.html",
                  _offer_ctx(request.user, data, offer=offer))


def offer_detail(request, pk: int):
    offer = selectors.offer_for_user(request.user, pk)
    user = request.user
    is_owner = access.owns_offer(user, offer)
    is_staff = access.is_board_staff(user)
    my_interest = None
    if access.can_express_interest(user):
        my_interest = offer.interests.filter(enterprise_id=user.enterprise_id).first()
    return render(request, "challenges/offer_detail.html", {
        "offer": offer, "is_owner": is_owner, "is_staff": is_staff,
        "can_interest": access.can_express_interest(user) and offer.state == "published"
        and my_interest is None,
        "my_interest": my_interest,
        "interests": offer.interests.select_related("enterprise") if (is_owner or is_staff)
        else [],
        "show_contact": is_owner or is_staff or my_interest is not None,
        "actions": [(a, services.offer_step_label(a),
                     reverse(f"challenges:offer-{a}", args=[offer.pk]))
                    for a, spec in services.OFFER_TRANSITIONS.items()
                    if offer.state in spec[0] and (("owner" in spec[2] and is_owner)
                                                    or ("staff" in spec[2] and is_staff))],
        "audit": audit_trail_for(offer)[:30] if can_see_audit(user) else None,
    })


#: what each offer step's message says once it is done
OFFER_STEP_DONE = {
    "submit": gettext_lazy("成果已提交审核"), "return": gettext_lazy("成果已退回修改"),
    "reject": gettext_lazy("成果已不予发布"), "publish": gettext_lazy("成果已发布"),
    "withdraw": gettext_lazy("成果已撤回"), "close": gettext_lazy("成果已关闭"),
}


def _offer_step(request, pk: int, step: str, run):
    """Run one step (a POST) on an offer the user may see and go back to it (ADR 0006).
    ``run(offer, comment)`` calls the step's service."""
    offer = selectors.offer_for_user(request.user, pk)
    with errors_as_messages(request):
        run(offer, request.POST.get("comment", ""))
        messages.success(request, str(OFFER_STEP_DONE[step]))
    return redirect("challenges:offer-detail", pk=offer.pk)


@login_required
@require_POST
def offer_submit(request, pk: int):
    return _offer_step(request, pk, "submit", lambda o, comment: services.offer_submit(
        actor=request.user, offer=o))


@login_required
@require_POST
def offer_return(request, pk: int):
    return _offer_step(request, pk, "return", lambda o, comment: services.offer_return(
        actor=request.user, offer=o, comment=comment))


@login_required
@require_POST
def offer_reject(request, pk: int):
    return _offer_step(request, pk, "reject", lambda o, comment: services.offer_reject(
        actor=request.user, offer=o, comment=comment))


@login_required
@require_POST
def offer_publish(request, pk: int):
    return _offer_step(request, pk, "publish", lambda o, comment: services.offer_publish(
        actor=request.user, offer=o))


@login_required
@require_POST
def offer_withdraw(request, pk: int):
    return _offer_step(request, pk, "withdraw", lambda o, comment: services.offer_withdraw(
        actor=request.user, offer=o))


@login_required
@require_POST
def offer_close(request, pk: int):
    return _offer_step(request, pk, "close", lambda o, comment: services.offer_close(
        actor=request.user, offer=o))


@login_required
@require_POST
def offer_interest_create(request, pk: int):
    offer = selectors.offer_for_user(request.user, pk)
    try:
        interest = services.offer_interest_create(actor=request.user, offer=offer,
                                                  message=request.POST.get("message", ""))
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect("challenges:offer-detail", pk=offer.pk)
    messages.success(request, _("合作意向已发送，洽谈记录已建立"))
    return redirect("challenges:interest-detail", pk=interest.pk)


@login_required
def interest_list(request):
    page, query = _page(request, selectors.interests_for(request.user))
    return render(request, "challenges/interests.html", {"page": page, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def interest_detail(request, pk: int):
    interest = selectors.interest_for_user(request.user, pk)
    if request.method == "POST":
        with errors_as_messages(request):
            services.conversation_message_add(actor=request.user, interest=interest,
                                              body=request.POST.get("body", ""))
        return redirect("challenges:interest-detail", pk=interest.pk)
    return render(request, "challenges/interest.html", {
        "interest": interest, "messages_list": interest.messages.select_related("author"),
        "can_write": bool(services.interest_sides(request.user, interest))})


@login_required
def offer_manage(request):
    from innolink.dashboard.filters import describe, offer_filter  # the overview's links

    page, query = _page(request, offer_filter(selectors.offers_managed_by(request.user),
                                              request.GET))
    return render(request, "challenges/offer_manage.html", {
        "page": page, "query": query, "is_staff": access.is_board_staff(request.user),
        "overview_filter": describe(request.GET)})


@login_required
@require_http_methods(["GET", "POST"])
def researcher_import_start(request):
    """Bulk import of researchers for organizers: a check first, then all or nothing.

    A check of a small file answers on this page; a real import, and the check of a larger
    file, run as a background job and the browser follows it on the job page (decision 0312).
    """
    _require_board_staff(request)
    form = forms.ImportUploadForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        commit = form.cleaned_data["commit"]
        from innolink.challenges import listing_services

        if not listing_services.roster_header_known(upload.read(), upload.name):
            return _roster_mapping(request, form, upload, commit)
        upload.seek(0)
        try:
            outcome = services.researcher_import_now_or_later(
                actor=request.user, content=upload.read(), filename=upload.name, commit=commit)
            if not isinstance(outcome, dict):  # a background job: the browser follows it
                return redirect("core:job", pk=outcome.pk)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            form.add_error("file", exc.message)
            status = 422
        else:
            if outcome["errors"]:
                status = 422
            if request.POST.get("format") == "csv" and outcome["errors"]:
                from innolink.challenges.importing import error_report_csv

                response = HttpResponse(error_report_csv(outcome["errors"]),
                                        content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = 'attachment; filename="researcher-errors.csv"'
                return response
    elif request.method == "POST":
        status = 422
    from innolink.challenges.services import RESEARCHER_IMPORT_KIND

    recent = jobs_visible_to(request.user).filter(kind=RESEARCHER_IMPORT_KIND) \
        .select_related("created_by")[:10]
    return render(request, "challenges/import.html",
                  {"form": form, "outcome": outcome, "recent": recent}, status=status)


def _roster_mapping(request, form, upload, commit: bool):
    """A roster whose name or field column nobody has named yet: the mapping step, remembered
    (decision 0355)."""
    from innolink.challenges import importing, listing_services

    upload.seek(0)
    try:
        prepared = listing_services.roster_mapping_prepare(
            actor=request.user, content=upload.read(), filename=upload.name, commit=commit)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        form.add_error("file", error_text(exc))
        from innolink.challenges.services import RESEARCHER_IMPORT_KIND

        recent = jobs_visible_to(request.user).filter(kind=RESEARCHER_IMPORT_KIND)[:10]
        return render(request, "challenges/import.html",
                      {"form": form, "outcome": None, "recent": recent}, status=422)
    ctx = _map_ctx(prepared, {})
    ctx.update(fields=[(k, importing.LABELS[k]) for k in importing.HEADERS],
               action=reverse_lazy("challenges:roster-mapping-save"),
               required_note=gettext("必需：姓名、研究方向。"))
    return render(request, "challenges/listing_map.html", ctx)


# --- the shared steps of both imports (a roster of researchers, a 榜单) ------------------------
# upload -> (mapping of unknown columns) -> check job -> commit job -> CSV report of the check

def _require_board_staff(request) -> None:
    if not access.is_board_staff(request.user):
        raise PermissionDenied()


def _import_map(request, save, back: str, on_fields=None):
    """The organizer's answers for a file's columns (``header`` / ``field-<i>``): ``save``
    remembers them and starts the check job. A refusal goes back to ``back`` with its message;
    ``on_fields(token, choices, exc)`` may answer a field refusal with the mapping form again."""
    _require_board_staff(request)
    token = request.POST.get("token", "")
    headers = request.POST.getlist("header")
    choices = {h: request.POST.get(f"field-{i}", "") for i, h in enumerate(headers)}
    try:
        job = save(actor=request.user, token=token, choices=choices)
    except ValidationFailed as exc:
        if on_fields is not None:
            return on_fields(token, choices, exc)
        messages.error(request, error_text(exc))
        return redirect(back)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    return redirect("core:job", pk=job.pk)


def _import_commit(request, pk, commit):
    """Confirm a clean check job: ``commit`` imports the same stored file in a new job."""
    _require_board_staff(request)
    with errors_as_messages(request):
        job = commit(actor=request.user, job=job_for_user(request.user, pk))
        return redirect("core:job", pk=job.pk)
    return redirect("core:job", pk=pk)


def _import_report(request, pk, kind: str, body, filename: str) -> HttpResponse:
    """The problems a check job of ``kind`` found, as a CSV download (``body(job)``)."""
    _require_board_staff(request)
    job = job_for_user(request.user, pk)
    if job.kind != kind:
        raise NotFound()
    response = HttpResponse(body(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{str(pk)[:8]}.csv"'
    return response


@login_required
@require_POST
def roster_mapping_save(request):
    """The organizer's answers for a roster's columns: remembered, then the job starts."""
    from innolink.challenges import listing_services

    return _import_map(request, listing_services.roster_mapping_save,
                       "challenges:researcher-import")


@login_required
@require_POST
def researcher_import_commit(request, pk):
    return _import_commit(request, pk, services.researcher_import_commit)


@login_required
def researcher_import_errors(request, pk):
    from innolink.challenges.importing import error_report_csv
    from innolink.challenges.services import RESEARCHER_IMPORT_KIND

    return _import_report(request, pk, RESEARCHER_IMPORT_KIND,
                          lambda job: error_report_csv(job.result.get("errors", [])),
                          "researcher-errors")


# --- bulk import of a 榜单 -----------------------------------------------------------------

def _listing_fields():
    from innolink.challenges import listing_import

    return [(f.key, f.label) for f in listing_import.FIELDS]


@login_required
@require_http_methods(["GET", "POST"])
def listing_import(request):
    """Organizer: upload a 榜单 (.xlsx/.csv); known columns go straight to the check job, a
    file with columns nobody has named yet goes to the mapping step (decision 0355)."""
    from innolink.challenges import listing_services
    from innolink.challenges.listing_services import LISTING_IMPORT_KIND

    _require_board_staff(request)
    form = forms.ListingImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        deadline = forms.parse_date(request.POST.get("default_deadline", ""))
        try:
            prepared = listing_services.listing_import_upload(
                actor=request.user, content=upload.read(), filename=upload.name,
                programme_id=form.cleaned_data.get("programme"), default_deadline=deadline,
                publish=form.cleaned_data.get("publish", False))
            if not prepared.needs_mapping:
                job = listing_services.listing_import_start(actor=request.user,
                                                            token=prepared.token)
                return redirect("core:job", pk=job.pk)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            form.add_error("file", error_text(exc))
            status = 422
        else:
            return render(request, "challenges/listing_map.html", _map_ctx(prepared, {}))
    elif request.method == "POST":
        status = 422
    recent = jobs_visible_to(request.user).filter(kind=LISTING_IMPORT_KIND) \
        .select_related("created_by")[:10]
    return render(request, "challenges/listing_import.html", {
        "form": form, "recent": recent, "programmes": Programme.objects.order_by("-created_at"),
        "data": request.POST}, status=status)


def _map_ctx(prepared, errors):
    rows = []
    for index, header in enumerate(prepared.headers):
        if not header:
            continue
        samples = [r[index] for r in prepared.sample if index < len(r) and r[index]][:2]
        rows.append({"header": header, "guess": prepared.guesses.get(header) or "",
                     "samples": samples})
    return {"prepared": prepared, "rows": rows, "fields": _listing_fields(), "errors": errors}


@login_required
@require_POST
def listing_import_map(request):
    from innolink.challenges import listing_services

    def again(token, choices, exc):  # the mapping form again, with the field messages
        prepared = listing_services.upload_from_token(actor=request.user, token=token)
        prepared.guesses.update({h: c for h, c in choices.items() if c})
        return render(request, "challenges/listing_map.html", _map_ctx(prepared, exc.fields),
                      status=422)

    return _import_map(request, listing_services.listing_import_map, "challenges:listing-import",
                       on_fields=again)


@login_required
@require_POST
def listing_import_commit(request, pk):
    from innolink.challenges import listing_services

    return _import_commit(request, pk, listing_services.listing_import_commit)


def _listing_report_csv(job) -> str:
    """Every error and warning of a 榜单 check, in the reader's language."""
    import csv
    import io

    from innolink.challenges.listing_import import render_reason

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("行号"), gettext("列"), gettext("值"), gettext("问题"), gettext("类别")])
    for p in (job.result.get("errors") or []) + (job.result.get("warnings") or []):
        writer.writerow([p["row"], p["column"], p["value"],
                         render_reason(p["code"], p.get("params")),
                         gettext("错误") if p.get("fatal") else gettext("提示")])
    return "\ufeff" + out.getvalue()


@login_required
def listing_import_report(request, pk):
    from innolink.challenges.listing_services import LISTING_IMPORT_KIND

    return _import_report(request, pk, LISTING_IMPORT_KIND, _listing_report_csv,
                          "listing-report")


# --- programmes (contests and published lists) ---------------------------------------------

@login_required
def programme_list(request):
    if not access.is_board_staff(request.user):
        raise PermissionDenied()
    from django.db.models import Count

    rows = Programme.objects.annotate(n=Count("challenges")).order_by("-created_at")
    return render(request, "challenges/programmes.html", {"programmes": rows})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk: int | None = None):
    from innolink.challenges import listing_services  # noqa: F401  (same staff rule)

    if not access.is_board_staff(request.user):
        raise PermissionDenied()
    programme = None
    if pk is not None:
        programme = Programme.objects.filter(pk=selectors._valid_pk(pk)).first()
        if programme is None:
            raise NotFound()
    if request.method == "POST":
        data = forms.programme_data(request.POST)
        try:
            programme = services.programme_save(actor=request.user, programme=programme,
                                                data=data)
        except ValidationFailed as exc:
            return render(request, "challenges/programme_form.html",
                          _programme_ctx(programme, data, exc.fields), status=422)
        messages.success(request, _("赛事/榜单批次已保存"))
        return redirect("challenges:programmes")
    data = forms.programme_initial(programme)
    return render(request, "challenges/programme_form.html", _programme_ctx(programme, data, {}))


def _programme_ctx(programme, data, errors):
    return {"programme": programme, "data": data, "errors": errors,
            "rubric_rows": forms.padded(data.get("rubric", []), 6, ("name", "weight", "guidance")),
            "timeline_rows": forms.padded(data.get("timeline", []), 5, ("stage", "start", "end"))}


def discipline_lookup(request):
    """The GB/T 13745-2009 code table, searchable (fuzzy for free text)."""
    from innolink.challenges import disciplines

    q = request.GET.get("q", "").replace("\x00", "")[:50]
    found = disciplines.search(q, limit=50) if q else [
        d for d in disciplines.table().values() if d.level == 1]
    matched = [disciplines.get(c) for c in disciplines.match_text(q, limit=3)] if q else []
    return render(request, "challenges/disciplines.html", {
        "q": q, "rows": [(d, disciplines.first_level(d.code)) for d in found],
        "matched": [m for m in matched if m]})
