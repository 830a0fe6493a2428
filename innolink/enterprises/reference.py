"""Reference data of the registry: Jinjiang's towns, GB/T 4754-2017 sections and divisions,
and the GB 32100-2015 credit-code check. Plain Python, no database."""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop as N_

from innolink.core.messages import Message

# Jinjiang's 6 subdistricts (街道) and 13 towns (镇).
SUBDISTRICTS = ("青阳", "梅岭", "西园", "罗山", "新塘", "灵源")
TOWNS = ("安海", "磁灶", "陈埭", "东石", "深沪", "金井", "池店", "内坑", "龙湖", "永和", "英林",
         "紫帽", "西滨")
TOWN_CHOICES = [(t, f"{t}街道") for t in SUBDISTRICTS] + [(t, f"{t}镇") for t in TOWNS]
TOWN_NAMES = frozenset(SUBDISTRICTS + TOWNS)

# GB/T 4754-2017: section letter -> (name, first division, last division).
SECTIONS: dict[str, tuple[str, int, int]] = {
    "A": ("农、林、牧、渔业", 1, 5),
    "B": ("采矿业", 6, 12),
    "C": ("制造业", 13, 43),
    "D": ("电力、热力、燃气及水生产和供应业", 44, 46),
    "E": ("建筑业", 47, 50),
    "F": ("批发和零售业", 51, 52),
    "G": ("交通运输、仓储和邮政业", 53, 60),
    "H": ("住宿和餐饮业", 61, 62),
    "I": ("信息传输、软件和信息技术服务业", 63, 65),
    "J": ("金融业", 66, 69),
    "K": ("房地产业", 70, 70),
    "L": ("租赁和商务服务业", 71, 72),
    "M": ("科学研究和技术服务业", 73, 75),
    "N": ("水利、环境和公共设施管理业", 76, 79),
    "O": ("居民服务、修理和其他服务业", 80, 82),
    "P": ("教育", 83, 83),
    "Q": ("卫生和社会工作", 84, 85),
    "R": ("文化、体育和娱乐业", 86, 90),
    "S": ("公共管理、社会保障和社会组织", 91, 96),
    "T": ("国际组织", 97, 97),
}
SECTION_CHOICES = [(k, f"{k} {v[0]}") for k, v in SECTIONS.items()]

# Manufacturing divisions (section C), the ones Jinjiang's industry lives in.
DIVISIONS: dict[str, str] = {
    "13": "农副食品加工业", "14": "食品制造业", "15": "酒、饮料和精制茶制造业", "16": "烟草制品业",
    "17": "纺织业", "18": "纺织服装、服饰业", "19": "皮革、毛皮、羽毛及其制品和制鞋业",
    "20": "木材加工和木、竹、藤、棕、草制品业", "21": "家具制造业", "22": "造纸和纸制品业",
    "23": "印刷和记录媒介复制业", "24": "文教、工美、体育和娱乐用品制造业",
    "25": "石油、煤炭及其他燃料加工业", "26": "化学原料和化学制品制造业", "27": "医药制造业",
    "28": "化学纤维制造业", "29": "橡胶和塑料制品业", "30": "非金属矿物制品业",
    "31": "黑色金属冶炼和压延加工业", "32": "有色金属冶炼和压延加工业", "33": "金属制品业",
    "34": "通用设备制造业", "35": "专用设备制造业", "36": "汽车制造业",
    "37": "铁路、船舶、航空航天和其他运输设备制造业", "38": "电气机械和器材制造业",
    "39": "计算机、通信和其他电子设备制造业", "40": "仪器仪表制造业", "41": "其他制造业",
    "42": "废弃资源综合利用业", "43": "金属制品、机械和设备修理业",
    "51": "批发业", "52": "零售业", "59": "装卸搬运和仓储业", "64": "互联网和相关服务",
    "65": "软件和信息技术服务业", "72": "商务服务业", "73": "研究和试验发展",
    "75": "科技推广和应用服务业",
}

_INDUSTRY_RE = re.compile(r"^([A-T])?(\d{2})(\d{1,2})?$")


def section_of_division(division: int) -> str | None:
    for letter, (_name, first, last) in SECTIONS.items():
        if first <= division <= last:
            return letter
    return None


def normalize_industry_code(raw: str) -> str:
    """Return the code as section letter + 2 to 4 digits, or raise ValueError with the reason.

    Examples:
        >>> normalize_industry_code("1951")
        'C1951'
        >>> normalize_industry_code("c39")
        'C39'
    """
    text = (raw or "").strip().upper()
    match = _INDUSTRY_RE.match(text)
    if not match:
        raise ValueError(Message(N_("行业代码格式应为门类字母加 2–4 位数字，例如 C1951")))
    letter, division, _rest = match.groups()
    section = section_of_division(int(division))
    if section is None:
        raise ValueError(Message(N_("不存在大类 %(division)s"), division=division))
    if letter and letter != section:
        raise ValueError(Message(N_("大类 %(division)s 属于门类 %(section)s，不属于 %(letter)s"),
                                 division=division, section=section, letter=letter))
    return section + text.lstrip("ABCDEFGHIJKLMNOPQRST")


def industry_label(code: str) -> str:
    if not code:
        return ""
    division = code[1:3]
    name = DIVISIONS.get(division) or SECTIONS.get(code[0], ("",))[0]
    return f"{code} {name}"


# GB 32100-2015 unified social credit code: 18 characters from 31 symbols (no I O S V Z); the last
# is a check character over the first 17 with weights 3^i mod 31.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARSET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a credit code.

    Examples:
        >>> credit_check_char("91350100M000100Y4")
        '3'
    """
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """None when ``code`` is a valid credit code, else the reason: Chinese text that keeps its
    msgid and values (``core.messages.Message``)."""
    if len(code) != 18:
        return Message(N_("统一社会信用代码应为 18 位，实际 %(n)s 位"), n=len(code))
    bad = sorted({c for c in code if c not in _CREDIT_VALUE})
    if bad:
        return Message(N_("统一社会信用代码含非法字符：%(chars)s（不使用 I、O、S、V、Z）"),
                       chars="".join(bad))
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        return Message(N_("统一社会信用代码校验码错误：第 18 位应为 %(expected)s，实际为 %(actual)s"),
                       expected=expected, actual=code[17])
    return None


def make_credit_code(first17: str) -> str:
    return first17 + credit_check_char(first17)
