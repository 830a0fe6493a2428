"""Every write of the challenge board. Each function is one transaction, audits what it changes
and notifies those concerned (notification rows in the same transaction, outside channels on
commit). State changes go through ``lifecycle.TRANSITIONS`` only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import pgettext, pgettext_lazy

from innolink.accounts.models import Institution, User
from innolink.accounts.roles import Role
from innolink.challenges import access, lifecycle, screening, search, validation
from innolink.challenges.models import (
    CLAIMABLE_STATES,
    Domain,
    Issuer,
    Programme,
    OPEN_PROPOSAL_STATES,
    PUBLIC_STATES,
    VISIBLE_STATES,
    Attachment,
    Challenge,
    ChallengeState,
    ChallengeTerm,
    ConversationMessage,
    IndicatorTarget,
    Milestone,
    OfferInterest,
    OfferState,
    Proposal,
    ProposalState,
    ResearcherProfile,
    TechnologyOffer,
)
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, \
    ValidationFailed
from innolink.core.notifications import notify
from innolink.enterprises.models import Enterprise
from innolink.challenges.errors import (
    ALREADY_CLAIMED,
    ALREADY_INTERESTED,
    BAD_TRANSITION,
    CHECK_NOT_OPEN,
    CLOSED,
    DEADLINE_NOT_PASSED,
    DEADLINE_PASSED,
    IMPORT_ALREADY_STARTED,
    IMPORT_BAD_TYPE,
    IMPORT_HAS_ERRORS,
    IMPORT_NOT_CHECKED,
    IMPORT_TOO_LARGE,
    MILESTONES_PENDING,
    MILESTONE_DONE,
    NOT_CLAIMABLE,
    NOT_EDITABLE,
    NOT_PUBLISHED,
    NOT_SCREENING,
    NO_PLACES,
    PROFILE_MISSING,
    SCREENING_OPEN,
)

if TYPE_CHECKING:
    from innolink.core.models import Job

#: the job kind of a roster check or import (run by ``tasks.run_researcher_import``)
RESEARCHER_IMPORT_KIND = "challenges.researcher_import"

WAN = Decimal(10_000)
CHALLENGE_FIELDS = ("title", "domain", "secondary_domains", "statement", "keywords",
                    "funding_kind", "funding", "funding_max", "prize_schedule", "payment_terms",
                    "time_limit_months", "ip_ownership", "ip_enterprise_share", "ip_notes",
                    "other_conditions", "claim_deadline", "max_claims", "contact_name",
                    "contact_phone", "contact_email", "external_ref", "source", "solver_eligibility",
                    "solver_region", "disciplines", "solver_types", "trl_min", "trl_max",
                    "issuer_id", "programme_id")
INDICATOR_FIELDS = ("name", "comparator", "value", "value_max", "unit", "test_method",
                    "raw_text", "needs_review")


def _today() -> dt.date:
    return timezone.localdate()


def _challenge_url(challenge: Challenge) -> str:
    return reverse("challenges:detail", args=[challenge.pk])


def _poster_users(challenge: Challenge) -> list[User]:
    if challenge.enterprise_id:
        return list(User.objects.filter(enterprise_id=challenge.enterprise_id,
                                        role=Role.ENTERPRISE, is_active=True))
    return [challenge.created_by] if challenge.created_by_id else []


def _staff_users() -> list[User]:
    return list(User.objects.filter(role__in=access.BOARD_STAFF, is_active=True))


def _locked(challenge: Challenge) -> Challenge:
    """Re-read the challenge under a row lock: concurrent transitions and claims serialize."""
    return Challenge.objects.select_for_update().get(pk=challenge.pk)


def _indicator_rows(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: row.get(k, "" if k not in ("value", "value_max", "needs_review") else None)
             for k in INDICATOR_FIELDS} for row in indicators]


def _refresh_search_text(challenge: Challenge, indicator_names: list[str]) -> None:
    challenge.search_text = search.search_text(challenge.title, challenge.keywords,
                                               " ".join(indicator_names), challenge.statement)


def _reindex(challenge: Challenge) -> None:
    """Rewrite the challenge's rows of the term index from its search text."""
    ChallengeTerm.objects.filter(challenge=challenge).delete()
    ChallengeTerm.objects.bulk_create(
        [ChallengeTerm(challenge=challenge, term=term)
         for term in sorted(search.doc_terms(challenge.search_text))])


def _poster_for(actor, data: dict[str, Any], issuer: dict[str, str] | None = None
                ) -> tuple[Enterprise | None, Institution | None, Issuer | None]:
    """Who issues the listing: the actor's enterprise; or, for staff posting on behalf, an
    enterprise of the registry, an institution of the platform, or an outside organisation
    (an institute, a key laboratory, an enterprise elsewhere) found or registered by name."""
    if actor.role == Role.ENTERPRISE:
        return actor.enterprise, None, None
    enterprise_id, institution_id = data.get("enterprise_id"), data.get("institution_id")
    code = str(data.get("enterprise_code") or "").strip().upper()
    if code and not enterprise_id:
        enterprise_id = Enterprise.objects.filter(credit_code=code).values_list(
            "pk", flat=True).first()
        if enterprise_id is None:
            raise ValidationFailed({"enterprise_code": [
                _("发榜单位：企业库中没有该统一社会信用代码")]})
    if sum(map(bool, (enterprise_id, institution_id, issuer))) != 1:
        raise ValidationFailed({"enterprise_id": [
            _("发榜单位：代为发榜时请选择一家企业、一家机构，或填写平台外发榜单位（三选一）")]})
    if enterprise_id:
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
        if enterprise is None:
            raise ValidationFailed({"enterprise_id": [_("发榜单位：企业不存在")]})
        return enterprise, None, None
    if institution_id:
        institution = Institution.objects.filter(pk=institution_id).first()
        if institution is None:
            raise ValidationFailed({"institution_id": [_("发榜单位：机构不存在")]})
        return None, institution, None
    return None, None, issuer_get_or_create(**issuer)


def issuer_get_or_create(*, name: str, kind: str, region: str = "") -> Issuer:
    """An outside issuer by name (one row per organisation); kind and region fill in what an
    earlier listing left empty. Called inside the caller's transaction."""
    found = Issuer.objects.filter(name=name).first()
    if found is None:
        return Issuer.objects.create(name=name, kind=kind, region=region)
    changed = []
    if region and not found.region:
        found.region = region
        changed.append("region")
    if kind != "other" and found.kind == "other":
        found.kind = kind
        changed.append("kind")
    if changed:
        found.save(update_fields=changed)
    return found


def _programme_for(actor, data: dict[str, Any]) -> Programme | None:
    pid = data.get("programme_id")
    if not pid:
        return None
    if not access.is_board_staff(actor):
        raise ValidationFailed({"programme_id": [_("所属赛事：只有组织方可以指定")]})
    programme = Programme.objects.filter(pk=pid).first()
    if programme is None:
        raise ValidationFailed({"programme_id": [_("所属赛事：不存在")]})
    return programme


# --- challenges ----------------------------------------------------------------------------

@transaction.atomic
def challenge_create(*, actor, data: dict[str, Any], funding_unit: Decimal = Decimal(1),
                     source: str = "web") -> Challenge:
    """A draft challenge of the actor's own enterprise (staff: of the enterprise or institution
    named in ``enterprise_id`` / ``institution_id``)."""
    if not access.can_post_challenge(actor):
        raise PermissionDenied(_("只有企业用户和组织方工作人员可以发布榜单"))
    clean = validation.clean_challenge(data, today=_today(), funding_unit=funding_unit,
                                       contact_required=not access.is_board_staff(actor))
    enterprise, institution, issuer = _poster_for(actor, data, clean.issuer)
    programme = _programme_for(actor, data)
    challenge = Challenge(**clean.fields, enterprise=enterprise, institution=institution,
                          issuer=issuer, programme=programme, created_by=actor,
                          state=ChallengeState.DRAFT)
    _refresh_search_text(challenge, [i["name"] for i in clean.indicators])
    challenge.save()
    IndicatorTarget.objects.bulk_create(
        [IndicatorTarget(challenge=challenge, **row) for row in clean.indicators])
    _reindex(challenge)
    audit_record(actor=actor, action="create", instance=challenge,
                 changes={**audit_diff({}, snapshot(challenge, CHALLENGE_FIELDS)),
                          "indicators": [None, _indicator_rows(clean.indicators)]},
                 source=source)
    return challenge


