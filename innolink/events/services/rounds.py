"""Judging rounds: create and edit, entries and reviewers, assignment, scores, results
and awards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record, audit_record_many, snapshot
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.core.notifications import notify
from innolink.events import selectors
from innolink.events.models import (
    AssignmentState,
    Award,
    AwardLevel,
    Criterion,
    JudgingRound,
    ResultRow,
    ReviewAssignment,
    ReviewerProfile,
    RoundEntry,
    RoundReviewer,
    RoundState,
    Score,
)
from innolink.events.services._common import (
    TWO,
    _fail,
    _int_in,
    _staff,
    _staff_users,
    _text,
    _unknown,
)
from innolink.events.errors import (
    ALREADY_ENTERED,
    ALREADY_JOINED,
    ALREADY_SCORING,
    ASSIGNMENTS_EXCEED_K,
    NOT_FINALISED,
    NOT_REVIEWED,
    NOT_SCORING,
    NO_ASSIGNMENTS,
    NO_CRITERIA,
    NO_ENTRIES,
    NO_REVIEWERS,
    ROUND_FINALISED,
    ROUND_SCORING,
    SCORES_MISSING,
)

DEFAULT_RUBRIC = (("技术可行性", Decimal(30), "技术路线是否可行，指标能否达到"),
                  ("创新性", Decimal(30), "与现有方案相比的新颖程度"),
                  ("团队能力", Decimal(20), "团队的专业背景、前期成果与投入"),
                  ("预算合理性", Decimal(20), "经费预算与实施计划是否匹配"))


def _criteria_rows(criteria: Iterable[Any] | None) -> list[tuple[str, Decimal, str]]:
    if criteria is None:
        return list(DEFAULT_RUBRIC)
    rows: list[tuple[str, Decimal, str]] = []
    for i, c in enumerate(criteria, start=1):
        if isinstance(c, dict):
            name, points, guidance = c.get("name", ""), c.get("max_points"), c.get("guidance", "")
        else:
            name, points, guidance = (list(c) + ["", "", ""])[:3]
        name = (name or "").strip()
        if not name:
            raise _fail("criteria", _("第 %(n)s 个评分项缺少名称") % {"n": i})
        if len(name) > 60:
            raise _fail("criteria", _("评分项“%(name)s…”名称不能超过 60 个字") % {"name": name[:20]})
        try:
            value = Decimal(str(points)).quantize(TWO)
        except (InvalidOperation, ValueError):
            raise _fail("criteria", _("评分项“%(name)s”的满分必须是数字") % {"name": name}) from None
        if not Decimal("0.5") <= value <= Decimal(100):
            raise _fail("criteria", _("评分项“%(name)s”的满分应在 0.5 到 100 之间") % {"name": name})
        rows.append((name, value, (guidance or "").strip()[:300]))
    if not rows:
        raise _fail("criteria", _("评分细则至少需要一个评分项"))
    if len(rows) > 12:
        raise _fail("criteria", _("评分项最多 12 个"))
    if len({r[0] for r in rows}) != len(rows):
        raise _fail("criteria", _("评分项名称不能重复"))
    return rows


@transaction.atomic
def round_create(*, actor, title: str, reviewers_per_entry: int = 3, default_max_load: int = 8,
                 description: str = "", scoring_deadline: dt.date | None = None,
                 criteria: Iterable[Any] | None = None, is_demo: bool = False,
                 programme_id: int | None = None, source: str = "web") -> JudgingRound:
    """A judging round with its rubric. Without criteria the rubric is the judged programme's
    (weighted criteria of the contest, decision 0352) when the round judges one, else the
    default: 技术可行性 30, 创新性 30, 团队能力 20, 预算合理性 20."""
    _staff(actor)
    programme = None
    if programme_id:
        from innolink.challenges.models import Programme

        programme = Programme.objects.filter(pk=programme_id).first()
        if programme is None:
            raise _fail("programme_id", _("评审的赛事/榜单批次不存在"))
        if criteria is None and programme.rubric:
            criteria = [(r["name"], r["weight"], r.get("guidance", ""))
                        for r in programme.rubric]
    title = (title or "").strip()
    if not title:
        raise _fail("title", _("请填写轮次名称"))
    if len(title) > 120:
        raise _fail("title", _("轮次名称不能超过 120 个字"))
    k = _int_in(reviewers_per_entry, "reviewers_per_entry", N_("每个方案的评审专家数"), 1, 15)
    load = _int_in(default_max_load, "default_max_load", N_("每位专家评审上限"), 1, 200)
    if scoring_deadline is not None and scoring_deadline < timezone.localdate() and not is_demo:
        raise _fail("scoring_deadline", _("评分截止日期不能早于今天"))
    rows = _criteria_rows(criteria)
    rnd = JudgingRound.objects.create(title=title, description=description,
                                      reviewers_per_entry=k, default_max_load=load,
                                      scoring_deadline=scoring_deadline, is_demo=is_demo,
                                      programme=programme,
                                      created_by=actor if getattr(actor, "pk", None) else None)
    Criterion.objects.bulk_create([Criterion(round=rnd, position=i, name=n, max_points=p,
                                             guidance=g) for i, (n, p, g) in enumerate(rows)])
    audit_record(actor=actor, action="create", instance=rnd, source=source, changes={
        "title": [None, title], "reviewers_per_entry": [None, k], "default_max_load": [None, load],
        "programme": [None, programme.name if programme else None],
        "criteria": [None, [f"{n} {p}" for n, p, _ in rows]]})
    return rnd


def _open_round(rnd: JudgingRound) -> JudgingRound:
    rnd = JudgingRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.state == RoundState.FINALISED:
        raise Conflict(_("本轮评审结果已确定，不能再修改"), code=ROUND_FINALISED)
    return rnd


@transaction.atomic
def round_entries_add(*, actor, round: JudgingRound, proposals: Sequence,
                      source: str = "web") -> list[RoundEntry]:
    _staff(actor)
    rnd = _open_round(round)
    if not proposals:
        raise _fail("proposals", _("请至少选择一个方案"))
    bad = [p for p in proposals if p.state in ("withdrawn", "not_selected")]
    if bad:
        raise _fail("proposals", _("方案“%(proposal)s”状态为“%(state)s”，不能参赛") % {
            "proposal": bad[0], "state": bad[0].get_state_display()})
    already = set(rnd.entries.filter(proposal__in=proposals).values_list("proposal_id", flat=True))
    if already:
        raise Conflict(_("所选方案中有已在本轮的参赛方案"), code=ALREADY_ENTERED,
                       extra={"proposal_ids": sorted(already)})
    entries = [RoundEntry.objects.create(round=rnd, proposal=p) for p in proposals]
    audit_record_many(actor=actor, action="create", source=source,
                      items=[(e, {"round": [None, rnd.pk], "proposal": [None, e.proposal_id]})
                             for e in entries])
    return entries


@transaction.atomic
def round_reviewers_add(*, actor, round: JudgingRound, reviewers: Sequence[User],
                        max_load: int | None = None, source: str = "web") -> list[RoundReviewer]:
    _staff(actor)
    rnd = _open_round(round)
    if not reviewers:
        raise _fail("reviewers", _("请至少选择一位评审专家"))
    bad = [u for u in reviewers if u.role != Role.REVIEWER or not u.is_active]
    if bad:
        raise _fail("reviewers", _("“%(user)s”不是在职的评审专家账户") % {"user": bad[0]})
    if max_load is not None:
        max_load = _int_in(max_load, "max_load", N_("评审上限"), 0, 200)
    already = set(rnd.reviewers.filter(reviewer__in=reviewers)
                  .values_list("reviewer_id", flat=True))
    if already:
        raise Conflict(_("所选专家中有已在本轮的专家"), code=ALREADY_JOINED,
                       extra={"reviewer_ids": sorted(already)})
    profiles = dict(ReviewerProfile.objects.filter(user__in=reviewers)
                    .values_list("user_id", "default_max_load"))
    members = [RoundReviewer.objects.create(
        round=rnd, reviewer=u,
        max_load=max_load if max_load is not None else min(rnd.default_max_load,
                                                           profiles.get(u.pk, 200)))
        for u in reviewers]
    audit_record_many(actor=actor, action="create", source=source,
                      items=[(m, {"round": [None, rnd.pk], "reviewer": [None, m.reviewer_id],
                                  "max_load": [None, m.max_load]}) for m in members])
    return members


@transaction.atomic
def round_reviewer_set_load(*, actor, member: RoundReviewer, max_load: int,
                            source: str = "web") -> RoundReviewer:
    _staff(actor)
    _open_round(member.round)
    load = _int_in(max_load, "max_load", N_("评审上限"), 0, 200)
    assigned = member.round.assignments.filter(reviewer=member.reviewer).count()
    if load < assigned:
        raise _fail("max_load", _("该专家已分配 %(n)s 份评审，上限不能低于 %(n)s") % {"n": assigned})
    changes = {"max_load": [member.max_load, load]}
    member.max_load = load
    member.save(update_fields=["max_load"])
    audit_record(actor=actor, action="update", instance=member, changes=changes, source=source)
    return member


@dataclass
class AssignOutcome:
    created: int
    refused: list[tuple[int, int, str]]
    problems: list[str]
    unmet: dict[int, tuple[int, str]]


@transaction.atomic
def round_assign(*, actor, round: JudgingRound, seed: int = 0, source: str = "web"
                 ) -> AssignOutcome:
    """Fill every entry up to k reviewers (existing assignments are kept), never a conflict of
    interest, never above a reviewer's load; the refused pairs and the reasons k cannot be met
    are returned. Reviewers of a round already open for scoring are notified."""
    _staff(actor)
    rnd = _open_round(round)
    if not rnd.entries.exists():
        raise Conflict(_("本轮还没有参赛方案"), code=NO_ENTRIES)
    if not rnd.reviewers.exists():
        raise Conflict(_("本轮还没有评审专家"), code=NO_REVIEWERS)
    plan = selectors.round_assignment_plan(rnd, seed=seed)
    rows = ReviewAssignment.objects.bulk_create([
        ReviewAssignment(round=rnd, entry_id=e, reviewer_id=r, affinity=_r4(a))
        for e, r, a in plan.pairs])
    audit_record_many(actor=actor, action="create", source=source, note="专家分配",
                      items=[(a, {"entry": [None, a.entry_id], "reviewer": [None, a.reviewer_id]})
                             for a in rows])
    before = rnd.assigned_at
    rnd.assigned_at = timezone.now()
    rnd.save(update_fields=["assigned_at"])
    audit_record(actor=actor, action="update", instance=rnd, source=source,
                 changes={"assigned_at": [before, rnd.assigned_at]},
                 note=f"新增分配 {len(rows)}，回避 {len(plan.refused)} 对，未满足 "
                      f"{sum(m for m, _ in plan.unmet.values())} 人次")
    if rnd.state == RoundState.SCORING and rows:
        _notify_reviewers(rnd, {r for _, r, _ in plan.pairs})
    return AssignOutcome(len(rows), plan.refused, plan.problems, plan.unmet)


def _r4(value: float) -> float:
    return float(round(value, 4))


def _notify_reviewers(rnd: JudgingRound, user_ids: Iterable[int]) -> None:
    notify(recipients=User.objects.filter(pk__in=list(user_ids)),
           title=f"您有新的评审任务：{rnd.title}",
           body=(f"评分截止日期：{rnd.scoring_deadline:%Y-%m-%d}" if rnd.scoring_deadline else ""),
           url=reverse("events:my-reviews"), kind="events.review_assigned")


@transaction.atomic
def round_open_scoring(*, actor, round: JudgingRound, source: str = "web") -> JudgingRound:
    _staff(actor)
    rnd = _open_round(round)
    if rnd.state != RoundState.DRAFT:
        raise Conflict(_("本轮已开始评分"), code=ALREADY_SCORING)
    if not rnd.criteria.exists():
        raise Conflict(_("请先设置评分细则"), code=NO_CRITERIA)
    if not rnd.assignments.exists():
        raise Conflict(_("请先分配评审专家"), code=NO_ASSIGNMENTS)
    rnd.state = RoundState.SCORING
    rnd.save(update_fields=["state"])
    audit_record(actor=actor, action="transition", instance=rnd, source=source,
                 changes={"state": [RoundState.DRAFT, RoundState.SCORING]})
    _notify_reviewers(rnd, rnd.assignments.values_list("reviewer_id", flat=True))
    return rnd


def _points(raw: Any, criterion: Criterion) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise _fail(f"criterion_{criterion.pk}",
                    _("“%(name)s”的得分必须是数字") % {"name": criterion.name}) from None
    if not value.is_finite():
        raise _fail(f"criterion_{criterion.pk}",
                    _("“%(name)s”的得分必须是数字") % {"name": criterion.name})
    # the range first: quantizing "1e30" would raise (a 500), comparing it does not
    if not Decimal(0) <= value <= criterion.max_points:
        raise _fail(f"criterion_{criterion.pk}",
                    _("“%(name)s”的得分应在 0 到 %(max)s 之间") % {
                        "name": criterion.name,
                        "max": format(criterion.max_points.normalize(), "f")})
    if value != value.quantize(TWO):
        raise _fail(f"criterion_{criterion.pk}",
                    _("“%(name)s”的得分最多两位小数") % {"name": criterion.name})
    return value.quantize(TWO)


@transaction.atomic
def score_submit(*, actor, assignment: ReviewAssignment, points: dict[int, Any],
                 comment: str = "", source: str = "web") -> ReviewAssignment:
    """A reviewer scores their own assignment: one score per criterion of the rubric, each
    between 0 and its maximum. Resubmitting while the round is open replaces the scores."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("round").get(
        pk=assignment.pk)
    if actor is None or assignment.reviewer_id != actor.pk:
        raise NotFound()  # another reviewer's assignment: as if it did not exist
    rnd = assignment.round
    if rnd.state != RoundState.SCORING:
        raise Conflict(_("本轮当前不在评分阶段") if rnd.state == RoundState.DRAFT
                       else _("本轮评审结果已确定，不能再修改评分"), code=NOT_SCORING)
    criteria = list(rnd.criteria.all())
    known = {c.pk for c in criteria}
    keys = {}
    for k, v in (points or {}).items():
        try:
            keys[int(k)] = v
        except (TypeError, ValueError):
            raise _fail("points", _("未知的评分项：%(key)s") % {"key": k}) from None
    unknown = sorted(set(keys) - known)
    if unknown:
        raise _fail("points", _("未知的评分项：%(key)s") % {
            "key": "、".join(str(u) for u in unknown)})
    errors: dict[str, list[str]] = {}
    values: dict[int, Decimal] = {}
    for c in criteria:
        if c.pk not in keys or str(keys[c.pk]).strip() == "":
            errors[f"criterion_{c.pk}"] = [_("请为“%(name)s”打分") % {"name": c.name}]
            continue
        try:
            values[c.pk] = _points(keys[c.pk], c)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors, message="；".join(m for ms in errors.values() for m in ms))
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise _fail("comment", _("评审意见不能超过 2000 个字"))
    old = {s.criterion_id: s.points for s in assignment.scores.all()}
    Score.objects.filter(assignment=assignment).delete()
    Score.objects.bulk_create([Score(assignment=assignment, criterion_id=c, points=p)
                               for c, p in values.items()])
    before = snapshot(assignment, ["state", "total", "comment"])
    assignment.total = sum(values.values(), Decimal(0)).quantize(TWO)
    assignment.comment = comment
    assignment.state = AssignmentState.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["total", "comment", "state", "submitted_at"])
    names = {c.pk: c.name for c in criteria}
    changes = audit_diff(before, snapshot(assignment, ["state", "total", "comment"]))
    changes.update(audit_diff({names[k]: v for k, v in old.items()},
                              {names[k]: v for k, v in values.items()}))
    audit_record(actor=actor, action="update" if old else "transition", instance=assignment,
                 changes=changes, source=source)
    return assignment


