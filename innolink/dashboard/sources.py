"""Where the overview's tallies come from (decision 0500).

Each source folds one app's records into ``Tally`` rows and can recount them from scratch
(the test and the nightly ``--recount`` compare both):

| source | records | how it stays current |
|---|---|---|
| ledger | policy ledger entries (append-only) | the refresh job adds entries past its id cursor |
| eligibility | eligibilities and paid applications | recounted when a scan, a posting or an application is new |
| challenges | challenges (funnel stages, states) | records changed since the cursor replace their contribution |
| offers, interests | technology offers; interests (append-only) | as challenges; interests by id |
| events, judging, rankings | tens of rows | recounted whole each refresh |
| registry | enterprises by town | recounted whole (one grouped query) |
| projects | signed projects | the project services themselves, in their transaction |

An app may add its own sources with ``TALLY_SOURCES`` in its ``overview.py``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Protocol

from django.apps import apps
from django.db.models import Count, Exists, Max, Min, OuterRef, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from innolink.dashboard.models import TallyCursor
from innolink.dashboard.tallies import (
    Delta,
    merge,
    month_of,
    point,
    tally_add,
    tally_replace,
    tally_set_objects,
)

ZERO = Decimal(0)


class Source(Protocol):
    name: str
    prefixes: tuple[str, ...]

    def catch_up(self, *, settle: dt.timedelta) -> int: ...

    def recount(self) -> Delta: ...

    def rebuild(self) -> int: ...


def _cursor(name: str) -> TallyCursor:
    return TallyCursor.objects.get_or_create(name=name)[0]


def _save(cursor: TallyCursor, position: object) -> None:
    cursor.position = str(position)
    cursor.refreshed_at = timezone.now()
    cursor.save(update_fields=["position", "refreshed_at"])


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _grouped(rows) -> Delta:
    out: dict = {}
    for p, n, s in rows:
        c, a = out.get(p, (0, ZERO))
        out[p] = (c + int(n or 0), a + Decimal(s or 0))
    return out


# --------------------------------------------------------------------------- policies

class LedgerSource:
    """Commitments and payments by policy and booking month, and by town and booking month. The
    ledger is append-only
    (a correction is a new, reversing entry), so entries past the cursor are all that is new.
    Only entries older than ``settle`` are folded, so a transaction still open with a lower id
    is not skipped."""

    name = "ledger"
    prefixes = ("policy.commitment", "policy.payment")

    def _rows(self, qs) -> Delta:
        rows = (qs.annotate(m=TruncMonth("booked_on"))
                .values_list("version__policy_id", "enterprise__town", "m", "kind")
                .annotate(n=Count("id"), s=Sum("amount")).order_by())
        # two projections, so the page reads a few hundred rows: by policy and month, and by
        # town and month
        out = []
        for policy, town, m, kind, n, s in rows:
            out.append((point(f"policy.{kind}", policy, "", month_of(m)), n, s))
            out.append((point(f"policy.{kind}.town", "", town, month_of(m)), n, s))
        return _grouped(out)

    def catch_up(self, *, settle: dt.timedelta) -> int:
        from innolink.policies.models import LedgerEntry

        cursor = _cursor(self.name)
        start = _int(cursor.position)
        upper = (LedgerEntry.objects.filter(id__gt=start,
                                            created_at__lte=timezone.now() - settle)
                 .aggregate(m=Max("id"))["m"])
        if upper is None:
            return 0
        touched = tally_add(self._rows(LedgerEntry.objects.filter(id__gt=start, id__lte=upper)))
        _save(cursor, upper)
        return touched

    def recount(self) -> Delta:
        from innolink.policies.models import LedgerEntry

        return self._rows(LedgerEntry.objects.all())

    def rebuild(self) -> int:
        from innolink.policies.models import LedgerEntry

        upper = LedgerEntry.objects.aggregate(m=Max("id"))["m"] or 0
        touched = tally_replace(self.prefixes, self._rows(LedgerEntry.objects.filter(
            id__lte=upper)))
        _save(_cursor(self.name), upper)
        return touched


class EligibilitySource:
    """Eligible and eligible-but-unpaid (应兑未兑) pairs by policy, town and policy year, as the
    policies app's ``unpaid_eligibilities`` list counts them. Recounted when what it depends
    on moves (a finished scan, the set of fully paid applications)."""

    name = "eligibility"
    prefixes = ("policy.eligible", "policy.unpaid")

    def fingerprint(self) -> str:
        """What 应兑未兑 depends on: the eligibilities (rewritten only by a finished scan) and
        which applications are fully paid (their number, on the status index; a payment that
        completes one or a reversal that reopens one changes it)."""
        from innolink.policies.models import Application, Scan

        scan = Scan.objects.filter(finished_at__isnull=False).aggregate(m=Max("id"))["m"]
        paid = Application.objects.filter(status=Application.Status.PAID).aggregate(
            n=Count("id"), d=Max("paid_on"))
        return f"{scan}:{paid['n']}:{paid['d']}"

    def recount(self) -> Delta:
        from innolink.policies.models import Application, Eligibility

        base = Eligibility.objects.filter(active=True, amount__gt=0)
        paid = Application.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                          clause_id=OuterRef("clause_id"), year=OuterRef("year"),
                                          status=Application.Status.PAID)

        def rows(qs, metric):
            return ((point(metric, policy, town, str(year)), n, s) for policy, town, year, n, s in
                    qs.values_list("clause__version__policy_id", "enterprise__town", "year")
                    .annotate(n=Count("id"), s=Sum("amount")).order_by())

        return merge(_grouped(rows(base, "policy.eligible")),
                     _grouped(rows(base.exclude(Exists(paid)), "policy.unpaid")))

    def catch_up(self, *, settle: dt.timedelta) -> int:
        cursor = _cursor(self.name)
        now = self.fingerprint()
        if cursor.position == now:
            return 0
        touched = tally_replace(self.prefixes, self.recount())
        _save(cursor, now)
        return touched

    def rebuild(self) -> int:
        now = self.fingerprint()
        touched = tally_replace(self.prefixes, self.recount())
        _save(_cursor(self.name), now)
        return touched


# --------------------------------------------------------------------------- challenges

STAGES = ("posted", "published", "claimed", "matched", "contracted", "delivered")


class ChallengeSource:
    """The 揭榜领题 funnel: each challenge counts once in every stage it has reached, in the
    month it reached it, plus once under its current state. A challenge changed since the cursor
    replaces its contribution (``TallyContribution``), so re-reading one is harmless."""

    name = "challenges"
    prefixes = ("challenges.",)
    overlap = dt.timedelta(seconds=5)
    #: the cursor never passes "a minute ago": a transaction that stamped ``updated_at`` and
    #: committed after the last refresh is read again (a contribution replaces, so re-reading
    #: is harmless); the nightly ``--recount`` covers anything slower
    reread = dt.timedelta(seconds=60)

    def rows_for(self, ids=None) -> dict:
        from innolink.challenges.models import Challenge, Proposal

        qs = Challenge.objects.all() if ids is None else Challenge.objects.filter(pk__in=ids)
        first_claim = dict(Proposal.objects.filter(challenge__in=qs).values("challenge_id")
                           .annotate(m=Min("created_at")).values_list("challenge_id", "m"))
        out = {}
        for c in qs.values("pk", "state", "enterprise__town", "submitted_at", "published_at",
                           "matched_at", "contracted_at", "accepted_at", "funding",
                           "contract_amount", "created_at"):
            town = c["enterprise__town"] or ""
            reached = {
                "posted": c["submitted_at"] or (c["created_at"] if c["state"] != "draft" else None),
                "published": c["published_at"],
                "claimed": first_claim.get(c["pk"]),
                "matched": c["matched_at"],
                "contracted": c["contracted_at"],
                "delivered": c["accepted_at"],
            }
            rows = {point("challenges.state", c["state"], town): (1, c["funding"] or ZERO)}
            for stage in STAGES:
                when = reached[stage]
                if when is None:
                    continue
                amount = c["contract_amount"] if stage in ("contracted", "delivered") \
                    else c["funding"]
                rows[point("challenges.stage", stage, town,
                           month_of(timezone.localtime(when)))] = (1, amount or ZERO)
            out[c["pk"]] = rows
        return out

    def catch_up(self, *, settle: dt.timedelta) -> int:
        from innolink.challenges.models import Challenge

        cursor = _cursor(self.name)
        qs = Challenge.objects.all()
        if cursor.position:
            qs = qs.filter(updated_at__gte=dt.datetime.fromisoformat(cursor.position)
                           - self.overlap)
        newest = qs.aggregate(m=Max("updated_at"))["m"]
        if newest is None:
            return 0
        ids = list(qs.values_list("pk", flat=True))
        touched = 0
        for start in range(0, len(ids), 2000):
            touched += tally_set_objects(self.name, self.rows_for(ids[start:start + 2000]))
        _save(cursor, min(newest, timezone.now() - self.reread).isoformat())
        return touched

    def recount(self) -> Delta:
        return merge(*self.rows_for().values())

    def rebuild(self) -> int:
        from innolink.dashboard.models import TallyContribution

        TallyContribution.objects.filter(source=self.name).delete()
        tally_replace(self.prefixes, {})
        _save(_cursor(self.name), "")
        return self.catch_up(settle=dt.timedelta(0))


class OfferSource(ChallengeSource):
    """The reverse flow: technology offers posted, published and closed (成交), and enterprises'
    interests (append-only, by id)."""

    name = "offers"
    prefixes = ("offers.",)

    def rows_for(self, ids=None) -> dict:
        from innolink.challenges.models import TechnologyOffer

        qs = TechnologyOffer.objects.all() if ids is None \
            else TechnologyOffer.objects.filter(pk__in=ids)
        out = {}
        for o in qs.values("pk", "state", "created_at", "published_at", "updated_at",
                           "asking_price"):
            rows = {}
            if o["state"] != "draft":
                rows[point("offers.stage", "posted", "",
                           month_of(timezone.localtime(o["created_at"])))] = (1, ZERO)
            if o["published_at"]:
                rows[point("offers.stage", "published", "",
                           month_of(timezone.localtime(o["published_at"])))] = (1, ZERO)
            if o["state"] == "closed":
                rows[point("offers.stage", "closed", "",
                           month_of(timezone.localtime(o["updated_at"])))] = (1, ZERO)
            out[o["pk"]] = rows
        return out

    def catch_up(self, *, settle: dt.timedelta) -> int:
        from innolink.challenges.models import TechnologyOffer

        cursor = _cursor(self.name)
        qs = TechnologyOffer.objects.all()
        if cursor.position:
            qs = qs.filter(updated_at__gte=dt.datetime.fromisoformat(cursor.position)
                           - self.overlap)
        newest = qs.aggregate(m=Max("updated_at"))["m"]
        if newest is None:
            return 0
        touched = tally_set_objects(self.name, self.rows_for(list(qs.values_list("pk",
                                                                                flat=True))))
        _save(cursor, min(newest, timezone.now() - self.reread).isoformat())
        return touched


class InterestSource:
    name = "interests"
    prefixes = ("offers.interest",)

    def _rows(self, qs) -> Delta:
        return _grouped((point("offers.interest", "", town, month_of(m)), n, 0)
                        for town, m, n in qs.annotate(m=TruncMonth("created_at"))
                        .values_list("enterprise__town", "m").annotate(n=Count("id")).order_by())

    def catch_up(self, *, settle: dt.timedelta) -> int:
        from innolink.challenges.models import OfferInterest

        cursor = _cursor(self.name)
        start = _int(cursor.position)
        upper = OfferInterest.objects.filter(
            id__gt=start, created_at__lte=timezone.now() - settle).aggregate(m=Max("id"))["m"]
        if upper is None:
            return 0
        touched = tally_add(self._rows(OfferInterest.objects.filter(id__gt=start,
                                                                    id__lte=upper)))
        _save(cursor, upper)
        return touched

    def recount(self) -> Delta:
        from innolink.challenges.models import OfferInterest

        return self._rows(OfferInterest.objects.all())

    def rebuild(self) -> int:
        from innolink.challenges.models import OfferInterest

        upper = OfferInterest.objects.aggregate(m=Max("id"))["m"] or 0
        touched = tally_replace(self.prefixes, self._rows(OfferInterest.objects.filter(
            id__lte=upper)))
        _save(_cursor(self.name), upper)
        return touched


# --------------------------------------------------------------------------- small sources

class WholeSource:
    """A source small enough to recount whole every refresh (tens or hundreds of rows)."""

    name = ""
    prefixes: tuple[str, ...] = ()

    def catch_up(self, *, settle: dt.timedelta) -> int:
        touched = tally_replace(self.prefixes, self.recount())
        _save(_cursor(self.name), "")
        return touched

    def rebuild(self) -> int:
        return self.catch_up(settle=dt.timedelta(0))


class EventSource(WholeSource):
    name = "events"
    prefixes = ("events.", "judging.")

    def recount(self) -> Delta:
        from innolink.events.models import (
            Award,
            Event,
            Invitation,
            JudgingRound,
            Meeting,
            ReviewAssignment,
        )

        rows = []
        rows += [(point("events.state", s, "", month_of(m)), n, 0) for s, m, n in
                 Event.objects.annotate(m=TruncMonth("date")).values_list("state", "m")
                 .annotate(n=Count("id")).order_by()]
        rows += [(point("events.meetings", "", "", month_of(m)), n, 0) for m, n in
                 Meeting.objects.annotate(m=TruncMonth("event__date")).values_list("m")
                 .annotate(n=Count("id")).order_by()]
        rows += [(point("events.invitations", s, "", month_of(m)), n, 0) for s, m, n in
                 Invitation.objects.annotate(m=TruncMonth("event__date"))
                 .values_list("state", "m").annotate(n=Count("id")).order_by()]
        rows += [(point("judging.round", s), n, 0) for s, n in
                 JudgingRound.objects.values_list("state").annotate(n=Count("id")).order_by()]
        rows += [(point("judging.reviews", s), n, 0) for s, n in
                 ReviewAssignment.objects.values_list("state").annotate(n=Count("id"))
                 .order_by()]
        rows += [(point("judging.awards", level, "", month_of(m)), n, s) for level, m, n, s in
                 Award.objects.annotate(m=TruncMonth("awarded_at")).values_list("level", "m")
                 .annotate(n=Count("id"), s=Sum("prize")).order_by()]
        return _grouped(rows)


class RankingSource(WholeSource):
    """Each data year's latest ranking run: its status and its lists; declarations by status."""

    name = "rankings"
    prefixes = ("rankings.",)

    def recount(self) -> Delta:
        from innolink.rankings.models import Declaration, RankingList, RankingRun

        rows = []
        latest: dict[int, RankingRun] = {}
        for run in RankingRun.objects.exclude(status=RankingRun.Status.FAILED).order_by(
                "year", "created_at", "id"):
            latest[run.year] = run
        lists = dict(RankingList.objects.filter(run__in=list(latest.values()))
                     .values("run_id").annotate(n=Count("id")).values_list("run_id", "n"))
        for year, run in latest.items():
            rows.append((point("rankings.run", run.status, "", str(year)), 1, run.pk))
            rows.append((point("rankings.lists", run.status, "", str(year)),
                         lists.get(run.pk, 0), 0))
        rows += [(point("rankings.declarations", s, "", str(y)), n, 0) for y, s, n in
                 Declaration.objects.values_list("year", "status").annotate(n=Count("id"))
                 .order_by()]
        return _grouped(rows)


