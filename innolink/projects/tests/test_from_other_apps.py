"""揭榜 contracts and contest awards become projects by themselves, once (no double entry)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.challenges import services as challenges
from innolink.challenges.tests.factories import make_challenge, make_proposal
from innolink.enterprises.testing import make_user
from innolink.events.models import Award, JudgingRound, RoundEntry
from innolink.projects import services
from innolink.projects.models import Project
from innolink.projects.tests.factories import department

pytestmark = pytest.mark.django_db


def contracted(staff, capture):
    challenge = make_challenge(state="published", staff=staff)
    proposal = make_proposal(challenge)
    challenges.proposal_shortlist(actor=staff, proposal=proposal)
    challenges.proposal_match(actor=staff, proposal=proposal)
    start = timezone.localdate() - dt.timedelta(days=100)
    with capture(execute=True):
        challenges.challenge_contract(
            actor=staff, challenge=challenge, amount="1800000", start=start.isoformat(),
            milestones=[{"title": "小试样品", "due_on": (start + dt.timedelta(days=60)).isoformat(),
                         "payment": "500000"},
                        {"title": "中试", "due_on": (start + dt.timedelta(days=300)).isoformat()}])
    challenge.refresh_from_db()
    return challenge, proposal


def test_a_contract_becomes_a_project_that_follows_its_milestones(
        django_capture_on_commit_callbacks):
    department()
    staff = make_user(Role.ORGANIZER)
    challenge, proposal = contracted(staff, django_capture_on_commit_callbacks)
    project = Project.objects.get(source_challenge=challenge)
    assert project.kind == "challenge" and project.investment == Decimal("1800000.00")
    assert {p.name for p in project.parties.all()} == {challenge.enterprise.name,
                                                       proposal.researcher.institution.name}
    titles = [m.title for m in project.milestones.order_by("position")]
    assert titles == ["合同签订", "小试样品", "中试", "项目验收"]
    # the first contract milestone is 40 days overdue: the project says so
    assert project.status == "late"
    first = challenge.milestones.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        challenges.milestone_complete(actor=staff, milestone=first, note="样品已交付")
    project.refresh_from_db()
    assert project.milestones.get(source_milestone=first).done_on == timezone.localdate()
    assert project.status != "late"
    # calling again (or the reconciling job) never makes a second project
    services.project_from_challenge(challenge_id=challenge.pk)
    assert services.projects_reconcile()["created"] == 0
    assert Project.objects.filter(source_challenge=challenge).count() == 1


def _award(proposal, staff):
    rnd = JudgingRound.objects.create(title="第三届博士后创新创业大赛揭榜领题赛", state="finalised",
                                      created_by=staff)
    entry = RoundEntry.objects.create(round=rnd, proposal=proposal)
    return Award.objects.create(round=rnd, entry=entry, level="first", prize=Decimal("100000"))


def test_an_award_of_a_contracted_challenge_links_to_its_project(
        django_capture_on_commit_callbacks):
    department()
    staff = make_user(Role.ORGANIZER)
    challenge, proposal = contracted(staff, django_capture_on_commit_callbacks)
    award = _award(proposal, staff)
    project = services.project_from_award(award_id=award.pk)
    assert project.source_challenge == challenge and project.source_award == award
    assert Project.objects.count() == 1


def test_an_award_first_then_the_contract_keeps_one_project(django_capture_on_commit_callbacks):
    department()
    staff = make_user(Role.ORGANIZER)
    challenge = make_challenge(state="published", staff=staff)
    proposal = make_proposal(challenge)
    award = _award(proposal, staff)
    project = services.project_from_award(award_id=award.pk)
    assert project.kind == "contest" and project.signing_event_name.startswith("第三届")
    challenges.proposal_shortlist(actor=staff, proposal=proposal)
    challenges.proposal_match(actor=staff, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        challenges.challenge_contract(actor=staff, challenge=challenge, amount="200000",
                                      start=timezone.localdate().isoformat(),
                                      milestones=[{"title": "交付", "due_on": (
                                          timezone.localdate() + dt.timedelta(days=90)).isoformat()}])
    assert Project.objects.count() == 1
    project.refresh_from_db()
    assert project.milestones.filter(stage="contract").count() == 1


def test_the_reconciling_job_creates_what_a_failed_hook_missed(django_capture_on_commit_callbacks,
                                                              monkeypatch):
    department()
    staff = make_user(Role.ORGANIZER)
    import innolink.projects.services as svc

    def boom(**kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(svc, "project_from_challenge", boom)
    challenge, _ = contracted(staff, django_capture_on_commit_callbacks)
    assert challenge.state == "contracted"  # the contract stands although the hook failed
    assert not Project.objects.exists()
    monkeypatch.undo()
    assert svc.projects_reconcile()["created"] == 1
    assert Project.objects.get().source_challenge == challenge


def test_a_contract_of_an_outside_issuer_with_a_solver_of_no_institution_is_a_project(
        django_capture_on_commit_callbacks):
    """A listing of a real 榜单 is issued by an organisation outside the registry, and a roster
    row need not name an institution: both sides become parties by name."""
    from innolink.challenges.models import ResearcherProfile
    from innolink.challenges.tests.factories import make_researcher

    department()
    staff = make_user(Role.ORGANIZER)
    challenge = make_challenge(poster=staff, staff=staff, state="published",
                               issuer_name="某省先进高分子重点实验室（测试）", issuer_kind="key_lab")
    assert challenge.issuer_id and not challenge.enterprise_id and not challenge.institution_id
    researcher = make_researcher(name="单人博士后团队（测试）", kind="team")
    ResearcherProfile.objects.filter(user=researcher).update(institution=None)
    proposal = make_proposal(challenge, researcher)
    challenges.proposal_shortlist(actor=staff, proposal=proposal)
    challenges.proposal_match(actor=staff, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        challenges.challenge_contract(
            actor=staff, challenge=challenge, amount="500000",
            start=timezone.localdate().isoformat(),
            milestones=[{"title": "样品", "due_on": (timezone.localdate() + dt.timedelta(
                days=90)).isoformat()}])
    project = Project.objects.get(source_challenge=challenge)
    assert {(p.role, p.organisation) for p in project.parties.all()} == {
        ("lead", "某省先进高分子重点实验室（测试）"), ("partner", "单人博士后团队（测试）")}
    award = _award(proposal, staff)
    assert services.project_from_award(award_id=award.pk) == project