@transaction.atomic
def round_finalise(*, actor, round: JudgingRound, allow_missing: bool = False,
                   source: str = "web") -> list[ResultRow]:
    """Freeze the ranked result (ties stated). Refused while scores are missing unless
    ``allow_missing`` (the missing ones are then left out and the count is audited)."""
    _staff(actor)
    rnd = _open_round(round)
    if rnd.state != RoundState.SCORING:
        raise Conflict(_("只有评分中的轮次可以确定结果"), code=NOT_SCORING)
    missing = rnd.assignments.filter(state=AssignmentState.ASSIGNED).count()
    if missing and not allow_missing:
        raise Conflict(_("还有 %(missing)s 份评审未提交；确认忽略未提交的评审后才能确定结果")
                       % {"missing": missing},
                       code=SCORES_MISSING, extra={"missing": missing})
    ranked = selectors.round_ranking(rnd)
    rows = ResultRow.objects.bulk_create([
        ResultRow(round=rnd, entry_id=r.entry, rank=r.rank or None, score=r.score,
                  raw_mean=r.raw_mean, reviews=r.reviews, tied_with=list(r.tied_with))
        for r in ranked])
    rnd.state = RoundState.FINALISED
    rnd.finalised_at = timezone.now()
    rnd.save(update_fields=["state", "finalised_at"])
    ties = sum(1 for r in ranked if r.tied_with)
    audit_record(actor=actor, action="transition", instance=rnd, source=source,
                 changes={"state": [RoundState.SCORING, RoundState.FINALISED],
                          "results": [None, [[r.entry, r.rank, str(r.score)] for r in ranked]]},
                 note=f"未提交评审 {missing} 份；并列 {ties} 个方案")
    notify(recipients=_staff_users(), title=f"评审结果已确定：{rnd.title}",
           url=reverse("events:round-detail", args=[rnd.pk]), kind="events.round_finalised")
    return rows


