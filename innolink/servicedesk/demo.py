"""The demo city's service desk: departments, the routing table, a year of requests across
channels, departments and towns with realistic time-limit performance, 接访 and 恳谈会, cadres
with their key enterprises, plans and visits, and a trained suggestion model.

The year is simulated step by step on the real working-day calendar and office hours (the same
deadline arithmetic the services use), written in bulk, and the counters are then rebuilt from
the events' tallies (``services.counters_rebuild``), so the measures page reads exactly what a
year of live writes would have left. Today's open requests (some yellow, some red) are in the
handler's queue. Idempotent: nothing is added when the demo requests exist.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from innolink.accounts.models import Department, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_record, audit_record_many
from innolink.enterprises.models import Enterprise
from innolink.servicedesk import fetch, sla
from innolink.servicedesk.models import (
    CadreAssignment, Callback, Category, Channel, CoHandling, DeskSettings, Kind, Rating,
    RequestEvent, RoutingRule, ServiceRequest, Session, Status, Supervision, Visit, VisitPlan,
)

E = RequestEvent.Kind

DEPARTMENTS = [
    ("zjj", "住房和城乡建设局"), ("jrb", "金融工作服务中心"), ("swu", "税务局"),
    ("xzfw", "行政服务中心管委会"), ("jtj", "交通运输局"), ("cgj", "城市管理局"),
    ("slj", "水利局"), ("rcb", "人才工作服务中心"), ("sfj", "司法局"), ("gaj", "公安局"),
    ("jyj", "教育局"), ("qyfw", "企业服务中心"),
]
FALLBACK = "qyfw"

# category -> (lead, co-handling); plus town overrides
RULES = {
    "financing": ("jrb", []), "labor": ("rsj", []), "land": ("zrzyj", ["zjj"]),
    "approval": ("xzfw", []), "utilities": ("gxj", ["zjj", "slj"]),
    "environment": ("sthjj", []), "property": ("zrzyj", ["zjj"]), "policy": ("czj", ["gxj"]),
    "tax": ("swu", []), "tech": ("kjj", []), "market": ("scjgj", []), "logistics": ("jtj", []),
    "infrastructure": ("zjj", ["cgj"]), "legal": ("sfj", []), "talent": ("rcb", []),
    "trade": ("swj", []),
}
TOWN_RULES = {
    ("environment", "磁灶"): ("sthjj", ["gxj"], "陶瓷产业集中，窑炉治理由工信局协办"),
    ("infrastructure", "安海"): ("cgj", ["zjj"], "安海镇区市政设施由城管局牵头"),
    ("utilities", "陈埭"): ("gxj", ["slj"], "鞋业园区用水用电集中协调"),
}

# how well each department keeps its limits: (late signing, late answer, unsatisfied)
PERFORMANCE = {
    "zrzyj": (0.06, 0.16, 0.07), "sthjj": (0.04, 0.10, 0.05), "xzfw": (0.02, 0.04, 0.03),
    "czj": (0.05, 0.12, 0.06), "swu": (0.01, 0.02, 0.02), "rsj": (0.02, 0.05, 0.03),
    "jrb": (0.03, 0.08, 0.05), "zjj": (0.05, 0.11, 0.05), "gxj": (0.03, 0.06, 0.04),
}
DEFAULT_PERFORMANCE = (0.03, 0.06, 0.04)
CHANNELS = [(Channel.ONLINE, 45), (Channel.HOTLINE, 25), (Channel.VISIT, 15),
            (Channel.RECEPTION, 4), (Channel.FORUM, 5), (Channel.STAFF, 6)]
KINDS = [(Kind.CONSULT, 35), (Kind.HELP, 45), (Kind.SUGGEST, 6), (Kind.COMPLAINT, 14)]
SESSIONS = [
    ("reception", "市长接访日：污水治理与产权证办理", "蔡副市长", "市行政服务中心三楼会议室"),
    ("forum", "鞋服产业政企恳谈会", "蔡副市长", "陈埭镇政府"),
    ("reception", "分管副市长接访：用工与社保", "分管副市长", "市人社局"),
    ("forum", "陶瓷建材企业恳谈会：窑炉治理与用能", "分管副市长", "磁灶镇政府"),
    ("forum", "集成电路与新材料企业座谈会", "蔡副市长", "晋江经济开发区"),
    ("reception", "市领导接访日：融资与续贷", "分管副市长", "市金融工作服务中心"),
    ("forum", "外贸企业恳谈会：关税与海外仓", "分管副市长", "市商务局"),
    ("reception", "市长接访日：园区配套", "蔡副市长", "市行政服务中心三楼会议室"),
]
CADRE_NAMES = ["林", "陈", "黄", "吴", "许", "蔡", "王", "张", "李", "施", "洪", "苏", "庄", "郭"]


def seed(*, seed: int = 2026) -> str:
    departments = _departments()
    if ServiceRequest.objects.filter(is_demo=True).exists():
        return ""
    enterprises = list(Enterprise.objects.filter(is_demo=True).order_by("credit_code")
                       .only("pk", "town", "name"))
    if not enterprises:
        return ""
    rng = random.Random(seed)
    _routing_table(departments)
    cadres = _cadres(rng, enterprises, departments)
    sessions = _sessions(rng)
    count = _requests(rng, enterprises, departments, sessions, cadres)
    from innolink.servicedesk.routing import router_train
    from innolink.servicedesk.services import counters_rebuild, sla_sweep

    counters_rebuild()
    model = router_train(actor=None)
    _suggest_open()
    _live_flows()
    sla_sweep()
    return (f"诉求办理：{count} 件诉求（一年）、{len(sessions)} 场接访/恳谈会、"
            f"{CadreAssignment.objects.count()} 家挂钩企业；分派建议模型首选准确率 {model.top1}")


# --------------------------------------------------------------------------- reference rows

@transaction.atomic
def _departments() -> dict[str, Department]:
    for code, name in DEPARTMENTS:
        department, created = Department.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            audit_record(actor=None, action="create", instance=department, source="demo",
                         changes={"name": [None, name]})
    return {d.code: d for d in Department.objects.all()}


@transaction.atomic
def _routing_table(departments: dict[str, Department]) -> None:
    settings = DeskSettings.objects.filter(pk=1).first() or DeskSettings.objects.create(pk=1)
    if settings.fallback_department_id is None:
        settings.fallback_department = departments[FALLBACK]
        settings.save()
        audit_record(actor=None, action="update", instance=settings, source="demo",
                     changes={"fallback_department": [None, departments[FALLBACK].pk]})
    categories = {c.code: c for c in Category.objects.all()}
    specs = [(code, "", lead, co, "") for code, (lead, co) in RULES.items()] + [
        (code, town, lead, co, note) for (code, town), (lead, co, note) in TOWN_RULES.items()]
    for code, town, lead, co, note in specs:
        if code not in categories or lead not in departments:
            continue
        rule, created = RoutingRule.objects.get_or_create(
            category=categories[code], town=town,
            defaults={"lead": departments[lead], "note": note})
        if created:
            rule.co_departments.set([departments[c] for c in co if c in departments])
            audit_record(actor=None, action="create", instance=rule, source="demo",
                         changes={"lead": [None, departments[lead].pk]})
    leader = User.objects.filter(username="leader").first()
    if leader is not None:
        for department in departments.values():
            Supervision.objects.get_or_create(department=department, defaults={"leader": leader})


def _cadres(rng: random.Random, enterprises: list, departments) -> list[User]:
    """The demo ``cadre`` account plus fourteen colleagues, each with about ten key
    enterprises; quarterly plans; visits over the year."""
    from innolink.accounts.services import user_create

    cadres = []
    main = User.objects.filter(username="cadre").first()
    if main is not None:
        cadres.append(main)
    codes = [c for c in departments if c != FALLBACK]
    for i, surname in enumerate(CADRE_NAMES, start=1):
        username = f"cadre{i:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=None, role=Role.CADRE,
                               display_name=f"挂钩干部 · {surname}科员",
                               department=departments[codes[i % len(codes)]],
                               validate_password=False)
        cadres.append(user)
    if CadreAssignment.objects.exists():
        return cadres
    demo_owner = User.objects.filter(username="enterprise").first()
    pool = [e for e in enterprises if not demo_owner or e.pk != demo_owner.enterprise_id]
    rng.shuffle(pool)
    if demo_owner and demo_owner.enterprise_id:
        pool.insert(0, Enterprise.objects.get(pk=demo_owner.enterprise_id))
    today = timezone.localdate()
    rows, position = [], 0
    for cadre in cadres:
        take = 12 if cadre.username == "cadre" else rng.randint(8, 11)
        for enterprise in pool[position:position + take]:
            rows.append(CadreAssignment(enterprise=enterprise, cadre=cadre,
                                        since=today - dt.timedelta(days=rng.randint(200, 700)),
                                        note=rng.choice(["", "", "重点税源企业", "上市后备企业",
                                                         "专精特新企业", "外贸龙头"])))
        position += take
    with transaction.atomic():
        CadreAssignment.objects.bulk_create(rows)
        audit_record_many(actor=None, action="create", source="demo",
                          items=[(r, {"cadre": [None, r.cadre_id]}) for r in
                                 CadreAssignment.objects.all()])
        _visits(rng, cadres, today)
    return cadres


def _visits(rng: random.Random, cadres: list[User], today: dt.date) -> None:
    from innolink.servicedesk.selectors import quarter_bounds, quarter_of

    year, quarter = quarter_of(today)
    start, _end = quarter_bounds(year, quarter)
    assigned = defaultdict(list)
    for a in CadreAssignment.objects.select_related("enterprise"):
        assigned[a.cadre_id].append(a.enterprise)
    visits, plans = [], []
    topics = ["了解生产经营和订单情况，宣讲今年的技改和研发补助政策",
              "座谈用工、融资需求，介绍应急转贷和稳岗返还政策",
              "查看新厂房建设进度，了解办证和用地方面的困难",
              "了解外贸订单和关税影响，介绍展会补贴和出口信保支持",
              "送政策上门，逐条讲解企业可申领的惠企政策"]
    for cadre in cadres:
        mine = assigned[cadre.pk]
        # a slow cadre, a fast one, the rest in between (the plan is one visit a quarter each)
        diligence = 0.35 if cadre.username == "cadre03" else (1.0 if cadre.username == "cadre"
                                                               else rng.uniform(0.55, 0.95))
        for back in range(4):  # this quarter and the three before
            q_year, q = year, quarter - back
            while q < 1:
                q, q_year = q + 4, q_year - 1
            q_start, q_end = quarter_bounds(q_year, q)
            last = min(q_end - dt.timedelta(days=1), today)
            plans.append(VisitPlan(cadre=cadre, year=q_year, quarter=q, target=len(mine)))
            share = diligence * (min((today - start).days + 1, 91) / 91 if back == 0 else 1)
            for enterprise in mine:
                if rng.random() < share:
                    day = q_start + dt.timedelta(days=rng.randint(0, max(0, (last - q_start).days)))
                    visits.append(Visit(cadre=cadre, enterprise=enterprise, visited_on=day,
                                        people_met=rng.choice(["总经理", "董事长、财务总监",
                                                               "生产副总", "行政人事经理"]),
                                        topics=rng.choice(topics)))
    VisitPlan.objects.bulk_create(plans, ignore_conflicts=True)
    Visit.objects.bulk_create(visits)


def _sessions(rng: random.Random) -> list[Session]:
    if Session.objects.exists():
        return list(Session.objects.all())
    today = timezone.localdate()
    rows = []
    for i, (kind, title, host, place) in enumerate(SESSIONS):
        held = today - dt.timedelta(days=int(340 * (len(SESSIONS) - i) / len(SESSIONS)))
        while held.weekday() >= 5:
            held -= dt.timedelta(days=1)
        rows.append(Session.objects.create(kind=kind, title=title, held_on=held, host=host,
                                           place=place, attendees="相关部门负责人、镇街分管领导、企业代表"))
    for row in rows:
        audit_record(actor=None, action="create", instance=row, source="demo",
                     changes={"title": [None, row.title]})
    return rows


def _live_flows() -> None:
    """Today's work for the coordinator, through the real services: a request at the fallback
    owner, a 退单, an enterprise's 不满意 to review and an extension to approve."""
    from innolink.servicedesk import services

    owner = User.objects.filter(username="enterprise").first()
    handler = User.objects.filter(username="handler").first()
    if owner is None or handler is None or not owner.enterprise_id:
        return
    company = owner.enterprise

    def file(category, text, **kw):
        return services.request_create(enterprise=company, channel=Channel.ONLINE,
                                       category=category, description=text, actor=owner, **kw)

    file("other", "企业想参加市里组织的企业家培训班，不知道报名渠道和时间。", kind=Kind.CONSULT)
    returned = file("utilities", "厂区旁边的市政路灯坏了三个月，夜班员工下班路上很黑，希望尽快修复。")
    services.request_return(actor=handler, request_id=returned.pk,
                            reason="路灯属市政设施，建议改派城市管理局")
    unhappy = file("utilities", "车间变压器需要增容到1250千伏安，报装两个月没有进展。",
                   title="变压器增容报装慢")
    services.request_sign(actor=handler, request_id=unhappy.pk)
    services.request_reply(actor=handler, request_id=unhappy.pk,
                           text="已将企业需求转供电公司，请企业按供电公司要求补充负荷资料后排队施工。")
    services.request_rate(actor=owner, request_id=unhappy.pk, rating="unsatisfied",
                          comment="只是转了一下，没有给出施工时间")
    slow = file("utilities", "园区天然气管道一直没接入，锅炉改造无法进行，希望明确接入时间。")
    services.request_sign(actor=handler, request_id=slow.pk)
    services.request_extension_ask(actor=handler, request_id=slow.pk, days=5,
                                   reason="需燃气公司出具管网接入方案，预计下周提供")


