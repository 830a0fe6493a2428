"""Build ``labelled_requests.jsonl``: the labelled set the suggestion model is trained and judged
on (``python -m innolink.servicedesk.data.build_labelled``; deterministic).

Each hand-written difficulty (``cores_*.py``: 231 of them across 22 departments, each in three
wordings as different people would put it, grounded in the request types that 12345 and
enterprise-service platforms report: see README.md) is framed twice per wording — picked from
the enterprise's own form, a 12345 ticket, a cadre's visit note, a reception/forum record and a
one-line note — with its own details (town, trade, people affected, money at stake, how long it
has waited). One enterprise in five picks a looser category than the department's own.

Splits, by wording and by difficulty:
- ``train``: the first two wordings of four difficulties in five;
- ``test``: the third wording of those difficulties (a known difficulty in new words — what a
  desk mostly receives);
- ``unseen``: every wording of the other fifth (difficulties the model never saw).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from innolink.servicedesk.data.cores_a import CORES_A
from innolink.servicedesk.data.cores_a2 import CORES_A2
from innolink.servicedesk.data.cores_b import CORES_B
from innolink.servicedesk.data.cores_b2 import CORES_B2
from innolink.servicedesk.data.cores_c import CORES_C
from innolink.servicedesk.data.cores_c2 import CORES_C2

OUT = Path(__file__).with_name("labelled_requests.jsonl")
SEED = 20261201
TEST_SHARE = 0.2

TOWNS = ["青阳", "梅岭", "西园", "罗山", "新塘", "灵源", "安海", "磁灶", "陈埭", "东石", "深沪",
         "金井", "池店", "内坑", "龙湖", "永和", "英林", "紫帽", "西滨"]
TRADES = ["鞋服", "运动鞋", "纺织印染", "食品", "伞业", "陶瓷建材", "纸制品", "卫生用品", "包装印刷",
          "化纤", "新材料", "集成电路", "机械制造", "服装辅料", "体育用品", "五金"]
IMPACTS = ["涉及员工约{n}人", "影响订单约{x}万元", "已经拖了{m}个月", "下个月就要交货", "企业非常着急",
           "已影响正常生产", "多次咨询没有结果", "年产值约{y}亿元的项目因此停滞", "同园区还有几家企业情况类似",
           ""]
ASKS = ["希望尽快协调解决。", "请帮忙了解政策并指导办理。", "恳请相关部门给予支持。", "望给予明确答复。",
        "希望有专人对接跟进。", "请相关部门到现场看一看。"]
MEETINGS = ["政企恳谈会", "市领导接访日", "镇街企业座谈会", "商会座谈会"]
LOOSE = {"property": "land", "land": "property", "approval": "other", "utilities": "infrastructure",
         "infrastructure": "utilities", "policy": "other", "tech": "policy", "labor": "other",
         "financing": "policy", "market": "approval", "trade": "policy", "tax": "policy",
         "talent": "labor", "logistics": "infrastructure", "environment": "approval",
         "legal": "other", "other": "other"}


def _detail(rng: random.Random) -> str:
    return rng.choice(IMPACTS).format(n=rng.choice([30, 50, 80, 120, 200, 350, 600]),
                                      x=rng.choice([50, 120, 300, 800, 1500]),
                                      m=rng.choice([2, 3, 4, 6, 8]), y=rng.choice([1, 2, 3, 5]))


def frame(core: str, style: int, rng: random.Random) -> str:
    town, trade = rng.choice(TOWNS), rng.choice(TRADES)
    detail = _detail(rng)
    detail_text = f"，{detail}" if detail else ""
    ask = rng.choice(ASKS)
    if style == 0:
        return f"我司是{town}一家{trade}企业，{core}{detail_text}。{ask}"
    if style == 1:
        return f"来电人反映：{town}镇（街道）某{trade}企业{core}{detail_text}。诉求：{ask}"
    if style == 2:
        return f"走访中企业负责人提出：{core}{detail_text}。已告知将转相关部门办理。"
    if style == 3:
        return f"{town}{trade}企业代表在{rng.choice(MEETINGS)}上反映{core}，{ask}"
    return f"{core}{detail_text}。"


def build() -> list[dict]:
    rng = random.Random(SEED)
    cores = {**CORES_A, **CORES_A2, **CORES_B, **CORES_B2, **CORES_C, **CORES_C2}
    rows = []
    for department, items in sorted(cores.items()):
        indexes = list(range(len(items)))
        rng.shuffle(indexes)
        unseen = set(indexes[:max(1, round(TEST_SHARE * len(items)))])
        for i, (category, wordings) in enumerate(items):
            if len(wordings) != 3:
                raise ValueError(f"{department}-{i}: three wordings expected")
            for w, wording in enumerate(wordings):
                split = "unseen" if i in unseen else ("test" if w == 2 else "train")
                for style in rng.sample(range(5), 2):
                    picked = LOOSE[category] if rng.random() < 0.2 else category
                    rows.append({"id": f"{department}-{i:02d}-{w}-{style}",
                                 "group": f"{department}-{i:02d}", "department": department,
                                 "category": picked, "text": frame(wording, style, rng),
                                 "split": split})
    return rows


def main() -> None:
    rows = build()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    counts = {k: sum(r["split"] == k for r in rows) for k in ("train", "test", "unseen")}
    print(f"{len(rows)} requests: {counts} -> {OUT.name}")


if __name__ == "__main__":
    main()