@transaction.atomic
def award_record(*, actor, round: JudgingRound, entry: RoundEntry, level: str,
                 prize: Decimal | str | None = None, note: str = "", source: str = "web"
                 ) -> Award:
    """Record (or change) the award of a ranked entry of a finalised round; the researcher
    and the challenge's poster are notified."""
    _staff(actor)
    rnd = JudgingRound.objects.select_for_update().get(pk=round.pk)
    if entry.round_id != rnd.pk:  # the record first, then the rules of its state
        raise NotFound()
    if rnd.state != RoundState.FINALISED:
        raise Conflict(_("请先确定评审结果再评定奖项"), code=NOT_FINALISED)
    if not ResultRow.objects.filter(entry=entry, rank__isnull=False, reviews__gt=0).exists():
        raise Conflict(_("该方案没有评审得分，不能评定奖项"), code=NOT_REVIEWED)
    if level not in AwardLevel.values:
        raise _fail("level", _("奖项应为一等奖、二等奖、三等奖或优胜奖"))
    amount = None
    if prize not in (None, ""):
        from innolink.core.money import MoneyInvalid, column_limits, parse_money

        try:  # the platform's one money parser, bounded by the prize column
            amount = parse_money(prize, label="奖金", round_places=False,
                                 **column_limits(Award, "prize"))
        except MoneyInvalid as exc:
            raise _fail("prize", exc.message) from None
    note = (note or "").strip()[:300]
    existing = Award.objects.filter(entry=entry).first()
    if existing is None:
        award = Award.objects.create(round=rnd, entry=entry, level=level, prize=amount, note=note,
                                     awarded_by=actor)
        audit_record(actor=actor, action="create", instance=award, source=source,
                     changes={"entry": [None, entry.pk], "level": [None, level],
                              "prize": [None, amount]})
    else:
        before = snapshot(existing, ["level", "prize", "note"])
        existing.level, existing.prize, existing.note = level, amount, note
        existing.awarded_by = actor
        existing.save(update_fields=["level", "prize", "note", "awarded_by"])
        audit_record(actor=actor, action="update", instance=existing, source=source,
                     changes=audit_diff(before, snapshot(existing, ["level", "prize", "note"])))
        award = existing
    proposal = entry.proposal
    recipients = [proposal.researcher.user] if proposal.researcher.user_id else []
    if proposal.challenge.enterprise_id:
        recipients += list(User.objects.filter(enterprise_id=proposal.challenge.enterprise_id,
                                               role=Role.ENTERPRISE, is_active=True))
    notify(recipients=recipients, title=f"{rnd.title}：{award.get_level_display()}",
           body=f"方案“{proposal.challenge.title}”获{award.get_level_display()}。",
           kind="events.award")
    from innolink.projects.hooks import award_recorded  # 赛事签约 becomes a project (0502)
    award_recorded(award.pk)
    return award


