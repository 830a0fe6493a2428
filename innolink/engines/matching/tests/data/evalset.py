"""Load the labelled evaluation set and generate its distractor researchers.

``load(n_distractors=...)`` returns challenges, researchers (judged ones first, then
distractors) and qrels as plain dicts.  Distractors are generated deterministically from
subject lists that avoid every evaluation topic; they are unjudged and count as grade 0, like
unjudged documents in TREC-style evaluation.  ``to_docs`` turns the dicts into the engine's
dataclasses.  Importable by path (no package needed): the bench and the tests both use it.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

DISTRACTOR_SUBJECTS = {
    "新一代信息技术": ["5G毫米波天线", "边缘计算网关", "区块链溯源平台", "工业互联网标识解析",
                  "智能问答系统", "RFID电子标签", "MEMS麦克风", "量子点发光器件",
                  "数字孪生工厂", "云原生数据库", "智能语音客服", "车载以太网"],
    "高端装备制造": ["数控机床主轴热误差补偿", "工业机器人精密减速器", "注塑机液压节能", "经编机送经系统",
                "高速装盒包装机", "金属粉末床激光熔融", "AGV无人叉车", "液压阀泄漏检测",
                "风电齿轮箱", "滚动轴承故障诊断", "激光切割头", "气动元件"],
    "新能源与节能环保": ["PERC光伏组件", "质子交换膜燃料电池", "垃圾焚烧飞灰处置", "VOCs催化燃烧",
                   "市政污泥干化", "风电叶片回收", "土壤重金属修复", "燃煤烟气碳捕集",
                   "海上风电运维", "生物质气化", "充电桩功率模块", "建筑光伏一体化"],
    "新材料与石油化工": ["石墨烯导热膜", "碳纤维预浸料", "镍基高温合金", "稀土永磁材料",
                   "光学级聚碳酸酯", "水性木器涂料", "二氧化硅气凝胶保温毡", "钙钛矿薄膜",
                   "有机硅密封胶", "锆合金管材", "聚酰亚胺薄膜", "环氧树脂灌封胶"],
    "生物医药与大健康": ["单克隆抗体纯化", "mRNA疫苗脂质纳米粒", "医用导管亲水涂层", "CAR-T细胞治疗",
                   "钛合金骨科植入物", "化学发光免疫诊断", "人工晶体", "高通量测序文库构建",
                   "口腔种植体", "医用超声探头", "血液透析膜", "中药配方颗粒"],
    "现代农业与食品": ["水稻抗病育种", "乌龙茶加工工艺", "温室环境智能调控", "循环水养殖",
                  "饲料酶制剂", "食用菌工厂化栽培", "畜禽疫病快速检测", "植物工厂LED补光",
                  "啤酒酵母菌种选育", "番薯淀粉加工", "蜂蜜品质溯源", "荔枝龙眼嫁接"],
}
DISCIPLINE_OF = {
    "新一代信息技术": ["计算机科学与技术", "电子科学与技术"],
    "高端装备制造": ["机械工程", "控制科学与工程"],
    "新能源与节能环保": ["环境科学与工程", "电气工程"],
    "新材料与石油化工": ["材料科学与工程", "化学"],
    "生物医药与大健康": ["生物医学工程", "药学"],
    "现代农业与食品": ["作物学", "食品科学与工程"],
}
METHODS = ["建立仿真模型并完成实验验证", "开发关键工艺并形成专利", "完成样机研制与现场测试",
           "开展机理研究与性能优化", "与企业联合开展中试放大", "构建数据驱动的预测模型",
           "完成小批量试制与可靠性评价", "开发低成本制备路线"]
RESULTS = ["效率提升15%", "良率达到98%", "成本降低20%", "寿命延长30%", "能耗下降12%",
           "纯度99.9%", "合格率提升到97%", "产能提高25%"]
# Indicator names shared across fields: an unrelated profile may well report one of them
# (碳纤维 "拉伸强度 3500 MPa", 显示 "分辨率 50 μm"), which is what makes the indicator signal
# ambiguous on its own.  Values are drawn over a wide range, so some "meet" a target.
SHARED_INDICATORS = [
    ("拉伸强度", "MPa", 20, 3000), ("分辨率", "nm", 10, 2000), ("分辨率", "μm", 1, 100),
    ("吸水率", "%", 0.05, 15), ("准确率", "%", 85, 99.5), ("介电常数", "", 1.8, 12),
    ("磨耗量", "mm³", 20, 300), ("击穿电压", "V", 200, 5000), ("能量密度", "Wh/kg", 100, 450),
    ("保质期", "天", 30, 720), ("定位精度", "μm", 1, 50), ("金属杂质", "ppb", 1, 500),
    ("单位能耗", "kWh/t", 80, 600), ("活菌数", "CFU/g", 1e6, 1e10), ("回弹率", "%", 30, 85),
    ("色牢度", "级", 2, 5), ("得率", "%", 40, 95), ("特性粘度", "dL/g", 0.3, 1.0),
    ("芯吸高度", "mm", 30, 180), ("吸液倍率", "g/g", 10, 70), ("耐静水压", "kPa", 2, 30),
]
REGIONS = ["福建省泉州市晋江市", "厦门", "福州", "上海", "南京", "杭州", "武汉", "西安", "广州",
           "成都", "合肥", "北京", "天津", "长沙", "济南", "深圳", "苏州", "大连"]
INSTITUTIONS = ["高校", "科研院所", "企业博士后工作站", "新型研发机构", "企业"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林"


def _read(name: str) -> list[dict]:
    with open(HERE / f"{name}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def distractors(n: int, seed: int = 7) -> list[dict]:
    """``n`` off-topic researcher dicts, deterministic for a given seed."""
    rng = random.Random(seed)
    domains = list(DISTRACTOR_SUBJECTS)
    out = []
    for i in range(n):
        domain = domains[i % len(domains)]
        subjects = rng.sample(DISTRACTOR_SUBJECTS[domain], 2)
        parts = [f"从事{subjects[0]}研究，{rng.choice(METHODS)}"]
        if rng.random() < 0.5:
            parts.append(f"兼顾{subjects[1]}方向，{rng.choice(METHODS)}")
        if rng.random() < 0.6:
            parts.append(rng.choice(RESULTS))
        if rng.random() < 0.3:
            parts.append("具备与晋江企业合作的中试经验")
        if rng.random() < 0.4:
            name, unit, lo, hi = rng.choice(SHARED_INDICATORS)
            v = lo * (hi / lo) ** rng.random() if hi / lo > 50 else rng.uniform(lo, hi)
            shown = f"{v:.1e}".replace("e+0", "×10^").replace("e+", "×10^") if v >= 1e5 else (
                f"{v:.3g}")
            parts.append(f"{name}{shown}{(' ' + unit) if unit else ''}")
        out.append({
            "id": f"dis-{i:04d}", "source": "distractor",
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "fields": [rng.choice(DISCIPLINE_OF[domain])],
            "keywords": subjects,
            "achievements": "，".join(parts) + "。",
            "discipline": rng.choice(DISCIPLINE_OF[domain]),
            "domain": domain,
            "institution_type": rng.choice(INSTITUTIONS),
            "region": rng.choice(REGIONS),
            "available": rng.random() < 0.9,
            "trl": rng.randint(2, 8),
            "accepted_proposals": rng.choice([0, 0, 0, 1, 2, 3]),
            "delivered_contracts": rng.choice([0, 0, 0, 0, 1, 2]),
        })
    return out


def load(n_distractors: int = 1300):
    """(challenges, researchers, qrels) with qrels as ``{challenge_id: {researcher_id: grade}}``."""
    challenges = _read("challenges")
    researchers = _read("researchers") + distractors(n_distractors)
    qrels: dict[str, dict[str, int]] = {}
    for q in _read("qrels"):
        qrels.setdefault(q["challenge_id"], {})[q["researcher_id"]] = int(q["relevance"])
    return challenges, researchers, qrels


def judged_pairs() -> list[dict]:
    return _read("qrels")


def to_docs(challenges: list[dict], researchers: list[dict]):
    """Engine dataclasses for the dicts."""
    from innolink.engines.matching.engine import ChallengeDoc, ResearcherDoc
    from innolink.engines.matching.indicators import IndicatorTarget

    cdocs = [
        ChallengeDoc(
            id=c["id"], title=c["title"], statement=c["statement"], domain=c["domain"],
            indicators=tuple(IndicatorTarget(i["name"], i["comparator"], i["value"], i["unit"],
                                             test_method=i.get("test_method"))
                             for i in c["indicators"]),
            region=c.get("region"), trl_min=c.get("trl_min"),
            disciplines=tuple(c.get("disciplines") or ()),
        )
        for c in challenges
    ]
    rdocs = [
        ResearcherDoc(
            id=r["id"], name=r["name"], fields=tuple(r["fields"]), keywords=tuple(r["keywords"]),
            achievements=r["achievements"], discipline=r["discipline"], domain=r["domain"],
            institution_type=r["institution_type"], region=r["region"],
            available=r["available"], trl=r["trl"],
            accepted_proposals=r["accepted_proposals"],
            delivered_contracts=r["delivered_contracts"],
        )
        for r in researchers
    ]
    return cdocs, rdocs


def text_key(text: str) -> str:
    """Key of a text in the embedding cache."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Embedding cache (so tests need neither the model nor time to encode)
