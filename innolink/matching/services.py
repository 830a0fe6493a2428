"""Every write of the matching app: one transaction, the audit entry, side effects on commit."""

from __future__ import annotations

from django.utils.translation import gettext as _
import re
from typing import Any

from django.utils.translation import gettext_noop as N_
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from innolink.challenges.models import (CLAIMABLE_STATES, OPEN_PROPOSAL_STATES, Challenge,
                                        Proposal, ResearcherProfile)
from innolink.core.audit import audit_record
from innolink.core.errors import NotFound, PermissionDenied, ValidationFailed
from innolink.core.jobs import job_start
from innolink.core.models import Job
from innolink.core.notifications import notify
from innolink.engines.matching.assign import assign as solve_assignment
from innolink.matching import access, fetch
from innolink.matching.index import engine_session
from innolink.matching.models import AssignmentRun, MatchIndexState, TechTerm
from innolink.matching.errors import DUPLICATE

REBUILD_KIND = "matching.rebuild"
ENCODE_KIND = "matching.encode"
TERM_MAX = 60
CANDIDATES_PER_CHALLENGE = 50
_TERM_RE = re.compile(r"^[\w\u3400-\u9fff+#.\- ·/]+$")


def _require_staff(actor) -> None:
    if not access.is_matching_staff(actor):
        raise PermissionDenied(_("只有组织方工作人员可以执行此操作"))


# --- index generation ----------------------------------------------------------------------

def index_generation_bump(*, actor, note: str, source: str = "web") -> MatchIndexState:
    """Every process rebuilds its engine on its next query. Call inside a transaction."""
    try:
        with transaction.atomic():  # a savepoint: two first bumps may race to create the row
            MatchIndexState.objects.get_or_create(pk=1)
    except IntegrityError:
        pass
    state = MatchIndexState.objects.select_for_update().get(pk=1)
    old = state.generation
    state.generation = old + 1
    state.rebuilt_at = timezone.now()
    state.note = note[:200]
    state.save()
    audit_record(actor=actor, action="rebuild", instance=state,
                 changes={"generation": [old, state.generation]}, note=note, source=source)
    return state


# --- the term dictionary -------------------------------------------------------------------

def clean_term(raw: Any) -> str:
    term = re.sub(r"\s+", " ", str(raw or "")).strip()
    if not term:
        raise ValidationFailed({"term": [_("请填写技术术语")]})
    if len(term) > TERM_MAX:
        raise ValidationFailed({"term": [_("技术术语最长 %(max)s 个字符，当前 %(n)s 个")
                                          % {"max": TERM_MAX, "n": len(term)}]})
    if len(term) < 2:
        raise ValidationFailed({"term": [_("技术术语至少 %(n)s 个字符") % {"n": 2}]})
    if not _TERM_RE.match(term):
        raise ValidationFailed({"term": [_("技术术语只能包含汉字、字母、数字、空格和 + # . - / ·")]})
    return term


@transaction.atomic
def techterm_add(*, actor, term: Any, source: str = "web") -> TechTerm:
    """Add a term the tokenizer keeps whole; every process re-tokenises on its next query."""
    _require_staff(actor)
    term = clean_term(term)
    if TechTerm.objects.filter(term__iexact=term).exists():
        raise ValidationFailed({"term": [_("术语“%(term)s”已在词典中") % {"term": term}]}, code=DUPLICATE)
    row = TechTerm.objects.create(term=term, added_by=actor)
    audit_record(actor=actor, action="create", instance=row, changes={"term": [None, term]},
                 source=source)
    index_generation_bump(actor=actor, note=f"术语词典新增：{term}", source=source)
    return row