ROUND_TEXT_FIELDS = ("title", "description")
ROUND_DRAFT_FIELDS = ("reviewers_per_entry", "default_max_load", "scoring_deadline")


@transaction.atomic
def round_update(*, actor, round: JudgingRound, source: str = "web",
                 **changes: Any) -> JudgingRound:
    """Change what is safe in the round's state (decision 0322): title and description until
    the result is finalised; k, the default load and the scoring deadline only while the round
    is in preparation (reviewers were told the deadline and k when scoring opened). k cannot go
    below the reviewers an entry already has. Nothing changed writes nothing."""
    _staff(actor)
    _unknown(changes, ROUND_TEXT_FIELDS + ROUND_DRAFT_FIELDS)
    rnd = _open_round(round)
    errors: dict[str, list[str]] = {}
    _text(changes, errors, "title", N_("轮次名称"), 120, True)
    if "description" in changes:
        changes["description"] = str(changes["description"] or "").strip()
    if errors:
        raise ValidationFailed(errors)
    if "reviewers_per_entry" in changes:
        changes["reviewers_per_entry"] = _int_in(changes["reviewers_per_entry"],
                                                 "reviewers_per_entry", N_("每个方案的评审专家数"),
                                                 1, 15)
    if "default_max_load" in changes:
        changes["default_max_load"] = _int_in(changes["default_max_load"], "default_max_load",
                                              N_("每位专家评审上限"), 1, 200)
    if "scoring_deadline" in changes:
        deadline = changes["scoring_deadline"]
        if deadline is not None and not isinstance(deadline, dt.date):
            raise _fail("scoring_deadline", _("评分截止日期格式应为 YYYY-MM-DD"))
        if deadline is not None and deadline != rnd.scoring_deadline \
                and deadline < timezone.localdate() and not rnd.is_demo:
            raise _fail("scoring_deadline", _("评分截止日期不能早于今天"))
    fields = ROUND_TEXT_FIELDS + ROUND_DRAFT_FIELDS
    before = snapshot(rnd, fields)
    diff = audit_diff(before, {**before, **changes})
    if not diff:
        return rnd
    locked = [name for name in ROUND_DRAFT_FIELDS if name in diff]
    if locked and rnd.state != RoundState.DRAFT:
        raise Conflict(_("本轮已开始评分，专家已按当前的每方案专家数、评审上限和截止日期收到任务，"
                         "只能修改名称和说明"), code=ROUND_SCORING, extra={"fields": locked})
    if "reviewers_per_entry" in diff:
        from django.db.models import Count

        most = (rnd.assignments.values("entry").annotate(n=Count("id"))
                .order_by("-n").values_list("n", flat=True).first()) or 0
        if changes["reviewers_per_entry"] < most:
            raise Conflict(_("已有方案分配了 %(most)s 位评审专家，每个方案的评审专家数不能少于 %(most)s")
                           % {"most": most},
                           code=ASSIGNMENTS_EXCEED_K, extra={"assigned": most})
    for name in diff:
        setattr(rnd, name, changes[name])
    rnd.save(update_fields=list(diff))
    audit_record(actor=actor, action="update", instance=rnd, changes=diff, source=source)
    return rnd