class RegistrySource(WholeSource):
    name = "registry"
    prefixes = ("registry.",)

    def recount(self) -> Delta:
        from innolink.enterprises.models import Enterprise

        return _grouped((point("registry.enterprises", "", town), n, 0) for town, n in
                        Enterprise.objects.values_list("town").annotate(n=Count("id"))
                        .order_by())


class ProjectSource:
    """Kept by the project services in their own transaction; the refresh job only moves
    statuses on with the calendar (``projects_refresh``)."""

    name = "projects"
    prefixes = ("projects.",)

    def catch_up(self, *, settle: dt.timedelta) -> int:
        from innolink.projects.services import projects_reconcile, projects_refresh

        projects_reconcile()
        return projects_refresh()

    def recount(self) -> Delta:
        from innolink.projects.models import Project
        from innolink.projects.services import tally_rows

        return merge(*[tally_rows(p) for p in Project.objects.all()])

    def rebuild(self) -> int:
        from innolink.dashboard.models import TallyContribution
        from innolink.projects.models import Project
        from innolink.projects.services import tally_rows

        TallyContribution.objects.filter(source=self.name).delete()
        tally_replace(self.prefixes, {})
        return tally_set_objects(self.name, {p.pk: tally_rows(p) for p in Project.objects.all()})


def all_sources() -> list[Source]:
    found: list[Source] = [LedgerSource(), EligibilitySource(), ChallengeSource(),
                           OfferSource(), InterestSource(), EventSource(), RankingSource(),
                           RegistrySource(), ProjectSource()]
    for config in apps.get_app_configs():
        if not config.name.startswith("innolink.") or config.name == "innolink.dashboard":
            continue
        try:
            module = importlib.import_module(f"{config.name}.overview")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.overview":
                raise
            continue
        found.extend(getattr(module, "TALLY_SOURCES", []))
    return found
