"""Factories for matching tests: challenges go through the challenges app's services (so their
state and ``updated_at`` are real); researcher profiles are plain rows like imported ones."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.challenges import services as board
from innolink.challenges.models import Challenge, ResearcherProfile, TechnologyOffer
from innolink.enterprises.testing import make_user

_n = itertools.count(1)


def institution(name: str = "福州大学", kind: str = "university") -> Institution:
    inst, _ = Institution.objects.get_or_create(
        name=name, defaults={"kind": kind, "province": "福建省", "city": "福州市"})
    return inst


def make_profile(*, user=None, inst: Institution | None = None, **fields: Any
                 ) -> ResearcherProfile:
    n = next(_n)
    defaults = {"name": f"研究员{n}", "discipline": "材料科学与工程",
                "research_fields": "高分子材料", "keywords": "", "achievements": "",
                "availability": "available", "domains": ["materials"]}
    return ResearcherProfile.objects.create(user=user, institution=inst or institution(),
                                            **{**defaults, **fields})


def make_researcher_user(**fields: Any):
    inst = fields.pop("inst", None) or institution()
    user = make_user(Role.RESEARCHER, institution=inst)
    return user, make_profile(user=user, inst=inst, **fields)


def challenge_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "低介电常数光刻胶树脂开发",
        "domain": "materials",
        "statement": "面向先进封装的BCB光刻胶，需要在10 GHz下介电常数不高于2.7。",
        "keywords": "光刻胶 BCB 介电常数",
        "funding": "2000000",
        "payment_terms": "签约付 30%，验收付 70%",
        "time_limit_months": 24,
        "ip_ownership": "negotiable",
        "claim_deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "max_claims": 5,
        "contact_name": "王工",
        "contact_phone": "0595-88001234",
        "indicators": [{"name": "介电常数", "comparator": "le", "value": "2.7", "unit": "",
                        "test_method": "GB/T 12636"}],
    }
    data.update(overrides)
    return data


def make_challenge(*, poster=None, staff=None, published: bool = True, **overrides: Any
                   ) -> Challenge:
    poster = poster or make_user(Role.ENTERPRISE, display_name="王工", phone="13800000000")
    challenge = board.challenge_create(actor=poster, data=challenge_data(**overrides))
    if published:
        board.challenge_submit(actor=poster, challenge=challenge)
        board.challenge_publish(actor=staff or make_user(Role.ORGANIZER), challenge=challenge)
    challenge.refresh_from_db()
    return challenge


def make_offer(*, owner, **fields: Any) -> TechnologyOffer:
    defaults = {"title": "耐磨橡胶大底配方", "domain": "materials",
                "summary": "橡胶大底耐磨配方，DIN磨耗 55 mm³，适合运动鞋大底。", "trl": 6,
                "applications": "运动鞋、户外鞋大底", "ip_status": "patent_granted",
                "cooperation_mode": "licence", "keywords": "橡胶大底 耐磨",
                "contact_name": "李博士", "contact_phone": "13900000000", "state": "published"}
    return TechnologyOffer.objects.create(
        created_by=owner, institution=owner.institution or institution(),
        researcher=getattr(owner, "researcher_profile", None), **{**defaults, **fields})
