"""Factories for challenge-board tests. They take the real service paths where the state
matters (a published challenge went through submit and publish), so tests see real records."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from innolink.accounts.models import Institution
from innolink.accounts.roles import Role
from innolink.challenges import services
from innolink.challenges.models import Challenge, Proposal, ResearcherProfile
from innolink.enterprises.testing import make_user

_n = itertools.count(1)


def challenge_data(**overrides: Any) -> dict[str, Any]:
    n = next(_n)
    data = {
        "title": f"低介电常数光刻胶树脂开发{n}",
        "domain": "materials",
        "statement": "面向先进封装的BCB光刻胶，需要在10 GHz下介电常数不高于2.7，并满足耐热要求。",
        "keywords": "光刻胶 BCB 介电常数",
        "funding": "2000000",
        "payment_terms": "签约付 30%，中期付 40%，验收付 30%",
        "time_limit_months": 24,
        "ip_ownership": "joint",
        "ip_enterprise_share": 60,
        "ip_notes": "",
        "other_conditions": "",
        "claim_deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "max_claims": 3,
        "contact_name": "王工",
        "contact_phone": "0595-88001234",
        "contact_email": "wang@example.com",
        "indicators": [
            {"name": "介电常数", "comparator": "le", "value": "2.7", "unit": "",
             "test_method": "GB/T 12636 10 GHz"},
            {"name": "玻璃化转变温度", "comparator": "ge", "value": "350", "unit": "℃"},
        ],
    }
    data.update(overrides)
    return data


def make_poster(enterprise=None):
    fields = {"enterprise": enterprise} if enterprise is not None else {}
    return make_user(Role.ENTERPRISE, display_name="王工", phone="13800000000", **fields)


def make_challenge(*, poster=None, state: str = "draft", staff=None, **overrides) -> Challenge:
    """A challenge taken through the services to ``state`` (draft, submitted, published)."""
    poster = poster or make_poster()
    challenge = services.challenge_create(actor=poster, data=challenge_data(**overrides))
    if state in ("submitted", "published", "returned", "rejected"):
        services.challenge_submit(actor=poster, challenge=challenge)
    staff = staff or make_user(Role.ORGANIZER)
    if state == "published":
        services.challenge_publish(actor=staff, challenge=challenge)
    elif state == "returned":
        services.challenge_return(actor=staff, challenge=challenge, comment="请补充测试方法")
    elif state == "rejected":
        services.challenge_reject(actor=staff, challenge=challenge, reason="不属于六大领域")
    challenge.refresh_from_db()
    return challenge


def make_researcher(*, institution: Institution | None = None, **fields) -> Any:
    """A researcher user with a profile."""
    kwargs = {"institution": institution} if institution is not None else {}
    user = make_user(Role.RESEARCHER, display_name=fields.pop("display_name", "李博士"),
                     **kwargs)
    ResearcherProfile.objects.create(
        user=user, name=fields.pop("name", f"李博士{user.pk}"), institution=user.institution,
        discipline="材料科学与工程", research_fields="高分子材料；光刻胶",
        keywords="光刻胶 低介电", station="厦门大学材料学博士后科研流动站", **fields)
    return user


def proposal_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "approach": "采用含氟苯并环丁烯单体共聚，降低极化率，并以纳米孔结构进一步降低介电常数。",
        "team": "李博士（负责人）",
        "budget": "1800000",
        "plan": "第1-6个月合成与表征，第7-18个月中试，第19-24个月客户验证。",
        "prior_results": "发表相关论文 5 篇，授权发明专利 2 项。",
        "milestones": [{"title": "小试样品", "month": 6, "deliverable": "样品 1 kg"},
                       {"title": "中试", "month": 18, "deliverable": "中试报告"}],
    }
    data.update(overrides)
    return data


def make_proposal(challenge: Challenge, researcher=None) -> Proposal:
    researcher = researcher or make_researcher()
    return services.proposal_create(actor=researcher, challenge=challenge, data=proposal_data())


def yuan(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
