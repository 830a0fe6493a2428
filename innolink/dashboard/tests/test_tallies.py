"""The overview's aggregates equal a full recount of the source tables after random writes
through the services, folded in by the refresh job in several rounds (decision 0500)."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.challenges import services as challenges
from innolink.challenges.tests.factories import make_challenge, make_proposal
from innolink.enterprises.testing import make_user
from innolink.dashboard import sources, tallies
from innolink.dashboard.services import overview_refresh
from innolink.enterprises.reference import TOWN_NAMES
from innolink.policies import services as policies
from innolink.policies.models import Application, LedgerEntry
from innolink.policies.services import policy_sync
from innolink.policies.tests.factories import YEAR, high_tech_enterprise, submitted
from innolink.projects import services as projects
from innolink.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def assert_all_equal():
    for source in sources.all_sources():
        stored = tallies.stored(source.prefixes)
        recount = source.recount()
        assert tallies.same(stored, recount), (source.name, diff(stored, recount))


def diff(a, b):
    a, b = tallies._nonzero(a), tallies._nonzero(b)
    return {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}


def policy_round(rng, staff, enterprises):
    for enterprise in rng.sample(enterprises, 3):
        if not Application.objects.filter(enterprise=enterprise).exists():
            submitted(enterprise)
    for application in Application.objects.filter(status="submitted"):
        if rng.random() < 0.7:
            policies.application_approve(actor=staff, application_id=application.pk,
                                         on=dt.date(YEAR + 1, rng.randint(1, 12), 5))
    for application in Application.objects.filter(status__in=["approved", "partially_paid"]):
        if rng.random() < 0.6:
            left = application.amount_approved - application.paid_total
            amount = left if rng.random() < 0.5 else (left / 2).quantize(Decimal("0.01"))
            policies.application_pay(actor=staff, application_id=application.pk, amount=amount,
                                     on=dt.date(YEAR + 1, rng.randint(1, 12), 20))
    payments = list(LedgerEntry.objects.filter(kind="payment", reverses__isnull=True,
                                               reversed_by__isnull=True)
                    .values_list("posting", flat=True).distinct())
    if payments and rng.random() < 0.5:
        policies.ledger_reverse(actor=staff, posting=rng.choice(payments), reason="金额有误")


def challenge_round(rng, staff, posters):
    challenge = make_challenge(poster=rng.choice(posters), staff=staff,
                               state=rng.choice(["draft", "submitted", "published"]))
    if challenge.state == "published" and rng.random() < 0.8:
        proposal = make_proposal(challenge)
        if rng.random() < 0.6:
            challenges.proposal_shortlist(actor=staff, proposal=proposal)
            challenges.proposal_match(actor=staff, proposal=proposal)


def test_aggregates_equal_a_full_recount_after_random_writes(django_capture_on_commit_callbacks):
    rng = random.Random(13)
    policy_sync(actor=None, source="test")
    staff = make_user(Role.ADMIN)
    towns = sorted(TOWN_NAMES)
    enterprises = [high_tech_enterprise(town=rng.choice(towns)) for _ in range(12)]
    posters = [make_user(Role.ENTERPRISE, enterprise=e) for e in enterprises[:4]]
    policies.scan_now(actor=None, year=YEAR)
    for round_ in range(3):
        policy_round(rng, staff, enterprises)
        challenge_round(rng, staff, posters)
        if round_ == 1:
            with django_capture_on_commit_callbacks(execute=True):
                project = make_project(staff, enterprise=rng.choice(enterprises))
                report = projects.report_file(actor=staff, project=project, period="2025Q3",
                                              values={project.targets.first().pk: "1"})
                projects.report_accept(actor=staff, report=report)
        overview_refresh(settle_seconds=0)
        assert_all_equal()
    assert LedgerEntry.objects.count() > 5
    assert tallies.stored(["policy.payment"]) and tallies.stored(["challenges.stage"])
    assert tallies.stored(["policy.unpaid"]) and tallies.stored(["projects."])


def test_the_ledger_is_folded_once_and_a_recount_rebuilds_the_same(synced_policies):
    staff = make_user(Role.ADMIN)
    application = submitted(high_tech_enterprise(town="安海"))
    policies.application_approve(actor=staff, application_id=application.pk)
    overview_refresh(settle_seconds=0)
    overview_refresh(settle_seconds=0)  # nothing new: nothing added twice
    before = tallies.stored(["policy."])
    commitment = [v for k, v in before.items() if k[0] == "policy.commitment"]
    assert commitment == [(1, Decimal("200000.0000"))]
    overview_refresh(recount=True)
    assert tallies.same(tallies.stored(["policy."]), before)


def test_entries_newer_than_the_settle_window_wait_for_the_next_refresh(synced_policies):
    staff = make_user(Role.ADMIN)
    application = submitted(high_tech_enterprise())
    policies.application_approve(actor=staff, application_id=application.pk)
    overview_refresh(settle_seconds=3600)
    assert not tallies.stored(["policy.commitment"])
    overview_refresh(settle_seconds=0)
    assert tallies.stored(["policy.commitment"])


@pytest.fixture
def synced_policies(db):
    policy_sync(actor=None, source="test")
