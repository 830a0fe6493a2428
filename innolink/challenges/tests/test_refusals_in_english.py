"""Refusals, step labels and step messages of the challenge board and of matching read in the
reader's language (issue 16, ADR 0780): Chinese by default, English once the reader chose it,
on pages and in the API alike."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from innolink.accounts.roles import Role
from innolink.challenges import services
from innolink.challenges.models import Challenge, Proposal, ResearcherProfile
from innolink.challenges.tests.factories import (
    make_challenge,
    make_proposal,
    make_researcher,
    proposal_data,
)
from innolink.core.errors import ApplicationError
from innolink.core.testing import assert_json_error
from innolink.enterprises.testing import make_user
from innolink.matching.models import TechTerm

pytestmark = pytest.mark.django_db


def _english(client) -> dict[str, str]:
    """The reader chose English: the language cookie, and the header for good measure."""
    client.cookies["django_language"] = "en"
    return {"HTTP_ACCEPT_LANGUAGE": "en"}


def _post_json(client, url, payload=None, **headers):
    return client.post(url, json.dumps(payload or {}), content_type="application/json",
                       **headers)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("english, expected", [
    (False, "揭榜名额已满（共 1 个名额）"),
    (True, "All claim places are taken (1 in all)"),
])
def test_a_claim_refused_in_the_api_reads_in_the_readers_language(client, staff, english,
                                                                  expected):
    challenge = make_challenge(state="published", staff=staff, max_claims=1)
    make_proposal(challenge)
    client.force_login(make_researcher())
    headers = _english(client) if english else {}
    body = assert_json_error(_post_json(client, f"/api/challenges/{challenge.pk}/claim",
                                        proposal_data(), **headers), 409, "no_places")
    assert body["message"] == expected
    assert Proposal.objects.count() == 1


@pytest.mark.parametrize("english, expected", [
    (False, "您无权对此榜单执行“张榜发布”"),
    (True, "You are not allowed to take the step “Publish on the board” on this challenge"),
])
def test_a_step_refused_to_the_wrong_role_names_the_step_in_the_readers_language(
        client, staff, poster, english, expected):
    challenge = make_challenge(poster=poster, state="submitted", staff=staff)
    client.force_login(poster)
    headers = _english(client) if english else {}
    body = assert_json_error(_post_json(client, f"/api/challenges/{challenge.pk}/publish",
                                        **headers), 403, "permission_denied")
    assert body["message"] == expected
    challenge.refresh_from_db()
    assert challenge.state == "submitted"


def test_a_page_refusal_and_the_step_buttons_read_in_english(client, staff, poster):
    draft = make_challenge(poster=poster, state="draft", staff=staff)
    client.force_login(staff)
    headers = _english(client)
    response = client.post(reverse("challenges:challenge-publish", args=[draft.pk]),
                           follow=True, **headers)
    [message] = _messages(response)
    assert message.startswith("The challenge is “")
    assert message.endswith("the step “Publish on the board” is not possible now")
    assert Challenge.objects.get(pk=draft.pk).state == "draft"
    submitted = make_challenge(poster=poster, state="submitted", staff=staff)
    body = client.get(reverse("challenges:detail", args=[submitted.pk]), **headers)
    assert "Publish on the board" in body.content.decode()
    assert "张榜发布" not in body.content.decode()


def test_a_page_refusal_reads_in_chinese_by_default(client, staff, poster):
    draft = make_challenge(poster=poster, state="draft", staff=staff)
    client.force_login(staff)
    response = client.post(reverse("challenges:challenge-publish", args=[draft.pk]),
                           follow=True)
    assert _messages(response) == ["榜单当前状态为“草稿”，不能张榜发布"]
    submitted = make_challenge(poster=poster, state="submitted", staff=staff)
    assert "张榜发布" in client.get(reverse("challenges:detail",
                                            args=[submitted.pk])).content.decode()


@pytest.mark.parametrize("english, expected", [
    (False, "已提交审核"), (True, "Submitted for review")])
def test_a_step_done_reads_in_the_readers_language(client, poster, english, expected):
    draft = make_challenge(poster=poster, state="draft")
    client.force_login(poster)
    headers = _english(client) if english else {}
    response = client.post(reverse("challenges:challenge-submit", args=[draft.pk]),
                           follow=True, **headers)
    assert _messages(response) == [expected]
    assert Challenge.objects.get(pk=draft.pk).state == "submitted"


@pytest.mark.parametrize("english, expected", [
    (False, "只有科研人员可以揭榜"), (True, "Only researchers may claim a challenge")])
def test_a_forbidden_page_says_why_in_the_readers_language(client, staff, poster, english,
                                                           expected):
    challenge = make_challenge(state="published", staff=staff)
    client.force_login(poster)
    headers = _english(client) if english else {}
    response = client.get(reverse("challenges:claim", args=[challenge.pk]), **headers)
    assert response.status_code == 403
    assert expected in response.content.decode()


@pytest.mark.parametrize("english, expected", [
    (False, "技术术语至少 2 个字符"), (True, "A technical term has at least 2 characters")])
def test_a_matching_term_refused_on_the_page_reads_in_the_readers_language(client, english,
                                                                         expected):
    client.force_login(make_user(Role.ORGANIZER))
    headers = _english(client) if english else {}
    response = client.post(reverse("matching:terms"), {"term": "x"}, **headers)
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert not TechTerm.objects.exists()


def test_a_roster_that_cannot_be_read_keeps_its_msgid_for_the_job_page(staff):
    """A background check stores the failure's msgid and values (ADR 0761), so the job page
    shows it in each reader's language, whatever the worker's."""
    content = "姓名,邮箱\n张三,zhang@example.org\n".encode()
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        services.researcher_import(actor=staff, content=content, filename="roster.csv",
                                   commit=True)
    assert refused.value.code == "import_missing_columns"
    assert refused.value.msgid == "缺少必需的列：%(columns)s"
    assert refused.value.params == {"columns": "研究方向"}
    assert refused.value.message == "Required columns are missing: 研究方向"
    with translation.override("zh-hans"):
        assert translation.gettext(refused.value.msgid) % refused.value.params \
            == "缺少必需的列：研究方向"
    assert not ResearcherProfile.objects.exists()


@pytest.mark.parametrize("english, expected", [
    (False, "研究方向：必填"), (True, "Research fields: required")])
def test_a_field_error_on_a_form_reads_in_the_readers_language(client, english, expected):
    user = make_user(Role.RESEARCHER)
    client.force_login(user)
    headers = _english(client) if english else {}
    response = client.post(reverse("challenges:researcher-profile"), {"name": "李博士"}, **headers)
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert not ResearcherProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize("english, kind, required", [
    (False, "应为 个人 或 团队", "必填"),
    (True, "should be 个人 (individual) or 团队 (team)", "required")])
def test_a_roster_checked_in_the_request_gives_row_reasons_in_the_readers_language(
        client, staff, english, kind, required):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    headers = _english(client) if english else {}
    roster = "姓名,类型,所属机构,研究方向\n李四,专家,华侨大学,\n".encode()
    response = client.post(reverse("challenges:researcher-import"),
                           {"file": SimpleUploadedFile("r.csv", roster)}, **headers)
    assert response.status_code == 422
    page = response.content.decode()
    assert f"<td>类型</td><td>专家</td><td>{kind}</td>" in page
    assert f"<td>研究方向</td><td></td><td>{required}</td>" in page
    assert not ResearcherProfile.objects.exists()
