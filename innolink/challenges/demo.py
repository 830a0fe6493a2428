"""Demo records of the challenge board: researchers and teams with Chinese fields, keywords and
achievements; a few hundred challenges across the six domains with realistic indicator targets,
posted by demo enterprises and taken through the services into every state; proposals;
technology offers with interest and conversations.

Deterministic (``random.Random(seed)``) and idempotent: a second call finds the records by their
usernames and titles and changes nothing. Challenges, proposals and offers go through the
services (checked, audited, notified like real ones); researcher accounts are written in bulk
with unusable passwords (only the demo account ``researcher`` signs in) and audited in bulk.
The size follows the demo city: about one challenge per six demo enterprises (at most 320) and
1.5 researchers per enterprise (at most 3,000)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from innolink.accounts.models import Institution, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_record_many
from innolink.enterprises.models import Enterprise

# (domain, title, statement, keywords, indicators [(name, comparator, value, value_max, unit,
# method)])
CATALOG: list[tuple[str, str, str, str, list[tuple]]] = [
    ("materials", "低介电常数BCB光刻胶树脂国产化",
     "先进封装再布线层需要低介电、低损耗的苯并环丁烯（BCB）光刻胶，目前依赖进口，交期长、价格高。"
     "需开发可量产的树脂合成与光敏配方，满足晶圆级封装工艺窗口。", "光刻胶 BCB 先进封装 介电常数",
     [("介电常数（10 GHz）", "le", "2.65", None, "", "GB/T 12636"),
      ("介质损耗因子", "le", "0.0008", None, "", "GB/T 12636"),
      ("玻璃化转变温度", "ge", "350", None, "℃", "DMA"),
      ("分辨率", "le", "5", None, "μm", "SEM")]),
    ("materials", "运动鞋大底高耐磨橡胶配方",
     "跑鞋大底在长距离使用后磨损快，现有配方在提高耐磨的同时湿地防滑下降。需要兼顾耐磨、"
     "防滑与轻量化的橡胶配方及硫化工艺。", "鞋底 耐磨 橡胶 防滑 鞋材",
     [("DIN 耐磨体积损失", "le", "80", None, "mm³", "GB/T 9867"),
      ("湿态防滑系数", "ge", "0.45", None, "", "GB/T 28287"),
      ("密度", "le", "1.05", None, "g/cm³", "GB/T 533")]),
    ("materials", "EVA超临界发泡中底回弹提升",
     "中底材料回弹率不足、压缩永久变形偏大，影响跑鞋脚感和寿命。需开发超临界氮气发泡配方与"
     "工艺参数。", "EVA 发泡 中底 回弹 鞋材",
     [("回弹率", "ge", "65", None, "%", "GB/T 10652"),
      ("压缩永久变形", "le", "25", None, "%", "HG/T 2876"),
      ("密度", "range", "0.10", "0.14", "g/cm³", "GB/T 6343")]),
    ("materials", "再生聚酯纤维高色牢度着色",
     "回收瓶片再生涤纶在原液着色时色差大、色牢度低，难以进入品牌供应链。", "再生聚酯 涤纶 色牢度 化纤",
     [("耐洗色牢度", "ge", "4", None, "级", "GB/T 3921"),
      ("批间色差 ΔE", "le", "0.8", None, "", "GB/T 8424.3"),
      ("断裂强度", "ge", "3.5", None, "cN/dtex", "GB/T 14344")]),
    ("materials", "建筑陶瓷薄板低温快烧坯料",
     "磁灶陶瓷企业烧成能耗高，需开发低温快烧坯料配方，在降低烧成温度的同时保证强度与吸水率。",
     "陶瓷 薄板 低温烧成 节能",
     [("烧成温度", "le", "1150", None, "℃", "窑炉记录"),
      ("破坏强度", "ge", "1300", None, "N", "GB/T 3810.4"),
      ("吸水率", "le", "0.5", None, "%", "GB/T 3810.3")]),
    ("energy", "印染废水深度处理与回用",
     "印染企业单位产品用水量偏高、废水色度与COD难以稳定达标，需要可回用的深度处理工艺包。",
     "印染 节水 废水回用 COD", [
         ("吨布水耗", "le", "80", None, "t/t", "企业计量"),
         ("回用率", "ge", "60", None, "%", "水平衡测试"),
         ("出水COD", "le", "50", None, "mg/L", "HJ 828")]),
    ("energy", "制鞋车间VOCs治理与胶粘剂替代",
     "制鞋车间溶剂型胶粘剂VOCs排放浓度高，需开发水性胶粘剂替代方案及末端治理。",
     "VOCs 水性胶 制鞋 环保", [
         ("非甲烷总烃排放浓度", "le", "30", None, "mg/m³", "HJ 38"),
         ("剥离强度", "ge", "3.0", None, "N/mm", "GB/T 532"),
         ("胶粘剂VOC含量", "le", "50", None, "g/L", "GB 33372")]),
    ("energy", "储能电池簇主动均衡管理",
     "工商业储能电池簇一致性差导致可用容量衰减，需要主动均衡与SOC精确估计算法。",
     "储能 电池管理 SOC 均衡", [
         ("SOC估计误差", "le", "2", None, "%", "GB/T 34131"),
         ("均衡电流", "ge", "2", None, "A", "台架测试"),
         ("循环寿命", "ge", "6000", None, "次", "GB/T 36276")]),
    ("energy", "空压站系统节能优化",
     "纺织企业空压站能耗占全厂电耗两成以上，需要基于负荷预测的群控节能方案。",
     "空压机 节能 群控 纺织", [
         ("比功率", "le", "6.2", None, "kW/(m³/min)", "GB 19153"),
         ("节电率", "ge", "15", None, "%", "节能量审核")]),
    ("it", "鞋面缺陷机器视觉检测",
     "鞋面针车、破损、污渍靠人工目检，漏检率高。需要产线级机器视觉检测系统。",
     "机器视觉 缺陷检测 深度学习 鞋面", [
         ("检出率", "ge", "99", None, "%", "产线盲测"),
         ("误报率", "le", "1", None, "%", "产线盲测"),
         ("单件检测时间", "le", "0.5", None, "s", "节拍测试")]),
    ("it", "面向集成电路封测的良率分析平台",
     "封测产线数据分散在多个系统，良率异常定位慢，需要数据汇聚与根因分析平台。",
     "集成电路 良率 大数据 封测", [
         ("异常定位时间", "le", "4", None, "h", "试运行统计"),
         ("数据接入系统数", "ge", "6", None, "个", "验收清单")]),
    ("it", "服装版型智能推荐与自动排料",
     "夹克类产品多款少量，人工排料利用率低。需要版型智能推荐和自动排料软件。",
     "服装 排料 人工智能 夹克", [
         ("面料利用率提升", "ge", "3", None, "个百分点", "对比试验"),
         ("单床排料时间", "le", "60", None, "s", "计时测试")]),
    ("equipment", "制鞋自动化喷胶机器人",
     "鞋底喷胶依赖人工，胶量不均、环境差。需要3D视觉引导的自动喷胶工作站。",
     "机器人 喷胶 3D视觉 制鞋机械", [
         ("轨迹重复精度", "le", "0.5", None, "mm", "GB/T 12642"),
         ("节拍", "le", "12", None, "s/双", "节拍测试"),
         ("胶量偏差", "le", "5", None, "%", "称重法")]),
    ("equipment", "高速经编机电子送经系统",
     "高速经编机送经张力波动导致布面横条，需要高响应电子送经与张力闭环控制。",
     "经编机 送经 张力控制 纺织机械", [
         ("主轴转速", "ge", "2500", None, "r/min", "设备测试"),
         ("张力波动", "le", "3", None, "%", "在线测量")]),
    ("equipment", "伞骨冲压模具寿命提升",
     "伞骨冲压模具磨损快，换模频繁。需要模具材料与表面处理改进。", "模具 冲压 表面处理 伞业",
     [("模具寿命", "ge", "300000", None, "冲次", "生产统计"),
      ("表面硬度", "ge", "60", None, "HRC", "GB/T 230.1")]),
    ("biomed", "功能性运动袜抗菌整理",
     "运动袜长期穿着易滋生细菌产生异味，需要耐洗涤的抗菌整理工艺。", "抗菌 纺织 运动袜 整理",
     [("抑菌率（金黄色葡萄球菌）", "ge", "99", None, "%", "GB/T 20944.3"),
      ("耐洗次数", "ge", "50", None, "次", "GB/T 8629")]),
    ("biomed", "卫生用品高吸水树脂安全性提升",
     "纸尿裤用高吸水树脂残留单体偏高，需要工艺改进降低残留并保持吸液倍率。",
     "高吸水树脂 卫生用品 残留单体", [
         ("残留丙烯酸单体", "le", "300", None, "mg/kg", "GB/T 22905"),
         ("吸液倍率（生理盐水）", "ge", "55", None, "g/g", "GB/T 22875")]),
    ("agrifood", "休闲食品低油低糖工艺",
     "膨化与烘焙休闲食品含油量和含糖量高，需开发减油减糖工艺与配方并保持口感。",
     "休闲食品 减油 减糖 烘焙", [
         ("脂肪含量降低", "ge", "30", None, "%", "GB 5009.6"),
         ("感官评分", "ge", "80", None, "分", "感官评价小组")]),
    ("agrifood", "海洋食品冷链保鲜",
     "深沪、东石水产品冷链过程中品质下降快，需要保鲜与品质监测方案。", "冷链 保鲜 水产品 食品",
     [("货架期延长", "ge", "5", None, "天", "GB 4789.2"),
      ("挥发性盐基氮", "le", "20", None, "mg/100g", "GB 5009.228")]),
]

DISCIPLINES = [
    ("材料科学与工程", "materials", ["高分子材料", "光刻胶", "橡胶改性", "发泡材料", "陶瓷材料",
                                     "复合材料"]),
    ("化学工程与技术", "materials", ["催化", "精细化工", "聚合反应工程", "涂料与胶粘剂"]),
    ("纺织科学与工程", "materials", ["功能纺织品", "化学纤维", "染整技术", "智能可穿戴"]),
    ("环境科学与工程", "energy", ["水处理", "VOCs治理", "固废资源化", "清洁生产"]),
    ("电气工程", "energy", ["储能系统", "电池管理", "电力电子", "能效优化"]),
    ("计算机科学与技术", "it", ["机器视觉", "深度学习", "工业大数据", "知识图谱"]),
    ("电子科学与技术", "it", ["集成电路设计", "半导体封装", "传感器", "射频器件"]),
    ("机械工程", "equipment", ["工业机器人", "精密制造", "模具设计", "数控技术"]),
    ("控制科学与工程", "equipment", ["运动控制", "智能制造", "工业互联网"]),
    ("生物医学工程", "biomed", ["抗菌材料", "医用高分子", "生物传感"]),
    ("食品科学与工程", "agrifood", ["食品加工", "冷链保鲜", "功能食品", "食品安全检测"]),
]
SURNAMES = list("陈林黄张李王吴刘蔡杨郑许谢郭洪邱曾廖赖周徐苏叶庄施丁")
GIVEN = list("志明建国晓华文杰伟强丽娟海峰思远嘉欣宇航子涵梓萱俊熙一鸣")
TITLES = ["博士后", "博士后", "助理研究员", "副研究员", "副教授", "讲师"]
ACHIEVEMENTS = [
    "以第一作者在{j}发表论文 {n} 篇", "授权发明专利 {m} 项", "主持国家自然科学基金青年项目 1 项",
    "参与国家重点研发计划课题 1 项", "成果在{c}实现产业化应用", "获省部级科技进步奖二等奖",
]
JOURNALS = ["Advanced Materials", "ACS Nano", "化工学报", "纺织学报", "Journal of Cleaner Production",
            "IEEE Transactions on Industrial Electronics", "食品科学"]

STATE_PLAN = [  # (state, share)
    ("draft", 0.05), ("submitted", 0.08), ("returned", 0.03), ("rejected", 0.03),
    ("published", 0.25), ("claimed", 0.16), ("shortlisted", 0.08), ("matched", 0.06),
    ("contracted", 0.05), ("in_progress", 0.05), ("accepted", 0.03), ("closed", 0.04),
    ("withdrawn", 0.04), ("expired", 0.05),
]
OFFER_TITLES = [
    ("materials", "废旧轮胎胶粉高值化再生鞋底材料", "licence", "patent_granted"),
    ("materials", "生物基可降解聚酯纤维", "joint", "patent_pending"),
    ("materials", "石墨烯改性导热涂层", "transfer", "patent_granted"),
    ("energy", "印染废水膜法零排放工艺包", "service", "know_how"),
    ("energy", "工业余热有机朗肯循环发电", "equity", "patent_granted"),
    ("it", "小样本工业缺陷检测算法", "licence", "software"),
    ("it", "面向中小制造企业的轻量级MES", "licence", "software"),
    ("equipment", "柔性鞋面自动缝纫单元", "joint", "utility"),
    ("biomed", "壳聚糖季铵盐抗菌整理剂", "transfer", "patent_granted"),
    ("agrifood", "即食海产品微波杀菌保鲜技术", "licence", "patent_pending"),
]


def _size() -> tuple[int, int]:
    enterprises = Enterprise.objects.filter(is_demo=True).count()
    return min(320, max(28, enterprises // 6)), min(3000, max(80, enterprises * 3 // 2))


def seed(*, seed: int) -> str:
    n_challenges, n_researchers = _size()
    rng = random.Random(seed)
    researchers = _researchers(rng, n_researchers)
    made, proposals = _challenges(rng, n_challenges, researchers)
    offers = _offers(rng, researchers)
    return (f"揭榜领题：科研人员 {researchers['count']} 位，新增榜单 {made}，方案 {proposals}，"
            f"成果 {offers}（合成数据）")


# --- researchers ---------------------------------------------------------------------------

def _researchers(rng: random.Random, count: int) -> dict:
    from innolink.challenges.models import ResearcherProfile

    institutions = list(Institution.objects.filter(is_demo=True).order_by("name"))
    if not institutions:
        institutions = list(Institution.objects.order_by("name"))
    existing = set(User.objects.filter(username__startswith="demo_r").values_list("username",
                                                                                  flat=True))
    users, profiles = [], []
    for i in range(count):
        username = f"demo_r{i:05d}"
        discipline, domain, fields = DISCIPLINES[rng.randrange(len(DISCIPLINES))]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        team = rng.random() < 0.15
        institution = institutions[rng.randrange(len(institutions))]
        chosen = rng.sample(fields, k=min(len(fields), rng.randint(1, 3)))
        achievements = "；".join(
            a.format(j=rng.choice(JOURNALS), n=rng.randint(2, 9), m=rng.randint(1, 6),
                     c=rng.choice(["晋江", "泉州", "厦门", "苏州"]))
            for a in rng.sample(ACHIEVEMENTS, k=3))
        members = [{"name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "title": rng.choice(TITLES), "role": role}
                   for role in ("负责人", "工艺研发", "测试分析")[: rng.randint(2, 3)]] if team \
            else []
        availability = rng.choices(["available", "partial", "unavailable"], [6, 3, 1])[0]
        if username in existing:
            continue
        user = User(username=username, role=Role.RESEARCHER, institution=institution,
                    display_name=f"{name}（演示）")
        user.set_unusable_password()
        users.append(user)
        profiles.append((username, ResearcherProfile(
            kind="team" if team else "individual",
            name=f"{name}团队" if team else name, title=rng.choice(TITLES), members=members,
            institution=institution,
            station_kind="workstation" if institution.kind == "postdoc_workstation" else "station",
            station=f"{institution.name}{discipline}博士后科研流动站"
            if institution.kind != "postdoc_workstation" else institution.name,
            discipline=discipline, research_fields="；".join(chosen),
            keywords=" ".join(chosen), achievements=achievements, availability=availability,
            domains=[domain], is_demo=True)))
    demo_user = User.objects.filter(username="researcher").first()
    with transaction.atomic():
        created_users = User.objects.bulk_create(users, batch_size=500)
        by_name = {u.username: u for u in created_users}
        rows = []
        for username, profile in profiles:
            profile.user = by_name[username]
            rows.append(profile)
        created = ResearcherProfile.objects.bulk_create(rows, batch_size=500)
        if demo_user and not ResearcherProfile.objects.filter(user=demo_user).exists():
            created.append(ResearcherProfile.objects.create(
                user=demo_user, name="陈博士", title="博士后", institution=demo_user.institution,
                station=f"{demo_user.institution}材料科学与工程博士后科研流动站",
                discipline="材料科学与工程", research_fields="高分子材料；鞋材发泡；橡胶改性",
                keywords="鞋底 耐磨 发泡 橡胶 光刻胶", domains=["materials"],
                achievements="在 ACS Nano 发表论文 3 篇；授权发明专利 2 项；主持省自然科学基金 1 项",
                is_demo=True))
        audit_record_many(actor=None, action="create", source="demo",
                          items=[(p, {"name": [None, p.name]}) for p in created])
    all_users = list(User.objects.filter(username__startswith="demo_r", role=Role.RESEARCHER)
                     .order_by("username")[:count])
    return {"count": ResearcherProfile.objects.filter(is_demo=True).count(), "users": all_users,
            "demo": demo_user}


# --- challenges ----------------------------------------------------------------------------

def _posters(rng: random.Random, n: int) -> list[User]:
    """Enterprise accounts of demo enterprises (the demo ``enterprise`` user first)."""
    posters = []
    demo = User.objects.filter(username="enterprise").first()
    if demo:
        posters.append(demo)
    enterprises = list(Enterprise.objects.filter(is_demo=True).exclude(
        pk=getattr(demo, "enterprise_id", None)).order_by("credit_code")[:n])
    existing = {u.enterprise_id: u for u in User.objects.filter(username__startswith="demo_e")}
    new = []
    for i, enterprise in enumerate(enterprises):
        if enterprise.pk in existing:
            posters.append(existing[enterprise.pk])
            continue
        user = User(username=f"demo_e{i:04d}", role=Role.ENTERPRISE, enterprise=enterprise,
                    display_name=f"{rng.choice(SURNAMES)}经理", phone=f"1390595{i:04d}")
        user.set_unusable_password()
        new.append(user)
    if new:
        created = User.objects.bulk_create(new)
        audit_record_many(actor=None, action="create", source="demo",
                          items=[(u, {"username": [None, u.username]}) for u in created])
        posters.extend(created)
    return posters


def _scaled(value: str, factor: Decimal) -> Decimal:
    """``value`` times ``factor``, kept to the precision ``value`` was written with."""
    exponent = Decimal(value).as_tuple().exponent
    return (Decimal(value) * factor).quantize(Decimal(1).scaleb(exponent))


def _challenge_payload(rng: random.Random, index: int, poster: User) -> dict:
    domain, title, statement, keywords, indicators = CATALOG[index % len(CATALOG)]
    round_no = index // len(CATALOG) + 1
    enterprise = poster.enterprise.name if poster.enterprise_id else ""
    rows = []
    for name, comparator, value, value_max, unit, method in indicators:
        factor = Decimal(str(round(rng.uniform(0.9, 1.1), 2)))
        v = _scaled(value, factor)
        vm = _scaled(value_max, factor) if value_max is not None else None
        rows.append({"name": name, "comparator": comparator, "value": str(v),
                     "value_max": str(vm) if vm is not None else None, "unit": unit,
                     "test_method": method})
    ip = rng.choices(["enterprise", "joint", "negotiable", "solver"], [5, 3, 2, 1])[0]
    funding_wan = rng.choice([30, 50, 80, 100, 150, 200, 300, 500, 800])
    return {
        "title": f"{title}（{enterprise[:8]}·第{round_no}批）" if enterprise else title,
        "domain": domain, "statement": statement, "keywords": keywords,
        "funding": str(funding_wan * 10_000),
        "payment_terms": "签约后支付 30%，中期考核通过支付 40%，验收通过支付 30%",
        "time_limit_months": rng.choice([6, 12, 18, 24, 36]),
        "ip_ownership": ip, "ip_enterprise_share": rng.choice([50, 60, 70]) if ip == "joint"
        else None,
        "ip_notes": "背景知识产权归各自所有" if ip == "joint" else "",
        "other_conditions": rng.choice(["", "需在晋江设立联合实验室或派驻人员", "优先考虑福建省内团队"]),
        "claim_deadline": (timezone.localdate() + dt.timedelta(days=rng.randint(20, 120)))
        .isoformat(),
        "max_claims": rng.choice([3, 5, 5, 8]),
        "contact_name": poster.display_name or "联系人", "contact_phone": poster.phone
        or "0595-85600000", "indicators": rows,
    }


def _proposal_payload(rng: random.Random, challenge) -> dict:
    months = challenge.time_limit_months
    return {
        "approach": f"针对“{challenge.title[:20]}”，拟从材料/算法/工艺三方面协同攻关："
                    "先建立性能与工艺参数的关联模型，再通过小试验证关键指标，最后中试放大并在"
                    "企业产线验证。",
        "team": "负责人 1 名，博士后 2 名，硕士研究生 3 名",
        "budget": str(int(challenge.funding * Decimal(str(round(rng.uniform(0.7, 1.0), 2))))),
        "plan": f"共 {months} 个月：前期调研与方案细化、小试、中试、企业验证四个阶段。",
        "prior_results": "已有相关方向论文与专利积累，具备小试条件。",
        "milestones": [{"title": "小试验证", "month": max(1, months // 3),
                        "deliverable": "小试报告与样品"},
                       {"title": "中试与企业验证", "month": months, "deliverable": "验收报告"}],
    }


def _challenges(rng: random.Random, count: int, researchers: dict) -> tuple[int, int]:
    from innolink.challenges import services
    from innolink.challenges.models import Challenge, Proposal

    staff = User.objects.filter(username="organizer").first() or User.objects.filter(
        role=Role.ORGANIZER).first()
    if staff is None:
        return 0, 0
    posters = _posters(rng, max(8, count // 6))
    pool = researchers["users"]
    if not posters or not pool:
        return 0, 0
    states: list[str] = []
    for state, share in STATE_PLAN:
        states += [state] * max(1, round(count * share))
    states = states[:count]
    made = proposals = 0
    for index, state in enumerate(states):
        poster = posters[index % len(posters)]
        payload = _challenge_payload(rng, index, poster)
        claimants = rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))
        if index % 17 == 0 and researchers["demo"] is not None:
            claimants[0] = researchers["demo"]
        if Challenge.objects.filter(title=payload["title"], is_demo=True).exists():
            continue
        with transaction.atomic():
            challenge = services.challenge_create(actor=poster, data=payload, source="demo")
            Challenge.objects.filter(pk=challenge.pk).update(is_demo=True)
            proposals += _advance(rng, challenge, state, poster, staff, claimants)
        made += 1
    Proposal.objects.filter(challenge__is_demo=True).update(is_demo=True)
    return made, proposals


def _advance(rng, challenge, target: str, poster, staff, claimants) -> int:
    """Take a fresh draft to ``target`` through the services; return the proposals made."""
    from innolink.challenges import services
    from innolink.challenges.models import Challenge

    s = services
    if target == "draft":
        return 0
    if target == "withdrawn" and rng.random() < 0.5:
        s.challenge_withdraw(actor=poster, challenge=challenge, reason="企业已自行解决", source="demo")
        return 0
    s.challenge_submit(actor=poster, challenge=challenge, source="demo")
    if target == "submitted":
        return 0
    if target == "returned":
        s.challenge_return(actor=staff, challenge=challenge, source="demo",
                           comment="请将“性能提升”改写为可量化的技术指标，并补充测试方法")
        return 0
    if target == "rejected":
        s.challenge_reject(actor=staff, challenge=challenge, source="demo",
                           reason="需求属于常规技术服务，不符合揭榜领题的技术攻关定位")
        return 0
    s.challenge_publish(actor=staff, challenge=challenge, source="demo")
    published_days_ago = rng.randint(10, 200)
    Challenge.objects.filter(pk=challenge.pk).update(
        published_at=timezone.now() - dt.timedelta(days=published_days_ago))
    if target == "published":
        return 0
    if target == "withdrawn":
        s.challenge_withdraw(actor=poster, challenge=challenge, reason="需求调整", source="demo")
        return 0
    made = []
    for user in claimants[: challenge.max_claims]:
        made.append(s.proposal_create(actor=user, challenge=challenge,
                                      data=_proposal_payload(rng, challenge), source="demo"))
    if target == "expired":
        Challenge.objects.filter(pk=challenge.pk).update(
            claim_deadline=timezone.localdate() - dt.timedelta(days=rng.randint(1, 30)))
        s.challenge_expire(actor=None, challenge=challenge, source="demo")
        return len(made)
    if target == "claimed":
        return len(made)
    s.proposal_shortlist(actor=staff, proposal=made[0], source="demo", note="技术路线清晰，团队匹配")
    if target == "shortlisted":
        return len(made)
    s.proposal_match(actor=staff, proposal=made[0], source="demo")
    Challenge.objects.filter(pk=challenge.pk).update(
        matched_at=timezone.now() - dt.timedelta(
            days=max(0, published_days_ago - rng.randint(7, min(150, published_days_ago)))))
    if target == "matched":
        return len(made)
    challenge.refresh_from_db()
    start = timezone.localdate() - dt.timedelta(days=rng.randint(0, 60))
    amount = made[0].budget
    s.challenge_contract(actor=poster, challenge=challenge, amount=str(amount),
                         start=start.isoformat(), source="demo", milestones=[
                             {"title": "小试验证", "due_on": (start + dt.timedelta(days=120))
                              .isoformat(), "payment": str((amount * Decimal("0.3"))
                                                           .quantize(Decimal("0.01")))},
                             {"title": "中试与验收", "due_on": (start + dt.timedelta(days=360))
                              .isoformat(), "payment": str((amount * Decimal("0.7"))
                                                           .quantize(Decimal("0.01")))}])
    if target == "contracted":
        return len(made)
    milestones = list(challenge.milestones.order_by("position"))
    s.milestone_complete(actor=poster, milestone=milestones[0], note="小试样品检测达标",
                         source="demo")
    if target == "in_progress":
        return len(made)
    s.milestone_complete(actor=poster, milestone=milestones[1], note="中试完成", source="demo")
    s.challenge_accept(actor=poster, challenge=challenge, source="demo")
    if target == "closed":
        s.challenge_close(actor=staff, challenge=challenge, source="demo")
    return len(made)


# --- offers --------------------------------------------------------------------------------

def _offers(rng: random.Random, researchers: dict) -> int:
    from innolink.challenges import services
    from innolink.challenges.models import TechnologyOffer

    staff = User.objects.filter(username="organizer").first()
    owners = [researchers["demo"]] if researchers["demo"] else []
    owners += researchers["users"][:20]
    enterprise_users = list(User.objects.filter(role=Role.ENTERPRISE).order_by("username")[:5])
    if not owners or staff is None:
        return 0
    made = 0
    for i, (domain, title, mode, ip) in enumerate(OFFER_TITLES * 2):
        full = title if i < len(OFFER_TITLES) else f"{title}（二期）"
        if TechnologyOffer.objects.filter(title=full, is_demo=True).exists():
            continue
        owner = owners[i % len(owners)]
        with transaction.atomic():
            offer = services.offer_create(actor=owner, source="demo", data={
                "title": full, "domain": domain, "trl": rng.randint(4, 8),
                "summary": f"{title}：课题组多年研究积累形成的成果，已完成实验室验证和小批量试制，"
                           "关键性能指标优于现有同类产品，具备在晋江相关产业转化的条件。",
                "applications": "鞋服、纺织、建材、食品等晋江优势产业的工艺升级",
                "ip_status": ip, "cooperation_mode": mode,
                "asking_terms": "首付加销售提成，可协商", "asking_price":
                str(rng.choice([20, 50, 80, 120, 200]) * 10_000),
                "keywords": title[:10], "contact_name": str(owner)[:20],
                "contact_phone": "0595-2268" + f"{i:04d}"})
            TechnologyOffer.objects.filter(pk=offer.pk).update(is_demo=True)
            services.offer_transition(actor=owner, offer=offer, action="submit", source="demo")
            if i % 5 != 4:
                services.offer_transition(actor=staff, offer=offer, action="publish",
                                          source="demo")
                if enterprise_users and i % 2 == 0:
                    buyer = enterprise_users[i % len(enterprise_users)]
                    interest = services.offer_interest_create(
                        actor=buyer, offer=offer, source="demo",
                        message="我司对该成果有应用需求，希望了解中试数据和授权方式。")
                    services.conversation_message_add(
                        actor=owner, interest=interest, source="demo",
                        body="感谢关注，可先提供样品在贵司产线试用。")
        made += 1
    return made
