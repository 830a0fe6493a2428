"""A listing's solver requirements (region, disciplines, institution types, TRL) reach the engine
from the database and lift the researchers who meet them, with the reason worded in Chinese
and English (ADR 0170)."""

import pytest
from django.utils import translation

from innolink.accounts.roles import Role
from innolink.challenges.models import SolverType
from innolink.enterprises.testing import make_user
from innolink.matching import fetch, selectors
from innolink.matching.tests.factories import institution, make_challenge, make_profile

pytestmark = pytest.mark.django_db

TEXT = dict(research_fields="石墨烯导热膜", keywords="石墨烯 导热膜",
            achievements="石墨烯导热膜，面内导热系数 1500 W/(m·K)。")


def _profiles():
    uni = institution("福州大学", "university")
    lab = institution("上海某企业研发中心", "enterprise_lab")
    lab.province, lab.city = "上海市", "上海市"
    lab.save()
    fits = make_profile(inst=uni, discipline="材料科学", discipline_codes=["430"], trl=5,
                        **TEXT)
    other = make_profile(inst=lab, discipline="力学", discipline_codes=["130"], trl=8, **TEXT)
    return fits, other


def _challenge(**overrides):
    return make_challenge(title="石墨烯导热膜", statement="需要石墨烯导热膜，导热系数高。",
                          keywords="石墨烯 导热膜", **overrides)


def test_requirements_lift_the_team_that_meets_them_and_say_so_in_both_languages():
    fits, other = _profiles()
    challenge = _challenge(solver_region="福建", disciplines=["430"],
                           solver_types=["university"], trl_min=4)
    doc = fetch.challenge_doc(challenge)
    assert doc.requirements == ("discipline", "trl", "institution", "region")
    staff = make_user(Role.ORGANIZER)
    got = selectors.recommendations_for_challenge(staff, challenge.pk)
    assert [e.id for e in got][:2] == [fits.pk, other.pk]
    assert got[0].score > got[1].score
    zh = " ".join(got[0].reasons)
    assert "符合榜单要求" in zh and "单位类型（高等院校）" in zh and "技术成熟度（TRL5）" in zh
    assert "地区（福建省福州市）" in zh and "学科（材料科学）" in zh
    assert "符合榜单要求" not in " ".join(got[1].reasons)
    with translation.override("en"):
        en = " ".join(selectors.recommendations_for_challenge(staff, challenge.pk)[0].reasons)
        university = str(SolverType.UNIVERSITY.label)
    assert "Meets the listing's requirements" in en and f"({university})" in en
    assert "(TRL5)" in en and "(福建省福州市)" in en and "符合" not in en


def test_without_requirements_the_same_teams_tie_on_conditions_alone():
    fits, other = _profiles()
    challenge = _challenge()
    assert fetch.challenge_doc(challenge).requirements == ()
    got = selectors.recommendations_for_challenge(make_user(Role.ORGANIZER), challenge.pk)
    assert {e.id for e in got} >= {fits.pk, other.pk}
    assert all("符合榜单要求" not in " ".join(e.reasons) for e in got)
    # the prior (a university vs an enterprise lab, no preference stated) moves the score by a
    # fraction of the structured weight, not a full spread
    by_id = {e.id: e.score for e in got}
    assert abs(by_id[fits.pk] - by_id[other.pk]) < 1.0


def test_a_researcher_with_several_disciplines_fits_a_listing_asking_for_any():
    prof = make_profile(inst=institution(), discipline="材料；化学",
                        discipline_codes=["150", "430"], **TEXT)
    doc = fetch.researcher_doc(prof)
    assert doc.discipline == "化学" and doc.disciplines == ("化学", "材料科学")
    from innolink.engines.matching.structured import structured_fit

    need = fetch.challenge_doc(_challenge(disciplines=["430"]))
    assert structured_fit(need, doc).parts["discipline"].score == 1.0