def _suggest_open() -> None:
    """The model's proposals for the requests still in hand (the history was written in bulk
    before there was a model)."""
    from innolink.servicedesk.models import OPEN_STATES
    from innolink.servicedesk.routing import suggest

    rows = list(ServiceRequest.objects.filter(is_demo=True, status__in=OPEN_STATES)
                .select_related("category"))
    for row in rows:
        row.suggestions = suggest(f"{row.title}\n{row.description}", row.category.code)
    ServiceRequest.objects.bulk_update(rows, ["suggestions"], batch_size=500)


# --------------------------------------------------------------------------- a year of requests

def _office_moment(rng: random.Random, day: dt.date) -> dt.datetime:
    minute = rng.choice([rng.randint(8 * 60 + 30, 12 * 60), rng.randint(14 * 60, 17 * 60 + 30),
                         rng.randint(7 * 60, 22 * 60)])
    return sla.aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))


def _requests(rng, enterprises, departments, sessions, cadres) -> int:
    now = timezone.now()
    today = timezone.localdate()
    work = sla.clock()
    rules = sla.rules_by_key()
    categories = {c.code: c for c in Category.objects.all()}
    # the history is drawn from the labelled set's training split only, so the model's held-out
    # figures (its test and unseen splits) stay honest
    labelled = [r for r in fetch.labelled_set()
                if r["department"] in departments and r["split"] == "train"]
    by_department = defaultdict(list)
    for row in labelled:
        by_department[row["department"]].append(row)
    lead_of = {code: spec for code, spec in RULES.items()}
    owner = User.objects.filter(username="enterprise").first()
    handler = User.objects.filter(username="handler").first()
    coordinator = User.objects.filter(username="coordinator").first()
    assigned_to = {a.enterprise_id: a.cadre_id
                   for a in CadreAssignment.objects.only("enterprise_id", "cadre_id")}
    visits_by_enterprise = defaultdict(list)
    for v in Visit.objects.only("pk", "enterprise_id", "visited_on"):
        visits_by_enterprise[v.enterprise_id].append(v)
    active = rng.sample(enterprises, k=min(len(enterprises), 900))
    weights = [rng.paretovariate(1.3) for _ in active]
    plan = []
    start_day = today - dt.timedelta(days=364)
    scale = min(1.0, len(enterprises) / 2000)  # about 2,800 requests a year for 2,000 firms
    for offset in range(365):
        day = start_day + dt.timedelta(days=offset)
        mean = (10 if day.weekday() < 5 else 2) * scale
        for _ in range(int(2 * mean * rng.random() + 0.5)):
            plan.append(day)
    requests, events, cohandlings, callbacks = [], [], [], []
    live = _live_plan(rng, now, work)
    for number, day in enumerate(plan + [moment.date() for moment, *_ in live]):
        forced = live[number - len(plan)] if number >= len(plan) else None
        channel = rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]
        enterprise = rng.choices(active, weights)[0]
        if number % 97 == 0 and owner is not None and owner.enterprise_id:
            enterprise = next((e for e in enterprises if e.pk == owner.enterprise_id), enterprise)
        if channel == Channel.VISIT and enterprise.pk not in assigned_to:
            channel = Channel.ONLINE
        source = rng.choice(labelled)
        if forced is not None:  # today's work: the demo handler's queue and the enterprise's
            _moment, department, for_owner, stop = forced
            source = rng.choice(by_department[department])
            if for_owner and owner is not None and owner.enterprise_id:
                enterprise = next((e for e in enterprises if e.pk == owner.enterprise_id),
                                  enterprise)
                channel = Channel.ONLINE
        final = source["department"]
        category = categories[source["category"]]
        town = enterprise.town
        spec = TOWN_RULES.get((category.code, town)) or lead_of.get(category.code)
        if forced is not None:
            spec = (final, [])
        first = spec[0] if spec else FALLBACK
        co = spec[1] if spec else []
        created = forced[0] if forced is not None else _office_moment(rng, day)
        if created > now:
            created = now - dt.timedelta(minutes=rng.randint(5, 120))
        kind = rng.choices([k for k, _w in KINDS], [w for _k, w in KINDS])[0]
        urgent = rng.random() < 0.03
        rule = rules[sla.rule_key(kind, urgent)]
        session = visit = None
        if channel in (Channel.RECEPTION, Channel.FORUM) and forced is None:
            wanted = "reception" if channel == Channel.RECEPTION else "forum"
            options = [s for s in sessions if s.kind == wanted and s.held_on <= day]
            if options:
                session = options[-1]
                created = _office_moment(rng, session.held_on)
            else:
                channel = Channel.STAFF
        if channel == Channel.VISIT and forced is None:
            options = [v for v in visits_by_enterprise.get(enterprise.pk, []) if v.visited_on <= day]
            visit = options[-1] if options else None
            if visit is not None:
                created = _office_moment(rng, visit.visited_on)
        text = source["text"]
        req = ServiceRequest(
            enterprise_id=enterprise.pk, town=town, category=category, kind=kind, urgent=urgent,
            channel=channel, title=_title(text), description=text,
            status=Status.ASSIGNED, session=session, visit=visit, created_at=created,
            source="12345" if channel == Channel.HOTLINE else "",
            external_id=f"GD{created:%Y%m%d}{number:05d}" if channel == Channel.HOTLINE else "",
            is_demo=True, routed_by="rule" if spec else "fallback")
        steps = []  # (kind, at, department code, note, internal, tally)
        late_sign, late_done, unsatisfied = PERFORMANCE.get(final, DEFAULT_PERFORMANCE)
        at = created
        steps.append((E.CREATED, at, first, "", False, {"received": 1}))
        steps.append((E.ROUTED, at, first, "按分派规则" if spec else "无匹配规则，由兜底部门承接",
                      False, {}))
        current = first
        sign_due, due = sla.deadlines(at, rule, work)
        state = {"status": Status.ASSIGNED, "assigned_at": at, "sign_due": sign_due, "due": due,
                 "signed_at": None, "first": None, "replied_at": None, "closed_at": None,
                 "rating": "", "rated_at": None, "reopen": 0, "reply": "", "warned": "",
                 "sign_counted": False, "done_counted": False}

        def delay(minutes: float) -> dt.datetime:
            return sla.aware(work.add_seconds(sla.local(state_at[0]), int(minutes * 60)))

        state_at = [at]
        if current != final:
            # the first department (or the fallback owner) sends it on
            hand_on = delay(rng.uniform(20, 150))
            if hand_on < now:
                if current == FALLBACK:
                    steps.append((E.ROUTED, hand_on, final, "采纳分派建议", False, {}))
                else:
                    state["sign_counted"] = True
                    steps.append((E.RETURNED, hand_on, current, "不属于本部门职责，建议改派", True, {}))
                    hand_on = hand_on + dt.timedelta(minutes=rng.randint(20, 240))
                    steps.append((E.RETURN_ACCEPTED, hand_on, final, "退单成立，改派", False, {}))
                current = final
                state_at[0] = hand_on
                state["assigned_at"] = hand_on
                state["sign_due"], state["due"] = sla.deadlines(hand_on, rule, work)
                state["sign_counted"] = False
        # signing
        sign_at = delay(rng.uniform(5, 90) if rng.random() > late_sign else rng.uniform(130, 600))
        if forced is not None and forced[3] == "assigned":
            sign_at = now + dt.timedelta(days=1)
        if sign_at < now:
            steps.append((E.SIGNED, sign_at, current, "", False,
                          {"sign_total": 1, "sign_timely": int(sign_at <= state["sign_due"])}))
            state.update(status=Status.HANDLING, signed_at=sign_at, first=current,
                         sign_counted=True)
            state_at[0] = sign_at
            if co and rng.random() < 0.3:
                ask = sign_at + dt.timedelta(hours=rng.randint(1, 20))
                if ask < now:
                    steps.append((E.INPUT_ASKED, ask, current, "请提供贵单位意见", True, {}))
            # answering
            total = work.working_seconds(sla.local(state["assigned_at"]), sla.local(state["due"]))
            share = rng.uniform(0.15, 0.95) if rng.random() > late_done else rng.uniform(1.05, 1.8)
            reply_at = sla.aware(work.add_seconds(sla.local(state["assigned_at"]),
                                                  int(total * share)))
            if forced is not None and forced[3] == "handling":
                reply_at = now + dt.timedelta(days=1)
            elif forced is not None and forced[3] == "replied":
                reply_at = min(reply_at, now - dt.timedelta(minutes=30))
            if reply_at < now:
                steps.append((E.REPLIED, reply_at, current, _reply_text(rng), False,
                              {"done_total": 1, "done_timely": int(reply_at <= state["due"])}))
                state.update(status=Status.REPLIED, replied_at=reply_at, reply=steps[-1][3],
                             done_counted=True)
                rate_at = reply_at + dt.timedelta(hours=rng.randint(2, 60))
                if forced is not None:
                    rate_at = now + dt.timedelta(days=1)
                if rate_at < now and rng.random() < 0.9:
                    rating = (Rating.UNSATISFIED if rng.random() < unsatisfied else
                              rng.choices([Rating.SATISFIED, Rating.BASIC], [88, 12])[0])
                    steps.append((E.RATED, rate_at, current,
                                  "希望尽快落实" if rating == Rating.UNSATISFIED else "",
                                  False, {"rated": 1, rating: 1}))
                    state.update(rating=rating, rated_at=rate_at)
                    if rating == Rating.UNSATISFIED:
                        review_at = rate_at + dt.timedelta(hours=rng.randint(2, 30))
                        if review_at < now and rng.random() < 0.6:
                            steps.append((E.REOPENED, review_at, current, "复核后重办", False,
                                          {"reopened": 1}))
                            again = sla.aware(work.add_days(sla.local(review_at), 3))
                            if again < now:
                                steps.append((E.REPLIED, again, current, _reply_text(rng), False,
                                              {"done_total": 1, "done_timely": 1}))
                                steps.append((E.CLOSED, again + dt.timedelta(days=2), current,
                                              "", False, {}))
                                state.update(status=Status.CLOSED, reopen=1, replied_at=again,
                                             closed_at=again + dt.timedelta(days=2),
                                             rating="", rated_at=None)
                            else:
                                state.update(status=Status.HANDLING, reopen=1,
                                             assigned_at=review_at,
                                             due=sla.aware(work.add_days(sla.local(review_at), 3)),
                                             rating="", rated_at=None, done_counted=False)
                        elif review_at < now:
                            steps.append((E.REVIEW_REJECTED, review_at, current,
                                          "答复符合政策规定，维持", False, {}))
                            state.update(status=Status.CLOSED, closed_at=review_at)
                        else:
                            state.update(status=Status.REVIEW)
                    else:
                        steps.append((E.CLOSED, rate_at, current, "企业评价后办结", False, {}))
                        state.update(status=Status.CLOSED, closed_at=rate_at)
                elif (reply_at + dt.timedelta(days=7)) < now:
                    steps.append((E.CLOSED, reply_at + dt.timedelta(days=7), current,
                                  "答复后七日未评价，办结", False, {}))
                    state.update(status=Status.CLOSED, closed_at=reply_at + dt.timedelta(days=7))
        if state["status"] in (Status.ASSIGNED, Status.HANDLING):
            deadline = state["sign_due"] if state["status"] == Status.ASSIGNED else state["due"]
            if deadline < now:  # the sweep counted it late when the limit passed
                stage_counted = "sign_counted" if state["status"] == Status.ASSIGNED else "done_counted"
                tally = {"sign_total": 1} if state["status"] == Status.ASSIGNED else {"done_total": 1}
                steps.append((E.OVERDUE, deadline + dt.timedelta(minutes=5), current,
                              "签收已超时" if state["status"] == Status.ASSIGNED else "办理已超时",
                              False, tally))
                state[stage_counted] = True
                state["warned"] = "red"
        req.status = state["status"]
        req.department_id = departments[current].pk
        req.first_department_id = departments[state["first"]].pk if state["first"] else None
        req.assigned_at, req.sign_due_at, req.due_at = (state["assigned_at"], state["sign_due"],
                                                        state["due"])
        req.signed_at, req.replied_at, req.closed_at = (state["signed_at"], state["replied_at"],
                                                        state["closed_at"])
        req.deadline_at = (state["sign_due"] if req.status == Status.ASSIGNED else
                           state["due"] if req.status == Status.HANDLING else None)
        req.rating, req.rated_at, req.reopen_count = state["rating"], state["rated_at"], state["reopen"]
        req.reply, req.warned = state["reply"], state["warned"]
        req.sign_counted, req.done_counted = state["sign_counted"], state["done_counted"]
        if current != first:
            req.routed_by = "manual"
        requests.append((req, steps, co, first))
    with transaction.atomic():
        ServiceRequest.objects.bulk_create([r for r, *_ in requests], batch_size=2000)
        actors = {"handler": handler, "coordinator": coordinator}
        for req, steps, co, first in requests:
            for kind, at, code, note, internal, tally in steps:
                actor = None
                if code == "gxj" and kind in (E.SIGNED, E.REPLIED) and handler is not None:
                    actor = actors["handler"]
                elif kind in (E.RETURN_ACCEPTED, E.REOPENED, E.REVIEW_REJECTED):
                    actor = actors["coordinator"]
                events.append(RequestEvent(request=req, at=at, kind=kind, note=note,
                                           internal=internal, tally=tally, actor=actor,
                                           department_id=departments[code].pk))
            for code in co:
                if code in departments and departments[code].pk != req.department_id:
                    cohandlings.append(CoHandling(request=req, department=departments[code]))
            if req.status == Status.CLOSED and req.pk % 10 == 0:
                callbacks.append(Callback(
                    request=req, selected_at=req.closed_at,
                    done_at=req.closed_at + dt.timedelta(days=2) if req.closed_at < now - dt.timedelta(days=5) else None,
                    reached=True if req.closed_at < now - dt.timedelta(days=5) else None,
                    solved=True if req.closed_at < now - dt.timedelta(days=5) else None,
                    rating=req.rating if req.closed_at < now - dt.timedelta(days=5) else ""))
        RequestEvent.objects.bulk_create(events, batch_size=5000)
        CoHandling.objects.bulk_create(cohandlings, batch_size=5000)
        Callback.objects.bulk_create(callbacks, batch_size=5000)
        audit_record_many(actor=None, action="create", source="demo",
                          items=[(r, {"channel": [None, r.channel], "status": [None, r.status]})
                                 for r, *_ in requests])
    return len(requests)


