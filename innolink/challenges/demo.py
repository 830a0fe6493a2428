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

#: Listings in the style of real 榜单 (synthetic: no row describes a real listing): targets
#: as lists write them (qualitative ones, ranges, 万 multipliers, tolerances), funding as a
#: range, a limit, a prize schedule or 面议, optional time limits, secondary domains, and outside
#: issuers (institutes, key laboratories, enterprises elsewhere) of a contest programme.
#: Fields: domains (primary first), title, statement, keywords, indicators [(name, target as
#: written, test method)], funding, time limit in months (None: not stated), IP terms,
#: issuer (None: a demo enterprise of the registry) and solver requirements.
CATALOG: list[dict] = [
    {"domains": ["materials", "it"], "title": "低介电常数BCB光刻胶树脂国产化",
     "statement": "先进封装再布线层需要低介电、低损耗的苯并环丁烯（BCB）光刻胶，目前依赖进口，交期长、"
                  "价格高。需开发可量产的树脂合成与光敏配方，满足晶圆级封装工艺窗口。",
     "keywords": "光刻胶 BCB 先进封装 介电常数",
     "indicators": [("介电常数（10 GHz）", "≤2.65", "GB/T 12636"),
                    ("介质损耗因子", "≤0.0008", "GB/T 12636"),
                    ("玻璃化转变温度", "不低于350℃", "DMA"),
                    ("批次稳定性", "达到进口同类产品水平", "")],
     "funding": ("range", 300, 500), "months": 36, "ip": "joint_open", "issuer": None,
     "solver": {"disciplines": ["43050", "15045"], "trl_min": 4, "trl_max": 6}},
    {"domains": ["materials"], "title": "运动鞋大底高耐磨橡胶配方",
     "statement": "跑鞋大底在长距离使用后磨损快，现有配方在提高耐磨的同时湿地防滑下降。需要兼顾耐磨、"
                  "防滑与轻量化的橡胶配方及硫化工艺。",
     "keywords": "鞋底 耐磨 橡胶 防滑 鞋材",
     "indicators": [("DIN 耐磨体积损失", "≤80mm³", "GB/T 9867"),
                    ("湿态防滑系数", "0.45～0.60", "GB/T 28287"),
                    ("耐屈挠", "≥20万次无裂口", "GB/T 3903.1")],
     "funding": ("fixed", 80), "months": 18, "ip": "enterprise", "issuer": None},
    {"domains": ["materials", "energy"], "title": "超临界发泡中底高回弹材料",
     "statement": "中底回弹率不足、压缩永久变形偏大，影响跑鞋脚感和寿命。需开发超临界氮气发泡配方与"
                  "工艺参数，可在现有注塑线量产。",
     "keywords": "超临界发泡 中底 回弹 鞋材",
     "indicators": [("回弹率", "≥65%", "GB/T 10652"), ("密度", "0.10-0.14g/cm³", "GB/T 6343"),
                    ("压缩永久变形", "≤25%", "HG/T 2876"), ("耐黄变", "优于进口同类产品", "")],
     "funding": ("range", 80, 120), "months": 24, "ip": "joint_open",
     "issuer": {"name": "东南轻工材料研究院（演示）", "kind": "institute", "region": "福建省福州市"},
     "contest": True, "solver": {"solver_types": ["institute", "university"]}},
    {"domains": ["materials"], "title": "再生聚酯纤维原液着色色差控制",
     "statement": "回收瓶片再生涤纶在原液着色时批间色差大、色牢度低，难以进入品牌供应链。",
     "keywords": "再生聚酯 涤纶 色牢度 化纤",
     "indicators": [("耐洗色牢度", "4级以上", "GB/T 3921"), ("批间色差 ΔE", "≤0.8", "GB/T 8424.3"),
                    ("断裂强度", "≥3.5cN/dtex", "GB/T 14344")],
     "funding": ("up_to", 150), "months": None, "ip": "negotiable", "issuer": None},
    {"domains": ["materials", "energy"], "title": "建筑陶瓷薄板低温快烧坯料",
     "statement": "磁灶陶瓷企业烧成能耗高，需开发低温快烧坯料配方，在降低烧成温度的同时保证强度与吸水率。",
     "keywords": "陶瓷 薄板 低温烧成 节能",
     "indicators": [("烧成温度", "≤1150℃", "窑炉记录"), ("破坏强度", "≥1300N", "GB/T 3810.4"),
                    ("吸水率", "≤0.5%", "GB/T 3810.3")],
     "funding": ("fixed", 60), "months": 24, "ip": "joint", "issuer": None},
    {"domains": ["energy"], "title": "印染废水深度处理与回用",
     "statement": "印染企业单位产品用水量偏高、废水色度与COD难以稳定达标，需要可回用的深度处理工艺包。",
     "keywords": "印染 节水 废水回用 COD",
     "indicators": [("吨布水耗", "≤80t/t", "企业计量"), ("回用率", "60%以上", "水平衡测试"),
                    ("出水COD", "≤50mg/L", "HJ 828")],
     "funding": ("range", 200, 300), "months": 36, "ip": "enterprise", "issuer": None},
    {"domains": ["energy", "equipment"], "title": "储能电池簇主动均衡与热失控预警",
     "statement": "工商业储能电池簇一致性差导致可用容量衰减，需要主动均衡与基于多信号融合的热失控早期预警。",
     "keywords": "储能 电池管理 SOC 均衡 热失控",
     "indicators": [("SOC估计误差", "≤2%", "GB/T 34131"), ("循环寿命", "≥6,000次", "GB/T 36276"),
                    ("预警提前量", "不少于10分钟", "台架试验")],
     "funding": ("prize", [("一等奖", 50, 1), ("二等奖", 20, 2)]), "months": None,
     "ip": "negotiable",
     "issuer": {"name": "海峡新能源与储能重点实验室（演示）", "kind": "key_lab",
                "region": "福建省厦门市"}, "contest": True,
     "solver": {"disciplines": ["48040", "47040"], "solver_types": ["university", "institute"]}},
    {"domains": ["energy"], "title": "制鞋车间VOCs治理与水性胶替代",
     "statement": "制鞋车间溶剂型胶粘剂VOCs排放浓度高，需开发水性胶粘剂替代方案及末端治理。",
     "keywords": "VOCs 水性胶 制鞋 环保",
     "indicators": [("非甲烷总烃排放浓度", "≤30mg/m³", "HJ 38"), ("剥离强度", "≥3.0N/mm", "GB/T 532"),
                    ("胶粘剂VOC含量", "≤50g/L", "GB 33372")],
     "funding": ("fixed", 100), "months": 18, "ip": "solver", "issuer": None},
    {"domains": ["energy"], "title": "纺织空压站群控节能",
     "statement": "纺织企业空压站能耗占全厂电耗两成以上，需要基于负荷预测的群控节能方案。",
     "keywords": "空压机 节能 群控 纺织", "indicators": [],
     "funding": ("negotiable",), "months": 12, "ip": "negotiable", "issuer": None},
    {"domains": ["it", "equipment"], "title": "鞋面缺陷在线视觉检测系统",
     "statement": "鞋面针车、破损、污渍靠人工目检，漏检率高。需要能部署在产线节拍内的机器视觉检测系统。",
     "keywords": "机器视觉 缺陷检测 深度学习 鞋面",
     "indicators": [("检出率", "≥99%", "产线盲测"), ("误报率", "≤1%", "产线盲测"),
                    ("单件检测时间", "≤0.5s", "节拍测试")],
     "funding": ("up_to", 150), "months": 18, "ip": "enterprise", "issuer": None,
     "solver": {"disciplines": ["52020"], "trl_min": 5}},
    {"domains": ["it"], "title": "集成电路封测良率分析平台",
     "statement": "封测产线数据分散在多个系统，良率异常定位慢，需要数据汇聚与根因分析平台。",
     "keywords": "集成电路 良率 大数据 封测",
     "indicators": [("异常定位时间", "≤4h", "试运行统计"), ("数据接入系统数", "不少于6个", "验收清单"),
                    ("系统可用性", "达到国内先进水平", "")],
     "funding": ("range", 100, 200), "months": 24, "ip": "joint_open",
     "issuer": {"name": "长三角集成电路封测有限公司（演示）", "kind": "enterprise",
                "region": "江苏省无锡市"}, "contest": True},
    {"domains": ["it", "materials"], "title": "夹克版型智能推荐与自动排料",
     "statement": "夹克类产品多款少量，人工排料利用率低。需要版型智能推荐和自动排料软件。",
     "keywords": "服装 排料 人工智能 夹克",
     "indicators": [("面料利用率提升", "≥3个百分点", "对比试验"), ("单床排料时间", "60s以内", "计时测试")],
     "funding": ("fixed", 50), "months": 12, "ip": "solver", "issuer": None},
    {"domains": ["equipment"], "title": "制鞋自动化喷胶机器人工作站",
     "statement": "鞋底喷胶依赖人工，胶量不均、环境差。需要3D视觉引导的自动喷胶工作站。",
     "keywords": "机器人 喷胶 3D视觉 制鞋机械",
     "indicators": [("轨迹重复精度", "±0.5mm", "GB/T 12642"), ("节拍", "≤12s/双", "节拍测试"),
                    ("胶量偏差", "≤5%", "称重法")],
     "funding": ("range", 150, 250), "months": 24, "ip": "joint", "issuer": None},
    {"domains": ["equipment"], "title": "高速经编机电子送经系统",
     "statement": "高速经编机送经张力波动导致布面横条，需要高响应电子送经与张力闭环控制。",
     "keywords": "经编机 送经 张力控制 纺织机械",
     "indicators": [("主轴转速", "≥2500r/min", "设备测试"), ("张力波动", "±3%以内", "在线测量")],
     "funding": ("fixed", 120), "months": 48, "ip": "enterprise", "issuer": None},
    {"domains": ["equipment", "materials"], "title": "伞骨冲压模具寿命提升",
     "statement": "伞骨冲压模具磨损快，换模频繁。需要模具材料与表面处理改进。",
     "keywords": "模具 冲压 表面处理 伞业",
     "indicators": [("模具寿命", "≥30万冲次", "生产统计"), ("表面硬度", "≥60HRC", "GB/T 230.1")],
     "funding": ("up_to", 80), "months": 18, "ip": "negotiable",
     "issuer": {"name": "江南精密模具研究院（演示）", "kind": "institute", "region": "浙江省宁波市"},
     "contest": True},
    {"domains": ["biomed", "materials"], "title": "功能性运动袜耐久抗菌整理",
     "statement": "运动袜长期穿着易滋生细菌产生异味，反复洗涤后抗菌效果衰减，需要耐洗的抗菌整理工艺。",
     "keywords": "抗菌 纺织 运动袜 整理",
     "indicators": [("抑菌率（金黄色葡萄球菌）", "≥99%", "GB/T 20944.3"),
                    ("耐洗次数", "≥50次", "GB/T 8629"), ("皮肤安全性", "满足GB 18401 B类要求", "")],
     "funding": ("fixed", 30), "months": 12, "ip": "solver", "issuer": None},
    {"domains": ["biomed"], "title": "卫生用品高吸水树脂残留单体控制",
     "statement": "纸尿裤用高吸水树脂残留单体偏高，需要工艺改进降低残留并保持吸液倍率。",
     "keywords": "高吸水树脂 卫生用品 残留单体",
     "indicators": [("残留丙烯酸单体", "≤300mg/kg", "GB/T 22905"),
                    ("吸液倍率（生理盐水）", "≥55倍", "GB/T 22875")],
     "funding": ("range", 80, 150), "months": 24, "ip": "enterprise", "issuer": None},
    {"domains": ["biomed", "agrifood"], "title": "鱼皮胶原蛋白肽制备与功效评价",
     "statement": "水产加工副产物鱼皮利用率低，需开发低腥味、高纯度胶原蛋白肽的酶解与纯化工艺，"
                  "并完成功效评价。",
     "keywords": "胶原蛋白肽 鱼皮 酶解 功能食品",
     "indicators": [("蛋白质含量", "≥90%", "GB 5009.5"), ("平均分子量", "≤1000Da", "GB/T 22729"),
                    ("腥味", "明显优于市售同类产品", "感官评价")],
     "funding": ("prize", [("一等奖", 30, 1), ("优秀奖", 10, 3)]), "months": None,
     "ip": "joint_open",
     "issuer": {"name": "东海海洋生物技术研究所（演示）", "kind": "institute", "region": "浙江省舟山市"},
     "contest": True, "solver": {"disciplines": ["24040", "35020"]}},
    {"domains": ["agrifood"], "title": "休闲食品低油低糖工艺",
     "statement": "膨化与烘焙休闲食品含油量和含糖量高，需开发减油减糖工艺与配方并保持口感。",
     "keywords": "休闲食品 减油 减糖 烘焙",
     "indicators": [("脂肪含量降低", "≥30%", "GB 5009.6"), ("感官评分", "不低于80分", "感官评价小组"),
                    ("货架期", "≥9个月", "加速试验")],
     "funding": ("fixed", 50), "months": 12, "ip": "enterprise", "issuer": None},
    {"domains": ["agrifood"], "title": "海产品冷链保鲜与品质监测",
     "statement": "深沪、东石水产品冷链过程中品质下降快，需要保鲜与品质监测方案。",
     "keywords": "冷链 保鲜 水产品 食品",
     "indicators": [("货架期延长", "≥5天", "GB 4789.2"), ("挥发性盐基氮", "≤20mg/100g", "GB 5009.228")],
     "funding": ("range", 40, 80), "months": 18, "ip": "negotiable", "issuer": None},
    {"domains": ["agrifood", "biomed"], "title": "益生菌固体饮料活菌稳定性提升",
     "statement": "益生菌固体饮料在常温货架期内活菌数衰减快，需要包埋与配方改进方案。",
     "keywords": "益生菌 固体饮料 包埋 活菌",
     "indicators": [("活菌数（货架期末）", "≥1×10⁹CFU/g", "GB 4789.35"),
                    ("常温货架期", "≥18个月", "加速试验")],
     "funding": ("up_to", 100), "months": 24, "ip": "joint_open", "issuer": None},
    {"domains": [], "title": "面向多品类产线的柔性换型与排产",
     "statement": "多品类小批量订单频繁换型，需要柔性换型工装与排产方法，缩短换型时间、提升设备综合效率。",
     "keywords": "柔性制造 换型 排产",
     "indicators": [("换型时间", "缩短至15min以内", "现场测试"), ("设备综合效率OEE", "提高10个百分点以上", "")],
     "funding": ("negotiable",), "months": 24, "ip": "negotiable",
     "issuer": {"name": "闽西南智能制造创新中心（演示）", "kind": "other", "region": "福建省泉州市"},
     "contest": True},
    {"domains": ["materials"], "title": "石墨烯改性导热界面材料",
     "statement": "功率模块散热需要高导热、低热阻的界面材料，现有产品依赖进口。",
     "keywords": "石墨烯 导热 界面材料",
     "indicators": [("导热系数", "不小于8W/(m·K)", "ASTM D5470"), ("使用温度", "-40℃~150℃", ""),
                    ("工作台尺寸", "≥600×600mm", "")],
     "funding": ("range", 100, 180), "months": 24, "ip": "joint_open",
     "issuer": {"name": "粤港澳先进材料研究院（演示）", "kind": "institute", "region": "广东省佛山市"},
     "contest": True},
]

