"""Challenge board pages: thin views that parse, authorize, call a selector or service, render.

Refused input re-renders the form with the field messages (status 422); other application
errors become a message on the page the user came from, or the error page for a 404."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role, can_see_audit, has_role
from innolink.challenges import access, forms, lifecycle, selectors, services
from innolink.challenges.models import (
    Attachment,
    ChallengeState,
    Comparator,
    Domain,
    IpOwnership,
    Milestone,
    ResearcherProfile,
    TechnologyOffer,
)
from innolink.core.audit import audit_trail_for
from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from innolink.core.files import attachment_response
from innolink.core.flash import error_text, errors_as_messages
from innolink.core.selectors import job_for_user, jobs_visible_to

WAN = Decimal(10_000)


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
    actions = [t for t in lifecycle.actions_for(challenge.state, actors)
               if t.action in ACTION_SERVICES
               and not (t.action == "expire" and challenge.claim_deadline >= today)]
    return render(request, "challenges/detail.html", {
        "challenge": challenge,
        "indicators": challenge.indicators.all(),
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


def own_open(own) -> bool:
    return any(p.state in ("submitted", "shortlisted", "matched") for p in own)


# --- posting and editing -------------------------------------------------------------------

def _form_context(user, data, errors=None, challenge=None):
    return {
        "data": data, "errors": errors or {}, "challenge": challenge,
        "indicator_rows": forms.padded(data.get("indicators", []), forms.INDICATOR_ROWS,
                                       forms.INDICATOR_KEYS),
        "domains": Domain.choices, "ip_choices": IpOwnership.choices,
        "comparators": Comparator.choices,
        "on_behalf": access.is_board_staff(user),
        "institutions": Institution.objects.order_by("name").only("id", "name")
        if access.is_board_staff(user) else [],
        "today": timezone.localdate(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request):
    if not access.can_post_challenge(request.user):
        raise PermissionDenied("只有企业用户和组织方工作人员可以发布榜单")
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
                messages.success(request, "榜单已提交审核")
            except ApplicationError as exc:
                messages.error(request, exc.message)
        else:
            messages.success(request, "榜单草稿已保存")
        return redirect("challenges:detail", pk=challenge.pk)
    data = {"contact_name": user.display_name or "", "contact_phone": user.phone or "",
            "contact_email": user.email or "", "max_claims": 5, "time_limit_months": 12,
            "indicators": []}
    return render(request, "challenges/form.html", _form_context(user, data))


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request, pk: int):
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
        messages.success(request, "榜单已保存")
        return redirect("challenges:detail", pk=challenge.pk)
    return render(request, "challenges/form.html",
                  _form_context(request.user, forms.challenge_initial(challenge),
                                challenge=challenge))


ACTION_SERVICES = {
    "submit": lambda actor, c, text: services.challenge_submit(actor=actor, challenge=c),
    "return": lambda actor, c, text: services.challenge_return(actor=actor, challenge=c,
                                                               comment=text),
    "reject": lambda actor, c, text: services.challenge_reject(actor=actor, challenge=c,
                                                               reason=text),
    "publish": lambda actor, c, text: services.challenge_publish(actor=actor, challenge=c),
    "withdraw": lambda actor, c, text: services.challenge_withdraw(actor=actor, challenge=c,
                                                                   reason=text),
    "expire": lambda actor, c, text: services.challenge_expire(actor=actor, challenge=c),
    "accept": lambda actor, c, text: services.challenge_accept(actor=actor, challenge=c),
    "close": lambda actor, c, text: services.challenge_close(actor=actor, challenge=c),
}


@login_required
@require_POST
def challenge_action(request, pk: int, action: str):
    challenge = selectors.challenge_for_user(request.user, pk)
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise NotFound()
    with errors_as_messages(request):
        service(request.user, challenge, request.POST.get("comment", ""))
        messages.success(request, f"已{lifecycle.TRANSITIONS[action].label}")
    return redirect("challenges:detail", pk=challenge.pk)


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
            messages.error(request, exc.message)
            return redirect("challenges:detail", pk=challenge.pk)
        messages.success(request, "合同已登记")
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
    data = {"amount": format((proposal.budget / WAN).normalize(), "f") if proposal else
            format((challenge.funding / WAN).normalize(), "f"),
            "start": timezone.localdate().isoformat()}
    return render(request, "challenges/contract.html", {
        "challenge": challenge, "errors": {}, "data": data,
        "rows": forms.padded(initial_rows, forms.MILESTONE_ROWS, keys)})


@login_required
@require_POST
def milestone_done(request, pk: int):
    milestone = Milestone.objects.filter(pk=selectors._valid_pk(pk)).first()
    if milestone is None:
        raise NotFound()
    challenge = selectors.challenge_for_user(request.user, milestone.challenge_id)
    with errors_as_messages(request):
        services.milestone_complete(actor=request.user, milestone=milestone,
                                    note=request.POST.get("note", ""))
        messages.success(request, f"节点“{milestone.title}”已完成")
    return redirect("challenges:detail", pk=challenge.pk)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    challenge = selectors.challenge_for_user(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "附件：请选择文件")
        return redirect("challenges:detail", pk=challenge.pk)
    with errors_as_messages(request):
        services.attachment_add(actor=request.user, upload=upload,
                                kind=request.POST.get("kind", "other"), challenge=challenge)
        messages.success(request, "附件已上传")
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
    from innolink.dashboard.filters import challenge_filter, describe  # the overview's links

    page, query = _page(request, challenge_filter(selectors.challenges_managed_by(
        user, state=state, filters=_board_filters(form)), request.GET))
    return render(request, "challenges/manage.html", {
        "page": page, "query": query, "state": state, "states": ChallengeState.choices,
        "form": form, "is_staff": access.is_board_staff(user) or has_role(user, Role.LEADER),
        "overview_filter": describe(request.GET)})


# --- claims --------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def claim(request, pk: int):
    challenge = selectors.challenge_for_user(request.user, pk)
    if not access.is_researcher(request.user):
        raise PermissionDenied("只有科研人员可以揭榜")
    profile = selectors.profile_of(request.user)
    if profile is None:
        messages.info(request, "揭榜前请先登记科研人员/团队信息")
        return redirect(f"{_url('challenges:profile')}?next={request.path}")
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
        except NotFound:
            raise
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
            return redirect("challenges:detail", pk=challenge.pk)
        messages.success(request, "揭榜方案已提交")
        return redirect("challenges:proposal", pk=proposal.pk)
    team = profile.name if profile.kind == "individual" else "；".join(
        f"{m['name']}（{m.get('title') or ''}{'，' + m['role'] if m.get('role') else ''}）"
        for m in profile.members)
    data = {"team": team, "prior_results": profile.achievements,
            "budget": format((challenge.funding / WAN).normalize(), "f")}
    return render(request, "challenges/claim.html", {
        "challenge": challenge, "data": data, "errors": {}, "profile": profile,
        "rows": forms.padded([], forms.MILESTONE_ROWS, keys)})


def _url(name: str, *args) -> str:
    from django.urls import reverse

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


PROPOSAL_SERVICES = {
    "shortlist": (services.proposal_shortlist, "已入围"),
    "match": (services.proposal_match, "已确认对接成功"),
    "decline": (services.proposal_decline, "已标记为未入选"),
    "withdraw": (services.proposal_withdraw, "方案已撤回"),
}


@login_required
@require_POST
def proposal_action(request, pk: int, action: str):
    proposal = selectors.proposal_for_user(request.user, pk)
    if action not in PROPOSAL_SERVICES:
        raise NotFound()
    service, done = PROPOSAL_SERVICES[action]
    kwargs = {"note": request.POST.get("note", "")} if action in ("shortlist", "decline") else {}
    with errors_as_messages(request):
        service(actor=request.user, proposal=proposal, **kwargs)
        messages.success(request, done)
    target = request.POST.get("next", "")
    if target == "challenge":
        return redirect("challenges:detail", pk=proposal.challenge_id)
    return redirect("challenges:proposal", pk=proposal.pk)


@login_required
@require_POST
def proposal_attachment(request, pk: int):
    proposal = selectors.proposal_for_user(request.user, pk)
    upload = request.FILES.get("file")
    with errors_as_messages(request):
        if upload is None:
            raise ValidationFailed({"file": ["附件：请选择文件"]})
        services.attachment_add(actor=request.user, upload=upload,
                                kind=request.POST.get("kind", "proposal"), proposal=proposal)
        messages.success(request, "附件已上传")
    return redirect("challenges:proposal", pk=proposal.pk)


# --- researchers ---------------------------------------------------------------------------

@login_required
def workspace(request):
    """A researcher's workspace: the profile and every proposal with its state."""
    if not access.is_researcher(request.user):
        raise PermissionDenied("只有科研人员有揭榜工作台")
    profile = selectors.profile_of(request.user)
    proposals = selectors.proposals_of(request.user)[:200]
    offers = selectors.offers_managed_by(request.user)[:50]
    return render(request, "challenges/workspace.html", {
        "profile": profile, "proposals": proposals, "offers": offers,
        "recommendations": selectors.recommendations_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    if not access.is_researcher(request.user):
        raise PermissionDenied("只有科研人员可以登记科研人员/团队信息")
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
        messages.success(request, "科研人员信息已保存")
        return redirect(next_url or "challenges:workspace")
    if profile is not None:
        data = {key: getattr(profile, key) for key in forms.PROFILE_KEYS}
        data["domains"], data["members"] = profile.domains, profile.members
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
            "domains": Domain.choices}


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
        raise PermissionDenied("只有科研人员和组织方工作人员可以发布拟转化成果")
    if request.method == "POST":
        data = forms.offer_data(request.POST)
        try:
            offer = services.offer_create(actor=request.user, data=data, price_unit=WAN)
        except ValidationFailed as exc:
            return render(request, "challenges/offer_form.html",
                          _offer_ctx(request.user, data, exc.fields), status=422)
        if request.POST.get("then") == "submit":
            services.offer_transition(actor=request.user, offer=offer, action="submit")
            messages.success(request, "成果已提交审核")
        else:
            messages.success(request, "成果草稿已保存")
        return redirect("challenges:offer-detail", pk=offer.pk)
    user = request.user
    profile = selectors.profile_of(user)
    data = {"contact_name": user.display_name or "", "contact_phone": user.phone or "",
            "keywords": profile.keywords if profile else ""}
    return render(request, "challenges/offer_form.html", _offer_ctx(user, data))


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, pk: int):
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
            messages.error(request, exc.message)
        return redirect("challenges:offer-detail", pk=offer.pk)
    data = {key: getattr(offer, key, "") for key in forms.OFFER_KEYS if key != "institution_id"}
    data["asking_price"] = format((offer.asking_price / WAN).normalize(), "f") \
        if offer.asking_price is not None else ""
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
        "actions": [(a, spec[3]) for a, spec in services.OFFER_TRANSITIONS.items()
                    if offer.state in spec[0] and (("owner" in spec[2] and is_owner)
                                                    or ("staff" in spec[2] and is_staff))],
        "audit": audit_trail_for(offer)[:30] if can_see_audit(user) else None,
    })


