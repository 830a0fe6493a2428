"""Writes: the term dictionary and capacity-aware invitation runs."""

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.challenges.models import Proposal
from innolink.core.errors import NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_user
from innolink.matching import services
from innolink.matching.models import AssignmentRun, MatchIndexState, TechTerm
from innolink.matching.tests.factories import (institution, make_challenge, make_profile,
                                               make_researcher_user)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return make_user(Role.ORGANIZER)


# --- terms ---------------------------------------------------------------------------------

def test_adding_and_removing_a_term_is_audited_and_bumps_the_generation(staff):
    term = services.techterm_add(actor=staff, term="  超临界 发泡 ")
    assert term.term == "超临界 发泡" and term.added_by == staff
    assert MatchIndexState.objects.get(pk=1).generation == 1
    services.techterm_remove(actor=staff, term_id=term.pk)
    assert not TechTerm.objects.exists()
    assert MatchIndexState.objects.get(pk=1).generation == 2
    actions = list(AuditEntry.objects.filter(model="matching.techterm")
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["create", "delete"]


@pytest.mark.parametrize("raw, message", [
    ("", "请填写技术术语"),
    ("光" * 61, "最长 60 个字符"),
    ("<script>", "只能包含"),
])
def test_a_bad_term_names_the_field_and_writes_nothing(staff, raw, message):
    with pytest.raises(ValidationFailed) as exc:
        services.techterm_add(actor=staff, term=raw)
    assert message in exc.value.fields["term"][0]
    assert not TechTerm.objects.exists() and not AuditEntry.objects.exists()
    assert not MatchIndexState.objects.exists()


def test_a_duplicate_term_is_refused_case_insensitively(staff):
    services.techterm_add(actor=staff, term="BCB光刻胶")
    with pytest.raises(ValidationFailed) as exc:
        services.techterm_add(actor=staff, term="bcb光刻胶")
    assert "已在词典中" in exc.value.fields["term"][0]
    assert TechTerm.objects.count() == 1


def test_only_staff_edit_terms():
    researcher = make_user(Role.RESEARCHER)
    with pytest.raises(PermissionDenied):
        services.techterm_add(actor=researcher, term="光刻胶")
    with pytest.raises(NotFound):
        services.techterm_remove(actor=make_user(Role.ORGANIZER), term_id=999)
    assert not TechTerm.objects.exists()


# --- invitations ---------------------------------------------------------------------------

def _pool(n: int, **fields):
    return [make_profile(keywords="光刻胶，BCB", achievements=f"BCB光刻胶，介电常数 2.{n % 9}",
                         **fields) for _ in range(n)]


def test_assignment_is_deterministic_for_a_seed_and_respects_capacity(staff):
    challenges = [make_challenge(title=f"低介电常数光刻胶树脂开发第{i}期") for i in range(3)]
    people = _pool(4)
    ids = [c.pk for c in challenges]
    first = services.invitations_assign(challenge_ids=ids, teams_per_challenge=2,
                                        researcher_limit=2, seed=7, actor=staff)
    second = services.invitations_assign(challenge_ids=ids, teams_per_challenge=2,
                                         researcher_limit=2, seed=7, actor=staff)
    assert first.pairs == second.pairs and first.status == "optimal"
    assert len(first.pairs) == 6
    load = {}
    for p in first.pairs:
        load[p["researcher_id"]] = load.get(p["researcher_id"], 0) + 1
    assert max(load.values()) <= 2 and set(load) <= {p.pk for p in people}
    assert all(len({p["researcher_id"] for p in first.pairs if p["challenge_id"] == c}) == 2
               for c in ids)
    assert AuditEntry.objects.filter(model="matching.assignmentrun", action="create").count() == 2


def test_conflicts_are_never_assigned_and_are_reported_with_reasons(staff):
    lab = institution("厦门大学", "university")
    challenge = make_challenge()
    challenge.institution = lab  # posted with the backing of a laboratory at 厦门大学
    challenge.save()
    same_inst = make_profile(inst=lab, keywords="光刻胶，BCB", achievements="BCB光刻胶 介电常数 2.5")
    claimant = make_profile(keywords="光刻胶，BCB", achievements="BCB光刻胶 介电常数 2.5")
    Proposal.objects.create(challenge=challenge, researcher=claimant, approach="a", plan="p",
                            budget="1.00", state="submitted")
    free = make_profile(keywords="光刻胶", achievements="光刻胶")
    run = services.invitations_assign(challenge_ids=[challenge.pk], teams_per_challenge=1,
                                      researcher_limit=2, seed=0, actor=staff)
    assert [p["researcher_id"] for p in run.pairs] == [free.pk]
    reasons = {r["researcher_id"]: r["reason"] for r in run.refused}
    assert "同一单位" in reasons[same_inst.pk] and "已就该榜单提交" in reasons[claimant.pk]


def test_infeasible_demand_is_explained_in_chinese_and_busy_researchers_count(staff, client):
    challenge = make_challenge()
    busy = make_profile(keywords="光刻胶，BCB", achievements="BCB光刻胶 介电常数 2.5")
    other = make_challenge(title="另一个光刻胶榜单需要团队")
    for c in (other,):
        Proposal.objects.create(challenge=c, researcher=busy, approach="a", plan="p",
                                budget="1.00", state="submitted")
    free = make_profile(keywords="光刻胶")
    run = services.invitations_assign(challenge_ids=[challenge.pk], teams_per_challenge=3,
                                      researcher_limit=1, seed=0, actor=staff)
    assert run.status == "partial"
    assert [p["researcher_id"] for p in run.pairs] == [free.pk]  # busy is at its limit
    assert run.problems[0]["message"] == (
        f"榜单“{challenge.title}”需要邀请 3 个团队，但只有 1 位无冲突、有余力的候选人")
    assert run.unmet == [{"challenge_id": challenge.pk, "missing": 2,
                          "reason": run.problems[0]["message"],
                          "reason_id": "榜单“%(title)s”需要邀请 %(demand)s 个团队，但只有 %(n)s 位无冲突、有余力的候选人",
                          "reason_params": {"title": challenge.title, "demand": 3, "n": 1}}]
    # stored as msgid + values (ADR 0390): the run page reads in the reader's language
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("matching:assignment", args=[run.pk])).content.decode()
    assert f"Challenge “{challenge.title}” needs 3 teams but has only 1 candidates" in page
    assert "无冲突、有余力" not in page
    client.cookies["django_language"] = "zh-hans"
    assert run.problems[0]["message"] in client.get(
        reverse("matching:assignment", args=[run.pk])).content.decode()


