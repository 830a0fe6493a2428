"""Every write of the rankings app: declarations, runs, review, 公示, objections, publication
and corrections. Each service is one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.core.audit import audit_diff, audit_record
from innolink.core.errors import ApplicationError, Conflict, ValidationFailed
from innolink.core.messages import language_half
from innolink.engines.ranking import Methodology, RankingError, load_methodologies
from innolink.enterprises.models import Enterprise, EnterpriseYear
from innolink.rankings import checks
from innolink.rankings.models import (
    Correction,
    Declaration,
    Objection,
    RankingEntry,
    RankingList,
    RankingRun,
)
from innolink.rankings.errors import (
    ALREADY_ANSWERED,
    BAD_TRANSITION,
    DECLARATION_LOCKED,
    NOT_IN_NOTICE,
    NOT_IN_REVIEW,
    NOT_PUBLISHED,
    NOT_SUBMITTED,
    OBJECTIONS_OPEN,
    REVIEW_NOT_NEEDED,
    REVIEWS_PENDING,
    YEAR_ALREADY_PUBLIC,
)

RUN_KIND = "rankings.run"
DEFAULT_DIR = Path(__file__).resolve().parent / "methodologies"
#: Display order of the published lists; other methodology files follow by id.
LIST_ORDER = ("comprehensive_100", "advanced_manufacturing_100", "modern_services_100",
              "innovative_100", "green_50", "outward_50", "tax_contribution")
CENT = Decimal("0.01")


def methodology_dir() -> Path:
    return Path(settings.INNOLINK.get("RANKING_METHODOLOGY_DIR") or DEFAULT_DIR)


def methodologies(year: int | None = None) -> dict[str, Methodology]:
    """The methodology files for ``year``, in display order.

    ``<dir>/*.yaml`` are the current editions; a file in ``<dir>/<year>/`` replaces the file
    of the same id for that year (e.g. the 2024 first edition, which has no growth indicators
    because the registry holds no 2023 data). A bad file is refused with its reason."""
    folder = methodology_dir()
    try:
        found = load_methodologies(folder)
        if year is not None and (folder / str(year)).is_dir():
            found.update(load_methodologies(folder / str(year)))
    except RankingError as exc:
        raise ranking_error(exc) from exc
    order = {list_id: i for i, list_id in enumerate(LIST_ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))


def ranking_error(exc: RankingError) -> ApplicationError:
    """The engine's refusal as the platform's error (same code and detail). The engine is pure
    and writes each message in both languages ("中文 / English"); the user reads their half."""
    return ApplicationError(language_half(exc.message), code=exc.code, extra=exc.extra,
                            status=422)


def covered_years() -> list[int]:
    """Years every list can be computed for (a year folder may add years)."""
    folder = methodology_dir()
    candidates = {y for m in methodologies().values() for y in m.years}
    candidates |= {int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit()}
    return sorted(y for y in candidates
                  if all(y in m.years for m in methodologies(y).values()))


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- runs


@transaction.atomic
def run_start(*, year: int, actor, samples: int | None = None) -> RankingRun:
    """Check every methodology against this year's data, then compute in the background.

    Unknown indicators, weights that do not sum as declared, a year a file does not cover or a
    list larger than its eligible population are refused here, before any run exists."""
    from innolink.core.jobs import job_start
    from innolink.engines.ranking import validate_run
    from innolink.rankings.fetch import build_snapshot

    if year not in covered_years():
        raise ValidationFailed({"year": [_("年度 %(year)s 不在评价方法适用年度 %(years)s 内") % {
            "year": year, "years": "、".join(str(y) for y in covered_years())}]})
    if samples is not None and not 10 <= samples <= 5000:
        raise ValidationFailed({"samples": [_("扰动样本数应在 10 到 5000 之间")]})
    ms = methodologies(year)
    try:
        validate_run(ms.values(), build_snapshot(year))
    except RankingError as exc:
        raise ranking_error(exc) from exc
    run = RankingRun.objects.create(year=year, samples=samples, created_by=actor)
    run.job = job_start(kind=RUN_KIND, title=N_("计算 %(year)s 年度民营企业榜单"),
                        title_params={"year": year}, user=actor,
                        params={"run_id": run.pk})
    run.save(update_fields=["job"])
    audit_record(actor=actor, action="create", instance=run,
                 changes={"year": [None, year], "status": [None, run.status]})
    return run


def _entry_row(ranking_list: RankingList, e, *, in_list: bool) -> RankingEntry:
    pending = e.uncertain
    return RankingEntry(
        ranking_list=ranking_list, enterprise_id=e.enterprise_id, position=e.position,
        rank=e.rank, score=e.score, in_list=in_list, tied=e.tied, median_rank=e.median_rank,
        rank_p05=e.rank_p05, rank_p95=e.rank_p95, in_list_frequency=e.in_list_frequency,
        uncertain=e.uncertain, indicators=e.to_dict()["indicators"], imputed=list(e.imputed),
        review=RankingEntry.Review.PENDING if pending else RankingEntry.Review.NONE,
    )


@transaction.atomic
def run_store_result(*, run: RankingRun, result, ms: dict[str, Methodology]) -> RankingRun:
    """Store a computed ``RunResult``: one ``RankingList`` per list and its entries."""
    for order, (list_id, lr) in enumerate(result.lists.items()):
        ranking_list = RankingList.objects.create(
            run=run, list_id=list_id, title_zh=lr.title_zh, order=order, size=lr.size,
            eligible=lr.eligible, methodology_version=lr.methodology_version,
            methodology_hash=lr.methodology_hash, fingerprint=lr.fingerprint,
            note_zh=ms[list_id].note_zh, result=lr.to_dict())
        RankingEntry.objects.bulk_create(
            [_entry_row(ranking_list, e, in_list=True) for e in lr.entries]
            + [_entry_row(ranking_list, e, in_list=False) for e in lr.review])
    before = {"status": run.status}
    run.status = RankingRun.Status.COMPUTED
    run.engine_version = result.engine_version
    run.data_fingerprint = result.data_fingerprint
    run.fingerprint = result.fingerprint
    run.save(update_fields=["status", "engine_version", "data_fingerprint", "fingerprint",
                            "updated_at"])
    audit_record(actor=None, action="transition", instance=run, source="job",
                 changes={**audit_diff(before, {"status": run.status}),
                          "fingerprint": [None, run.fingerprint]})
    return run


@transaction.atomic
def run_fail(*, run: RankingRun, error: dict[str, Any]) -> RankingRun:
    run.status = RankingRun.Status.FAILED
    run.error = error
    run.save(update_fields=["status", "error", "updated_at"])
    audit_record(actor=None, action="transition", instance=run, source="job",
                 changes={"status": [RankingRun.Status.QUEUED, run.status]},
                 note=str(error.get("message", ""))[:300])
    return run


def compute(run: RankingRun):
    """Recompute a run from the registry as it is now (same methodologies, samples and seed)."""
    from innolink.engines.ranking import run_rankings
    from innolink.rankings.fetch import build_snapshot

    ms = methodologies(run.year)
    return ms, run_rankings(ms, build_snapshot(run.year), samples=run.samples, seed=run.seed)


def run_reproduce(*, run: RankingRun) -> dict[str, Any]:
    """Recompute and compare with what was stored. Writes nothing."""
    _ms, result = compute(run)
    stored = {rl.list_id: rl.result for rl in run.lists.all()}
    same_lists = {list_id: stored.get(list_id) == lr.to_dict()
                  for list_id, lr in result.lists.items()}
    return {"same_data": result.data_fingerprint == run.data_fingerprint,
            "same_fingerprint": result.fingerprint == run.fingerprint,
            "same_lists": same_lists, "identical": all(same_lists.values())
            and result.fingerprint == run.fingerprint}


def _transition(run: RankingRun, *, actor, allowed: tuple[str, ...], to: str,
                extra: dict[str, Any] | None = None, note: str = "") -> RankingRun:
    run = RankingRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in allowed:
        raise Conflict(_("当前状态为“%(status)s”，不能执行此操作")
                       % {"status": run.get_status_display()},
                       code=BAD_TRANSITION, extra={"status": run.status})
    before = {"status": run.status, **{k: getattr(run, k) for k in (extra or {})}}
    run.status = to
    for key, value in (extra or {}).items():
        setattr(run, key, value)
    run.save()
    audit_record(actor=actor, action="transition", instance=run,
                 changes=audit_diff(before, {"status": to, **(extra or {})}), note=note)
    return run


@transaction.atomic
def entry_review(*, entry: RankingEntry, actor, decision: str, note: str = "") -> RankingEntry:
    """Record the review of an uncertain entry: confirmed, or queried with a note."""
    run = RankingRun.objects.select_for_update().get(pk=entry.ranking_list.run_id)
    if run.status != RankingRun.Status.COMPUTED:
        raise Conflict(_("只能在复核阶段（已计算）记录复核意见"), code=NOT_IN_REVIEW)
    if not entry.uncertain:
        raise Conflict(_("该条目无需复核"), code=REVIEW_NOT_NEEDED)
    note = (note or "").strip()
    if decision not in (RankingEntry.Review.CONFIRMED, RankingEntry.Review.QUERIED):
        raise ValidationFailed({"decision": [_("复核结论应为“确认”或“存疑”")]})
    if decision == RankingEntry.Review.QUERIED and not note:
        raise ValidationFailed({"note": [_("复核存疑时须填写复核意见")]})
    if len(note) > 300:
        raise ValidationFailed({"note": [_("复核意见不能超过 300 字")]})
    before = {"review": entry.review, "review_note": entry.review_note}
    entry.review, entry.review_note, entry.reviewed_by = decision, note, actor
    entry.save(update_fields=["review", "review_note", "reviewed_by"])
    audit_record(actor=actor, action="update", instance=entry,
                 changes=audit_diff(before, {"review": decision, "review_note": note}))
    return entry


@transaction.atomic
def entries_confirm_pending(*, run: RankingRun, actor, note: str) -> int:
    """Confirm every entry still pending review (after the queried ones were dealt with)."""
    from innolink.core.audit import audit_record_many

    run = RankingRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RankingRun.Status.COMPUTED:
        raise Conflict(_("只能在复核阶段（已计算）记录复核意见"), code=NOT_IN_REVIEW)
    note = (note or "").strip()
    if not 2 <= len(note) <= 300:
        raise ValidationFailed({"note": [_("批量确认须写明复核依据（2—300 字）")]})
    pending = list(RankingEntry.objects.filter(ranking_list__run=run,
                                               review=RankingEntry.Review.PENDING))
    for entry in pending:
        entry.review, entry.review_note, entry.reviewed_by = (
            RankingEntry.Review.CONFIRMED, note, actor)
    RankingEntry.objects.bulk_update(pending, ["review", "review_note", "reviewed_by"],
                                     batch_size=500)
    audit_record_many(actor=actor, action="update", note="批量确认", items=[
        (e, {"review": [RankingEntry.Review.PENDING, e.review], "review_note": ["", note]})
        for e in pending])
    return len(pending)


@transaction.atomic
def run_mark_reviewed(*, run: RankingRun, actor) -> RankingRun:
    pending = RankingEntry.objects.filter(ranking_list__run=run,
                                          review=RankingEntry.Review.PENDING).count()
    if pending:
        raise Conflict(_("还有 %(pending)s 条入围不确定的条目未复核") % {"pending": pending},
                       code=REVIEWS_PENDING, extra={"pending": pending})
    return _transition(run, actor=actor, allowed=(RankingRun.Status.COMPUTED,),
                       to=RankingRun.Status.REVIEWED)


@transaction.atomic
def run_open_notice(*, run: RankingRun, actor, closes_on: dt.date) -> RankingRun:
    """Open the 公示 (public notice) until ``closes_on`` (inclusive)."""
    today = _today()
    if closes_on is None or closes_on <= today:
        raise ValidationFailed({"closes_on": [_("公示截止日期应晚于今天")]})
    if closes_on > today + dt.timedelta(days=60):
        raise ValidationFailed({"closes_on": [_("公示期不能超过 60 天")]})
    # Lock the year's runs: two staff opening two runs of one year at once leave one public.
    list(RankingRun.objects.select_for_update().filter(year=run.year).order_by("pk"))
    other = RankingRun.objects.filter(year=run.year, status__in=(
        RankingRun.Status.NOTICE, RankingRun.Status.NOTICE_CLOSED,
        RankingRun.Status.PUBLISHED)).exclude(pk=run.pk).first()
    if other is not None:
        raise Conflict(_("%(year)s 年度已有公示中或已发布的榜单（#%(run)s），发布后的修改请登记更正")
                       % {"year": run.year, "run": other.pk}, code=YEAR_ALREADY_PUBLIC,
                       extra={"run": other.pk})
    return _transition(run, actor=actor, allowed=(RankingRun.Status.REVIEWED,),
                       to=RankingRun.Status.NOTICE,
                       extra={"notice_opens_on": today, "notice_closes_on": closes_on})


@transaction.atomic
def run_close_notice(*, run: RankingRun, actor) -> RankingRun:
    """End the 公示. Before its closing day only when every objection is answered: an
    unanswered objection keeps the 公示 open to its end (issue 16)."""
    run = RankingRun.objects.select_for_update().get(pk=run.pk)
    open_count = Objection.objects.filter(run=run, status=Objection.Status.OPEN).count()
    if (run.status == RankingRun.Status.NOTICE and open_count
            and not notice_expired(run)):
        raise Conflict(_("公示期至 %(date)s，还有 %(n)s 件异议未答复，不能提前结束公示")
                       % {"date": f"{run.notice_closes_on:%Y-%m-%d}", "n": open_count},
                       code=OBJECTIONS_OPEN, extra={"open_objections": open_count})
    return _transition(run, actor=actor, allowed=(RankingRun.Status.NOTICE,),
                       to=RankingRun.Status.NOTICE_CLOSED)


@transaction.atomic
def run_publish(*, run: RankingRun, actor) -> RankingRun:
    """Publish after the 公示. A 公示 whose closing date has passed is closed first (its own
    audited step), so nobody has to remember to end it before publishing."""
    open_count = Objection.objects.filter(run=run, status=Objection.Status.OPEN).count()
    if open_count:
        raise Conflict(_("还有 %(n)s 件公示异议未答复，不能发布") % {"n": open_count},
                       code=OBJECTIONS_OPEN,
                       extra={"open_objections": open_count})
    run = RankingRun.objects.select_for_update().get(pk=run.pk)
    if notice_expired(run):
        run = _transition(run, actor=actor, allowed=(RankingRun.Status.NOTICE,),
                          to=RankingRun.Status.NOTICE_CLOSED, note="公示期满")
    return _transition(run, actor=actor, allowed=(RankingRun.Status.NOTICE_CLOSED,),
                       to=RankingRun.Status.PUBLISHED, extra={"published_at": timezone.now()})


def notice_expired(run: RankingRun, today: dt.date | None = None) -> bool:
    """A 公示 past its closing day (objections are refused from the next day on)."""
    return (run.status == RankingRun.Status.NOTICE and run.notice_closes_on is not None
            and (today or _today()) > run.notice_closes_on)


def notices_close_expired(*, today: dt.date | None = None) -> list[int]:
    """Close every 公示 past its closing day (a daily ``manage.py rankings_close_notices``);
    returns the runs closed. Each close is its own transaction and audit entry."""
    closed = []
    for run in RankingRun.objects.filter(status=RankingRun.Status.NOTICE,
                                         notice_closes_on__lt=today or _today()):
        with transaction.atomic():
            _transition(run, actor=None, allowed=(RankingRun.Status.NOTICE,),
                        to=RankingRun.Status.NOTICE_CLOSED, note="公示期满")
        closed.append(run.pk)
    return closed


# ---------------------------------------------------------------- objections and corrections

PHONE = re.compile(r"^\+?[0-9][0-9-]{6,19}$")


@transaction.atomic
def objection_submit(*, ranking_list: RankingList, name: str, phone: str, content: str,
                     organization: str = "", enterprise_id: int | None = None,
                     user=None) -> Objection:
    """A real-name objection during the 公示 (until the end of the closing day)."""
    run = RankingRun.objects.get(pk=ranking_list.run_id)
    if run.status != RankingRun.Status.NOTICE or _today() > run.notice_closes_on:
        raise Conflict(_("该榜单不在公示期内，不能提出异议"), code=NOT_IN_NOTICE)
    name, phone, content = (name or "").strip(), (phone or "").strip(), (content or "").strip()
    organization = (organization or "").strip()
    errors: dict[str, list[str]] = {}
    if not 2 <= len(name) <= 64:
        errors["name"] = [_("请填写真实姓名（2—64 字）")]
    if not PHONE.match(phone):
        errors["phone"] = [_("联系电话格式不正确（7—20 位数字，可含“-”）")]
    if not 10 <= len(content) <= 2000:
        errors["content"] = [_("异议内容应为 10—2000 字，请写明事实和理由")]
    if len(organization) > 200:
        errors["organization"] = [_("单位名称不能超过 200 字")]
    enterprise = None
    if enterprise_id is not None:
        enterprise = Enterprise.objects.filter(
            pk=enterprise_id, pk__in=ranking_list.entries.values("enterprise_id")).first()
        if enterprise is None:
            errors["enterprise"] = [_("所涉企业不在本榜单中")]
    if errors:
        raise ValidationFailed(errors)
    objection = Objection.objects.create(
        run=run, ranking_list=ranking_list, enterprise=enterprise, name=name, phone=phone,
        organization=organization, content=content,
        submitted_by=user if getattr(user, "is_authenticated", False) else None)
    audit_record(actor=user, action="create", instance=objection, source="public",
                 changes={"ranking_list": [None, ranking_list.list_id], "name": [None, name]})
    return objection


@transaction.atomic
def objection_answer(*, objection: Objection, actor, answer: str) -> Objection:
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    answer = (answer or "").strip()
    if not 5 <= len(answer) <= 2000:
        raise ValidationFailed({"answer": [_("答复内容应为 5—2000 字")]})
    if objection.status == Objection.Status.ANSWERED:
        raise Conflict(_("该异议已答复"), code=ALREADY_ANSWERED)
    before = {"status": objection.status, "answer": objection.answer}
    objection.status = Objection.Status.ANSWERED
    objection.answer, objection.answered_by, objection.answered_at = answer, actor, timezone.now()
    objection.save()
    audit_record(actor=actor, action="transition", instance=objection,
                 changes=audit_diff(before, {"status": objection.status, "answer": answer}))
    if objection.submitted_by_id:  # objectors who were signed in also get it in the platform
        from django.urls import reverse

        from innolink.core.notifications import notify

        ranking_list = objection.ranking_list
        notify(recipients=[objection.submitted_by], kind="rankings.objection_answered",
               title=f"您对“{ranking_list.title_zh}”的异议已答复", body=answer,
               url=reverse("rankings:public-list", kwargs={"year": objection.run.year,
                                                           "list_id": ranking_list.list_id}))
    return objection


@transaction.atomic
def correction_add(*, ranking_list: RankingList, actor, description: str,
                   enterprise_id: int | None = None) -> Correction:
    """A correction after publication, shown in the public correction log."""
    run = RankingRun.objects.get(pk=ranking_list.run_id)
    if run.status != RankingRun.Status.PUBLISHED:
        raise Conflict(_("只有已发布的榜单需要登记更正；发布前请在复核或公示中处理"),
                       code=NOT_PUBLISHED)
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not 5 <= len(description) <= 2000:
        errors["description"] = [_("更正内容应为 5—2000 字")]
    enterprise = None
    if enterprise_id is not None:
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
        if enterprise is None:
            errors["enterprise"] = [_("所涉企业不存在")]
    if errors:
        raise ValidationFailed(errors)
    correction = Correction.objects.create(ranking_list=ranking_list, enterprise=enterprise,
                                           description=description, created_by=actor)
    audit_record(actor=actor, action="create", instance=correction,
                 changes={"description": [None, description]})
    return correction


# ---------------------------------------------------------------- declarations


def to_yuan(value: Decimal | None, kind: str) -> Decimal | None:
    """Form values: money in 万元 → yuan (2 places, half up); others as entered."""
    if value is None:
        return None
    if kind == "money":
        return (value * 10_000).quantize(CENT, rounding=ROUND_HALF_UP)
    return value


def _values_json(values: dict[str, Decimal | None]) -> dict[str, str]:
    return {k: str(v) for k, v in values.items() if v is not None}


def _decimal(value: Any) -> Decimal:
    """A declared figure; text that is no number becomes NaN, which ``checks.field_errors``
    refuses at its field (never a 500)."""
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return Decimal("NaN")


def _decimal_values(raw: dict[str, Any]) -> dict[str, Decimal | None]:
    return {f.code: (_decimal(raw[f.code]) if raw.get(f.code) not in (None, "") else None)
            for f in checks.DECLARED_FIELDS}


def declaration_years() -> list[int]:
    """Years an enterprise may declare: covered by the methodologies and already over."""
    this_year = _today().year
    return [y for y in covered_years() if y < this_year]


@transaction.atomic
def declaration_save(*, enterprise: Enterprise, year: int, values: dict[str, Any], actor,
                     submit: bool = False, attested_name: str = "",
                     attest: bool = False) -> Declaration:
    """Save the enterprise's figures for ``year`` (yuan), and submit them when ``submit``.

    Impossible values are refused at their field; on submit, the legal representative's
    attestation is required and the automatic flags are computed for the staff check."""
    from innolink.rankings.selectors import sector_peer_ratios

    if year not in declaration_years():
        raise ValidationFailed({"year": [_("申报年度应为 %(years)s 之一") % {
            "years": "、".join(str(y) for y in declaration_years())}]})
    unknown = set(values) - set(checks.FIELD_BY_CODE)
    if unknown:
        raise ValidationFailed({name: [_("不是申报指标")] for name in sorted(unknown)})
    decimals = _decimal_values(values)
    errors = {name: [m.render(translated=("label",)) for m in found]
              for name, found in checks.field_errors(decimals).items()}
    if not errors:  # money is kept in yuan with two places
        decimals = {k: (v.quantize(CENT, rounding=ROUND_HALF_UP)
                        if v is not None and checks.FIELD_BY_CODE[k].kind == "money" else v)
                    for k, v in decimals.items()}
    if submit:
        name = (attested_name or "").strip()
        if not attest:
            errors.setdefault("attest", []).append(_("请勾选法定代表人承诺"))
        if not name:
            errors.setdefault("attested_name", []).append(_("请填写法定代表人姓名"))
        elif enterprise.legal_representative and name != enterprise.legal_representative:
            errors.setdefault("attested_name", []).append(
                _("承诺人应为登记的法定代表人（如已变更，请先更新企业登记信息）"))
    if errors:
        raise ValidationFailed(errors)
    declaration = (Declaration.objects.select_for_update()
                   .filter(enterprise=enterprise, year=year).first())
    created = declaration is None
    if created:
        declaration = Declaration(enterprise=enterprise, year=year)
    elif declaration.status not in (Declaration.Status.DRAFT, Declaration.Status.RETURNED):
        raise Conflict(_("申报状态为“%(status)s”，不能修改") % {"status": declaration.get_status_display()},
                       code=DECLARATION_LOCKED)
    before = {} if created else {"values": declaration.values, "status": declaration.status}
    declaration.values = _values_json(decimals)
    if submit:
        previous = EnterpriseYear.objects.filter(enterprise=enterprise, year=year - 1).first()
        declaration.flags = checks.declaration_flags(
            decimals, previous=_decimal_values(previous.values) if previous else {},
            peers=sector_peer_ratios(enterprise=enterprise, year=year))
        declaration.status = Declaration.Status.SUBMITTED
        declaration.attested_name = attested_name.strip()
        declaration.attested_at = declaration.submitted_at = timezone.now()
        declaration.submitted_by = actor
    else:
        declaration.status = Declaration.Status.DRAFT
    declaration.save()
    audit_record(actor=actor, action="create" if created else "update", instance=declaration,
                 changes=audit_diff(before, {"values": declaration.values,
                                             "status": declaration.status}))
    return declaration


@transaction.atomic
def declaration_accept(*, declaration: Declaration, actor) -> Declaration:
    """Accept submitted figures: they update the registry's year (audited there too)."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != Declaration.Status.SUBMITTED:
        raise Conflict(_("申报状态为“%(status)s”，不能采纳")
                       % {"status": declaration.get_status_display()}, code=NOT_SUBMITTED)
    year, created = EnterpriseYear.objects.select_for_update().get_or_create(
        enterprise_id=declaration.enterprise_id, year=declaration.year)
    before = dict(year.values)
    year.values = {**year.values, **declaration.values}
    year.save()
    changes = audit_diff(before, year.values)
    audit_record(actor=actor, action="create" if created else "update", instance=year,
                 changes=changes, source=f"declaration:{declaration.pk}")
    before_status = {"status": declaration.status}
    declaration.status = Declaration.Status.ACCEPTED
    declaration.reviewed_by, declaration.reviewed_at = actor, timezone.now()
    declaration.save()
    audit_record(actor=actor, action="transition", instance=declaration,
                 changes=audit_diff(before_status, {"status": declaration.status}))
    _notify_declarant(declaration, f"{declaration.year} 年度榜单申报已采纳",
                      "申报数据已写入企业库年度数据。")
    return declaration


@transaction.atomic
def declaration_return(*, declaration: Declaration, actor, reason: str) -> Declaration:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 2000:
        raise ValidationFailed({"reason": [_("请写明退回原因（5—2000 字）")]})
    if declaration.status != Declaration.Status.SUBMITTED:
        raise Conflict(_("申报状态为“%(status)s”，不能退回")
                       % {"status": declaration.get_status_display()}, code=NOT_SUBMITTED)
    before = {"status": declaration.status, "return_reason": declaration.return_reason}
    declaration.status = Declaration.Status.RETURNED
    declaration.return_reason = reason
    declaration.reviewed_by, declaration.reviewed_at = actor, timezone.now()
    declaration.save()
    audit_record(actor=actor, action="transition", instance=declaration,
                 changes=audit_diff(before, {"status": declaration.status,
                                             "return_reason": reason}))
    _notify_declarant(declaration, f"{declaration.year} 年度榜单申报被退回，请修改后重新提交",
                      reason)
    return declaration


def _notify_declarant(declaration: Declaration, title: str, body: str) -> None:
    from django.urls import reverse

    from innolink.core.notifications import notify

    notify(recipients=declaration.enterprise.users.filter(is_active=True), title=title,
           body=body, kind="rankings.declaration",
           url=f"{reverse('rankings:declare')}?year={declaration.year}")
