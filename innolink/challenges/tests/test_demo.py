"""The demo data: every state present, realistic indicators, deterministic and idempotent."""

import pytest

from innolink.accounts.models import User
from innolink.challenges.models import (
    Challenge,
    ChallengeState,
    IndicatorTarget,
    Proposal,
    ResearcherProfile,
    TechnologyOffer,
)
from innolink.core.models import AuditEntry
from innolink.accounts.models import Institution
from innolink.challenges.demo import seed
from innolink.demo import generator
from innolink.demo.services import demo_accounts_ensure
from innolink.enterprises.services import registry_import


def _demo_city(enterprises: int) -> None:
    """What ``demo_seed`` prepares before calling the apps' seeds (without the other apps)."""
    for name, kind, province, city in generator.INSTITUTIONS:
        Institution.objects.create(name=name, kind=kind, province=province, city=city,
                                   is_demo=True)
    from innolink.accounts.models import Department

    for code, name in generator.DEPARTMENTS:
        Department.objects.create(code=code, name=name)
    registry_import(content=generator.enterprise_csv(seed=5, count=enterprises),
                    filename="demo.csv", actor=None, commit=True, source="demo", demo=True)
    demo_accounts_ensure()


@pytest.mark.django_db
@pytest.mark.demo_seed
def test_demo_covers_every_state_and_a_second_run_changes_nothing():
    _demo_city(60)
    summary = seed(seed=5)
    assert summary.startswith("揭榜领题：")
    states = set(Challenge.objects.filter(is_demo=True).values_list("state", flat=True))
    assert states == {s.value for s in ChallengeState}
    assert set(Challenge.objects.values_list("domain", flat=True)) - {""} == {
        "it", "equipment", "energy", "materials", "biomed", "agrifood"}
    names = set(IndicatorTarget.objects.values_list("name", flat=True))
    assert {"介电常数（10 GHz）", "DIN 耐磨体积损失", "吨布水耗"} <= names
    # in the style of real listings (decision 0356): qualitative and flagged targets, ranges,
    # funding forms, outside issuers of a contest programme, screening done with reasons
    assert IndicatorTarget.objects.filter(comparator="text", needs_review=False).exists()
    assert IndicatorTarget.objects.filter(comparator="range").exists()
    assert set(Challenge.objects.values_list("funding_kind", flat=True)) == {
        "fixed", "range", "up_to", "prize", "negotiable"}
    assert Challenge.objects.filter(issuer__isnull=False, programme__isnull=False).exists()
    assert Challenge.objects.filter(ip_ownership="joint_open").exists()
    assert Challenge.objects.exclude(secondary_domains=[]).exists()
    assert Challenge.objects.filter(trl_min=4, trl_max=6).exists()  # a TRL range (ADR 0365)
    published = Challenge.objects.filter(published_at__isnull=False)
    assert not published.filter(domain="").exists()
    assert AuditEntry.objects.filter(note__startswith="豁免筛查项").exists()
    profiles = ResearcherProfile.objects.filter(is_demo=True)
    assert profiles.filter(kind="team").exists()
    assert any(len(p.members) == 1 for p in profiles.filter(kind="team"))
    assert profiles.filter(discipline_codes=[]).exists() and profiles.exclude(
        discipline_codes=[]).exists()
    demo_researcher = User.objects.get(username="researcher")
    assert ResearcherProfile.objects.filter(user=demo_researcher).exists()
    assert ResearcherProfile.objects.filter(is_demo=True).count() >= 80
    assert Proposal.objects.filter(state="matched").exists()
    assert TechnologyOffer.objects.filter(state="published", interests__isnull=False).exists()
    counts = (Challenge.objects.count(), Proposal.objects.count(),
              ResearcherProfile.objects.count(), TechnologyOffer.objects.count(),
              AuditEntry.objects.count())
    seed(seed=5)
    assert (Challenge.objects.count(), Proposal.objects.count(),
            ResearcherProfile.objects.count(), TechnologyOffer.objects.count(),
            AuditEntry.objects.count()) == counts