# ---------------------------------------------------------------------------------------------

CACHE_PATH = HERE / "use_embeddings.npz"


class CachedEncoder:
    """``encode(texts)`` from a committed ``.npz`` of embeddings keyed by :func:`text_key`.

    ``fallback`` (any encoder) is used for texts missing from the cache; without one a
    missing text raises ``KeyError`` (the cache must be regenerated, see the bench's
    ``--write-cache``).
    """

    def __init__(self, path=CACHE_PATH, fallback=None):
        data = np.load(path)
        self._row = {k: i for i, k in enumerate(data["keys"].tolist())}
        self._m = data["emb"].astype(np.float32)
        self.fallback = fallback

    def encode(self, texts):
        out = np.zeros((len(texts), self._m.shape[1]), np.float32)
        missing = []
        for i, t in enumerate(texts):
            r = self._row.get(text_key(t))
            if r is None:
                missing.append(i)
            else:
                out[i] = self._m[r]
        if missing:
            if self.fallback is None:
                raise KeyError(f"{len(missing)} texts are not in the embedding cache")
            out[missing] = self.fallback.encode([texts[i] for i in missing])
        return out


class RecordingEncoder:
    """Wraps an encoder and remembers every text it encoded (to write the cache)."""

    def __init__(self, inner):
        self.inner = inner
        self.seen: dict[str, np.ndarray] = {}

    def encode(self, texts):
        m = np.asarray(self.inner.encode(list(texts)), np.float32)
        for t, row in zip(texts, m):
            self.seen[text_key(t)] = row
        return m

    def write(self, path=CACHE_PATH):
        keys = sorted(self.seen)
        np.savez_compressed(path, keys=np.array(keys),
                            emb=np.stack([self.seen[k] for k in keys]).astype(np.float16))