@transaction.atomic
def techterm_remove(*, actor, term_id: Any, source: str = "web") -> None:
    _require_staff(actor)
    try:
        row = TechTerm.objects.select_for_update().get(pk=int(term_id))
    except (TechTerm.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound() from None
    audit_record(actor=actor, action="delete", instance=row, changes={"term": [row.term, None]},
                 source=source)
    row.delete()
    index_generation_bump(actor=actor, note=f"术语词典删除：{row.term}", source=source)


# --- rebuild -------------------------------------------------------------------------------

@transaction.atomic
def index_rebuild_start(*, actor, source: str = "web") -> Job:
    """Queue the full rebuild: encode every profile whose text changed, then bump the
    generation so every process rebuilds."""
    _require_staff(actor)
    job = job_start(kind=REBUILD_KIND, title=N_("重建匹配索引"), user=actor, params={})
    audit_record(actor=actor, action="create", instance=job, note="重建匹配索引", source=source)
    return job


# --- capacity-aware invitations ------------------------------------------------------------

def _int_param(data: dict, name: str, label: str, lo: int, hi: int) -> int:
    """``data[name]`` as an integer in ``lo``..``hi``, or a refusal naming it by ``label`` (a
    msgid)."""
    value = data.get(name)
    try:
        if isinstance(value, float) or isinstance(value, bool):
            raise ValueError
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed({name: [_("%(field)s须为整数") % {"field": _(label)}]}) from None
    if not lo <= number <= hi:
        raise ValidationFailed({name: [_("%(field)s须在 %(lo)s–%(hi)s 之间，当前为 %(n)s")
                                        % {"field": _(label), "lo": lo, "hi": hi, "n": number}]})
    return number


#: the reasons a run stores (msgid + values, worded when shown: ``selectors.assignment_rows``)
AT_CAPACITY = N_("其余无冲突候选人已达承接上限（已分配给其他榜单）")
OPEN_PROPOSAL = N_("已就该榜单提交有效揭榜方案")
SAME_INSTITUTION = N_("与发榜机构为同一单位（利益冲突）")


def _problem_message(problem, titles: dict[int, str], demand: int, usable: dict[int, int]
                     ) -> tuple[str, dict[str, Any]]:
    """A feasibility problem as a msgid and its values (ADR 0390)."""
    if problem.item is None:
        total = dict(problem.values) if getattr(problem, "values", None) else {}
        if "demand" in total and "capacity" in total:
            return N_("需邀请总数 %(demand)s 超过科研人员可承接总数 %(capacity)s"), total
        return problem.message, {}
    title = titles.get(problem.item, str(problem.item))
    n = usable.get(problem.item, 0)
    if problem.code == "no_candidates":
        return N_("榜单“%(title)s”需要邀请 %(demand)s 个团队，但没有可邀请的候选人"), {
            "title": title, "demand": demand}
    return N_("榜单“%(title)s”需要邀请 %(demand)s 个团队，但只有 %(n)s 位无冲突、有余力的候选人"), {
        "title": title, "demand": demand, "n": n}


@transaction.atomic
def invitations_assign(*, challenge_ids: list[Any], teams_per_challenge: Any,
                       researcher_limit: Any, seed: Any, actor,
                       source: str = "web") -> AssignmentRun:
    """Invite researchers to challenges: each challenge's top candidates, at most
    ``researcher_limit`` open challenges per researcher (their open proposals count), conflicts
    never assigned (same institution as the poster; an open proposal on that challenge).

    The feasibility check runs first; its reasons are stored and shown. The result (pairs with
    scores, unmet demand with reasons, refused pairs) is kept as an :class:`AssignmentRun`;
    invited researchers are notified after commit. Same input and seed, same result.
    """
    _require_staff(actor)
    data = {"teams_per_challenge": teams_per_challenge, "researcher_limit": researcher_limit,
            "seed": seed}
    teams = _int_param(data, "teams_per_challenge", N_("每个榜单邀请团队数"), 1, 20)
    limit = _int_param(data, "researcher_limit", N_("每位科研人员同时承接上限"), 1, 10)
    seed = _int_param(data, "seed", N_("抽签号"), 0, 2**31 - 1)
    try:
        ids = sorted({int(c) for c in challenge_ids or []})
    except (TypeError, ValueError):
        raise ValidationFailed({"challenge_ids": [_("榜单编号须为整数")]}) from None
    if not ids:
        raise ValidationFailed({"challenge_ids": [_("请至少选择一个榜单")]})
    if len(ids) > 2000:
        raise ValidationFailed({"challenge_ids": [_("一次最多分配 %(n)s 个榜单") % {"n": 2000}]})
    rows = {c.pk: c for c in Challenge.objects.filter(pk__in=ids).only(
        "id", "title", "state", "institution_id", "enterprise_id")}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise ValidationFailed({"challenge_ids": [_("榜单不存在：%(ids)s")
                                                % {"ids": ", ".join(map(str, missing))}]})
    closed = [rows[i].title for i in ids if rows[i].state not in CLAIMABLE_STATES]
    if closed:
        raise ValidationFailed({"challenge_ids": [
            _("只能为张榜中的榜单邀请团队，以下榜单不在揭榜期：%(titles)s")
            % {"titles": "、".join(closed)}]})
    docs = dict(fetch.challenge_docs(Challenge.objects.filter(pk__in=ids)))

    items, agents, scores = [], [], []
    with engine_session() as engine:
        for c, doc in sorted(docs.items(), key=lambda kv: kv[0].pk):
            for m in engine.match_challenge(doc, k=CANDIDATES_PER_CHALLENGE, explain=False):
                items.append(c.pk)
                agents.append(int(m.id))
                scores.append(round(float(m.score), 6))
    agent_ids = sorted(set(agents))
    profiles = {p.pk: p for p in ResearcherProfile.objects.filter(pk__in=agent_ids).annotate(
        n_open=Count("proposals", filter=Q(proposals__state__in=OPEN_PROPOSAL_STATES))
    ).only("id", "name", "institution_id", "availability", "user_id")}
    # a stale engine id (deleted profile) is simply not a candidate
    keep = [i for i, a in enumerate(agents) if a in profiles]
    items = [items[i] for i in keep]
    agents = [agents[i] for i in keep]
    scores = [scores[i] for i in keep]
    capacity = {pk: 0 if p.availability == "unavailable" else max(0, limit - p.n_open)
                for pk, p in profiles.items()}
    open_pairs = set(Proposal.objects.filter(
        challenge_id__in=ids, researcher_id__in=list(profiles),
        state__in=OPEN_PROPOSAL_STATES).values_list("challenge_id", "researcher_id"))
    conflicts: dict[tuple[int, int], str] = {}
    for item, agent in zip(items, agents):
        if (item, agent) in open_pairs:
            conflicts[(item, agent)] = OPEN_PROPOSAL
        elif rows[item].institution_id and profiles[agent].institution_id == \
                rows[item].institution_id:
            conflicts[(item, agent)] = SAME_INSTITUTION

    result = solve_assignment(items, agents, scores, demand={i: teams for i in ids},
                           capacity=capacity, conflicts=conflicts, items=ids, seed=seed)
    titles = {pk: r.title for pk, r in rows.items()}
    usable: dict[int, int] = {}
    for item, agent in zip(items, agents):
        if (item, agent) not in conflicts and capacity.get(agent, 0) > 0:
            usable[item] = usable.get(item, 0) + 1
    problems = []
    for p in result.problems:
        msgid, params = _problem_message(p, titles, teams, usable)
        problems.append({"code": p.code, "challenge_id": p.item, "message": msgid % params if params else msgid,
                         "message_id": msgid, "params": params})
    by_item = {p["challenge_id"]: p for p in problems if p["challenge_id"]}
    at_capacity = {"message": AT_CAPACITY, "message_id": AT_CAPACITY, "params": {}}
    run = AssignmentRun.objects.create(
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        challenge_ids=ids, teams_per_challenge=teams, researcher_limit=limit, seed=seed,
        status=result.status, total_score=round(result.total_score, 6),
        pairs=[{"challenge_id": int(i), "researcher_id": int(a), "score": round(float(s), 6)}
               for i, a, s in zip(result.item_ids.tolist(), result.agent_ids.tolist(),
                                  result.scores.tolist())],
        unmet=[{"challenge_id": int(item), "missing": u.missing,
                "reason": by_item.get(item, at_capacity)["message"],
                "reason_id": by_item.get(item, at_capacity)["message_id"],
                "reason_params": by_item.get(item, at_capacity)["params"]}
               for item, u in sorted(result.unmet.items())],
        refused=[{"challenge_id": int(i), "researcher_id": int(a), "reason": reason,
                  "reason_id": reason, "reason_params": {}}
                 for i, a, reason in result.refused],
        problems=problems)
    audit_record(actor=actor, action="create", instance=run, changes={
        "challenge_ids": [None, ids], "teams_per_challenge": [None, teams],
        "researcher_limit": [None, limit], "seed": [None, seed],
        "pairs": [None, len(run.pairs)], "status": [None, run.status]}, source=source)
    invited = [(p["challenge_id"], profiles[p["researcher_id"]]) for p in run.pairs]
    transaction.on_commit(lambda: _notify_invited(invited, titles))
    return run


def _notify_invited(invited, titles) -> None:
    from innolink.accounts.models import User

    accounts = User.objects.in_bulk([p.user_id for _, p in invited if p.user_id])
    users: dict[int, list] = {}
    for challenge_id, profile in invited:
        if profile.user_id in accounts:
            users.setdefault(challenge_id, []).append(accounts[profile.user_id])
    for challenge_id, recipients in users.items():
        notify(recipients=recipients, title=N_("邀请揭榜：%(t)s"),
               body=N_("组织方根据精准匹配结果邀请您关注并揭榜该榜单。"),
               params={"t": titles[challenge_id]},
               url=reverse("challenges:detail", args=[challenge_id]), kind="matching.invite")