@transaction.atomic
def challenge_update(*, actor, challenge: Challenge, data: dict[str, Any],
                     funding_unit: Decimal = Decimal(1), source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    if not access.owns_challenge(actor, challenge):
        raise NotFound()
    if challenge.state not in lifecycle.EDITABLE_STATES:
        raise Conflict(_("榜单状态为“%(state)s”，只有草稿或退回修改的榜单可以编辑")
                       % {"state": challenge.get_state_display()}, code=NOT_EDITABLE)
    clean = validation.clean_challenge(data, today=_today(), funding_unit=funding_unit,
                                       contact_required=not access.is_board_staff(actor))
    before = snapshot(challenge, CHALLENGE_FIELDS)
    old_indicators = [{k: getattr(i, k) for k in INDICATOR_FIELDS}
                      for i in challenge.indicators.all()]
    for key, value in clean.fields.items():
        setattr(challenge, key, value)
    if clean.issuer is not None and challenge.issuer_id and access.is_board_staff(actor):
        challenge.issuer = issuer_get_or_create(**clean.issuer)
    if "programme_id" in data and access.is_board_staff(actor):
        challenge.programme = _programme_for(actor, data)
    _refresh_search_text(challenge, [i["name"] for i in clean.indicators])
    challenge.save()
    changes = audit_diff(before, snapshot(challenge, CHALLENGE_FIELDS))
    new_indicators = _indicator_rows(clean.indicators)
    if audit_diff({"i": old_indicators}, {"i": new_indicators}):
        challenge.indicators.all().delete()
        IndicatorTarget.objects.bulk_create(
            [IndicatorTarget(challenge=challenge, **row) for row in clean.indicators])
        changes["indicators"] = [old_indicators, new_indicators]
    _reindex(challenge)
    if changes:
        audit_record(actor=actor, action="update", instance=challenge, changes=changes,
                     source=source)
    return challenge


#: the msgctxt of a lifecycle step's label: the same words name a state elsewhere ("退回修改")
STEP_CONTEXT = "challenge step"
OFFER_STEP_CONTEXT = "offer step"
#: the labels as catalogue entries, so makemessages finds them (the tables hold them as plain
#: strings: ``lifecycle`` stays free of Django)
_STEP_MSGIDS = (
    pgettext_lazy("challenge step", "提交审核"), pgettext_lazy("challenge step", "退回修改"),
    pgettext_lazy("challenge step", "不予发布"), pgettext_lazy("challenge step", "张榜发布"),
    pgettext_lazy("challenge step", "揭榜"), pgettext_lazy("challenge step", "恢复待揭榜"),
    pgettext_lazy("challenge step", "入围遴选"), pgettext_lazy("challenge step", "确认对接成功"),
    pgettext_lazy("challenge step", "登记合同"), pgettext_lazy("challenge step", "完成节点"),
    pgettext_lazy("challenge step", "验收通过"), pgettext_lazy("challenge step", "结项"),
    pgettext_lazy("challenge step", "撤回"), pgettext_lazy("challenge step", "过期下榜"),
    # an offer's (``OFFER_TRANSITIONS``)
    pgettext_lazy("offer step", "提交审核"), pgettext_lazy("offer step", "退回修改"),
    pgettext_lazy("offer step", "不予发布"), pgettext_lazy("offer step", "发布"),
    pgettext_lazy("offer step", "撤回"), pgettext_lazy("offer step", "关闭"),
)


def step_label(transition: lifecycle.Transition | str) -> str:
    """A challenge step's label (a button, a refusal) in the active language; the table in
    ``lifecycle`` keeps the Chinese msgid, as it stays free of Django."""
    if isinstance(transition, str):
        transition = lifecycle.TRANSITIONS[transition]
    return pgettext(STEP_CONTEXT, transition.label)


def offer_step_label(action: str) -> str:
    """An offer step's label (``OFFER_TRANSITIONS``) in the active language."""
    return pgettext(OFFER_STEP_CONTEXT, OFFER_TRANSITIONS[action][3])


def _transition(*, actor, challenge: Challenge, action: str, note: str = "",
                extra_changes: dict[str, list[Any]] | None = None, source: str = "web",
                actors: set[str] | None = None) -> Challenge:
    """Move a locked challenge through ``action`` if the table allows it for this actor."""
    actors = access.actors_for(actor, challenge) if actors is None else actors
    transition = _check(challenge=challenge, action=action, actors=actors)
    old = challenge.state
    challenge.state = transition.target
    challenge.on_board = challenge.state in PUBLIC_STATES
    challenge.save()
    audit_record(actor=actor, action="transition", instance=challenge,
                 changes={"state": [old, challenge.state], **(extra_changes or {})},
                 note=note or transition.label, source=source)
    return challenge


def _permit(*, actor, challenge: Challenge, action: str,
            actors: set[str] | None = None) -> set[str]:
    """Who may take ``action`` at all, asked before any rule of the record's state or content
    (a rule's answer such as "还有 2 个合同节点未完成" is for those allowed to act): 404 to
    those who may not see the challenge, 403 to the wrong role. Returns the actor's roles."""
    actors = access.actors_for(actor, challenge) if actors is None else actors
    transition = lifecycle.TRANSITIONS[action]
    if not actors & transition.actors:
        if not actors & {lifecycle.STAFF, lifecycle.OWNER, lifecycle.SYSTEM} \
                and challenge.state not in VISIBLE_STATES:
            raise NotFound()
        raise PermissionDenied(_("您无权对此榜单执行“%(step)s”")
                               % {"step": step_label(transition)})
    return actors


def _check(*, challenge: Challenge, action: str, actors: set[str]) -> lifecycle.Transition:
    """Refuse ``action`` unless the table allows it: 404 to those who may not see the
    challenge, 403 to the wrong role, 409 in the wrong state."""
    transition = lifecycle.TRANSITIONS[action]
    if not lifecycle.allowed(action, challenge.state, actors):
        if not actors & {lifecycle.STAFF, lifecycle.OWNER, lifecycle.SYSTEM} \
                and challenge.state not in VISIBLE_STATES:
            raise NotFound()
        if not actors & transition.actors:
            raise PermissionDenied(_("您无权对此榜单执行“%(step)s”")
                                   % {"step": step_label(transition)})
        raise Conflict(_("榜单当前状态为“%(state)s”，不能%(step)s")
                       % {"state": challenge.get_state_display(),
                          "step": step_label(transition)}, code=BAD_TRANSITION)
    return transition


def _notify_poster(challenge: Challenge, title: str, body: str = "", kind: str = "") -> None:
    notify(recipients=_poster_users(challenge), title=title, body=body,
           url=_challenge_url(challenge), kind=kind)


@transaction.atomic
def challenge_submit(*, actor, challenge: Challenge, source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    _permit(actor=actor, challenge=challenge, action="submit")
    if challenge.claim_deadline <= _today():
        raise ValidationFailed({"claim_deadline": [
            _("揭榜截止日期：已过期，请修改为今天（%(today)s）之后")
            % {"today": f"{_today():%Y-%m-%d}"}]})
    _transition(actor=actor, challenge=challenge, action="submit", source=source)
    challenge.submitted_at = timezone.now()
    challenge.save(update_fields=["submitted_at"])
    notify(recipients=_staff_users(), title=f"待审核榜单：{challenge.title}",
           url=_challenge_url(challenge), kind="challenge.submitted")
    return challenge


def _require_text(value: str, field: str, label: str) -> str:
    """``value`` stripped, or a refusal naming the field by ``label`` (a msgid)."""
    value = (value or "").replace("\x00", "").strip()
    if not value:
        raise ValidationFailed({field: [_("%(label)s：必填") % {"label": _(label)}]})
    if len(value) > 2000:
        raise ValidationFailed({field: [_("%(label)s：不超过 %(n)s 个字")
                                        % {"label": _(label), "n": 2000}]})
    return value


@transaction.atomic
def challenge_return(*, actor, challenge: Challenge, comment: str,
                     source: str = "web") -> Challenge:
    comment = _require_text(comment, "comment", N_("退回意见"))
    challenge = _locked(challenge)
    _transition(actor=actor, challenge=challenge, action="return", note=comment[:300],
                extra_changes={"review_comment": [challenge.review_comment, comment]},
                source=source)
    challenge.review_comment = comment
    challenge.save(update_fields=["review_comment"])
    _notify_poster(challenge, f"榜单被退回修改：{challenge.title}", comment, "challenge.returned")
    return challenge


@transaction.atomic
def challenge_reject(*, actor, challenge: Challenge, reason: str,
                     source: str = "web") -> Challenge:
    reason = _require_text(reason, "reason", N_("不予发布的理由"))
    challenge = _locked(challenge)
    _transition(actor=actor, challenge=challenge, action="reject", note=reason[:300],
                extra_changes={"review_comment": [challenge.review_comment, reason]},
                source=source)
    challenge.review_comment = reason
    challenge.save(update_fields=["review_comment"])
    _notify_poster(challenge, f"榜单未通过审核：{challenge.title}", reason, "challenge.rejected")
    return challenge


@transaction.atomic
def challenge_publish(*, actor, challenge: Challenge, source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    _permit(actor=actor, challenge=challenge, action="publish")
    if challenge.claim_deadline <= _today():
        raise Conflict(_("揭榜截止日期 %(date)s 已过，请退回发榜方修改")
                       % {"date": f"{challenge.claim_deadline:%Y-%m-%d}"}, code=DEADLINE_PASSED)
    _check(challenge=challenge, action="publish", actors=access.actors_for(actor, challenge))
    blocking = screening.open_checks(challenge)
    if blocking:
        raise Conflict(_("发布前请处理审核筛查项：%(checks)s")
                       % {"checks": _("；").join(str(c.label) for c in blocking)},
                       code=SCREENING_OPEN, extra={"checks": [c.code for c in blocking]})
    _transition(actor=actor, challenge=challenge, action="publish", source=source)
    challenge.published_at = timezone.now()
    challenge.review_comment = ""
    challenge.save(update_fields=["published_at", "review_comment"])
    _notify_poster(challenge, f"榜单已张榜发布：{challenge.title}", kind="challenge.published")
    return challenge


#: states in which the organizer screens a listing (waives checks, assigns a domain)
SCREENING_STATES = ("draft", "submitted", "returned")


@transaction.atomic
def challenge_waive_check(*, actor, challenge: Challenge, code: str, reason: str,
                          source: str = "web") -> Challenge:
    """The organizer waives a screening check with a reason (须明确指标参数, an unreadable target
    kept as text, a time limit over 36 months as a justified exception). Audited."""
    challenge = _locked(challenge)
    if not access.is_board_staff(actor):
        if access.owns_challenge(actor, challenge) or challenge.state in VISIBLE_STATES:
            raise PermissionDenied(_("只有组织方工作人员可以豁免审核筛查项"))
        raise NotFound()
    spec = screening.SPECS.get(code)
    if spec is None or not spec.waivable:
        raise ValidationFailed({"code": [_("筛查项：该项不能豁免")]})
    reason = _require_text(reason, "reason", N_("豁免理由"))
    if len(reason) < 4:
        raise ValidationFailed({"reason": [_("豁免理由：请写明理由（至少 %(n)s 个字）") % {"n": 4}]})
    if challenge.state not in SCREENING_STATES:
        raise Conflict(_("榜单状态为“%(state)s”，不在审核阶段")
                       % {"state": challenge.get_state_display()}, code=NOT_SCREENING)
    if code not in {c.code for c in screening.checks_for(challenge)}:
        raise Conflict(_("该筛查项当前不适用于此榜单"), code=CHECK_NOT_OPEN)
    waiver = {"reason": reason, "by": actor.pk, "by_name": str(actor),
              "at": timezone.now().isoformat(timespec="seconds")}
    if code == "time_limit_over":
        waiver["value"] = challenge.time_limit_months
    old = (challenge.screening_waivers or {}).get(code)
    challenge.screening_waivers = {**(challenge.screening_waivers or {}), code: waiver}
    challenge.save(update_fields=["screening_waivers", "updated_at"])
    audit_record(actor=actor, action="update", instance=challenge,
                 changes={f"screening.{code}": [old, waiver]},
                 note=f"豁免筛查项：{spec.label}；理由：{reason}"[:300], source=source)
    return challenge


@transaction.atomic
def challenge_set_domains(*, actor, challenge: Challenge, domain: str,
                          secondary: list[str] | None = None, source: str = "web") -> Challenge:
    """The organizer gives a listing its primary domain (and secondary ones) at screening, or
    corrects them later. Audited."""
    challenge = _locked(challenge)
    if not access.is_board_staff(actor):
        if access.owns_challenge(actor, challenge) or challenge.state in VISIBLE_STATES:
            raise PermissionDenied(_("只有组织方工作人员可以指定领域"))
        raise NotFound()
    if challenge.state in ("closed", "withdrawn", "rejected"):
        raise Conflict(_("榜单状态为“%(state)s”，不能修改领域")
                       % {"state": challenge.get_state_display()}, code=NOT_EDITABLE)
    e = validation.Errors()
    primary, others = validation.clean_domains(
        {"domain": domain, "secondary_domains": secondary or []}, e)
    if not primary:
        e.add("domain", _("主领域：必填"))
    e.raise_if_any()
    before = snapshot(challenge, ("domain", "secondary_domains"))
    challenge.domain, challenge.secondary_domains = primary, others
    challenge.save(update_fields=["domain", "secondary_domains", "updated_at"])
    changes = audit_diff(before, {"domain": primary, "secondary_domains": others})
    if changes:
        audit_record(actor=actor, action="update", instance=challenge, changes=changes,
                     note="组织方指定领域", source=source)
    return challenge


def suggest_domain(challenge: Challenge) -> str | None:
    """A domain suggested from the listing's words (for the screening form)."""
    text = f"{challenge.title} {challenge.keywords} {challenge.statement}"
    scores: dict[str, int] = {}
    for word, code in validation.DOMAIN_HINTS.items():
        n = text.count(word)
        if n:
            scores[code] = scores.get(code, 0) + n * len(word)
    for label, code in ((str(d.label), d.value) for d in Domain):
        if label in text:
            scores[code] = scores.get(code, 0) + 10
    return max(scores, key=lambda c: (scores[c], c)) if scores else None


def _close_open_proposals(challenge: Challenge, *, actor, reason: str, source: str,
                          keep: Proposal | None = None) -> list[Proposal]:
    rows = list(Proposal.objects.filter(challenge=challenge, state__in=OPEN_PROPOSAL_STATES)
                .exclude(pk=keep.pk if keep else None).select_related("researcher__user"))
    for proposal in rows:
        old = proposal.state
        proposal.state = ProposalState.NOT_SELECTED
        proposal.save(update_fields=["state", "updated_at"])
        audit_record(actor=actor, action="transition", instance=proposal,
                     changes={"state": [old, proposal.state]}, note=reason, source=source)
    notify(recipients=[p.researcher.user for p in rows], title=f"揭榜结果：{challenge.title}",
           body=reason, url=_challenge_url(challenge), kind="proposal.not_selected")
    return rows


@transaction.atomic
def challenge_withdraw(*, actor, challenge: Challenge, reason: str = "",
                       source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    _transition(actor=actor, challenge=challenge, action="withdraw",
                note=(reason or "发榜方撤回")[:300], source=source)
    _close_open_proposals(challenge, actor=actor, reason="发榜方已撤回榜单", source=source)
    challenge.open_claims = 0
    challenge.save(update_fields=["open_claims"])
    notify(recipients=_staff_users(), title=f"榜单已撤回：{challenge.title}",
           url=_challenge_url(challenge), kind="challenge.withdrawn")
    return challenge


@transaction.atomic
def challenge_expire(*, actor, challenge: Challenge, source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    actors = access.actors_for(actor, challenge) if actor is not None else {lifecycle.SYSTEM}
    _permit(actor=actor, challenge=challenge, action="expire", actors=actors)
    if lifecycle.SYSTEM not in actors and challenge.claim_deadline >= _today():
        raise Conflict(_("揭榜截止日期未到，不能下榜"), code=DEADLINE_NOT_PASSED)
    _transition(actor=actor, challenge=challenge, action="expire", actors=actors, source=source)
    _close_open_proposals(challenge, actor=actor, reason="榜单已过揭榜截止日期", source=source)
    challenge.open_claims = 0
    challenge.save(update_fields=["open_claims"])
    _notify_poster(challenge, f"榜单已过期下榜：{challenge.title}", kind="challenge.expired")
    return challenge


def challenges_expire_due(*, today: dt.date | None = None) -> int:
    """Expire every published or claimed challenge whose deadline has passed and that nobody
    has been shortlisted for (a daily job)."""
    today = today or _today()
    ids = list(Challenge.objects.filter(state__in=["published", "claimed"],
                                        claim_deadline__lt=today).values_list("pk", flat=True))
    for pk in ids:
        challenge_expire(actor=None, challenge=Challenge(pk=pk), source="system")
    return len(ids)


@transaction.atomic
def challenge_contract(*, actor, challenge: Challenge, amount: Any, start: Any,
                       milestones: list[dict[str, Any]], amount_unit: Decimal = Decimal(1),
                       source: str = "web") -> Challenge:
    """Record the signed contract: amount, start date and its milestones (at least one)."""
    challenge = _locked(challenge)
    _check(challenge=challenge, action="contract", actors=access.actors_for(actor, challenge))
    e = validation.Errors()
    money = e.money({"amount": amount}, "amount", _("合同金额"), unit=amount_unit)
    start_on = e.date({"start": start}, "start", _("合同开始日期"))
    rows = []
    clean_rows = [m for m in (milestones or []) if isinstance(m, dict)
                  and any(str(v or "").strip() for v in m.values())]
    if not clean_rows:
        e.add("milestones", _("合同节点：至少填写一个节点（名称、计划完成日期）"))
    total = Decimal(0)
    for i, row in enumerate(clean_rows, start=1):
        sub = validation.Errors()
        title = sub.text(row, "title", _("第 %(i)s 个节点名称") % {"i": i}, max_length=120)
        due = sub.date(row, "due_on", _("第 %(i)s 个节点计划完成日期") % {"i": i})
        payment = sub.money(row, "payment", _("第 %(i)s 个节点拨付金额") % {"i": i}, required=False,
                            unit=amount_unit) or Decimal("0.00")
        if due and start_on and due < start_on:
            sub.add("due_on", _("第 %(i)s 个节点计划完成日期：不得早于合同开始日期") % {"i": i})
        total += payment
        for key, messages in sub.fields.items():
            for message in messages:
                e.add(f"milestones.{i}.{key}", message)
        rows.append(Milestone(position=i, title=title, due_on=due, payment=payment))
    if money is not None and total > money:
        e.add("milestones", _("合同节点：各节点拨付金额之和不得超过合同金额"))
    e.raise_if_any()
    _transition(actor=actor, challenge=challenge, action="contract",
                extra_changes={"contract_amount": [None, money],
                               "contract_start": [None, start_on]}, source=source)
    challenge.contract_amount, challenge.contract_start = money, start_on
    challenge.contracted_at = timezone.now()
    challenge.save(update_fields=["contract_amount", "contract_start", "contracted_at"])
    for m in rows:
        m.challenge = challenge
    Milestone.objects.bulk_create(rows)
    recipients = _poster_users(challenge) + _staff_users()
    if challenge.matched_proposal_id:
        recipients.append(challenge.matched_proposal.researcher.user)
    notify(recipients=recipients, title=f"合同已登记：{challenge.title}",
           url=_challenge_url(challenge), kind="challenge.contracted")
    from innolink.projects.hooks import challenge_changed  # the contract becomes a project (0502)
    challenge_changed(challenge.pk)
    return challenge


@transaction.atomic
def milestone_complete(*, actor, milestone: Milestone, note: str = "",
                       source: str = "web") -> Milestone:
    challenge = _locked(milestone.challenge)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    _permit(actor=actor, challenge=challenge, action="milestone")
    if milestone.state == Milestone.State.DONE:
        raise Conflict(_("该节点已完成"), code=MILESTONE_DONE)
    _transition(actor=actor, challenge=challenge, action="milestone",
                note=f"完成节点：{milestone.title}"[:300], source=source)
    milestone.state, milestone.done_at = Milestone.State.DONE, timezone.now()
    milestone.note = (note or "").strip()[:2000]
    milestone.save()
    audit_record(actor=actor, action="transition", instance=milestone,
                 changes={"state": ["pending", "done"]}, note=milestone.note[:300],
                 source=source)
    from innolink.projects.hooks import challenge_changed  # the project's milestone follows
    challenge_changed(challenge.pk)
    return milestone


@transaction.atomic
def challenge_accept(*, actor, challenge: Challenge, source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    _permit(actor=actor, challenge=challenge, action="accept")
    pending = challenge.milestones.filter(state=Milestone.State.PENDING).count()
    if pending and challenge.state in lifecycle.TRANSITIONS["accept"].sources:
        raise Conflict(_("还有 %(n)s 个合同节点未完成，不能验收") % {"n": pending},
                       code=MILESTONES_PENDING)
    _transition(actor=actor, challenge=challenge, action="accept", source=source)
    challenge.accepted_at = timezone.now()
    challenge.save(update_fields=["accepted_at"])
    notify(recipients=_poster_users(challenge) + _staff_users(),
           title=f"榜单已验收：{challenge.title}", url=_challenge_url(challenge),
           kind="challenge.accepted")
    from innolink.projects.hooks import challenge_changed  # the project's acceptance follows
    challenge_changed(challenge.pk)
    return challenge


@transaction.atomic
def challenge_close(*, actor, challenge: Challenge, source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    _transition(actor=actor, challenge=challenge, action="close", source=source)
    challenge.closed_at = timezone.now()
    challenge.save(update_fields=["closed_at"])
    _notify_poster(challenge, f"榜单已结项：{challenge.title}", kind="challenge.closed")
    return challenge


# --- programmes ----------------------------------------------------------------------------

PROGRAMME_FIELDS = ("name", "edition", "track", "organizer", "region", "eligibility", "source",
                    "rubric", "timeline")


@transaction.atomic
def programme_save(*, actor, programme: Programme | None, data: dict[str, Any],
                   source: str = "web") -> Programme:
    """Create or edit a contest / published list (organizer only). Audited."""
    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以管理赛事/榜单批次"))
    clean = validation.clean_programme(data)
    duplicate = Programme.objects.filter(name=clean["name"])
    if programme is not None:
        duplicate = duplicate.exclude(pk=programme.pk)
    if duplicate.exists():
        raise ValidationFailed({"name": [_("赛事/榜单名称：已存在同名记录")]})
    if programme is None:
        programme = Programme.objects.create(**clean)
        audit_record(actor=actor, action="create", instance=programme,
                     changes=audit_diff({}, clean), source=source)
        return programme
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = snapshot(programme, PROGRAMME_FIELDS)
    for key, value in clean.items():
        setattr(programme, key, value)
    programme.save()
    changes = audit_diff(before, clean)
    if changes:
        audit_record(actor=actor, action="update", instance=programme, changes=changes,
                     source=source)
    return programme


# --- proposals (claims) --------------------------------------------------------------------

def claim_refusal(challenge: Challenge, profile: ResearcherProfile) -> Conflict | None:
    """Why ``profile`` cannot claim ``challenge`` now (state, deadline, own claim, places), or
    None. The claim page reads it before showing the form; ``proposal_create`` raises it."""
    if challenge.state not in CLAIMABLE_STATES:
        return Conflict(_("榜单当前状态为“%(state)s”，不再接受揭榜")
                        % {"state": challenge.get_state_display()}, code=NOT_CLAIMABLE)
    if challenge.claim_deadline < _today():
        return Conflict(_("揭榜已于 %(date)s 截止")
                        % {"date": f"{challenge.claim_deadline:%Y-%m-%d}"}, code=DEADLINE_PASSED)
    if Proposal.objects.filter(challenge=challenge, researcher=profile,
                               state__in=[*OPEN_PROPOSAL_STATES, "matched"]).exists():
        return Conflict(_("您已揭榜此榜单，可在“我的揭榜”中查看"), code=ALREADY_CLAIMED)
    if challenge.open_claims >= challenge.max_claims:
        return Conflict(_("揭榜名额已满（共 %(n)s 个名额）") % {"n": challenge.max_claims},
                        code=NO_PLACES)
    return None


@transaction.atomic
def proposal_create(*, actor, challenge: Challenge, data: dict[str, Any],
                    budget_unit: Decimal = Decimal(1), source: str = "web") -> Proposal:
    """Claim (揭榜) a challenge. The challenge row is locked, so two researchers claiming the
    last open place at once are serialized and exactly one wins; a refused claim writes
    nothing and does not count."""
    if not access.is_researcher(actor):
        raise PermissionDenied(_("只有科研人员可以揭榜"))
    profile = ResearcherProfile.objects.filter(user=actor).first()
    if profile is None:
        raise ApplicationError(_("请先完善科研人员/团队信息，再揭榜"), code=PROFILE_MISSING)
    challenge = _locked(challenge)
    if challenge.state not in VISIBLE_STATES:  # before anything about the input or the state
        raise NotFound()
    refusal = claim_refusal(challenge, profile)  # before the form's fields: nothing to retype
    if refusal is not None:
        raise refusal
    clean = validation.clean_proposal(data, budget_unit=budget_unit,
                                      time_limit_months=challenge.time_limit_months)
    proposal = Proposal.objects.create(challenge=challenge, researcher=profile,
                                       submitted_by=actor, **clean)
    audit_record(actor=actor, action="create", instance=proposal,
                 changes=audit_diff({}, {**clean, "challenge": challenge.pk}), source=source)
    challenge.open_claims = F("open_claims") + 1
    challenge.save(update_fields=["open_claims", "updated_at"])
    challenge.refresh_from_db(fields=["open_claims"])
    if challenge.state == ChallengeState.PUBLISHED:
        _transition(actor=actor, challenge=challenge, action="claim", source=source,
                    actors={lifecycle.RESEARCHER})
    _notify_poster(challenge, f"新的揭榜方案：{challenge.title}",
                   f"{profile.name} 提交了揭榜方案", "proposal.submitted")
    notify(recipients=_staff_users(), title=f"新的揭榜方案：{challenge.title}",
           body=profile.name, url=_challenge_url(challenge), kind="proposal.submitted")
    return proposal


def _locked_proposal(proposal: Proposal) -> tuple[Challenge, Proposal]:
    challenge = _locked(proposal.challenge)
    return challenge, Proposal.objects.select_for_update(of=("self",)).select_related(
        "researcher__user").get(pk=proposal.pk)


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal, source: str = "web") -> Proposal:
    challenge, proposal = _locked_proposal(proposal)
    if proposal.researcher.user_id != getattr(actor, "pk", None):
        raise NotFound()
    if proposal.state not in OPEN_PROPOSAL_STATES:
        raise Conflict(_("方案状态为“%(state)s”，不能撤回")
                       % {"state": proposal.get_state_display()}, code=BAD_TRANSITION)
    old = proposal.state
    proposal.state = ProposalState.WITHDRAWN
    proposal.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": [old, proposal.state]}, source=source)
    challenge.open_claims = max(0, challenge.open_claims - 1)
    challenge.save(update_fields=["open_claims", "updated_at"])
    if challenge.open_claims == 0 and challenge.state == ChallengeState.CLAIMED:
        _transition(actor=actor, challenge=challenge, action="unclaim", source=source,
                    actors={lifecycle.SYSTEM})
    return proposal


def _staff_proposal_step(actor, proposal: Proposal) -> tuple[Challenge, Proposal]:
    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以遴选揭榜方案"))
    return _locked_proposal(proposal)


@transaction.atomic
def proposal_shortlist(*, actor, proposal: Proposal, note: str = "",
                       source: str = "web") -> Proposal:
    challenge, proposal = _staff_proposal_step(actor, proposal)
    if proposal.state != ProposalState.SUBMITTED:
        raise Conflict(_("方案状态为“%(state)s”，不能入围")
                       % {"state": proposal.get_state_display()}, code=BAD_TRANSITION)
    _transition(actor=actor, challenge=challenge, action="shortlist", source=source,
                note=f"入围：{proposal.researcher.name}"[:300])
    proposal.state = ProposalState.SHORTLISTED
    proposal.staff_note = (note or proposal.staff_note).strip()[:2000]
    proposal.save(update_fields=["state", "staff_note", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": ["submitted", "shortlisted"]}, note=note[:300],
                 source=source)
    notify(recipients=[proposal.researcher.user], title=f"您的揭榜方案已入围：{challenge.title}",
           url=_challenge_url(challenge), kind="proposal.shortlisted")
    _notify_poster(challenge, f"揭榜方案入围：{challenge.title}", proposal.researcher.name,
                   "proposal.shortlisted")
    return proposal


@transaction.atomic
def proposal_match(*, actor, proposal: Proposal, source: str = "web") -> Proposal:
    """对接成功: this proposal is chosen; the other open proposals are not selected."""
    challenge, proposal = _staff_proposal_step(actor, proposal)
    if proposal.state != ProposalState.SHORTLISTED:
        raise Conflict(_("只有入围的方案可以确认对接成功"), code=BAD_TRANSITION)
    _transition(actor=actor, challenge=challenge, action="match", source=source,
                note=f"对接成功：{proposal.researcher.name}"[:300],
                extra_changes={"matched_proposal": [None, proposal.pk]})
    proposal.state = ProposalState.MATCHED
    proposal.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": ["shortlisted", "matched"]}, source=source)
    _close_open_proposals(challenge, actor=actor, reason="榜单已与其他方案对接成功",
                          source=source, keep=proposal)
    challenge.matched_proposal = proposal
    challenge.matched_at = timezone.now()
    challenge.open_claims = 0
    challenge.save(update_fields=["matched_proposal", "matched_at", "open_claims"])
    notify(recipients=[proposal.researcher.user], title=f"对接成功：{challenge.title}",
           body="发榜方联系方式已向您开放", url=_challenge_url(challenge),
           kind="proposal.matched")
    _notify_poster(challenge, f"对接成功：{challenge.title}", proposal.researcher.name,
                   "challenge.matched")
    return proposal


@transaction.atomic
def proposal_decline(*, actor, proposal: Proposal, note: str = "",
                     source: str = "web") -> Proposal:
    challenge, proposal = _staff_proposal_step(actor, proposal)
    if proposal.state not in OPEN_PROPOSAL_STATES:
        raise Conflict(_("方案状态为“%(state)s”，不能标记为未入选")
                       % {"state": proposal.get_state_display()}, code=BAD_TRANSITION)
    old = proposal.state
    proposal.state = ProposalState.NOT_SELECTED
    proposal.staff_note = (note or "").strip()[:2000]
    proposal.save(update_fields=["state", "staff_note", "updated_at"])
    audit_record(actor=actor, action="transition", instance=proposal,
                 changes={"state": [old, proposal.state]}, note=note[:300], source=source)
    challenge.open_claims = max(0, challenge.open_claims - 1)
    challenge.save(update_fields=["open_claims", "updated_at"])
    notify(recipients=[proposal.researcher.user], title=f"揭榜结果：{challenge.title}",
           body=note, url=_challenge_url(challenge), kind="proposal.not_selected")
    return proposal


# --- researcher profiles -------------------------------------------------------------------

@transaction.atomic
def researcher_profile_save(*, actor, data: dict[str, Any],
                            source: str = "web") -> ResearcherProfile:
    """Create or update the actor's own profile. The institution is the user's own."""
    if not access.is_researcher(actor):
        raise PermissionDenied(_("只有科研人员可以登记科研人员/团队信息"))
    clean = validation.clean_profile(data)
    if clean["email"] and ResearcherProfile.objects.filter(email=clean["email"]).exclude(
            user=actor).exists():
        raise ValidationFailed({"email": [_("邮箱：已被其他科研人员使用")]})
    profile = ResearcherProfile.objects.select_for_update().filter(user=actor).first()
    if profile is None:
        profile = ResearcherProfile(user=actor, institution_id=actor.institution_id, **clean)
        profile.save()
        audit_record(actor=actor, action="create", instance=profile,
                     changes=audit_diff({}, clean), source=source)
        return profile
    before = snapshot(profile, list(clean))
    for key, value in clean.items():
        setattr(profile, key, value)
    profile.institution_id = actor.institution_id
    profile.save()
    changes = audit_diff(before, clean)
    if changes:
        audit_record(actor=actor, action="update", instance=profile, changes=changes,
                     source=source)
    return profile


# --- technology offers ---------------------------------------------------------------------

#: action -> (from states, to state, who, label); the label is a msgid in context
#: ``OFFER_STEP_CONTEXT`` (``offer_step_label``), stored as it is in audit notes
OFFER_TRANSITIONS = {
    "submit": ({"draft", "returned"}, "submitted", "owner", "提交审核"),
    "return": ({"submitted"}, "returned", "staff", "退回修改"),
    "reject": ({"submitted"}, "rejected", "staff", "不予发布"),
    "publish": ({"submitted"}, "published", "staff", "发布"),
    "withdraw": ({"draft", "submitted", "returned", "published"}, "withdrawn", "owner", "撤回"),
    "close": ({"published"}, "closed", "owner staff", "关闭"),
}


@transaction.atomic
def offer_create(*, actor, data: dict[str, Any], price_unit: Decimal = Decimal(1),
                 source: str = "web") -> TechnologyOffer:
    if not access.can_post_offer(actor):
        raise PermissionDenied(_("只有科研人员和组织方工作人员可以发布拟转化成果"))
    clean = validation.clean_offer(data, price_unit=price_unit)
    researcher = ResearcherProfile.objects.filter(user=actor).first() \
        if access.is_researcher(actor) else None
    institution_id = actor.institution_id if access.is_researcher(actor) \
        else data.get("institution_id")
    if not institution_id or not Institution.objects.filter(pk=institution_id).exists():
        raise ValidationFailed({"institution_id": [_("所属机构：请选择成果所属机构")]})
    offer = TechnologyOffer(**clean, researcher=researcher, institution_id=institution_id,
                            created_by=actor)
    offer.search_text = search.search_text(offer.title, offer.keywords, offer.summary,
                                           offer.applications)
    offer.save()
    audit_record(actor=actor, action="create", instance=offer, changes=audit_diff({}, clean),
                 source=source)
    return offer


@transaction.atomic
def offer_update(*, actor, offer: TechnologyOffer, data: dict[str, Any],
                 price_unit: Decimal = Decimal(1), source: str = "web") -> TechnologyOffer:
    offer = TechnologyOffer.objects.select_for_update().get(pk=offer.pk)
    if not access.owns_offer(actor, offer):
        raise NotFound()
    if offer.state not in ("draft", "returned"):
        raise Conflict(_("只有草稿或退回修改的成果可以编辑"), code=NOT_EDITABLE)
    clean = validation.clean_offer(data, price_unit=price_unit)
    before = snapshot(offer, list(clean))
    for key, value in clean.items():
        setattr(offer, key, value)
    offer.search_text = search.search_text(offer.title, offer.keywords, offer.summary,
                                           offer.applications)
    offer.save()
    changes = audit_diff(before, clean)
    if changes:
        audit_record(actor=actor, action="update", instance=offer, changes=changes,
                     source=source)
    return offer


@transaction.atomic
def offer_submit(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The owner sends a draft (or a returned offer) to the staff for review."""
    return _offer_transition(actor=actor, offer=offer, action="submit", source=source)


@transaction.atomic
def offer_return(*, actor, offer: TechnologyOffer, comment: str,
                 source: str = "web") -> TechnologyOffer:
    """The staff send a submitted offer back for changes, saying why."""
    return _offer_transition(actor=actor, offer=offer, action="return", comment=comment,
                             source=source)


@transaction.atomic
def offer_reject(*, actor, offer: TechnologyOffer, comment: str,
                 source: str = "web") -> TechnologyOffer:
    """The staff refuse to publish a submitted offer, saying why."""
    return _offer_transition(actor=actor, offer=offer, action="reject", comment=comment,
                             source=source)


@transaction.atomic
def offer_publish(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The staff publish a submitted offer on the offers board."""
    return _offer_transition(actor=actor, offer=offer, action="publish", source=source)


@transaction.atomic
def offer_withdraw(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The owner takes an offer back (from draft up to published)."""
    return _offer_transition(actor=actor, offer=offer, action="withdraw", source=source)


@transaction.atomic
def offer_close(*, actor, offer: TechnologyOffer, source: str = "web") -> TechnologyOffer:
    """The owner or the staff close a published offer."""
    return _offer_transition(actor=actor, offer=offer, action="close", source=source)


def _offer_transition(*, actor, offer: TechnologyOffer, action: str, comment: str = "",
                      source: str = "web") -> TechnologyOffer:
    """One step of ``OFFER_TRANSITIONS`` (inside the caller's transaction)."""
    offer = TechnologyOffer.objects.select_for_update().get(pk=offer.pk)
    sources, target, who, label = OFFER_TRANSITIONS[action]
    roles = set()
    if access.owns_offer(actor, offer):
        roles.add("owner")
    if access.is_board_staff(actor):
        roles.add("staff")
    if not roles:
        raise NotFound()
    if not roles & set(who.split()):
        raise PermissionDenied(_("您无权对此成果执行“%(step)s”")
                               % {"step": offer_step_label(action)})
    if offer.state not in sources:
        raise Conflict(_("成果当前状态为“%(state)s”，不能%(step)s")
                       % {"state": offer.get_state_display(), "step": offer_step_label(action)},
                       code=BAD_TRANSITION)
    if action in ("return", "reject"):
        comment = _require_text(comment, "comment", N_("审核意见"))
    old = offer.state
    offer.state = target
    if action in ("return", "reject"):
        offer.review_comment = comment
    if action == "publish":
        offer.published_at = timezone.now()
    offer.save()
    audit_record(actor=actor, action="transition", instance=offer,
                 changes={"state": [old, target]}, note=(comment or label)[:300], source=source)
    url = reverse("challenges:offer-detail", args=[offer.pk])
    if action == "submit":
        notify(recipients=_staff_users(), title=f"待审核成果：{offer.title}", url=url,
               kind="offer.submitted")
    elif "staff" in roles and offer.created_by_id:
        notify(recipients=[offer.created_by], title=f"成果{label}：{offer.title}", body=comment,
               url=url, kind=f"offer.{action}")
    return offer


def _offer_side_users(offer: TechnologyOffer) -> list[User]:
    users = [offer.created_by] if offer.created_by_id else []
    if offer.researcher_id and offer.researcher.user_id:
        users.append(offer.researcher.user)
    return users


@transaction.atomic
def offer_interest_create(*, actor, offer: TechnologyOffer, message: str,
                          source: str = "web") -> OfferInterest:
    """An enterprise expresses interest; the first message opens the conversation."""
    if not access.can_express_interest(actor):
        raise PermissionDenied(_("只有企业用户可以表达合作意向"))
    offer = TechnologyOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state not in (OfferState.PUBLISHED, OfferState.CLOSED):  # not visible to them
        raise NotFound()
    message = _require_text(message, "message", N_("意向说明"))
    if offer.state != OfferState.PUBLISHED:
        raise Conflict(_("该成果未处于发布状态，不能表达意向"), code=NOT_PUBLISHED)
    if OfferInterest.objects.filter(offer=offer, enterprise_id=actor.enterprise_id).exists():
        raise Conflict(_("贵企业已表达过意向，请在洽谈记录中继续沟通"), code=ALREADY_INTERESTED)
    interest = OfferInterest.objects.create(offer=offer, enterprise_id=actor.enterprise_id,
                                            created_by=actor)
    ConversationMessage.objects.create(interest=interest, author=actor, body=message)
    audit_record(actor=actor, action="create", instance=interest,
                 changes={"offer": [None, offer.pk], "enterprise": [None, actor.enterprise_id]},
                 source=source)
    notify(recipients=_offer_side_users(offer), title=f"企业对您的成果表达了合作意向：{offer.title}",
           body=message[:200], url=reverse("challenges:interest-detail", args=[interest.pk]),
           kind="offer.interest")
    return interest


def interest_sides(user, interest: OfferInterest) -> set[str]:
    sides = set()
    if access.can_express_interest(user) and user.enterprise_id == interest.enterprise_id:
        sides.add("enterprise")
    offer = interest.offer
    if user.is_authenticated and (offer.created_by_id == user.pk or (
            offer.researcher_id and offer.researcher.user_id == user.pk)):
        sides.add("offer")
    return sides


@transaction.atomic
def conversation_message_add(*, actor, interest: OfferInterest, body: str,
                             source: str = "web") -> ConversationMessage:
    interest = OfferInterest.objects.select_for_update(of=("self",)).select_related(
        "offer__researcher").get(pk=interest.pk)
    sides = interest_sides(actor, interest)
    if not sides:
        raise NotFound()
    if interest.state != OfferInterest.State.OPEN:
        raise Conflict(_("洽谈已结束"), code=CLOSED)
    body = _require_text(body, "body", N_("消息内容"))
    message = ConversationMessage.objects.create(interest=interest, author=actor, body=body)
    audit_record(actor=actor, action="create", instance=message,
                 changes={"interest": [None, interest.pk]}, source=source)
    if "enterprise" in sides:
        recipients = _offer_side_users(interest.offer)
    else:
        recipients = list(User.objects.filter(enterprise_id=interest.enterprise_id,
                                              role=Role.ENTERPRISE, is_active=True))
    notify(recipients=[u for u in recipients if u.pk != actor.pk],
           title=f"洽谈新消息：{interest.offer.title}", body=body[:200],
           url=reverse("challenges:interest-detail", args=[interest.pk]), kind="offer.message")
    return message


# --- attachments ---------------------------------------------------------------------------

@transaction.atomic
def attachment_add(*, actor, upload, kind: str, challenge: Challenge | None = None,
                   proposal: Proposal | None = None, offer: TechnologyOffer | None = None,
                   source: str = "web") -> Attachment:
    """Attach a checked file to a record the actor may edit (type by extension and content,
    size at most 10 MB)."""
    if challenge is not None:
        if not access.owns_challenge(actor, challenge):
            raise NotFound()
        if challenge.state not in lifecycle.EDITABLE_STATES:
            raise Conflict(_("只有草稿或退回修改的榜单可以添加附件"), code=NOT_EDITABLE)
    elif proposal is not None:
        if proposal.researcher.user_id != actor.pk:
            raise NotFound()
        if proposal.state not in OPEN_PROPOSAL_STATES:
            raise Conflict(_("该方案已结束，不能添加附件"), code=NOT_EDITABLE)
    elif offer is not None:
        if not access.owns_offer(actor, offer):
            raise NotFound()
    else:
        raise ApplicationError(_("附件必须属于一条记录"))
    head = upload.read(16)
    upload.seek(0)
    name, content_type = validation.clean_attachment(name=upload.name or "", head=head,
                                                     size=upload.size or 0, kind=kind)
    attachment = Attachment(challenge=challenge, proposal=proposal, offer=offer, kind=kind,
                            original_name=name, content_type=content_type, size=upload.size,
                            uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    owner = challenge or proposal or offer
    audit_record(actor=actor, action="update", instance=owner,
                 changes={"attachments": [None, f"{name} ({upload.size} B)"]}, source=source)
    return attachment


# --- researcher import ---------------------------------------------------------------------

IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_BYTES = 10 * 1024 * 1024
#: A check (dry run) of a file up to this size answers within the request: about 1,300 rows,
#: under half a second (docs/performance/challenge_board.md). Larger checks and every real
#: import run as a background job with progress (decision 0312). An .xlsx is compressed and
#: slower to read, so its limit is lower.
IMPORT_SYNC_CHECK_MAX_BYTES = {"csv": 256 * 1024, "txt": 256 * 1024, "xlsx": 64 * 1024}
IMPORT_PREVIEW_ROWS = 50


def _noop(*_args, **_kwargs) -> None:
    return None


def _import_suffix(filename: str) -> str:
    return filename.lower().rsplit(".", 1)[-1] if "." in filename else ""


def researcher_import_check_is_quick(*, filename: str, size: int) -> bool:
    """Whether a check of this file may run within the request (small files only)."""
    return size <= IMPORT_SYNC_CHECK_MAX_BYTES.get(_import_suffix(filename), 0)


def researcher_import(*, actor, content: bytes, filename: str, commit: bool,
                      source: str = "import", progress=_noop) -> dict[str, Any]:
    """Check a researcher file and, when ``commit`` and the file is clean, upsert it by e-mail
    in one transaction. All or nothing: a file with any error writes nothing. Returns
    ``{rows, created, updated, unchanged, committed, errors, error_count, preview}``.

    ``progress(done, total, message, force=...)`` hears the phases (a job's ``Progress``):
    reading, checking row by row, then writing as one step, outside the write transaction.
    """
    from innolink.challenges import importing
    from innolink.core.audit import audit_record_many

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    progress(0, None, N_("读取文件"), force=True)
    from innolink.challenges.models import ImportColumnMapping

    try:
        columns, rows = importing.read_rows(
            content, filename, max_bytes=IMPORT_MAX_BYTES, max_rows=IMPORT_MAX_ROWS,
            on_rows=lambda n: progress(0, None, N_("读取文件：已读 %(n)s 行"), params={"n": n},
                                      force=True),
            remembered=importing.remembered_mapping(ImportColumnMapping.Kind.RESEARCHERS))
    except importing.ImportFileError as exc:  # keeps its msgid for the job's failure (0761)
        raise exc.as_application_error() from exc
    total = len(rows)
    # The check is the first half of a real import and the whole of a dry run.
    share = (lambda n: n // 2) if commit else (lambda n: n)
    progress(0, total, N_("检查数据"), force=True)
    institutions = dict(Institution.objects.values_list("name", "pk"))
    checked = importing.check_rows(
        columns, rows, institutions,
        on_rows=lambda n: progress(share(n), total, N_("检查数据：第 %(n)s 行"), params={"n": n},
                                   force=True))
    outcome: dict[str, Any] = {"rows": checked.rows, "created": 0, "updated": 0,
                               "unchanged": 0, "committed": False,
                               "errors": [e.as_dict() for e in checked.errors],
                               "error_count": len(checked.errors), "preview": []}
    progress(share(total), total,
             N_("已检查 %(n)s 行，发现 %(e)s 个问题"),
             params={"n": total, "e": len(checked.errors)}, force=True)
    if not checked.ok:
        return outcome
    emails = [r["email"] for r in checked.records if r["email"]]
    existing: dict[str, ResearcherProfile] = {}
    for start in range(0, len(emails), 900):
        for profile in ResearcherProfile.objects.filter(email__in=emails[start:start + 900]):
            existing[profile.email] = profile
    # rows without an e-mail are the same person as a profile of that name and institution
    names = [r["name"] for r in checked.records if not r["email"]]
    by_name: dict[tuple[str, int | None], ResearcherProfile] = {}
    for start in range(0, len(names), 900):
        for profile in ResearcherProfile.objects.filter(email="",
                                                        name__in=names[start:start + 900]):
            by_name.setdefault((profile.name, profile.institution_id), profile)
    new_institutions = {r["new_institution"]["name"]: r["new_institution"]
                        for r in checked.records if r.get("new_institution")}
    outcome["new_institutions"] = sorted(new_institutions)
    new, changed = [], []
    for record in checked.records:
        record = dict(record)
        row = record.pop("row")
        record.pop("new_institution", None)
        if record["email"]:
            profile = existing.get(record["email"])
        else:
            profile = by_name.get((record["name"], record["institution_id"]))
        if profile is None:
            new.append((record, row))
            if len(outcome["preview"]) < IMPORT_PREVIEW_ROWS:
                outcome["preview"].append({"row": row, "name": record["name"],
                                           "email": record["email"], "action": "create",
                                           "fields": []})
            continue
        if record["institution_id"] is None:
            record["institution_id"] = profile.institution_id
        before = snapshot(profile, list(record))
        diff = audit_diff(before, record)
        if diff:
            for key, value in record.items():
                setattr(profile, key, value)
            changed.append((profile, diff))
            if len(outcome["preview"]) < IMPORT_PREVIEW_ROWS:
                outcome["preview"].append({"row": row, "name": record["name"],
                                           "email": record["email"], "action": "update",
                                           "fields": sorted(diff)})
        else:
            outcome["unchanged"] += 1
    outcome["created"], outcome["updated"] = len(new), len(changed)
    if commit:
        progress(share(total), total, N_("写入数据库"), force=True)
        with transaction.atomic():
            made: dict[str, int] = {}
            for spec in new_institutions.values():
                province, city = _split_region(spec["region"])
                inst, created_inst = Institution.objects.get_or_create(
                    name=spec["name"], defaults={"kind": spec["kind"], "province": province,
                                                 "city": city})
                made[spec["name"]] = inst.pk
                if created_inst:
                    audit_record(actor=actor, action="create", instance=inst,
                                 changes={"name": [None, inst.name], "kind": [None, inst.kind]},
                                 source=source)
            by_row = {r["row"]: r for r in checked.records}
            objects = []
            for record, row in new:
                spec = by_row[row].get("new_institution")
                if spec:
                    record["institution_id"] = made[spec["name"]]
                objects.append(ResearcherProfile(**record))
            created = ResearcherProfile.objects.bulk_create(objects, batch_size=500)
            if changed:
                ResearcherProfile.objects.bulk_update(
                    [p for p, _ in changed], fields=[k for k in validation_profile_fields()]
                    + ["institution"], batch_size=500)
            audit_record_many(actor=actor, action="create",
                              items=[(p, audit_diff({}, {"email": p.email, "name": p.name}))
                                     for p in created], source=source)
            audit_record_many(actor=actor, action="update", items=changed, source=source)
        outcome["committed"] = True
    progress(total, total, N_("完成"), force=True)
    return outcome


@transaction.atomic
def researcher_import_start(*, actor, content: bytes, filename: str, commit: bool,
                            source: str = "web"):
    """Keep the uploaded file and start the import as a background job (a check unless
    ``commit``); the job page follows its progress. The file is stored the way the registry
    import stores its own (``MEDIA_ROOT/imports/``) and removed by the job once nothing can use
    it any more. Refuses a file that is too large or of the wrong type before storing it."""
    from innolink.core.jobs import job_start
    from innolink.enterprises.tasks import store_upload

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    if len(content) > IMPORT_MAX_BYTES:
        raise ApplicationError(_("文件过大：上限 %(mb)s MB") % {"mb": IMPORT_MAX_BYTES // 1048576},
                               code=IMPORT_TOO_LARGE)
    suffix = _import_suffix(filename)
    if suffix not in ("xlsx", "csv", "txt"):
        raise ApplicationError(_("只支持 .xlsx 和 .csv 文件"), code=IMPORT_BAD_TYPE)
    from innolink.enterprises.importing import ImportFileError, check_upload

    try:
        check_upload(content, filename)
    except ImportFileError as exc:
        raise ApplicationError(exc.reason, code=exc.code) from exc
    stored = store_upload(content, suffix)
    title = N_("导入科研人员：%(file)s") if commit else N_("检查科研人员：%(file)s")
    return job_start(kind=RESEARCHER_IMPORT_KIND, title=title, title_params={"file": filename},
                     user=actor,
                     params={"stored_as": stored, "filename": filename, "commit": commit,
                             "source": source})


def researcher_import_now_or_later(*, actor, content: bytes, filename: str, commit: bool,
                                   source: str = "web") -> dict[str, Any] | Job:
    """Check a small file now (its outcome, nothing written), or start a background job: an
    import (``commit``), or the check of a file too large for the request. The one place that
    decides, for the page and the API."""
    if commit or not researcher_import_check_is_quick(filename=filename, size=len(content)):
        return researcher_import_start(actor=actor, content=content, filename=filename,
                                       commit=commit, source=source)
    return researcher_import(actor=actor, content=content, filename=filename, commit=False,
                             source=source)


@transaction.atomic
def researcher_import_commit(*, actor, job):
    """Import the file of a finished, clean check job as a new job. A check is imported once:
    the check job records the import job it started, and a second confirmation is refused."""
    from innolink.core.jobs import job_start
    from innolink.core.models import Job

    if not access.is_board_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以批量导入科研人员"))
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.kind != RESEARCHER_IMPORT_KIND or job.params.get("commit") or not job.is_finished:
        raise Conflict(_("只能确认已完成的检查"), code=IMPORT_NOT_CHECKED)
    if job.status != Job.Status.SUCCEEDED or job.result.get("error_count"):
        raise Conflict(_("检查发现问题，请修改文件后重新上传"), code=IMPORT_HAS_ERRORS)
    if job.result.get("import_job"):
        raise Conflict(_("这份检查已经确认导入过"), code=IMPORT_ALREADY_STARTED)
    started = job_start(kind=RESEARCHER_IMPORT_KIND, title=N_("导入科研人员：%(file)s"),
                        title_params={"file": job.params.get("filename", "")}, user=actor, params={**job.params, "commit": True,
                                            "checked_by_job": str(job.pk)})
    Job.objects.filter(pk=job.pk).update(result={**job.result, "import_job": str(started.pk)})
    return started


def validation_profile_fields() -> list[str]:
    return ["kind", "name", "title", "email", "phone", "station_kind", "station", "discipline",
            "research_fields", "keywords", "achievements", "availability", "domains", "members",
            "region", "trl", "discipline_codes"]


def _split_region(region: str) -> tuple[str, str]:
    """"山东省烟台市" -> ("山东省", "烟台市"); a region without 省 is all city."""
    region = (region or "").strip()
    for mark in ("自治区", "省"):
        if mark in region:
            head, _, tail = region.partition(mark)
            return (head + mark)[:32], tail[:64]
    if region[:2] in ("北京", "天津", "上海", "重庆"):
        return region[:3].rstrip("市") + "市", region[3:][:64]
    return "", region[:64]