# ---------------------------------------------------------------------------------------------
# The evaluation itself (shared by bench/match_quality.py and test_quality.py)
# ---------------------------------------------------------------------------------------------


def evaluate(engine, challenges, qrels, *, n_folds: int = 5, seed: int = 0,
             kinds: dict | None = None) -> dict:
    """nDCG@10 and Recall@20 (grade ≥ 2) of each signal alone over the whole pool, and of the
    engine's pipeline (candidates → all signals → fusion) with weights learned by
    cross-validation (held-out folds only), plus equal-weight RRF."""
    from innolink.engines.matching.fusion import (FusionQuery, cross_validate, evaluate as
                                                   fusion_eval, ndcg_at_k, recall_at_k)

    direction = "challenge_to_researchers"
    pool = engine.pool("researchers")
    ids = pool.ids
    names = list(engine.signal_names)
    single = {n: {"ndcg10": [], "recall20": []} for n in names}
    single_qids: list = []
    queries = []
    for c in challenges:
        q = qrels.get(c.id)
        if not q:
            continue
        full = engine.signal_scores(direction, c)
        single_qids.append(c.id)
        for n in names:
            order = np.lexsort((np.arange(len(ids)), -full[n]))[:20]
            ranked = [ids[i] for i in order]
            single[n]["ndcg10"].append(ndcg_at_k(ranked, q, 10))
            single[n]["recall20"].append(recall_at_k(ranked, q, 20, 2))
        pos = engine.candidates(direction, c)
        queries.append(FusionQuery(c.id, [ids[p] for p in pos],
                                   {n: full[n][pos] for n in names}, q))
    cv = cross_validate(queries, names, n_folds=n_folds, seed=seed)
    equal = {n: 1.0 for n in names}
    rrf_ndcg = fusion_eval(queries, equal, method="rrf")
    out = {
        "queries": len(queries),
        "pool": len(ids),
        "signals": {n: {"ndcg10": float(np.mean(v["ndcg10"])),
                        "recall20": float(np.mean(v["recall20"]))} for n, v in single.items()},
        "fusion_cv": {"ndcg10": cv.ndcg10, "recall20": cv.recall20,
                      "mean_weights": cv.mean_weights(), "fold_weights": cv.fold_weights},
        "rrf_equal": {"ndcg10": rrf_ndcg},
        "per_query_fusion": cv.per_query_ndcg,
    }
    best = max(out["signals"], key=lambda n: out["signals"][n]["ndcg10"])
    out["best_single"] = {"signal": best, **out["signals"][best]}
    if kinds:
        for kind in sorted(set(kinds.values())):
            vals = [v for qid, v in cv.per_query_ndcg.items() if kinds.get(qid) == kind]
            out.setdefault("fusion_cv_by_kind", {})[kind] = float(np.mean(vals)) if vals else None
            mask = [kinds.get(q) == kind for q in single_qids]
            out.setdefault("signals_by_kind", {})[kind] = {
                n: float(np.mean([x for x, m in zip(v["ndcg10"], mask) if m]))
                for n, v in single.items() if any(mask)}
    return out