def test_invited_researchers_are_notified_after_commit(staff, django_capture_on_commit_callbacks):
    challenge = make_challenge()
    user, profile = make_researcher_user(keywords="光刻胶，BCB")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_assign(challenge_ids=[challenge.pk], teams_per_challenge=1,
                                    researcher_limit=1, seed=0, actor=staff)
    note = Notification.objects.get(recipient=user)
    assert challenge.title in note.title and note.kind == "matching.invite"


@pytest.mark.parametrize("params, field, message", [
    ({"teams_per_challenge": 0}, "teams_per_challenge", "须在 1–20 之间"),
    ({"researcher_limit": "两个"}, "researcher_limit", "须为整数"),
    ({"seed": -1}, "seed", "须在 0–"),
    ({"challenge_ids": []}, "challenge_ids", "请至少选择一个榜单"),
    ({"challenge_ids": [987654]}, "challenge_ids", "榜单不存在"),
])
def test_bad_assignment_input_names_the_field_and_writes_nothing(staff, params, field, message):
    challenge = make_challenge()
    make_profile(keywords="光刻胶")
    args = {"challenge_ids": [challenge.pk], "teams_per_challenge": 1, "researcher_limit": 1,
            "seed": 0, **params}
    with pytest.raises(ValidationFailed) as exc:
        services.invitations_assign(actor=staff, **args)
    assert message in exc.value.fields[field][0]
    assert not AssignmentRun.objects.exists()


def test_a_closed_challenge_cannot_get_invitations(staff):
    draft = make_challenge(published=False)
    with pytest.raises(ValidationFailed) as exc:
        services.invitations_assign(challenge_ids=[draft.pk], teams_per_challenge=1,
                                    researcher_limit=1, seed=0, actor=staff)
    assert "不在揭榜期" in exc.value.fields["challenge_ids"][0]


def test_only_staff_run_assignments():
    challenge = make_challenge()
    with pytest.raises(PermissionDenied):
        services.invitations_assign(challenge_ids=[challenge.pk], teams_per_challenge=1,
                                    researcher_limit=1, seed=0,
                                    actor=challenge.created_by)
    assert not AssignmentRun.objects.exists()
