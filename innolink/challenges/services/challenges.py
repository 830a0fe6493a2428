"""Challenges (榜单): create and edit, submit and screen, publish, withdraw and expire,
the contract and its milestones, acceptance and close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.challenges import access, lifecycle, screening, search, validation
from innolink.challenges.models import (
    Domain,
    Issuer,
    Programme,
    VISIBLE_STATES,
    Challenge,
    ChallengeState,
    ChallengeTerm,
    IndicatorTarget,
    Milestone,
)
from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, NotFound, PermissionDenied, \
    ValidationFailed
from innolink.core.notifications import notify
from innolink.enterprises.models import Enterprise
from innolink.challenges.errors import (
    CHECK_NOT_OPEN,
    DEADLINE_NOT_PASSED,
    DEADLINE_PASSED,
    MILESTONES_PENDING,
    MILESTONE_DONE,
    NOT_EDITABLE,
    NOT_SCREENING,
    SCREENING_OPEN,
)

from innolink.challenges.services._common import (
    _challenge_url,
    _check,
    _close_open_proposals,
    _locked,
    _notify_poster,
    _permit,
    _poster_users,
    _require_text,
    _staff_users,
    _today,
    _transition,
)


CHALLENGE_FIELDS = ("title", "domain", "secondary_domains", "statement", "keywords",
                    "funding_kind", "funding", "funding_max", "prize_schedule", "payment_terms",
                    "time_limit_months", "ip_ownership", "ip_enterprise_share", "ip_notes",
                    "other_conditions", "claim_deadline", "max_claims", "contact_name",
                    "contact_phone", "contact_email", "external_ref", "source", "solver_eligibility",
                    "solver_region", "disciplines", "solver_types", "trl_min", "trl_max",
                    "issuer_id", "programme_id")
INDICATOR_FIELDS = ("name", "comparator", "value", "value_max", "unit", "test_method",
                    "raw_text", "needs_review")


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
    notify(recipients=_staff_users(), title=N_("待审核榜单：%(t)s"), params={"t": challenge.title},
           url=_challenge_url(challenge), kind="challenge.submitted")
    return challenge


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
    _notify_poster(challenge, N_("榜单被退回修改：%(t)s"), comment, "challenge.returned")
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
    _notify_poster(challenge, N_("榜单未通过审核：%(t)s"), reason, "challenge.rejected")
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
    _notify_poster(challenge, N_("榜单已张榜发布：%(t)s"), kind="challenge.published")
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


@transaction.atomic
def challenge_withdraw(*, actor, challenge: Challenge, reason: str = "",
                       source: str = "web") -> Challenge:
    challenge = _locked(challenge)
    _transition(actor=actor, challenge=challenge, action="withdraw",
                note=(reason or "发榜方撤回")[:300], source=source)
    _close_open_proposals(challenge, actor=actor, reason="发榜方已撤回榜单", source=source)
    challenge.open_claims = 0
    challenge.save(update_fields=["open_claims"])
    notify(recipients=_staff_users(), title=N_("榜单已撤回：%(t)s"), params={"t": challenge.title},
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
    _notify_poster(challenge, N_("榜单已过期下榜：%(t)s"), kind="challenge.expired")
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
    notify(recipients=recipients, title=N_("合同已登记：%(t)s"), params={"t": challenge.title},
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
           title=N_("榜单已验收：%(t)s"), params={"t": challenge.title}, url=_challenge_url(challenge),
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
    _notify_poster(challenge, N_("榜单已结项：%(t)s"), kind="challenge.closed")
    return challenge
