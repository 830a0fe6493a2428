"""GB/T 13745-2009 学科分类与代码: the code table, search, and fuzzy matching of free text.

The table (``data/gbt13745.csv``, first and second levels: 62 + 738 codes) ships with the code.
Researchers and rosters write disciplines as they please ("材料科学与工程", "高分子材料改性",
"锂电池正极材料"); :func:`match_text` maps such text to codes:

1. an exact name (``材料科学``) or a degree-catalogue name (``材料科学与工程`` → 430) from a
   small alias table;
2. research-field words that name a discipline unambiguously (``印染`` → 54050 染整技术);
3. character-bigram similarity (Dice) with every name, keeping a match only above a threshold.

Text that matches nothing is left unmapped; the matcher treats an unmapped discipline as
neutral, never below an empty one (decision 0353). Pure Python (no Django).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Discipline", "table", "get", "first_level", "search", "match_text", "label",
           "DEGREE_ALIASES", "FIELD_WORDS"]

DATA = Path(__file__).with_name("data") / "gbt13745.csv"


@dataclass(frozen=True)
class Discipline:
    code: str
    name: str

    @property
    def level(self) -> int:
        return 1 if len(self.code) == 3 else 2

    @property
    def is_other(self) -> bool:
        """A "…其他学科" catch-all (code ending in 99)."""
        return self.level == 2 and self.code.endswith("99")


@lru_cache(maxsize=1)
def table() -> dict[str, Discipline]:
    """Every code of the table, in the standard's order."""
    out: dict[str, Discipline] = {}
    with DATA.open(encoding="utf-8") as f:
        rows = (line for line in f if not line.startswith("#"))
        for row in csv.DictReader(rows):
            out[row["code"]] = Discipline(row["code"], row["name"])
    return out


def get(code: str) -> Discipline | None:
    return table().get(str(code).strip())


def first_level(code: str) -> Discipline | None:
    """The first-level discipline of a code (itself for a first-level code)."""
    return get(str(code)[:3])


def label(code: str) -> str:
    """``43050 有机高分子材料（材料科学）``; the code itself when unknown.

    Examples:
        >>> label("43050")
        '43050 有机高分子材料（材料科学）'
        >>> label("430")
        '430 材料科学'
    """
    d = get(code)
    if d is None:
        return str(code)
    if d.level == 1:
        return f"{d.code} {d.name}"
    parent = first_level(code)
    return f"{d.code} {d.name}（{parent.name}）" if parent else f"{d.code} {d.name}"


#: degree-catalogue and everyday names -> GB/T 13745 code (the degree catalogue, 学位授予和
#: 人才培养学科目录, names disciplines differently from the standard)
DEGREE_ALIASES: dict[str, str] = {
    "材料科学与工程": "430", "材料学": "430", "材料物理与化学": "43010", "材料加工工程": "43035",
    "高分子材料": "43050", "高分子化学与物理": "15045", "化学工程与技术": "530", "化学工程": "530",
    "化学工艺": "53024", "应用化学": "15055", "工业催化": "53024", "计算机科学与技术": "520",
    "软件工程": "52040", "人工智能": "52020", "网络空间安全": "41320", "信息与通信工程": "51050",
    "电子科学与技术": "510", "微电子学与固体电子学": "51030", "集成电路科学与工程": "51030",
    "光学工程": "41620", "控制科学与工程": "41310", "控制理论与控制工程": "41310",
    "仪器科学与技术": "53510", "机械工程": "460", "机械制造及其自动化": "46050",
    "机械电子工程": "46050", "机械设计及理论": "46020", "电气工程": "47040",
    "动力工程及工程热物理": "470", "动力工程": "47030", "工程热物理": "47010",
    "能源与动力工程": "470", "新能源科学与工程": "48070", "纺织科学与工程": "540",
    "纺织工程": "54040", "纺织材料与纺织品设计": "54020", "纺织化学与染整工程": "54050",
    "服装设计与工程": "54060", "轻工技术与工程": "535", "皮革化学与工程": "53061",
    "制浆造纸工程": "53057", "发酵工程": "53067", "食品科学与工程": "550", "食品科学": "550",
    "粮食、油脂及植物蛋白工程": "55070", "农产品加工及贮藏工程": "21045",
    "水产品加工及贮藏工程": "24040", "环境科学与工程": "610", "环境工程": "61030",
    "环境科学": "61020", "生物医学工程": "41660", "生物工程": "41640", "生物学": "180",
    "微生物学": "18061", "生物化学与分子生物学": "18017", "药学": "350", "药物化学": "35010",
    "药剂学": "35035", "药理学": "31047", "中药学": "36040", "临床医学": "320",
    "基础医学": "310", "公共卫生与预防医学": "330", "营养与食品卫生学": "33011",
    "化学": "150", "物理学": "140", "数学": "110", "统计学": "910", "力学": "130",
    "土木工程": "560", "建筑学": "560", "水利工程": "570", "交通运输工程": "580",
    "船舶与海洋工程": "58050", "航空宇航科学与技术": "590", "冶金工程": "450",
    "矿业工程": "440", "石油与天然气工程": "44050", "核科学与技术": "490",
    "测绘科学与技术": "420", "安全科学与工程": "620", "管理科学与工程": "63050",
    "工商管理": "63040", "应用经济学": "790", "农业工程": "41650", "作物学": "21030",
    "园艺学": "21040", "植物保护": "21060", "畜牧学": "23020", "兽医学": "23030",
    "水产": "240", "林学": "220", "林业工程": "22055", "海洋科学": "17060",
    "地质学": "17050", "大气科学": "17015", "地理学": "17045", "天文学": "160",
    "心理学": "190", "教育学": "880", "体育学": "890", "设计学": "76050", "材料": "430",
    "控制工程": "41310", "电子信息": "510", "电子信息工程": "51010", "通信工程": "51050",
    "自动化": "41310", "测控技术与仪器": "53510", "车辆工程": "58020", "能源化学": "48010",
}

