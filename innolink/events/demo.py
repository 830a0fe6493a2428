"""Demo records of the events app: a matchmaking event with slots, rooms and a published
schedule; a finalised competition round with reviewers, scores and awards; and a second round
open for scoring in which the demo account ``reviewer`` has assignments waiting.

Idempotent (keyed by the titles below) and deterministic (``random.Random(seed)``). Everything
goes through the services, so the demo takes the same checked, audited path as staff do. When
the challenge board has too few shortlisted demo proposals (its own demo not run), a handful of
demo challenges and proposals are added so the event and the rounds have something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from innolink.accounts.models import Institution, User
from innolink.accounts.roles import Role

EVENT_TITLE = "2026 晋江揭榜领题交流对接会"
FINAL_TITLE = "2026 揭榜领题赛 · 决赛"
SEMI_TITLE = "2026 揭榜领题赛 · 复赛（评分中）"
EVENT_DATE = dt.date(2026, 12, 18)

REVIEWERS = [  # username, display name, title, institution, fields
    ("reviewer01", "评审专家 · 林教授", "教授", "厦门大学", ["materials", "energy"]),
    ("reviewer02", "评审专家 · 黄研究员", "研究员", "中国科学院海西研究院泉州装备制造研究中心",
     ["equipment", "it"]),
    ("reviewer03", "评审专家 · 许教授", "教授", "福州大学", ["it", "equipment"]),
    ("reviewer04", "评审专家 · 蔡教授", "教授", "东华大学", ["materials"]),
    ("reviewer05", "评审专家 · 郑教授", "教授", "江南大学", ["agrifood", "biomed"]),
    ("reviewer06", "评审专家 · 王研究员", "研究员", "福建省纺织科学研究院（演示）",
     ["materials", "energy"]),
    ("reviewer07", "评审专家 · 张教授", "教授", "浙江大学", ["biomed", "it"]),
    ("reviewer08", "评审专家 · 苏教授", "副教授", "华南理工大学", ["energy", "equipment"]),
]

# fallback board rows: (title, domain, keywords)
FALLBACK = [
    ("低介电常数 ArF 光刻胶树脂国产化", "materials", "光刻胶 介电常数 树脂"),
    ("运动鞋大底耐磨性提升（DIN 磨耗 ≤ 60 mm³）", "materials", "鞋底 耐磨 橡胶"),
    ("针织面料少水染色工艺（吨布水耗降低 40%）", "energy", "染色 节水 印染"),
    ("制鞋产线视觉质检（漏检率 ≤ 0.5%）", "it", "机器视觉 质检 制鞋"),
    ("卫生用品高吸水树脂（吸液倍率 ≥ 60 g/g）", "materials", "高吸水树脂 卫生用品"),
    ("建筑陶瓷窑炉余热回收（节能 ≥ 15%）", "energy", "陶瓷 窑炉 余热"),
    ("休闲食品低糖配方（减糖 30% 口感不变）", "agrifood", "减糖 配方 食品"),
    ("伞骨轻量化复合材料（减重 25%）", "equipment", "复合材料 轻量化 伞"),
]


def _organizer() -> User | None:
    return User.objects.filter(username="organizer").first()


def _ensure_reviewers(rng: random.Random) -> list[User]:
    from innolink.accounts.services import user_create
    from innolink.demo.generator import DEMO_PASSWORD
    from innolink.events.models import ReviewerProfile

    users = []
    demo_reviewer = User.objects.filter(username="reviewer").first()
    plan = list(REVIEWERS)
    for username, display, title, inst_name, fields in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            institution = Institution.objects.filter(name=inst_name).first() or \
                Institution.objects.order_by("name").first()
            user = user_create(username=username, password=DEMO_PASSWORD, role=Role.REVIEWER,
                               display_name=display, institution=institution,
                               validate_password=False)
        if not ReviewerProfile.objects.filter(user=user).exists():
            ReviewerProfile.objects.create(user=user, title=title, fields=fields,
                                           default_max_load=6, is_demo=True)
        users.append(user)
    if demo_reviewer is not None:
        if not ReviewerProfile.objects.filter(user=demo_reviewer).exists():
            ReviewerProfile.objects.create(user=demo_reviewer, title="教授",
                                           fields=["materials", "equipment", "it"],
                                           keywords="高分子材料 鞋材 智能制造",
                                           default_max_load=6, is_demo=True)
        users.insert(0, demo_reviewer)
    return users


def _fallback_board(rng: random.Random) -> None:
    """A few shortlisted demo proposals when the challenge board's own demo has not made
    them (one of them the demo enterprise's challenge claimed by the demo researcher)."""
    from innolink.challenges.models import Challenge, Proposal, ResearcherProfile
    from innolink.enterprises.models import Enterprise

    if Proposal.objects.filter(is_demo=True, state__in=["shortlisted", "matched"]).count() >= 8:
        return
    demo_enterprise = getattr(User.objects.filter(username="enterprise").first(), "enterprise",
                              None)
    enterprises = list(Enterprise.objects.filter(is_demo=True).order_by("credit_code")[:40])
    institutions = list(Institution.objects.filter(is_demo=True).order_by("name"))
    if not enterprises or not institutions:
        return
    researcher_user = User.objects.filter(username="researcher").first()
    people = []
    if researcher_user is not None:
        profile = ResearcherProfile.objects.filter(user=researcher_user).first() or \
            ResearcherProfile.objects.create(
                user=researcher_user, name=str(researcher_user),
                institution=researcher_user.institution, discipline="材料科学与工程",
                research_fields="高分子材料；鞋服新材料", keywords="高分子 鞋材 耐磨",
                domains=["materials"], station="华侨大学材料科学与工程博士后科研流动站",
                is_demo=True)
        people.append(profile)
    for i in range(10):
        name = f"演示科研团队{i + 1:02d}"
        people.append(ResearcherProfile.objects.filter(name=name, is_demo=True).first()
                      or ResearcherProfile.objects.create(
                          name=name, kind="team", institution=institutions[i % len(institutions)],
                          discipline="工学", research_fields="产业关键技术",
                          keywords="", is_demo=True))
    for i, (title, domain, keywords) in enumerate(FALLBACK):
        if Challenge.objects.filter(title=title, is_demo=True).exists():
            continue
        enterprise = demo_enterprise if (i == 0 and demo_enterprise) else \
            enterprises[rng.randrange(len(enterprises))]
        challenge = Challenge.objects.create(
            title=title, domain=domain, statement=f"{title}：现有工艺难以满足指标，征集解决方案。",
            keywords=keywords, funding=Decimal(rng.choice([50, 80, 100, 150, 200]) * 10_000),
            time_limit_months=rng.choice([12, 18, 24, 36]), ip_ownership="negotiable",
            claim_deadline=dt.date(2026, 12, 31), enterprise=enterprise, contact_name="联系人",
            contact_phone="0595-8500000", state="shortlisted", is_demo=True)
        claimants = [people[0]] if i == 0 and researcher_user else []
        claimants += rng.sample(people[1:], 2)
        for person in claimants:
            Proposal.objects.create(
                challenge=challenge, researcher=person, submitted_by=person.user,
                approach=f"围绕“{keywords}”开展配方与工艺联合攻关，分三阶段验证。",
                team="负责人 1 名，博士后 2 名，工程师 3 名",
                budget=(challenge.funding * Decimal("0.8")).quantize(Decimal("0.01")),
                plan="第 1–6 月小试；第 7–12 月中试；第 13 月起产线验证。",
                state="shortlisted", is_demo=True)
        challenge.open_claims = len(claimants)
        challenge.save(update_fields=["open_claims"])


def _seed_event(actor, rng: random.Random) -> str:
    from innolink.events import services
    from innolink.events.models import Event

    if Event.objects.filter(title=EVENT_TITLE, is_demo=True).exists():
        return "活动已存在"
    event = services.event_create(
        actor=actor, title=EVENT_TITLE, date=EVENT_DATE, venue="晋江国际会展中心 · 二层洽谈区",
        description="入围揭榜方案的发榜企业与揭榜团队一对一洽谈；拟转化成果与意向企业对接。",
        start="09:00", slot_minutes=20, slot_count=10, break_minutes=5,
        rooms=[f"洽谈室 {i}" for i in range(1, 7)], is_demo=True, source="demo")
    from innolink.challenges.models import OfferInterest, Proposal

    proposals = list(Proposal.objects.filter(state="shortlisted", is_demo=True)
                     .select_related("challenge__enterprise", "challenge__institution",
                                     "researcher").order_by("id")[:48])
    # the demo accounts ``researcher`` and ``enterprise`` get meetings when they have pairs
    researcher_user = User.objects.filter(username="researcher").first()
    enterprise_user = User.objects.filter(username="enterprise").first()
    open_states = ["shortlisted", "matched"]
    mine = list(Proposal.objects.filter(state__in=open_states, researcher__user=researcher_user)
                .order_by("id")[:2]) if researcher_user else []
    if enterprise_user is not None and enterprise_user.enterprise_id:
        mine += list(Proposal.objects.filter(
            state__in=open_states, challenge__enterprise_id=enterprise_user.enterprise_id)
            .order_by("id")[:2])
    for p in mine:
        if p not in proposals:
            proposals.append(p)
    for p in proposals:
        services.invitation_create(actor=actor, event=event, proposal=p,
                                   priority=rng.choice([1, 1, 2, 3]), source="demo")
    for interest in OfferInterest.objects.filter(state="open").order_by("id")[:8]:
        services.invitation_create(actor=actor, event=event, offer_interest=interest,
                                   source="demo")
    outcome = services.event_schedule(actor=actor, event=event, source="demo")
    services.event_publish(actor=actor, event=event, source="demo")
    return f"对接活动 1 场（洽谈 {outcome.placed} 场，未排入 {len(outcome.unplaced)} 对）"


def _scores(rnd, rng: random.Random, *, skip_reviewer: User | None = None) -> int:
    from innolink.events import services
    from innolink.events.models import ReviewAssignment

    quality = {}
    leniency = {}
    n = 0
    criteria = list(rnd.criteria.all())
    for a in ReviewAssignment.objects.filter(round=rnd).select_related("reviewer").order_by("id"):
        if skip_reviewer is not None and a.reviewer_id == skip_reviewer.pk:
            continue
        q = quality.setdefault(a.entry_id, rng.uniform(0.55, 0.92))
        lean = leniency.setdefault(a.reviewer_id, rng.uniform(-0.08, 0.08))
        points = {}
        for c in criteria:
            share = min(1.0, max(0.0, q + lean + rng.uniform(-0.05, 0.05)))
            points[c.pk] = (c.max_points * Decimal(str(round(share, 2)))).quantize(Decimal("0.5"))
        services.score_submit(actor=a.reviewer, assignment=a, points=points,
                              comment=rng.choice(["技术路线清晰，指标可达。", "创新性较强，预算略高。",
                                                  "团队基础扎实，建议补充中试方案。"]),
                              source="demo")
        n += 1
    return n


def _seed_rounds(actor, reviewers: list[User], rng: random.Random) -> str:
    from innolink.challenges.models import Proposal
    from innolink.events import services
    from innolink.events.models import JudgingRound

    if JudgingRound.objects.filter(title=FINAL_TITLE, is_demo=True).exists():
        return "评审轮次已存在"
    proposals = list(Proposal.objects.filter(state__in=["shortlisted", "matched"], is_demo=True)
                     .order_by("id")[:24])
    if len(proposals) < 4 or len(reviewers) < 4:
        return "评审轮次：参赛方案或专家不足，未生成"
    final, semi = proposals[:12], proposals[12:24] or proposals[:6]
    demo_reviewer = reviewers[0] if reviewers[0].username == "reviewer" else None

    rnd = services.round_create(actor=actor, title=FINAL_TITLE, reviewers_per_entry=3,
                                default_max_load=5, scoring_deadline=dt.date(2026, 12, 10),
                                description="决赛：每个方案 3 位专家评审，分数经专家宽严标准化后排名。",
                                is_demo=True, source="demo")
    services.round_entries_add(actor=actor, round=rnd, proposals=final, source="demo")
    services.round_reviewers_add(actor=actor, round=rnd, reviewers=reviewers, source="demo")
    services.round_assign(actor=actor, round=rnd, seed=0, source="demo")
    services.round_open_scoring(actor=actor, round=rnd, source="demo")
    scored = _scores(rnd, rng)
    rows = services.round_finalise(actor=actor, round=rnd, source="demo")
    ranked = sorted((r for r in rows if r.rank), key=lambda r: (r.rank, r.entry_id))
    levels = [("first", Decimal("200000.00")), ("second", Decimal("100000.00")),
              ("second", Decimal("100000.00")), ("third", Decimal("50000.00")),
              ("third", Decimal("50000.00")), ("third", Decimal("50000.00"))]
    for row, (level, prize) in zip(ranked, levels):
        services.award_record(actor=actor, round=rnd, entry=row.entry, level=level, prize=prize,
                              source="demo")

    semi_round = services.round_create(actor=actor, title=SEMI_TITLE, reviewers_per_entry=2,
                                       default_max_load=4, scoring_deadline=dt.date(2026, 12, 31),
                                       is_demo=True, source="demo")
    services.round_entries_add(actor=actor, round=semi_round, proposals=semi, source="demo")
    # few reviewers, so the demo account ``reviewer`` (listed first) surely gets work
    services.round_reviewers_add(actor=actor, round=semi_round, reviewers=reviewers[:3],
                                 source="demo")
    services.round_assign(actor=actor, round=semi_round, seed=0, source="demo")
    services.round_open_scoring(actor=actor, round=semi_round, source="demo")
    _scores(semi_round, rng, skip_reviewer=demo_reviewer)
    return (f"评审：决赛 {len(final)} 个方案、{scored} 份评分、{min(len(ranked), 6)} 个奖项；"
            f"复赛评分中")


def seed(*, seed: int) -> str:
    actor = _organizer()
    if actor is None:
        return "对接活动与评审：缺少演示组织方账户，未生成"
    rng = random.Random(seed * 7919 + 3)
    with transaction.atomic():
        _fallback_board(rng)
        reviewers = _ensure_reviewers(rng)
        event_summary = _seed_event(actor, rng)
        round_summary = _seed_rounds(actor, reviewers, rng)
    return f"对接活动与评审：{event_summary}；{round_summary}"