@login_required
@require_POST
def offer_action(request, pk: int, action: str):
    offer = selectors.offer_for_user(request.user, pk)
    with errors_as_messages(request):
        services.offer_transition(actor=request.user, offer=offer, action=action,
                                  comment=request.POST.get("comment", ""))
        messages.success(request, "操作成功")
    return redirect("challenges:offer-detail", pk=offer.pk)


@login_required
@require_POST
def offer_interest(request, pk: int):
    offer = selectors.offer_for_user(request.user, pk)
    try:
        interest = services.offer_interest_create(actor=request.user, offer=offer,
                                                  message=request.POST.get("message", ""))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect("challenges:offer-detail", pk=offer.pk)
    messages.success(request, "合作意向已发送，洽谈记录已建立")
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
def researcher_import(request):
    """Bulk import of researchers for organizers: a check first, then all or nothing.

    A check of a small file answers on this page; a real import, and the check of a larger
    file, run as a background job and the browser follows it on the job page (decision 0312).
    """
    if not access.is_board_staff(request.user):
        raise PermissionDenied()
    form = forms.ImportUploadForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        commit = form.cleaned_data["commit"]
        try:
            if commit or not services.researcher_import_check_is_quick(
                    filename=upload.name, size=upload.size):
                job = services.researcher_import_start(
                    actor=request.user, content=upload.read(), filename=upload.name,
                    commit=commit)
                return redirect("core:job", pk=job.pk)
            outcome = services.researcher_import(
                actor=request.user, content=upload.read(), filename=upload.name, commit=False)
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
    from innolink.challenges.tasks import RESEARCHER_IMPORT_KIND

    recent = jobs_visible_to(request.user).filter(kind=RESEARCHER_IMPORT_KIND) \
        .select_related("created_by")[:10]
    return render(request, "challenges/import.html",
                  {"form": form, "outcome": outcome, "recent": recent}, status=status)


@login_required
@require_POST
def researcher_import_commit(request, pk):
    """Confirm a clean check job: the same stored file is imported by a new job."""
    if not access.is_board_staff(request.user):
        raise PermissionDenied()
    job = services.researcher_import_commit(actor=request.user,
                                            job=job_for_user(request.user, pk))
    return redirect("core:job", pk=job.pk)


@login_required
def researcher_import_errors(request, pk):
    """The problems a check job found, as a CSV report."""
    from innolink.challenges.importing import error_report_csv
    from innolink.challenges.tasks import RESEARCHER_IMPORT_KIND

    if not access.is_board_staff(request.user):
        raise PermissionDenied()
    job = job_for_user(request.user, pk)
    if job.kind != RESEARCHER_IMPORT_KIND:
        raise NotFound()
    response = HttpResponse(error_report_csv(job.result.get("errors", [])),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = \
        f'attachment; filename="researcher-errors-{str(pk)[:8]}.csv"'
    return response
