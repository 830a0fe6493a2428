"""Build the committed evaluation set (JSONL) from the synthetic topics and the hand cases.

Regenerate with::

    .venv/bin/python innolink/engines/matching/tests/data/build_evalset.py

Writes ``challenges.jsonl``, ``researchers.jsonl`` and ``qrels.jsonl`` next to this file.
Everything is deterministic (seeded), so a rebuild reproduces the committed files byte for
byte unless the inputs changed.  Distractor researchers are not written: ``evalset.py``
generates them at load time (deterministically) because they carry no judgement.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from hand_cases import HAND_CHALLENGES, HAND_QRELS, HAND_RESEARCHERS, POOLED_QRELS  # noqa: E402
from synthetic_topics import TOPICS  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣瑶晨阳思远博文雪琳"
REGIONS = ["福建省泉州市晋江市", "厦门", "福州", "上海", "南京", "杭州", "武汉", "西安", "广州",
           "成都", "合肥", "北京", "天津", "长沙", "济南", "深圳", "苏州", "大连"]
INSTITUTIONS = ["高校", "科研院所", "企业博士后工作站", "新型研发机构"]

# grade of each role, see synthetic_topics.py for how each text is built
ROLE_GRADES = {
    "meets_syn": 3, "meets_long": 3, "near": 2, "plain": 2, "off": 1,
    "unavailable": 1, "wrong_prop": 1, "adjacent": 1, "cross": 0,
}
ROLE_WHY = {
    "meets_syn": "同一课题，指标满足目标（按构造）",
    "meets_long": "长文本，指标以换算单位满足目标（按构造）",
    "near": "同一课题，指标接近但未达目标（按构造）",
    "plain": "同一课题，未给出指标数值（按构造）",
    "off": "同一课题，指标远未达到目标（按构造）",
    "unavailable": "能力匹配但当前不可承接（按构造）",
    "wrong_prop": "同领域近似用词，但研究的是另一项性能（按构造）",
    "adjacent": "同领域相邻课题（按构造）",
    "cross": "表面用词相同，但属于其他领域（按构造）",
}

FILLER = [
    "主持国家自然科学基金青年项目1项，参与国家重点研发计划课题2项。",
    "以第一作者在领域主流期刊发表论文十余篇，授权发明专利5件。",
    "团队拥有完整的小试与中试平台，具备与企业联合开发的经验。",
    "曾在企业博士后工作站开展产学研合作，熟悉从实验室到量产的工艺放大。",
    "担任多家期刊审稿人，参与制定行业标准1项。",
    "指导研究生多名，团队成员涵盖材料、工艺与检测方向。",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _label(ind) -> str:
    name, cmp, value, unit = ind[0], ind[1], ind[2], ind[3]
    sym = {"<=": "≤", ">=": "≥", "=": "=", "<": "<", ">": ">"}[cmp]
    v = f"{value:g}" if value < 1e6 else f"{value:.0e}".replace("e+0", "×10^").replace("e+", "×10^")
    return f"{name}{sym}{v}{(' ' + unit) if unit else ''}"


def _target(ind) -> dict:
    return {"name": ind[0], "comparator": ind[1], "value": ind[2], "unit": ind[3],
            "test_method": ind[4] if len(ind) > 4 else None}


def synthetic():
    challenges, researchers, qrels = [], [], []
    rotating = ["meets_syn", "meets_long", "near", "plain", "off", "unavailable"]
    for ti, t in enumerate(TOPICS):
        rng = random.Random(f"topic:{t['key']}")
        v0, v1 = t["v"][0], t["v"][1]
        # the concept's name used by each role rotates over topics (see synthetic_topics.py)
        name_of = {role: t["v"][(ti + ri) % 4] for ri, role in enumerate(rotating)}
        ind, ind2 = t["ind"], t["ind2"]
        name = ind[0]
        short = {
            "id": f"syn-{t['key']}-s", "source": "synthetic",
            "title": f"{v0}{name}提升",
            "statement": f"{t['firm']}需要{v0}用于{t['app']}，要求{_label(ind)}。",
            "domain": t["domain"], "indicators": [_target(ind)],
            "region": None, "trl_min": None, "disciplines": [],
        }
        long = {
            "id": f"syn-{t['key']}-l", "source": "synthetic",
            "title": f"面向{t['app']}的{v1}关键技术攻关",
            "statement": (
                f"{t['firm']}主要产品应用于{t['app']}。目前所用{v1}（{v0}）主要依赖外购，"
                f"{name}等关键性能达不到新产品要求，制约了产品升级和成本下降。"
                f"拟面向全国征集具备{v1}研发经验的博士后及团队，开展配方、工艺与中试验证，"
                f"实现以下指标：{_label(ind)}；{_label(ind2)}。检测方法：{ind[4]}。"
                "项目实施期限不超过3年，中试在企业完成，知识产权归属由双方协商。"
            ),
            "domain": t["domain"], "indicators": [_target(ind), _target(ind2)],
            "region": "晋江", "trl_min": 5, "disciplines": [t["discipline"]],
        }
        challenges += [short, long]
        m = t["methods"]
        nm = name_of
        texts = {
            "meets_syn": ([nm["meets_syn"]], f"从事{nm['meets_syn']}研究，{m[0]}，"
                          f"{t['alias']}{t['meet']}，相关成果已完成中试验证。"),
            "meets_long": ([nm["meets_long"], m[1][:6]], "".join([
                f"博士后研究方向为{nm['meets_long']}。", FILLER[0], f"{m[0]}；{m[1]}。",
                FILLER[1], f"代表性成果：{name}{t['meet_long']}，批次稳定性良好。",
                FILLER[2], FILLER[3]])),
            "near": ([nm["near"]], f"从事{nm['near']}研究，{m[1]}，{name}{t['near']}，正在进一步优化。"),
            "plain": ([nm["plain"]], f"研究方向为{nm['plain']}，{m[0]}，发表相关论文多篇。"),
            "off": ([nm["off"]], f"从事{nm['off']}相关研究，{t['alias']}{t['off']}，主要面向中低端应用。"),
            "unavailable": ([nm["unavailable"]], f"{nm['unavailable']}研发，{m[1]}，{name}{t['meet']}，"
                            "已与企业合作落地。"),
            "wrong_prop": ([v0], f"{t['wrong_prop']}。"),
            "adjacent": ([t["adjacent"][0]], f"{t['adjacent'][1]}。"),
            "cross": ([], f"{t['cross'][2]}。"),
        }
        for role, (keywords, text) in texts.items():
            cross = role == "cross"
            researchers.append({
                "id": f"syn-{t['key']}-{role}", "source": "synthetic",
                "name": _name(rng),
                "fields": [t["cross"][1] if cross else t["discipline"]],
                "keywords": keywords,
                "achievements": text,
                "discipline": t["cross"][1] if cross else t["discipline"],
                "domain": t["cross"][0] if cross else t["domain"],
                "institution_type": rng.choice(INSTITUTIONS),
                "region": rng.choice(REGIONS),
                "available": role != "unavailable",
                "trl": rng.choice([4, 5, 6, 7]) if role != "plain" else rng.choice([3, 4, 5]),
                "accepted_proposals": rng.choice([0, 0, 1, 2]),
                "delivered_contracts": rng.choice([0, 0, 0, 1]),
            })
            for c in (short, long):
                qrels.append({
                    "challenge_id": c["id"], "researcher_id": f"syn-{t['key']}-{role}",
                    "relevance": ROLE_GRADES[role], "kind": "synthetic", "case": role,
                    "rationale": ROLE_WHY[role],
                })
    return challenges, researchers, qrels


def main() -> None:
    challenges, researchers, qrels = synthetic()
    challenges += [dict(c, source="hand") for c in HAND_CHALLENGES]
    researchers += [dict(r, source="hand") for r in HAND_RESEARCHERS]
    ids = {r["id"] for r in researchers}
    cids = {c["id"] for c in challenges}
    for case, rows in (("hand-judged", HAND_QRELS), ("pooled", POOLED_QRELS)):
        for cid, rid, grade, why in rows:
            assert cid in cids and rid in ids, (cid, rid)
            qrels.append({"challenge_id": cid, "researcher_id": rid, "relevance": grade,
                          "kind": "hand", "case": case, "rationale": why})
    seen = set()
    for q in qrels:
        key = (q["challenge_id"], q["researcher_id"])
        assert key not in seen, key
        seen.add(key)
    for name, rows in [("challenges", challenges), ("researchers", researchers), ("qrels", qrels)]:
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(challenges)} challenges, {len(researchers)} researchers, {len(qrels)} judged pairs "
          f"({sum(q['kind'] == 'hand' for q in qrels)} hand-judged)")


if __name__ == "__main__":
    main()