#: words in a research field that point to one discipline (checked longest first)
FIELD_WORDS: dict[str, str] = {
    "印染": "54050", "染整": "54050", "染色": "54050", "纺织": "54040", "纤维": "54030",
    "化纤": "54030", "服装": "54060", "制革": "53061", "皮革": "53061", "鞋材": "53061",
    "造纸": "53057", "橡胶": "43050", "塑料": "43050", "高分子": "43050", "聚合物": "43050",
    "光刻胶": "43050", "树脂": "43050", "发泡": "43050", "复合材料": "43055", "陶瓷": "43045",
    "玻璃": "43045", "石墨烯": "43070", "纳米": "43070", "金属材料": "43040", "合金": "43040",
    "涂料": "53054", "胶粘剂": "53054", "精细化工": "53054", "催化": "53024",
    "电化学": "53041", "锂电": "48040", "锂离子电池": "48040", "电池": "48040", "储能": "48040",
    "氢能": "48070", "燃料电池": "48070", "光伏": "48070", "太阳能": "48070", "节能": "48050",
    "余热": "48050", "半导体": "51030", "集成电路": "51030", "芯片": "51030", "封装": "51030",
    "碳化硅": "51030", "功率器件": "51030", "激光": "51020", "光电": "51020", "通信": "51050",
    "射频": "51010", "天线": "51010", "雷达": "51070", "传感器": "53510", "仪器": "53510",
    "机器视觉": "52020", "深度学习": "52020", "机器学习": "52020", "人工智能": "52020",
    "计算机视觉": "52020", "大语言模型": "52020", "图像识别": "52020", "自然语言处理": "52020",
    "软件": "52040", "大数据": "52060", "工业互联网": "41330", "物联网": "41330",
    "区块链": "52060", "网络安全": "41320", "信息安全": "41320", "机器人": "46050",
    "数控": "46035", "机床": "46035", "模具": "46025", "精密制造": "46025", "增材制造": "46025",
    "3D打印": "46025", "液压": "46045", "运动控制": "41310", "自动控制": "41310",
    "控制系统": "41310", "电机": "47040", "电力电子": "47040", "电网": "47040",
    "热管理": "47010", "换热": "47010", "制冷": "47035", "水处理": "61030", "废水": "61030",
    "污水": "61030", "VOCs": "61030", "废气": "61030", "固废": "61030", "环境": "61020",
    "食品": "55020", "保鲜": "55030", "冷链": "55030", "食品包装": "55030", "粮油": "55070",
    "茶叶": "21045", "果蔬": "21045", "水产品": "24040", "水产养殖": "24020", "育种": "21030",
    "益生菌": "18061", "微生物": "18061", "发酵": "53067", "酶": "18017", "蛋白": "18017",
    "基因": "18031", "药物": "350", "制药": "53064", "中药": "36040", "医疗器械": "41660",
    "生物材料": "43060", "医用": "41660", "营养": "33011", "化妆品": "15055", "检测": "43025",
    "表面处理": "43015", "腐蚀": "43020", "焊接": "46025", "铸造": "46025", "冶金": "450",
    "生物医药": "350", "海洋生物": "17060", "新能源汽车": "58020", "动力电池": "48040",
}

_NON_WORD = re.compile(r"[\s,，、;；/（）()·.\-]+")


def _norm(text: str) -> str:
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def _bigrams(text: str) -> set[str]:
    t = _norm(text)
    return {t[i:i + 2] for i in range(len(t) - 1)} if len(t) > 1 else {t} if t else set()


@lru_cache(maxsize=1)
def _index() -> list[tuple[Discipline, str, set[str]]]:
    return [(d, _norm(d.name), _bigrams(d.name)) for d in table().values()]