PROGRAMME = {
    "name": "第三届晋江市企业技术需求揭榜领题赛（演示）", "edition": "第三届", "track": "揭榜领题赛",
    "organizer": "晋江市科技创新对接执委会（演示）", "region": "面向全国",
    "eligibility": "在站博士后、出站不超过5年的博士后及其团队；团队可为一人；同一团队最多揭榜2项。",
    "rubric": [{"name": "技术方案先进性", "weight": 30, "guidance": "技术路线是否先进可行"},
               {"name": "指标可达性", "weight": 25, "guidance": "能否达到榜单指标，依据是否充分"},
               {"name": "团队能力", "weight": 20, "guidance": "专业背景与前期成果"},
               {"name": "转化可行性", "weight": 15, "guidance": "中试、成本与产业化路径"},
               {"name": "经费合理性", "weight": 10, "guidance": "预算与计划是否匹配"}],
    "source": "演示数据（合成）",
}

#: (discipline as a roster writes it, domain, research fields); a few are blank or free text
#: that the GB/T 13745 table cannot place (neutral in matching)
DISCIPLINES = [
    ("材料科学与工程", "materials", ["高分子材料", "光刻胶", "橡胶改性", "发泡材料", "陶瓷材料",
                                     "复合材料"]),
    ("化学工程与技术", "materials", ["催化", "精细化工", "聚合反应工程", "涂料与胶粘剂"]),
    ("纺织工程", "materials", ["功能纺织品", "化学纤维", "染整技术", "智能可穿戴"]),
    ("环境工程", "energy", ["水处理", "VOCs治理", "固废资源化", "清洁生产"]),
    ("电气工程", "energy", ["储能系统", "电池管理", "电力电子", "能效优化"]),
    ("计算机科学与技术", "it", ["机器视觉", "深度学习", "工业大数据", "知识图谱"]),
    ("微电子学与固体电子学", "it", ["集成电路设计", "半导体封装", "传感器", "射频器件"]),
    ("机械工程", "equipment", ["工业机器人", "精密制造", "模具设计", "数控技术"]),
    ("控制科学与工程", "equipment", ["运动控制", "智能制造", "工业互联网"]),
    ("生物医学工程", "biomed", ["抗菌材料", "医用高分子", "生物传感"]),
    ("食品科学与工程", "agrifood", ["食品加工", "冷链保鲜", "功能食品", "食品安全检测"]),
    ("水产品加工及贮藏工程", "agrifood", ["水产品加工", "胶原蛋白肽", "海洋生物资源利用"]),
    ("", "materials", ["鞋材发泡工艺", "橡胶大底配方"]),
    ("交叉学科", "it", ["工业软件", "数字孪生"]),
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
    from innolink.challenges.disciplines import match_text
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
        solo_team = team and rng.random() < 0.35  # a team may be one person
        institution = institutions[rng.randrange(len(institutions))]
        chosen = rng.sample(fields, k=min(len(fields), rng.randint(1, 3)))
        achievements = "；".join(
            a.format(j=rng.choice(JOURNALS), n=rng.randint(2, 9), m=rng.randint(1, 6),
                     c=rng.choice(["晋江", "泉州", "厦门", "苏州"]))
            for a in rng.sample(ACHIEVEMENTS, k=3))
        roles = ("负责人",) if solo_team else ("负责人", "工艺研发", "测试分析")[: rng.randint(2, 3)]
        members = [{"name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "title": rng.choice(TITLES), "role": role} for role in roles] if team else []
        availability = rng.choices(["available", "partial", "unavailable"], [6, 3, 1])[0]
        if username in existing:
            continue
        user = User(username=username, role=Role.RESEARCHER, institution=institution,
                    display_name=f"{name}（演示）")
        user.set_unusable_password()
        users.append(user)
        # real rosters are thin: name, unit, field and expertise; the discipline is free text
        # (sometimes blank or not in the GB/T 13745 table), a second domain now and then
        domains = [domain] + ([rng.choice([d for d in ("it", "equipment", "energy", "materials",
                                                        "biomed", "agrifood") if d != domain])]
                              if rng.random() < 0.25 else [])
        station_kind = "workstation" if institution.kind == "postdoc_workstation" else \
            rng.choice(["station", "station", "none"])
        profiles.append((username, ResearcherProfile(
            kind="team" if team else "individual",
            name=f"{name}团队" if team else name, title=rng.choice(TITLES), members=members,
            institution=institution, station_kind=station_kind,
            station="" if station_kind == "none" else
            f"{institution.name}{discipline or '材料科学与工程'}博士后科研流动站"
            if institution.kind != "postdoc_workstation" else institution.name,
            discipline=discipline, research_fields="；".join(chosen),
            discipline_codes=match_text(discipline, "；".join(chosen)),
            keywords=" ".join(chosen), achievements=achievements if rng.random() < 0.8 else "",
            availability=availability, domains=domains,
            trl=rng.randint(3, 7) if rng.random() < 0.3 else None, is_demo=True)))
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
                discipline_codes=match_text("材料科学与工程", "高分子材料；鞋材发泡；橡胶改性"),
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


def _scaled_target(target: str, factor: Decimal) -> str:
    """The first plain number of a target written as a listing writes it, scaled (so repeated
    listings differ a little); a target with ×, ^ or no number is kept as written."""
    import re

    if any(mark in target for mark in ("×", "^", "⁹", "10⁻")):
        return target
    match = re.search(r"\d+(?:\.\d+)?", target.replace(",", ""))
    if not match or "," in target:
        return target
    number = match.group()
    exponent = Decimal(number).as_tuple().exponent
    scaled = (Decimal(number) * factor).quantize(Decimal(1).scaleb(exponent))
    return target.replace(number, str(scaled), 1)


def _funding(spec: tuple, rng: random.Random) -> dict:
    kind = spec[0]
    wan = Decimal(10_000)
    if kind == "fixed":
        return {"funding_kind": "fixed", "funding": str(spec[1] * wan)}
    if kind == "range":
        return {"funding_kind": "range", "funding": str(spec[1] * wan),
                "funding_max": str(spec[2] * wan)}
    if kind == "up_to":
        return {"funding_kind": "up_to", "funding": str(spec[1] * wan)}
    if kind == "prize":
        return {"funding_kind": "prize", "prize_schedule": [
            {"award": award, "amount": str(amount * wan), "count": count}
            for award, amount, count in spec[1]]}
    return {"funding_kind": "negotiable"}


def _challenge_payload(rng: random.Random, index: int, poster: User,
                       programme=None) -> dict:
    item = CATALOG[index % len(CATALOG)]
    round_no = index // len(CATALOG) + 1
    issuer = item.get("issuer")
    enterprise = poster.enterprise.name if poster.enterprise_id and not issuer else ""
    rows = []
    for name, target, method in item["indicators"]:
        factor = Decimal(str(round(rng.uniform(0.9, 1.1), 2))) if round_no > 1 else Decimal(1)
        rows.append({"name": name, "target": _scaled_target(target, factor),
                     "test_method": method})
    if enterprise:
        title = f"{item['title']}（{enterprise[:8]}·第{round_no}批）"
    else:
        title = item["title"] if round_no == 1 else f"{item['title']}（第{round_no}批）"
    ip = item["ip"]
    solver = item.get("solver", {})
    data = {
        "title": title, "domain": (item["domains"] or [""])[0],
        "secondary_domains": item["domains"][1:], "statement": item["statement"],
        "keywords": item["keywords"], **_funding(item["funding"], rng),
        "payment_terms": "签约后支付 30%，中期考核通过支付 40%，验收通过支付 30%"
        if item["funding"][0] != "prize" else "按评审结果颁发奖金，揭榜成功后另行签订合作协议",
        "time_limit_months": item["months"],
        "ip_ownership": ip, "ip_enterprise_share": rng.choice([50, 60, 70]) if ip == "joint"
        else None,
        "ip_notes": "背景知识产权归各自所有" if ip in ("joint", "joint_open") else "",
        "other_conditions": rng.choice(["", "需在晋江设立联合实验室或派驻人员", "优先考虑福建省内团队"]),
        "claim_deadline": (timezone.localdate() + dt.timedelta(days=rng.randint(20, 120)))
        .isoformat(),
        "max_claims": rng.choice([3, 5, 5, 8]),
        "contact_name": "" if issuer else (poster.display_name or "联系人"),
        "contact_phone": "" if issuer else (poster.phone or "0595-85600000"),
        "indicators": rows, "disciplines": solver.get("disciplines", []),
        "solver_types": solver.get("solver_types", []), "trl_min": solver.get("trl_min"),
        "trl_max": solver.get("trl_max"), "solver_region": solver.get("region", ""),
    }
    if issuer:
        data.update(issuer_name=issuer["name"], issuer_kind=issuer["kind"],
                    issuer_region=issuer["region"], external_ref=f"JB3-{index + 1:03d}")
        if programme is not None and item.get("contest"):
            data["programme_id"] = programme.pk
            data["solver_eligibility"] = programme.eligibility
    return data


def _proposal_payload(rng: random.Random, challenge) -> dict:
    months = challenge.time_limit_months or 24
    return {
        "approach": f"针对“{challenge.title[:20]}”，拟从材料/算法/工艺三方面协同攻关："
                    "先建立性能与工艺参数的关联模型，再通过小试验证关键指标，最后中试放大并在"
                    "企业产线验证。",
        "team": "负责人 1 名，博士后 2 名，硕士研究生 3 名",
        "budget": str(int((challenge.funding or challenge.funding_max or Decimal(500_000))
                          * Decimal(str(round(rng.uniform(0.7, 1.0), 2))))),
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
    programme = _programme(staff)
    states: list[str] = []
    for state, share in STATE_PLAN:
        states += [state] * max(1, round(count * share))
    states = states[:count]
    made = proposals = 0
    for index, state in enumerate(states):
        outside = CATALOG[index % len(CATALOG)].get("issuer") is not None
        poster = staff if outside else posters[index % len(posters)]
        payload = _challenge_payload(rng, index, poster, programme)
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


def _programme(staff):
    """The demo contest (idempotent), created through the service (audited)."""
    from innolink.challenges import services
    from innolink.challenges.models import Programme

    found = Programme.objects.filter(name=PROGRAMME["name"]).first()
    if found is not None:
        return found
    today = timezone.localdate()
    timeline = [{"stage": "需求征集与发布", "start": (today - dt.timedelta(days=60)).isoformat(),
                 "end": (today - dt.timedelta(days=20)).isoformat()},
                {"stage": "揭榜报名", "start": (today - dt.timedelta(days=20)).isoformat(),
                 "end": (today + dt.timedelta(days=60)).isoformat()},
                {"stage": "评审与对接", "start": (today + dt.timedelta(days=61)).isoformat(),
                 "end": (today + dt.timedelta(days=100)).isoformat()}]
    programme = services.programme_save(actor=staff, programme=None, source="demo",
                                        data={**PROGRAMME, "timeline": timeline})
    Programme.objects.filter(pk=programme.pk).update(is_demo=True)
    return programme


def _screen(challenge, staff) -> None:
    """What an organizer does at screening: give a listing without a domain its domain, and
    waive the checks real listings leave open with a reason (audited)."""
    from innolink.challenges import screening, services

    for check in screening.open_checks(challenge):
        if check.code == "domain_missing":
            services.challenge_set_domains(actor=staff, challenge=challenge,
                                           domain=services.suggest_domain(challenge) or
                                           "equipment", source="demo")
        elif check.waivable:
            reason = {"indicators_missing": "发榜方以节能效果为目标，指标在方案评审时细化",
                      "indicators_unreadable": "尺寸类指标按原文保留，评审时核对",
                      "time_limit_over": "设备改造需跨两个生产年度，经评审同意放宽至4年"}[check.code]
            services.challenge_waive_check(actor=staff, challenge=challenge, code=check.code,
                                           reason=reason, source="demo")
        challenge.refresh_from_db()


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
    _screen(challenge, staff)
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
            services.offer_submit(actor=owner, offer=offer, source="demo")
            if i % 5 != 4:
                services.offer_publish(actor=staff, offer=offer, source="demo")
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
