"""Seeded synthetic corpus for the matching benchmarks (speed and quality).

Researchers' profiles (about 150 characters of text plus keywords) and enterprises' challenges
(about 300 characters) across the six Jinjiang industry domains. Text is built from a technical
vocabulary (domain cores x modifiers x suffixes, about 4,000 terms), research boilerplate and a
topically random long tail of about 60k real dictionary words (checked with rjieba's
``has_word``) drawn with a Zipf law, as in the baseline corpus of
shared/anchors/matching-baselines.md. Deterministic for a seed;
350,000 profiles take a few seconds.

    from bench.corpus import make_corpus
    c = make_corpus(n_profiles=20_000, n_challenges=200, seed=0)
    c.profiles[0], c.profile_domains[0], c.terms[:3]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DOMAINS = (
    "新一代信息技术",
    "高端装备制造",
    "新能源与节能环保",
    "新材料与石油化工",
    "生物医药与大健康",
    "现代农业与食品",
)

# (cores, modifiers, suffixes) per domain
_FRAGMENTS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "新一代信息技术": (
        "人工智能 机器视觉 工业互联网 边缘计算 芯片设计 通信协议 数据挖掘 知识图谱 自然语言处理 "
        "区块链 云计算 物联网 数字孪生 图像识别 语音识别 推荐算法 网络安全 嵌入式软件 传感网络 "
        "集成电路 深度学习 强化学习 大数据分析 分布式存储 光通信 射频电路 操作系统 智能终端 "
        "工业软件 虚拟现实 隐私计算 目标检测 时序预测 图神经网络 联邦学习 毫米波雷达 "
        "可信计算 软件测试 数据库 服务器",
        "高性能 低功耗 轻量化 分布式 实时 多模态 自适应 高可靠 端侧 智能",
        "算法 系统 平台 架构 模型 框架 芯片 模块 引擎 技术",
    ),
    "高端装备制造": (
        "数控机床 工业机器人 精密加工 增材制造 激光焊接 伺服电机 液压系统 齿轮传动 智能制造 "
        "自动化产线 无损检测 模具设计 鞋机装备 纺织机械 注塑成型 振动控制 故障诊断 机械臂 "
        "运动控制 减速器 轴承 刀具磨损 表面处理 装配工艺 数字化车间 视觉检测 传感器标定 "
        "机电一体化 流体仿真 结构优化 疲劳寿命 热处理 冲压成形 焊接机器人 智能仓储 "
        "无人机 船舶动力 轨道交通 工程机械 精密测量",
        "高精度 柔性 智能 高速 重载 多轴 模块化 自主 协作 在线",
        "装备 系统 工艺 设备 控制 技术 平台 方法 单元 产线",
    ),
    "新能源与节能环保": (
        "锂离子电池 光伏组件 储能系统 氢燃料电池 风力发电 电池管理 热泵 余热回收 污水处理 "
        "固废资源化 碳捕集 电解水制氢 钠离子电池 固态电池 充电桩 智能电网 微电网 节能改造 "
        "废气治理 土壤修复 膜分离 生物质能 光热发电 电驱动 逆变器 超级电容 热管理 "
        "碳足迹 污泥处置 脱硫脱硝 建筑节能 能量回收 电池回收 钙钛矿电池 储热材料 "
        "分布式光伏 虚拟电厂 碳交易 水资源 环境监测",
        "高效 低碳 绿色 循环 长寿命 高安全 大容量 智慧 清洁 集中式",
        "技术 系统 装置 工艺 材料 方案 设备 平台 模型 方法",
    ),
    "新材料与石油化工": (
        "石墨烯 碳纤维 高分子材料 复合材料 纳米材料 陶瓷材料 功能涂层 聚氨酯 催化剂 石油炼化 "
        "精细化工 合成橡胶 改性塑料 生物降解材料 稀土材料 金属粉末 薄膜材料 纤维材料 "
        "胶粘剂 阻燃材料 电子化学品 锂电材料 膜材料 超导材料 磁性材料 有机合成 聚合反应 "
        "分子筛 表面活性剂 化工分离 乙烯裂解 芳烃 树脂 硅材料 鞋材 弹性体 "
        "纺织材料 光学材料 防腐材料 纳米纤维",
        "高性能 轻质 耐高温 可降解 功能化 低成本 高强度 柔性 环保 新型",
        "材料 制备 工艺 技术 合成 改性 配方 表征 应用 性能",
    ),
    "生物医药与大健康": (
        "抗体药物 基因编辑 细胞治疗 疫苗研发 医疗器械 体外诊断 中药现代化 药物递送 "
        "生物制药 靶向药物 精准医疗 医学影像 康复器械 干细胞 蛋白质组学 代谢组学 "
        "微生物组 创新药 仿制药 临床试验 生物信息 分子诊断 肿瘤免疫 神经退行 心血管 "
        "健康管理 营养保健 智慧医疗 手术机器人 可穿戴设备 药物筛选 发酵工程 酶工程 "
        "合成生物学 核酸药物 多肽药物 病原检测 慢病管理 老年护理 中医药",
        "新型 精准 高通量 智能 微创 便携 个性化 快速 高灵敏 无创",
        "技术 平台 药物 试剂 器械 方法 疗法 检测 研究 系统",
    ),
    "现代农业与食品": (
        "食品加工 茶叶加工 水产养殖 智慧农业 植物育种 土壤改良 农产品保鲜 冷链物流 "
        "食品安全 功能食品 发酵食品 休闲食品 饮料工艺 食品包装 精准施肥 病虫害防治 "
        "农业机械 设施农业 畜禽养殖 饲料营养 种子处理 无土栽培 农产品溯源 食品检测 "
        "乳制品 肉制品 果蔬加工 粮油加工 烘焙工艺 调味品 益生菌 膳食纤维 "
        "海洋食品 食用菌 农药残留 节水灌溉 遥感监测 农业大数据",
        "绿色 智能 高效 生态 有机 精准 安全 低温 标准化 数字化",
        "技术 工艺 设备 系统 品种 方法 模式 平台 装备 标准",
    ),
}

CROSS_DOMAIN = (
    "产学研合作 成果转化 技术转移 知识产权 标准制定 中试放大 工程化 产业化 质量控制 "
    "工艺优化 成本控制 数值模拟 实验验证 检测认证 数字化转型 绿色制造 供应链 "
    "国产替代 可靠性 寿命预测 仿真分析 优化设计 系统集成 性能评价"
).split()

_BOILER = (
    "长期从事 主要研究 专注于 致力于 研究方向为 擅长 熟悉 具有丰富的 承担 主持 参与 完成 "
    "发表 申请 授权 获得 开发 提出 建立 构建 突破 解决 优化 实现了"
).split()
_RESULTS = (
    "主持国家自然科学基金项目 发表高水平论文 授权发明专利 获省部级科技奖励 承担企业横向课题 "
    "参与国家重点研发计划 完成技术成果转化 建成示范生产线 制定行业标准 培养研究生"
).split()
_NEED = (
    "我公司 本企业 企业现有 目前生产中 现有工艺 客户要求 市场需要 行业普遍存在 "
    "亟需解决 希望通过合作 拟联合攻关 寻求技术方案 需要突破 期望实现 要求达到"
).split()
_PROBLEMS = (
    "效率偏低 成本较高 良品率不足 能耗较大 稳定性差 精度不够 寿命较短 污染排放超标 "
    "依赖进口 工艺复杂 检测困难 自动化程度低 一致性差 响应速度慢"
).split()
_CHARPOOL = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过"
    "家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本"
    "见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己"
    "话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平"
    "真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报"
    "立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务"
    "制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科"
    "怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运"
    "武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸"
    "钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似"
)


@dataclass(frozen=True)
class Corpus:
    """Generated texts and their ground truth (domain of every profile and challenge)."""

    profiles: list[str]
    profile_keywords: list[list[str]]
    profile_domains: np.ndarray  # int8 index into DOMAINS
    challenges: list[str]
    challenge_domains: np.ndarray
    challenge_terms: list[list[str]]  # technical terms each challenge was written around
    terms: list[str]  # the technical-term dictionary (for Tokenizer(terms=...))
    domain_terms: list[list[str]]


def technical_terms() -> tuple[list[str], list[list[str]]]:
    """All technical terms and the per-domain lists (deterministic, about 4,100 terms)."""
    all_terms: list[str] = []
    per_domain: list[list[str]] = []
    seen: set[str] = set()
    for domain in DOMAINS:
        cores, mods, sufs = (s.split() for s in _FRAGMENTS[domain])
        mine: list[str] = []
        for i, core in enumerate(cores):
            variants = [core]
            variants += [m + core for m in mods[:6]]  # 6
            variants += [core + s for s in sufs[:6]]  # 6
            variants += [mods[(i + j) % len(mods)] + core + sufs[(i + 2 * j) % len(sufs)]
                         for j in range(4)]  # 4
            for v in variants:  # 17 per core
                if v not in seen:
                    seen.add(v)
                    mine.append(v)
        per_domain.append(mine)
        all_terms.extend(mine)
    for t in CROSS_DOMAIN:
        if t not in seen:
            seen.add(t)
            all_terms.append(t)
    return all_terms, per_domain


def _dictionary_words() -> list[str]:
    """Real Chinese words: pairs (and some triples) of common characters that rjieba's
    bundled dictionary knows (``has_word``). jieba's word list is not installed; this gives a
    deterministic list of about 60k words with the pinned rjieba."""
    import rjieba

    j = rjieba.Jieba()
    singles = [chr(c) for c in range(0x4E00, 0x9FA6) if j.has_word(chr(c))]
    # common characters: the pool above plus every 6th dictionary character
    pool = list(dict.fromkeys(list(_CHARPOOL) + singles[::6]))
    words = [a + b for a in pool for b in pool if j.has_word(a + b)]
    words += [w + c for w in words[::4] for c in _CHARPOOL if j.has_word(w + c)]
    return sorted(set(words))


def _long_tail(rng: np.random.Generator, n: int) -> list[str]:
    words = _dictionary_words()
    if len(words) > n:
        words = sorted(rng.choice(words, size=n, replace=False).tolist())
    return words


def make_corpus(
    n_profiles: int = 350_000, n_challenges: int = 2_000, *, seed: int = 0, tail_size: int = 60_000
) -> Corpus:
    """Build the corpus; the same arguments always give the same texts.

    Examples:
        >>> c = make_corpus(50, 5, seed=1)
        >>> len(c.profiles), len(c.challenges), c.profiles == make_corpus(50, 5, seed=1).profiles
        (50, 5, True)
    """
    rng = np.random.default_rng(seed)
    terms, per_domain = technical_terms()
    cross = list(CROSS_DOMAIN)
    tail = _long_tail(rng, tail_size)
    rng.shuffle(tail)
    # Zipf over the long tail, one random permutation per domain (topically random words)
    zipf_w = 1.0 / np.arange(1, len(tail) + 1) ** 1.05
    zipf_cdf = np.cumsum(zipf_w / zipf_w.sum())
    perms = [rng.permutation(len(tail)) for _ in DOMAINS]
    # within a domain, terms are also Zipf-distributed (popular topics)
    term_cdfs = []
    for mine in per_domain:
        w = 1.0 / np.arange(1, len(mine) + 1) ** 0.8
        term_cdfs.append(np.cumsum(w / w.sum()))
        rng.shuffle(mine)

    def draw_terms(dom: np.ndarray, k: int) -> np.ndarray:
        u = rng.random((len(dom), k))
        out = np.empty((len(dom), k), dtype=np.int64)
        for d in range(len(DOMAINS)):
            m = dom == d
            out[m] = np.searchsorted(term_cdfs[d], u[m])
        return out

    def draw_tail(dom: np.ndarray, k: int) -> np.ndarray:
        u = np.searchsorted(zipf_cdf, rng.random((len(dom), k)))
        u = np.minimum(u, len(tail) - 1)
        out = np.empty_like(u)
        for d in range(len(DOMAINS)):
            m = dom == d
            out[m] = perms[d][u[m]]
        return out

    def pick(words: list[str], n: int, k: int) -> np.ndarray:
        return rng.integers(0, len(words), size=(n, k))

    # ---- profiles (in chunks: bounded temporaries)
    p_dom_all = rng.integers(0, len(DOMAINS), size=n_profiles).astype(np.int8)
    profiles: list[str] = []
    keywords: list[list[str]] = []
    for c0 in range(0, n_profiles, 50_000):
        p_dom = p_dom_all[c0 : c0 + 50_000]
        m = len(p_dom)
        p_terms = draw_terms(p_dom, 7)
        p_tail = draw_tail(p_dom, 44)
        p_boil = pick(_BOILER, m, 3)
        p_res = pick(_RESULTS, m, 2)
        p_cross = pick(cross, m, 1)
        p_n = rng.integers(1, 30, size=(m, 2))
        n_kw = rng.integers(3, 6, size=m)
        for i in range(m):
            dt = per_domain[p_dom[i]]
            t = [dt[j] for j in p_terms[i]]
            w = [tail[j] for j in p_tail[i]]
            b = [_BOILER[j] for j in p_boil[i]]
            r = [_RESULTS[j] for j in p_res[i]]
            text = (
                f"{b[0]}{t[0]}与{t[1]}研究，{''.join(w[0:6])}，{b[1]}{t[2]}{w[6]}和"
                f"{cross[p_cross[i, 0]]}，在{t[3]}方面{''.join(w[7:14])}。{b[2]}{w[14]}{t[4]}"
                f"相关工作，{r[0]}{p_n[i, 0]}项，{r[1]}{p_n[i, 1]}项，{''.join(w[15:26])}。"
                f"近期关注{''.join(w[26:34])}、{''.join(w[34:39])}及{''.join(w[39:44])}。"
            )
            kw = t[: n_kw[i]]
            profiles.append(text + "关键词：" + "；".join(kw))
            keywords.append(kw)
    p_dom = p_dom_all

    # ---- challenges
    c_dom = rng.integers(0, len(DOMAINS), size=n_challenges).astype(np.int8)
    c_terms = draw_terms(c_dom, 6)
    c_tail = draw_tail(c_dom, 76)
    c_need = pick(_NEED, n_challenges, 4)
    c_prob = pick(_PROBLEMS, n_challenges, 3)
    c_cross = pick(cross, n_challenges, 2)
    c_num = rng.integers(10, 99, size=(n_challenges, 3))
    challenges: list[str] = []
    ch_terms: list[list[str]] = []
    for i in range(n_challenges):
        dt = per_domain[c_dom[i]]
        t = [dt[j] for j in c_terms[i]]
        w = [tail[j] for j in c_tail[i]]
        nd = [_NEED[j] for j in c_need[i]]
        pb = [_PROBLEMS[j] for j in c_prob[i]]
        cr = [cross[j] for j in c_cross[i]]
        text = (
            f"{nd[0]}主要从事{t[0]}相关产品的研发与生产，{''.join(w[0:8])}。"
            f"目前在{t[1]}环节存在{pb[0]}、{pb[1]}等问题，{''.join(w[8:16])}，"
            f"尤其是{t[2]}和{t[0]}的{cr[0]}{pb[2]}，{''.join(w[16:26])}。"
            f"{nd[1]}{t[3]}方面的{''.join(w[26:32])}，{nd[2]}，{''.join(w[32:42])}。"
            f"技术指标：{t[1]}效率提升{c_num[i, 0]}%以上，{t[4]}成本降低{c_num[i, 1]}%，"
            f"{''.join(w[42:52])}，{cr[1]}周期不超过{c_num[i, 2]}个月。"
            f"{nd[3]}掌握{t[5]}和{t[2]}的团队，{''.join(w[52:66])}，共同开展{t[0]}攻关，"
            f"{''.join(w[66:76])}。"
        )
        challenges.append(text)
        ch_terms.append(t)
    return Corpus(
        profiles=profiles,
        profile_keywords=keywords,
        profile_domains=p_dom,
        challenges=challenges,
        challenge_domains=c_dom,
        challenge_terms=ch_terms,
        terms=terms,
        domain_terms=per_domain,
    )


if __name__ == "__main__":  # pragma: no cover - quick look
    import time

    t0 = time.perf_counter()
    c = make_corpus(20_000, 200)
    dt = time.perf_counter() - t0
    print(f"{dt:.2f}s  terms={len(c.terms)}")
    print(c.profiles[0])
    print(c.challenges[0])
    print(np.mean([len(p) for p in c.profiles]), np.mean([len(x) for x in c.challenges]))
