"""Pages: who sees what (another tenant gets the missing-record 404), explanations rendered
safely, pinned query counts, forms that say what is wrong."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.matching.models import AssignmentRun, TechTerm
from innolink.matching.tests.factories import (make_challenge, make_offer, make_profile,
                                               make_researcher_user)

pytestmark = pytest.mark.django_db


def _same_page(a, b, path_a: str, path_b: str) -> bool:
    """Equal pages apart from the masked CSRF token and their own paths."""
    def clean(content: bytes, path: str) -> bytes:
        return re.sub(rb"[A-Za-z0-9]{64}", b"", content).replace(path.encode(), b"PATH")
    return clean(a.content, path_a) == clean(b.content, path_b)


@pytest.fixture
def staff():
    return make_user(Role.ORGANIZER)


@pytest.fixture
def challenge(staff):
    return make_challenge(staff=staff)


def test_staff_see_explained_recommendations_with_highlighted_terms(client, staff, challenge):
    profile = make_profile(name="林一帆", keywords="BCB光刻胶",
                           achievements="研制BCB光刻胶，介电常数 2.5（10 GHz）")
    client.force_login(staff)
    response = client.get(reverse("matching:challenge", args=[challenge.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "林一帆" in body and f'data-researcher="{profile.pk}"' in body
    assert '<mark title="光刻胶">光刻胶</mark>' in body
    assert "满足" in body and 'data-signal="indicator"' in body
    assert 'id="invite"' in body


def test_indicator_reasons_read_in_the_pages_language(client, staff, challenge):
    """The engine's indicator reason carries its frame and values (ADR 0390): the same
    recommendation reads in Chinese or English, names and figures as written."""
    make_profile(name="林一帆", keywords="BCB光刻胶", achievements="研制BCB光刻胶，介电常数 2.5（10 GHz）")
    client.force_login(staff)
    chinese = client.get(reverse("matching:challenge", args=[challenge.pk])).content.decode()
    assert re.search(r"报告介电常数 2\.5，满足目标 介电常数", chinese)
    client.cookies["django_language"] = "en"
    english = client.get(reverse("matching:challenge", args=[challenge.pk])).content.decode()
    assert re.search(r"Reports 介电常数 2\.5, meeting the target 介电常数", english)
    assert "满足目标" not in english and "主要依据" not in english


def test_the_engines_indicator_frames_are_in_the_catalogue_list():
    from innolink.engines.matching.indicators import REASON_FRAMES
    from innolink.matching.selectors import INDICATOR_REASONS

    assert set(REASON_FRAMES) == set(INDICATOR_REASONS)


def test_explanations_escape_html_from_profiles(client, staff, challenge):
    make_profile(name="<b>坏</b>", keywords="光刻胶",
                 achievements='<script>alert(1)</script>光刻胶<img src=x onerror=alert(2)>')
    client.force_login(staff)
    body = client.get(reverse("matching:challenge", args=[challenge.pk])).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark" in body
    assert "&lt;b&gt;坏&lt;/b&gt;" in body


def test_the_poster_sees_recommendations_but_cannot_invite(client, challenge):
    make_profile(keywords="光刻胶")
    client.force_login(challenge.created_by)
    response = client.get(reverse("matching:challenge", args=[challenge.pk]))
    assert response.status_code == 200 and 'id="invite"' not in response.content.decode()
    response = client.post(reverse("matching:invitations-assign", args=[challenge.pk]),
                           {"teams_per_challenge": 1, "researcher_limit": 1, "seed": 0})
    assert response.status_code == 403 and not AssignmentRun.objects.exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.RESEARCHER, Role.POLICY_OFFICER])
def test_another_tenant_gets_the_same_404_as_a_missing_challenge(client, challenge, role):
    make_profile(keywords="光刻胶")
    client.force_login(make_user(role))
    urls = [reverse("matching:challenge", args=[pk]) for pk in (challenge.pk, challenge.pk + 1000)]
    theirs, missing = client.get(urls[0]), client.get(urls[1])
    assert theirs.status_code == missing.status_code == 404
    assert challenge.title not in theirs.content.decode()
    assert _same_page(theirs, missing, *urls)


def test_researcher_page_lists_challenges_for_me_only(client, challenge):
    user, profile = make_researcher_user(keywords="光刻胶，BCB", achievements="介电常数 2.5")
    other = make_profile(keywords="光刻胶")
    client.force_login(user)
    body = client.get(reverse("matching:researcher-me")).content.decode()
    assert f'data-challenge="{challenge.pk}"' in body
    assert client.get(reverse("matching:researcher", args=[profile.pk])).status_code == 200
    theirs = client.get(reverse("matching:researcher", args=[other.pk]))
    missing = client.get(reverse("matching:researcher", args=[other.pk + 1000]))
    assert theirs.status_code == missing.status_code == 404


def test_offer_page_for_owner_and_staff_only(client, staff):
    from innolink.enterprises.testing import make_enterprise

    owner, _ = make_researcher_user(keywords="橡胶")
    offer = make_offer(owner=owner)
    shoe = make_enterprise(name="晋江鞋业有限公司", products="运动鞋 橡胶大底")
    client.force_login(owner)
    body = client.get(reverse("matching:offer", args=[offer.pk])).content.decode()
    assert f'data-enterprise="{shoe.pk}"' in body
    stranger, _ = make_researcher_user()
    client.force_login(stranger)
    assert client.get(reverse("matching:offer", args=[offer.pk])).status_code == 404


def test_challenge_page_query_count_is_pinned(client, staff, challenge,
                                              django_assert_num_queries):
    for n in range(12):
        make_profile(keywords="光刻胶，BCB", achievements=f"介电常数 2.{n % 9}")
    client.force_login(staff)
    url = reverse("matching:challenge", args=[challenge.pk])
    client.get(url)  # builds the engine
    # session+user, challenge, its indicators, sync (state, profiles, proposals, challenges,
    # enterprises), who already claimed it (left out), the recommended profiles with
    # institutions, the unread-notification badge
    with django_assert_num_queries(12):
        response = client.get(url)
    assert len(response.context["recommendations"]) == 12


def test_invite_form_runs_an_assignment_and_shows_it(client, staff, challenge):
    make_profile(keywords="光刻胶，BCB")
    client.force_login(staff)
    response = client.post(reverse("matching:invitations-assign", args=[challenge.pk]),
                           {"teams_per_challenge": 2, "researcher_limit": 1, "seed": 3})
    run = AssignmentRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("matching:assignment",
                                                                   args=[run.pk])
    body = client.get(response.url).content.decode()
    assert "只有 1 位无冲突、有余力的候选人" in body


def test_invite_form_with_bad_input_says_which_field(client, staff, challenge):
    client.force_login(staff)
    response = client.post(reverse("matching:invitations-assign", args=[challenge.pk]),
                           {"teams_per_challenge": 99, "researcher_limit": 1, "seed": 0})
    assert response.status_code == 422
    assert "每个榜单邀请团队数须在 1–20 之间" in response.content.decode()
    assert not AssignmentRun.objects.exists()


def test_terms_page_for_staff_only(client, staff):
    client.force_login(staff)
    response = client.post(reverse("matching:terms"), {"term": "超临界发泡"})
    assert response.status_code == 302 and TechTerm.objects.filter(term="超临界发泡").exists()
    response = client.post(reverse("matching:terms"), {"term": ""})
    assert response.status_code == 422 and "请填写技术术语" in response.content.decode()
    client.force_login(make_user(Role.RESEARCHER))
    assert client.get(reverse("matching:terms")).status_code == 403
    term = TechTerm.objects.get()
    assert client.post(reverse("matching:techterm-remove", args=[term.pk])).status_code == 403
    assert TechTerm.objects.exists()


def test_rebuild_page_starts_a_job(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    assert client.get(reverse("matching:index-rebuild")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:index-rebuild"))
    assert response.status_code == 302 and "/jobs/" in response.url
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.post(reverse("matching:index-rebuild")).status_code == 403


def test_assignment_pages_are_staff_only(client, staff, challenge):
    from innolink.matching import services

    run = services.invitations_assign(challenge_ids=[challenge.pk], teams_per_challenge=1,
                                      researcher_limit=1, seed=0, actor=staff)
    client.force_login(challenge.created_by)
    assert client.get(reverse("matching:assignment", args=[run.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("matching:assignments")).status_code == 200


def _render(tag: str, **context):
    return Template("{% load matching %}" + tag).render(Context(context))


def test_inclusion_tags_render_for_allowed_users_and_nothing_otherwise(challenge, staff):
    user, profile = make_researcher_user(keywords="光刻胶，BCB")
    html = _render("{% challenge_recommendations challenge %}", challenge=challenge, user=staff)
    assert f'data-researcher="{profile.pk}"' in html and "<mark" in html
    assert _render("{% challenge_recommendations challenge %}", challenge=challenge,
                   user=user).strip() == ""
    html = _render("{% researcher_recommendations profile %}", profile=profile, user=user)
    assert f'data-challenge="{challenge.pk}"' in html
    assert _render("{% researcher_recommendations profile %}", profile=profile,
                   user=make_user(Role.ENTERPRISE)).strip() == ""


def test_challenge_board_slot_provider(challenge, staff):
    from django.contrib.auth.models import AnonymousUser

    from django.utils import translation

    from innolink.matching.recommend import challenge_recommendations

    user, profile = make_researcher_user(keywords="光刻胶，BCB")
    assert challenge_recommendations(AnonymousUser()) == []
    [item] = challenge_recommendations(user)
    assert item["title"] == challenge.title and item["reason"].startswith("主要依据：")
    with translation.override("en"):  # the slot's reason in the reader's language
        [english] = challenge_recommendations(user)
    assert english["reason"].startswith("Mainly: ") and "主要依据" not in english["reason"]
    [item] = challenge_recommendations(staff, challenge=challenge)
    assert item["title"] == profile.name
    assert challenge_recommendations(user, challenge=challenge) == []


def test_list_pages_keep_their_query_counts(client, staff, challenge, django_assert_num_queries):
    from innolink.matching import services

    for n in range(5):  # runs first: each term bumps the generation (a rebuild per run)
        services.invitations_assign(challenge_ids=[challenge.pk], teams_per_challenge=1,
                                    researcher_limit=1, seed=n, actor=staff)
    for n in range(5):
        services.techterm_add(actor=staff, term=f"术语{n}号")
    client.force_login(staff)
    with django_assert_num_queries(4):  # session, user, rows with their author, badge
        assert client.get(reverse("matching:terms")).status_code == 200
    with django_assert_num_queries(4):
        assert client.get(reverse("matching:assignments")).status_code == 200


def test_rebuild_command_encodes_and_bumps(settings, staff):
    from io import StringIO

    from django.core.management import call_command

    from innolink.matching.index import current_generation

    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    make_profile(keywords="光刻胶")
    out = StringIO()
    call_command("matching_rebuild", "--check", stdout=out)
    text = out.getvalue()
    assert "encoded 1 profiles; generation 1" in text and "dense=True" in text
    assert current_generation() == 1
