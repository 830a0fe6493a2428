"""Challenge pages read in English down to their action buttons and step messages, and a thin
researcher profile (a real roster's name, field and expertise only) reads well: no empty
headings, no "None", no rows of dashes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from innolink.accounts.roles import Role
from innolink.challenges import lifecycle, services
from innolink.challenges.models import ResearcherProfile
from innolink.challenges.tests.factories import make_challenge, make_poster
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def _english(client, url, **kwargs):
    with translation.override("en"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **kwargs)


def _buttons(html: str) -> list[str]:
    """Button labels, leaving out those marked as another language (the language switch's
    "简体中文", lang="zh-hans")."""
    return [re.sub(r"<[^>]+>", "", b).strip()
            for b in re.findall(r"<button(?![^>]*\blang=\"zh)[^>]*>(.*?)</button>", html, re.S)]


def test_every_step_verb_has_an_english_label():
    with translation.override("en"):
        labels = [services.step_label(action) for action in lifecycle.TRANSITIONS]
        labels += [services.offer_step_label(action) for action in services.OFFER_TRANSITIONS]
    assert [label for label in labels if CJK.search(label)] == []


def test_the_owners_and_the_organizers_buttons_are_english(client):
    poster = make_poster()
    draft = make_challenge(poster=poster)
    client.force_login(poster)
    owner = _english(client, reverse("challenges:detail", args=[draft.pk])).content.decode()
    assert {"Submit for review", "Withdraw"} <= set(_buttons(owner))
    assert not [b for b in _buttons(owner) if CJK.search(b)]

    staff = make_user(Role.ORGANIZER)
    submitted = make_challenge(state="submitted", staff=staff)
    client.force_login(staff)
    page = _english(client, reverse("challenges:detail", args=[submitted.pk])).content.decode()
    assert {"Publish on the board", "Return for revision", "Reject"} <= set(_buttons(page))
    assert not [b for b in _buttons(page) if CJK.search(b)]


def test_a_step_reports_itself_in_english(client):
    poster = make_poster()
    draft = make_challenge(poster=poster)
    client.force_login(poster)
    with translation.override("en"):
        response = client.post(reverse("challenges:challenge-submit", args=[draft.pk]),
                               HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Submitted for review" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_a_step_still_reports_itself_in_chinese(client):
    poster = make_poster()
    draft = make_challenge(poster=poster)
    client.force_login(poster)
    response = client.post(reverse("challenges:challenge-submit", args=[draft.pk]), follow=True)
    assert "已提交审核" in response.content.decode()


# --- a thin researcher profile ---------------------------------------------------------------

def _thin() -> ResearcherProfile:
    return ResearcherProfile.objects.create(
        name="陈一鸣", research_fields="超临界二氧化碳发泡；鞋材轻量化", keywords="发泡 中底 回弹",
        station_kind=ResearcherProfile.StationKind.NONE)  # as the roster import stores a blank


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_thin_profile_shows_what_it_has_and_no_empty_rows(client, language):
    profile = _thin()
    client.force_login(make_user(Role.ORGANIZER))
    with translation.override(language):
        response = client.get(reverse("challenges:researcher", args=[profile.pk]),
                              HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    facts = re.search(r'<dl class="facts" id="profile-facts">(.*?)</dl>', html, re.S).group(1)
    values = [re.sub(r"<[^>]+>", "", d).strip() for d in re.findall(r"<dd>(.*?)</dd>", facts,
                                                                    re.S)]
    assert "超临界二氧化碳发泡；鞋材轻量化" in values and "发泡 中底 回弹" in values
    assert all(v and v not in ("—", "None") and not v.startswith("·") and not v.endswith("·")
               for v in values), values
    assert "None" not in html
    headings = re.findall(r"<dt>(.*?)</dt>", facts)
    assert len(headings) == len(values) == 3  # field, expertise and availability
    if language == "zh-hans":
        assert headings == ["研究方向", "关键词", "可投入情况"]
    else:
        assert not [h for h in headings if CJK.search(h)]


def test_a_full_profile_still_shows_every_row(client):
    profile = _thin()
    profile.title, profile.discipline, profile.achievements = "副研究员", "材料科学与工程", "发泡中底量产"
    profile.email, profile.phone = "chen@example.com", "13900000000"
    profile.save()
    client.force_login(make_user(Role.ORGANIZER))
    html = client.get(reverse("challenges:researcher", args=[profile.pk])).content.decode()
    for text in ("副研究员", "材料科学与工程", "发泡中底量产", "chen@example.com · 13900000000"):
        assert text in html


def test_a_thin_profile_in_the_list_has_no_blank_cells(client):
    _thin()
    client.force_login(make_user(Role.ORGANIZER))
    html = client.get(reverse("challenges:researchers")).content.decode()
    row = re.search(r'<table class="data" id="researchers">.*?<tbody>(.*?)</tbody>', html,
                    re.S).group(1)
    assert "<td></td>" not in row and "None" not in row
