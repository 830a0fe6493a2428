"""A deterministic synthetic Jinjiang: enterprises with two years of indicators, institutions,
departments and one demo account per role.

Everything derives from ``random.Random(seed)``, so the same seed gives the same city. The rows
come out in the registry's import format and go in through the import service, so the demo
takes the same checked, audited path as an office's file. All of it is synthetic: names are
made up, and the UI marks it as demo data.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from innolink.enterprises.reference import SUBDISTRICTS, TOWNS, make_credit_code

DEMO_YEARS = (2024, 2025)

# (share of enterprises, industry codes, product words, name words, R&D propensity,
#  energy intensity tce per 万元 revenue, export propensity)
INDUSTRY_MIX = [
    (0.24, ["C1953", "C1954", "C1959", "C2439", "C1952"], ["运动鞋", "休闲鞋", "鞋材", "鞋底"],
     ["鞋业", "鞋服", "体育用品", "鞋材"], 0.5, 0.02, 0.6),
    (0.18, ["C1711", "C1713", "C1751", "C1811", "C1819", "C1830"], ["茄克", "面料", "针织服装", "休闲服装"],
     ["纺织", "服饰", "织造", "服装"], 0.35, 0.05, 0.55),
    (0.09, ["C1419", "C1421", "C1439", "C1469", "C1361"], ["糖果", "饼干", "休闲食品", "调味品"],
     ["食品", "食品工业"], 0.3, 0.04, 0.25),
    (0.07, ["C2221", "C2231", "C2239", "C1781"], ["卫生纸", "纸尿裤", "卫生巾", "生活用纸"],
     ["纸业", "卫生用品", "妇幼用品"], 0.4, 0.12, 0.3),
    (0.06, ["C3071", "C3072", "C3079"], ["抛釉砖", "外墙砖", "卫生陶瓷"], ["陶瓷", "建陶", "瓷业"],
     0.35, 0.65, 0.35),
    (0.06, ["C2822", "C2823", "C2651", "C2929", "C2927"], ["锦纶长丝", "涤纶短纤", "改性塑料", "TPU"],
     ["化纤", "新材料", "高分子材料"], 0.6, 0.25, 0.3),
    (0.03, ["C3973", "C3974", "C3976", "C3982"], ["存储芯片", "封装测试", "光刻胶", "电子元件"],
     ["集成电路", "半导体", "微电子"], 0.95, 0.08, 0.5),
    (0.08, ["C3511", "C3551", "C3459", "C3481", "C3825"], ["制鞋机械", "纺织机械", "数控设备", "伞骨"],
     ["机械", "智能装备", "精密机械"], 0.6, 0.05, 0.35),
    (0.05, ["C2319", "C2231", "C4119", "C2462"], ["包装印刷", "雨伞", "纸箱"], ["包装", "印务", "伞业"],
     0.3, 0.06, 0.5),
    (0.14, ["F5132", "F5191", "I6513", "I6450", "M7320", "L7212", "G5932", "M7530"],
     ["鞋服批发", "软件开发", "电商服务", "检测服务", "供应链服务"],
     ["贸易", "科技", "电子商务", "供应链", "检测技术", "信息技术"], 0.3, 0.01, 0.2),
]

BRAND_SYLLABLES = list("安恒盛鸿泰华达信德宏兴隆源丰凯瑞祥嘉锦辉利鑫顺益豪杰峰晟航睿创新博远腾龙凤")
SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司"]
SURNAMES = list("陈林黄许吴施洪蔡丁王张李庄郑杨苏曾柯")
GIVEN = list("志明建国清华金水振兴伟强荣辉文杰秀英丽娟海峰")

INSTITUTIONS = [
    ("华侨大学", "university", "福建", "泉州"), ("福州大学", "university", "福建", "福州"),
    ("厦门大学", "university", "福建", "厦门"), ("泉州师范学院", "university", "福建", "泉州"),
    ("黎明职业大学", "university", "福建", "泉州"), ("福建师范大学", "university", "福建", "福州"),
    ("中国科学院海西研究院泉州装备制造研究中心", "institute", "福建", "泉州"),
    ("福建省纺织科学研究院（演示）", "institute", "福建", "福州"),
    ("晋江市鞋服产业博士后科研工作站（演示）", "postdoc_workstation", "福建", "泉州"),
    ("晋江市集成电路产业博士后科研工作站（演示）", "postdoc_workstation", "福建", "泉州"),
    ("东华大学", "university", "上海", "上海"), ("浙江大学", "university", "浙江", "杭州"),
    ("四川大学", "university", "四川", "成都"), ("华南理工大学", "university", "广东", "广州"),
    ("江南大学", "university", "江苏", "无锡"), ("陕西科技大学", "university", "陕西", "西安"),
]

DEPARTMENTS = [
    ("gxj", "工业和信息化局"), ("kjj", "科学技术局"), ("swj", "商务局"), ("czj", "财政局"),
    ("rsj", "人力资源和社会保障局"), ("scjgj", "市场监督管理局"), ("fgj", "发展和改革局"),
    ("zrzyj", "自然资源局"), ("sthjj", "生态环境局"), ("qxj", "气象局"),
]

DEMO_PASSWORD = "Jinjiang@2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str
    scope: str  # which enterprise / department / institution, described


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _enterprise_rows(seed: int, count: int) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    towns = list(SUBDISTRICTS + TOWNS)
    town_weights = [1.4, 1.2, 1.0, 1.1, 0.8, 0.9, 1.6, 1.5, 2.4, 1.2, 0.9, 1.1, 1.8, 0.6, 1.5,
                    0.7, 0.8, 0.6, 0.6]
    shares = [m[0] for m in INDUSTRY_MIX]
    for index in range(count):
        mix = _weighted(rng, INDUSTRY_MIX, shares)
        _share, codes, products, words, rd_p, energy, export_p = mix
        town = _weighted(rng, towns, town_weights)
        brand = "".join(rng.sample(BRAND_SYLLABLES, 2))
        name = f"晋江{brand}{rng.choice(words)}{rng.choice(SUFFIXES)}"
        if rng.random() < 0.3:
            name = f"福建{brand}{rng.choice(words)}{rng.choice(SUFFIXES)}"
        # credit code: 91 (company) + 350582 (Jinjiang) + a 9-character body from the index
        body = _base31(index * 7919 + seed, 9)
        code = make_credit_code(f"91350582{body}")
        ownership = _weighted(rng, ["民营", "外资", "港澳台资", "国有", "混合所有制"],
                              [92, 3, 2.5, 1.5, 1])
        # heavy tail: most firms are small; a few national brands are giants
        revenue_2025 = math.exp(rng.gauss(16.6, 1.45))
        if rng.random() < 0.004:
            revenue_2025 *= rng.uniform(40, 400)
        revenue_2025 = min(revenue_2025, 8e10)
        growth = rng.gauss(0.06, 0.14)
        revenue = {2025: revenue_2025, 2024: revenue_2025 / max(0.4, 1 + growth)}
        has_rd = rng.random() < rd_p
        rd_intensity = min(0.12, math.exp(rng.gauss(-3.7, 0.6))) if has_rd else 0.0
        exports_share = rng.uniform(0.05, 0.8) if rng.random() < export_p * 0.8 else 0.0
        imports_share = rng.uniform(0.01, 0.2) if rng.random() < export_p * 0.4 else 0.0
        productivity = rng.uniform(35e4, 140e4)
        margin = rng.gauss(0.06, 0.05)
        founded_year = rng.randint(1985, 2022)
        above_scale = revenue_2025 >= 2e7
        tags = []
        high_tech = has_rd and rd_intensity >= 0.03 and rng.random() < 0.7
        certified_on = ""
        first = ""
        if high_tech:
            tags.append("高新技术企业")
            cert_year = rng.choice([2022, 2023, 2024, 2025])
            certified_on = f"{cert_year}-{rng.choice(['10', '11', '12'])}-{rng.randint(1, 28):02d}"
            first = "是" if rng.random() < 0.55 else "否"
        if has_rd and revenue_2025 < 2e8 and rng.random() < 0.5:
            tags.append("科技型中小企业")
        if above_scale:
            tags.append("规上企业")
        if high_tech and rng.random() < 0.2:
            tags.append("省级专精特新中小企业" if rng.random() < 0.8 else "国家级专精特新“小巨人”")
        if revenue_2025 > 3e9 and rng.random() < 0.6:
            tags.append("上市企业")
        if rng.random() < 0.005:
            tags.append("失信被执行")
        if rng.random() < 0.003:
            tags.append("重大违法违规")
        size = ("大型" if revenue_2025 >= 4e8 else "中型" if revenue_2025 >= 2e7
                else "小型" if revenue_2025 >= 3e6 else "微型")
        base = {
            "统一社会信用代码": code, "企业名称": name, "所属镇街": town,
            "行业代码": rng.choice(codes), "所有制": ownership,
            "成立日期": f"{founded_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "企业规模": size,
            "法定代表人": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
            "主要产品": "、".join(rng.sample(products, min(2, len(products)))),
            "标签": ";".join(tags), "高企认定日期": certified_on, "高企首次认定": first,
        }
        ai_user = rng.random() < 0.04
        for year in DEMO_YEARS:
            r = revenue[year]
            drift = 1 + rng.gauss(0, 0.05)
            rd = r * rd_intensity * drift
            values = {
                "营业收入(元)": r,
                "资产总额(元)": r * rng.uniform(0.6, 1.5),
                "净利润(元)": r * (margin + rng.gauss(0, 0.01)),
                "纳税总额(元)": r * rng.uniform(0.02, 0.06),
                "研发费用(元)": rd,
                "有效发明专利": int(rd / 8e5 * rng.uniform(0.5, 1.5)) if rd else 0,
                "出口额(元)": r * exports_share * drift,
                "进口额(元)": r * imports_share * drift,
                "从业人员": max(3, int(r / productivity)),
                "综合能耗": round(r / 1e4 * energy * rng.uniform(0.6, 1.4), 2),
                "设备投资(元)": r * rng.uniform(0, 0.06),
                "地方财政贡献(元)": r * rng.uniform(0.008, 0.025),
                "软硬件投入(元)": r * rng.uniform(0.002, 0.03) if rng.random() < 0.3 else "",
                "算力服务合同额(元)": rng.uniform(5e4, 2e6) if ai_user and year == 2025 else "",
            }
            yield {**base, "年度": str(year),
                   **{k: (f"{v:.2f}" if isinstance(v, float) else str(v)) for k, v in values.items()}}


def _base31(number: int, width: int) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    out = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        out.append(alphabet[digit])
    return "".join(reversed(out))


def enterprise_csv(*, seed: int = 2026, count: int = 2000, years: tuple[int, ...] = DEMO_YEARS
                   ) -> bytes:
    """The demo registry as a UTF-8 CSV in the import format (one row per enterprise and year)."""
    out = io.StringIO()
    writer = None
    for row in _enterprise_rows(seed, count):
        if int(row["年度"]) not in years:
            continue
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)
    return out.getvalue().encode("utf-8")
