"""Services: each write audited in its transaction, notifications to those concerned, refusals
that leave nothing written, and the services following the transition table."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.challenges import services
from innolink.challenges.models import (
    Attachment,
    Challenge,
    IndicatorTarget,
    Proposal,
    ResearcherProfile,
)
from innolink.challenges.tests.factories import (
    challenge_data,
    make_challenge,
    make_poster,
    make_proposal,
    make_researcher,
    proposal_data,
)
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def entries(instance, action=None):
    qs = AuditEntry.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk))
    return qs.filter(action=action) if action else qs


def test_create_keeps_money_exact_and_audits_fields_and_indicators(poster):
    challenge = services.challenge_create(actor=poster, data=challenge_data(funding="123.456"))
    assert challenge.funding == Decimal("123.46")
    entry = entries(challenge, "create").get()
    assert entry.changes["funding"] == [None, "123.46"]
    assert entry.changes["indicators"][1][0]["name"] == "介电常数"
    assert "介电常数" in challenge.search_text and "光刻胶" in challenge.search_text


def test_staff_post_on_behalf_of_an_institution_and_must_choose_one(staff):
    institution = Institution.objects.create(name="福建省物质结构研究所", kind="institute")
    with pytest.raises(ValidationFailed) as exc:
        services.challenge_create(actor=staff, data=challenge_data())
    assert "三选一" in exc.value.fields["enterprise_id"][0]
    challenge = services.challenge_create(actor=staff, data=challenge_data(
        institution_id=institution.pk))
    assert challenge.institution == institution and challenge.enterprise is None


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.REVIEWER, Role.POLICY_OFFICER,
                                  Role.DEPT_HANDLER])
def test_roles_that_may_not_post_are_refused(role):
    with pytest.raises(PermissionDenied):
        services.challenge_create(actor=make_user(role), data=challenge_data())
    assert Challenge.objects.count() == 0


def test_a_past_deadline_and_a_joint_ip_without_share_are_refused(poster):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed) as exc:
        services.challenge_create(actor=poster, data=challenge_data(
            claim_deadline=yesterday, ip_enterprise_share=None))
    assert "应晚于今天" in exc.value.fields["claim_deadline"][0]
    assert exc.value.fields["ip_enterprise_share"] == ["发榜方份额：必填"]
    assert Challenge.objects.count() == IndicatorTarget.objects.count() == 0


def test_update_only_in_draft_or_returned_and_audits_the_diff(poster, staff):
    challenge = make_challenge(poster=poster, state="returned", staff=staff)
    services.challenge_update(actor=poster, challenge=challenge,
                              data=challenge_data(title="新的榜单名称", time_limit_months=18))
    entry = entries(challenge, "update").get()
    assert entry.changes["title"][1] == "新的榜单名称"
    assert entry.changes["time_limit_months"] == [24, 18]
    published = make_challenge(poster=poster, state="published", staff=staff)
    with pytest.raises(Conflict):
        services.challenge_update(actor=poster, challenge=published, data=challenge_data())


def test_another_enterprise_cannot_update(staff):
    challenge = make_challenge(state="draft")
    with pytest.raises(NotFound):
        services.challenge_update(actor=make_poster(), challenge=challenge,
                                  data=challenge_data())


def test_return_requires_a_comment_and_notifies_the_poster(poster, staff):
    challenge = make_challenge(poster=poster, state="submitted", staff=staff)
    with pytest.raises(ValidationFailed) as exc:
        services.challenge_return(actor=staff, challenge=challenge, comment="  ")
    assert exc.value.fields == {"comment": ["退回意见：必填"]}
    assert Challenge.objects.get().state == "submitted"
    services.challenge_return(actor=staff, challenge=challenge, comment="请补充测试方法")
    challenge.refresh_from_db()
    assert (challenge.state, challenge.review_comment) == ("returned", "请补充测试方法")
    note = Notification.objects.get(recipient=poster, kind="challenge.returned")
    assert note.body == "请补充测试方法" and note.url == f"/challenges/{challenge.pk}/"


def test_reject_with_reason_is_final(poster, staff):
    challenge = make_challenge(poster=poster, state="rejected", staff=staff)
    assert challenge.review_comment == "不属于六大领域"
    with pytest.raises(Conflict):
        services.challenge_submit(actor=poster, challenge=challenge)


def test_claim_moves_to_claimed_counts_places_and_notifies(poster, staff, researcher):
    challenge = make_challenge(poster=poster, state="published", staff=staff, max_claims=2)
    proposal = make_proposal(challenge, researcher)
    challenge.refresh_from_db()
    assert (challenge.state, challenge.open_claims, challenge.places_left) == ("claimed", 1, 1)
    assert Notification.objects.filter(recipient=poster, kind="proposal.submitted").exists()
    assert entries(proposal, "create").count() == 1
    with pytest.raises(Conflict) as exc:
        make_proposal(challenge, researcher)
    assert exc.value.code == "already_claimed"
    challenge.refresh_from_db()
    assert challenge.open_claims == 1 and Proposal.objects.count() == 1


def test_claim_is_refused_after_the_deadline_and_for_non_researchers(staff, poster):
    challenge = make_challenge(poster=poster, state="published", staff=staff)
    Challenge.objects.filter(pk=challenge.pk).update(
        claim_deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Conflict) as exc:
        make_proposal(challenge)
    assert exc.value.code == "deadline_passed"
    with pytest.raises(PermissionDenied):
        services.proposal_create(actor=poster, challenge=challenge, data=proposal_data())
    assert Proposal.objects.count() == 0


def test_claim_of_an_unpublished_challenge_is_a_404(poster):
    challenge = make_challenge(poster=poster, state="submitted")
    with pytest.raises(NotFound):
        make_proposal(challenge)


def test_withdrawing_the_last_claim_returns_the_challenge_to_published(staff, researcher):
    challenge = make_challenge(state="published", staff=staff)
    proposal = make_proposal(challenge, researcher)
    services.proposal_withdraw(actor=researcher, proposal=proposal)
    challenge.refresh_from_db()
    assert (challenge.state, challenge.open_claims) == ("published", 0)
    with pytest.raises(NotFound):
        services.proposal_withdraw(actor=make_researcher(), proposal=proposal)


def test_match_closes_the_other_proposals_and_opens_the_contact(poster, staff):
    challenge = make_challenge(poster=poster, state="published", staff=staff)
    winner, other = make_researcher(), make_researcher()
    p1, p2 = make_proposal(challenge, winner), make_proposal(challenge, other)
    with pytest.raises(Conflict):
        services.proposal_match(actor=staff, proposal=p1)  # must be shortlisted first
    services.proposal_shortlist(actor=staff, proposal=p1)
    with pytest.raises(PermissionDenied):
        services.proposal_match(actor=poster, proposal=p1)
    services.proposal_match(actor=staff, proposal=p1)
    challenge.refresh_from_db()
    p2.refresh_from_db()
    assert (challenge.state, challenge.matched_proposal_id, challenge.open_claims) == (
        "matched", p1.pk, 0)
    assert p2.state == "not_selected"
    assert Notification.objects.filter(recipient=winner, kind="proposal.matched").exists()
    assert Notification.objects.filter(recipient=other, kind="proposal.not_selected").exists()


def test_contract_checks_amount_dates_and_milestone_sum(poster, staff, researcher):
    challenge = make_challenge(poster=poster, state="published", staff=staff)
    proposal = make_proposal(challenge, researcher)
    services.proposal_shortlist(actor=staff, proposal=proposal)
    services.proposal_match(actor=staff, proposal=proposal)
    with pytest.raises(ValidationFailed) as exc:
        services.challenge_contract(actor=poster, challenge=challenge, amount="100",
                                    start="2027-01-10", milestones=[
                                        {"title": "中试", "due_on": "2027-01-01",
                                         "payment": "200"}])
    fields = exc.value.fields
    assert fields["milestones.1.due_on"] == ["第 1 个节点计划完成日期：不得早于合同开始日期"]
    assert fields["milestones"] == ["合同节点：各节点拨付金额之和不得超过合同金额"]
    assert Challenge.objects.get().state == "matched" and not challenge.milestones.exists()
    # another enterprise sees the matched challenge on the board but may not record its contract
    with pytest.raises(PermissionDenied):
        services.challenge_contract(actor=make_poster(), challenge=challenge, amount="1",
                                    start="2027-01-01", milestones=[])


def test_expire_only_after_the_deadline_and_by_the_daily_job(staff, researcher):
    challenge = make_challenge(state="published", staff=staff)
    proposal = make_proposal(challenge, researcher)
    with pytest.raises(Conflict):
        services.challenge_expire(actor=staff, challenge=challenge)
    Challenge.objects.filter(pk=challenge.pk).update(
        claim_deadline=timezone.localdate() - dt.timedelta(days=1))
    assert services.challenges_expire_due() == 1
    challenge.refresh_from_db()
    proposal.refresh_from_db()
    assert (challenge.state, proposal.state) == ("expired", "not_selected")
    entry = entries(challenge, "transition").latest("pk")
    assert entry.actor is None and entry.changes["state"] == ["claimed", "expired"]


def test_profile_is_self_edited_with_the_users_institution(researcher):
    user = make_user(Role.RESEARCHER)
    data = {"kind": "team", "name": "先进高分子团队", "station_kind": "workstation",
            "station": "晋江某企业博士后科研工作站", "discipline": "材料学",
            "research_fields": "鞋材 发泡", "availability": "partial",
            "members": [{"name": "甲"}], "domains": ["materials", "space"]}
    with pytest.raises(ValidationFailed) as exc:
        services.researcher_profile_save(actor=user, data=data)
    assert "members" not in exc.value.fields  # a team may be one person (decision 0353)
    assert exc.value.fields["domains"] == ["关注领域：无法识别 space"]
    assert not ResearcherProfile.objects.filter(user=user).exists()
    data.update(members=[{"name": "甲"}, {"name": "乙", "title": "副研究员"}],
                domains=["materials"])
    profile = services.researcher_profile_save(actor=user, data=data)
    assert profile.institution_id == user.institution_id and len(profile.members) == 2
    services.researcher_profile_save(actor=user, data={**data, "name": "先进高分子与鞋材团队"})
    assert entries(profile, "update").get().changes["name"][1] == "先进高分子与鞋材团队"


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


def test_attachments_are_checked_by_extension_content_and_size(poster, settings):
    challenge = make_challenge(poster=poster, state="draft")
    good = SimpleUploadedFile("规格书.pdf", PDF, content_type="application/pdf")
    attachment = services.attachment_add(actor=poster, upload=good, kind="spec",
                                         challenge=challenge)
    assert (attachment.original_name, attachment.content_type) == ("规格书.pdf",
                                                                   "application/pdf")
    fake = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00" + b"0" * 100)
    with pytest.raises(ValidationFailed) as exc:
        services.attachment_add(actor=poster, upload=fake, kind="spec", challenge=challenge)
    assert exc.value.fields["file"] == ["附件：文件内容与扩展名 .pdf 不符"]
    exe = SimpleUploadedFile("tool.exe", b"MZ")
    with pytest.raises(ValidationFailed) as exc:
        services.attachment_add(actor=poster, upload=exe, kind="spec", challenge=challenge)
    assert "只接受" in exc.value.fields["file"][0]
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as exc:
        services.attachment_add(actor=poster, upload=big, kind="spec", challenge=challenge)
    assert "不超过 10 MB" in exc.value.fields["file"][0]
    assert Attachment.objects.count() == 1
    with pytest.raises(NotFound):
        services.attachment_add(actor=make_poster(), upload=good, kind="spec",
                                challenge=challenge)


def test_the_daily_command_expires_due_challenges(staff):
    from django.core.management import call_command

    due = make_challenge(state="published", staff=staff)
    fresh = make_challenge(state="published", staff=staff)
    Challenge.objects.filter(pk=due.pk).update(
        claim_deadline=timezone.localdate() - dt.timedelta(days=2))
    out = io.StringIO()
    call_command("challenges_expire", stdout=out)
    assert "1 项" in out.getvalue()
    assert Challenge.objects.get(pk=due.pk).state == "expired"
    assert Challenge.objects.get(pk=fresh.pk).state == "published"
    assert not Challenge.objects.get(pk=due.pk).on_board


def test_staff_who_post_for_an_institution_own_it_and_another_staff_publishes(staff):
    institution = Institution.objects.create(name="泉州装备制造研究中心", kind="institute")
    challenge = services.challenge_create(actor=staff, data=challenge_data(
        institution_id=institution.pk))
    colleague = make_user(Role.ORGANIZER)
    with pytest.raises(PermissionDenied):
        services.challenge_submit(actor=colleague, challenge=challenge)
    services.challenge_submit(actor=staff, challenge=challenge)
    services.challenge_publish(actor=colleague, challenge=challenge)
    challenge.refresh_from_db()
    assert challenge.state == "published" and challenge.on_board
    note = Notification.objects.get(kind="challenge.published")
    assert note.recipient == staff