def _live_plan(rng: random.Random, now: dt.datetime, work) -> list[tuple]:
    """Requests still in hand today: (received, department, the demo enterprise's?, stop at).
    The 工信局 queue gets fresh, yellow and red ones at both stages; the demo enterprise gets
    one being handled and one answered, waiting for its rating."""
    plan = []
    for hours, stop in ((0.3, "assigned"), (1.2, "assigned"), (1.8, "assigned"),
                        (3.5, "assigned"), (9, "assigned"), (4, "handling"), (12, "handling"),
                        (20, "handling"), (27, "handling"), (31, "handling"), (36, "handling"),
                        (45, "handling"), (60, "handling"), (80, "handling")):
        back = sla.local(now) - dt.timedelta(hours=hours * 24 / 7)  # about ``hours`` working hours
        received = sla.aware(back.replace(second=0, microsecond=0))
        plan.append((received, "gxj", False, stop))
    plan.append((now - dt.timedelta(days=2), "zrzyj", True, "handling"))
    plan.append((now - dt.timedelta(days=4), "rsj", True, "replied"))
    return plan


REPLIES = [
    "已与企业电话沟通，按政策规定告知办理流程和所需材料，企业表示理解。",
    "经现场核实，已协调相关单位完成整改，问题已解决。",
    "已会同协办部门研究，符合条件的部分已办理完毕，其余部分待企业补齐材料后办理。",
    "该事项已纳入本年度工作计划，预计下月完成，届时将再次告知企业。",
    "已安排专人对接，企业所提事项已办结。",
    "经核查，企业诉求不符合现行政策规定，已向企业解释政策依据并提出替代方案。",
]


_FRAMES = re.compile(r"^(我司是.{1,12}?企业，|来电人反映：.{1,20}?企业|走访中企业负责人提出：|"
                     r".{1,20}?(?:恳谈会|接访日|座谈会)上反映)")


def _title(text: str) -> str:
    """A ticket title from a request's own words: its first clause after the framing."""
    core = _FRAMES.sub("", text)
    return re.split(r"[，。；]", core)[0][:30] or text[:30]


def _reply_text(rng: random.Random) -> str:
    return rng.choice(REPLIES)