def search(query: str, limit: int = 20) -> list[Discipline]:
    """Codes whose code or name contains the query, then the closest names by bigrams.

    Examples:
        >>> [d.code for d in search("染整")]
        ['54050']
        >>> search("430")[0].name
        '材料科学'
    """
    q = _norm(query)
    if not q:
        return []
    exact = [d for d, name, _ in _index() if d.code.startswith(q) or q in name]
    if len(exact) >= limit:
        return exact[:limit]
    seen = {d.code for d in exact}
    fuzzy = [(score, d) for score, d in _scored(query) if d.code not in seen and score >= 0.34]
    return exact + [d for _, d in fuzzy][: limit - len(exact)]


def _scored(text: str) -> list[tuple[float, Discipline]]:
    grams = _bigrams(text)
    if not grams:
        return []
    out = []
    for d, _name, g in _index():
        if not g:
            continue
        overlap = len(grams & g)
        if overlap:
            out.append((2 * overlap / (len(grams) + len(g)), d))
    out.sort(key=lambda p: (-p[0], p[1].level, p[1].code))
    return out


def match_text(*texts: str, limit: int = 2) -> list[str]:
    """GB/T codes for free text (a discipline, research fields), best first; [] when nothing
    is close enough.

    Examples:
        >>> match_text("材料科学与工程")
        ['430']
        >>> match_text("", "印染废水深度处理，纺织品功能整理")
        ['54050', '61030']
        >>> match_text("有机高分子材料")
        ['43050']
        >>> match_text("哲学思辨与诗歌")
        []
    """
    codes: list[str] = []

    def add(code: str) -> None:
        if code in table() and code not in codes:
            codes.append(code)

    for text in texts:
        t = (text or "").strip()
        if not t:
            continue
        parts = [p for p in re.split(r"[,，、;；/\s]+", t) if p]
        for part in [t, *parts]:
            n = _norm(part)
            for d, name, _ in _index():
                if n == name:
                    add(d.code)
                    break
            for alias, code in DEGREE_ALIASES.items():
                if n == _norm(alias):
                    add(code)
        # research-field words, in the order the text names them (a longer word wins over
        # the shorter words inside it: 锂离子电池 over 电池)
        norm = _norm(t)
        found: list[tuple[int, str]] = []
        for word in sorted(FIELD_WORDS, key=len, reverse=True):
            w = _norm(word)
            at = norm.find(w)
            if at >= 0:
                found.append((at, FIELD_WORDS[word]))
                norm = norm.replace(w, "|" * len(w))
        for _, code in sorted(found):
            add(code)
        if not codes:
            for score, d in _scored(t)[:3]:
                if score >= 0.5 and not d.is_other:
                    add(d.code)
    return codes[:limit]


#: the board's six domains a discipline usually serves (by first-level code; a few second-level
#: codes are more specific). Used to tell the matcher what a mapped discipline is about.
FIRST_LEVEL_DOMAINS: dict[str, tuple[str, ...]] = {
    "110": ("it",), "120": ("it", "equipment"), "130": ("equipment", "materials"),
    "140": ("it", "materials", "energy"), "150": ("materials", "biomed"), "170": ("energy",),
    "180": ("biomed", "agrifood"), "190": ("biomed",), "210": ("agrifood",),
    "220": ("agrifood",), "230": ("agrifood",), "240": ("agrifood",), "310": ("biomed",),
    "320": ("biomed",), "330": ("biomed", "agrifood"), "340": ("biomed",), "350": ("biomed",),
    "360": ("biomed",), "410": ("equipment",), "413": ("it", "equipment"),
    "416": ("equipment", "biomed", "agrifood"), "420": ("it",),
    "430": ("materials", "it", "energy"), "440": ("energy",), "450": ("materials",),
    "460": ("equipment",), "470": ("energy", "equipment"), "480": ("energy",),
    "490": ("energy",), "510": ("it",), "520": ("it", "equipment"),
    "530": ("materials", "energy"), "535": ("equipment",), "540": ("materials",),
    "550": ("agrifood",), "560": ("equipment", "materials"), "570": ("energy",),
    "580": ("equipment", "energy"), "590": ("equipment",), "610": ("energy",),
    "620": ("equipment",),
}
SECOND_LEVEL_DOMAINS: dict[str, tuple[str, ...]] = {
    "41620": ("it",), "41640": ("biomed", "agrifood"), "41650": ("agrifood",),
    "41660": ("biomed",), "43060": ("biomed", "materials"), "48040": ("energy", "materials"),
    "53057": ("materials",), "53061": ("materials",), "53064": ("biomed",),
    "53067": ("biomed", "agrifood"), "21045": ("agrifood",), "24040": ("agrifood",),
    "52020": ("it", "equipment"),
}


def domains_for(code: str) -> tuple[str, ...]:
    """The domain codes a discipline code usually serves; () when the table says nothing.

    Examples:
        >>> domains_for("43050")
        ('materials', 'it', 'energy')
        >>> domains_for("41660")
        ('biomed',)
        >>> domains_for("750")
        ()
    """
    code = str(code)
    return SECOND_LEVEL_DOMAINS.get(code) or FIRST_LEVEL_DOMAINS.get(code[:3], ())
