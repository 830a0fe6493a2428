"""The arithmetic of an answer as messages, not prose.

Each step reads as its Chinese sentence (a ``Step`` is a ``str``, so logs, tests and the API's
JSON keep the text) and carries its frame (``msgid``: a %-format with named fields) and its
``params``, so a page words it in the reader's language (``innolink.policies.present``
translates the frame and renders amounts, lists and nested phrases). Names, labels and case
descriptions come from the rule files and stay as written. Every frame is one of the constants
below; ``FRAMES`` lists them for the translation catalogue (a test keeps both in step).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .types import fmt_money


class Money:
    """An amount in fen, shown as the engine shows amounts (``21万元``)."""

    __slots__ = ("fen",)

    def __init__(self, fen: int | Fraction) -> None:
        self.fen = fen

    def __str__(self) -> str:
        return fmt_money(self.fen)

    def __repr__(self) -> str:
        return f"Money({self.fen!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other.fen == self.fen

    def __hash__(self) -> int:
        return hash(self.fen)


class Seq(tuple):
    """A list inside a step (years, amounts, shares), joined by ``sep``."""

    sep = "、"

    def __new__(cls, values, sep: str = "、"):
        self = super().__new__(cls, tuple(values))
        self.sep = sep
        return self

    def __str__(self) -> str:
        return self.sep.join(str(v) for v in self)

    def __reduce__(self):
        return (Seq, (tuple(self), self.sep))


class Said(str):
    """A condition's own sentence inside a step (the reason of ``SUMMARY_NOT``, a worked case's
    "why"): the engine's Chinese words, carrying the failing check (``ConditionCheck``) and the
    policy year, so a page words it in the reader's language as it words the check itself.

    Examples:
        >>> from innolink.engines.rules.answers import ConditionCheck
        >>> check = ConditionCheck("revenue", "营业收入", "ge", "77万元", "100万元", "23万元", 0.23,
        ...                        False, "营业收入还差23万元", "p.yaml")
        >>> said = Said(check, 2025)
        >>> said, said.check.field, said.year
        ('营业收入还差23万元', 'revenue', 2025)
    """

    check: Any
    year: int

    def __new__(cls, check: Any, year: int) -> "Said":
        self = super().__new__(cls, check.message)
        self.check = check
        self.year = year
        return self

    def __reduce__(self):
        return (Said, (self.check, self.year))


class Word(str):
    """A word of the rules' own grammar inside a step (高于, 以上, 持有 ...: the comparison or
    qualification words a rule file may use), which a page translates; a rule's labels and
    values are plain strings and stay as written.

    Examples:
        >>> Step(ROUTE_COMPARE, label="营业收入", word=Word("不低于"), value="1000万元")
        '营业收入不低于1000万元'
    """

    def __reduce__(self):
        return (Word, (str(self),))


def to_data(value: Any) -> Any:
    """A step (or a param of one) as JSON data, to store and word again later (:func:`from_data`).

    Examples:
        >>> step = Step(PAYABLE_SHARED, amount=Money(679_000), ratio="1∶1",
        ...             parts=Seq([Step(SHARE, level="市", amount=Money(339_500))]))
        >>> again = from_data(to_data(step))
        >>> again == step, again.msgid == step.msgid, again.params == step.params
        (True, True, True)
    """
    if isinstance(value, Said):
        check = {k: v for k, v in value.check.__dict__.items() if k != "needs"}
        return {"said": check, "year": value.year}
    if isinstance(value, Word):
        return {"word": str(value)}
    if isinstance(value, Step):
        return {"msgid": value.msgid, "params": {k: to_data(v) for k, v in value.params.items()}}
    if isinstance(value, Money):
        return {"fen": str(value.fen)}
    if isinstance(value, Seq):
        return {"seq": [to_data(v) for v in value], "sep": value.sep}
    return str(value)


def from_data(data: Any) -> Any:
    """The step :func:`to_data` stored (a plain string stays a string)."""
    if isinstance(data, dict):
        if "msgid" in data:
            return Step(str(data["msgid"]), **{k: from_data(v) for k, v in (data.get("params") or {}).items()})
        if "fen" in data:
            fen = Fraction(str(data["fen"]))
            return Money(int(fen) if fen.denominator == 1 else fen)
        if "word" in data:
            return Word(str(data["word"]))
        if "seq" in data:
            return Seq((from_data(v) for v in data["seq"]), str(data.get("sep", "、")))
        if "said" in data:
            from .answers import ConditionCheck

            return Said(ConditionCheck(**data["said"]), int(data.get("year") or 0))
    return data if isinstance(data, str) else str(data)


def _make(msgid: str, params: dict[str, Any]) -> "Step":
    return Step(msgid, **params)


class Step(str):
    """One step: the Chinese sentence, with ``msgid`` and ``params`` to word it elsewhere.

    Examples:
        >>> s = Step(PAYABLE, amount=Money(21_000_000))
        >>> s, s.msgid, s.params["amount"].fen
        ('应兑现 21万元', '应兑现 %(amount)s', 21000000)
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> "Step":
        self = super().__new__(cls, msgid % {k: str(v) for k, v in params.items()} if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self):
        return (_make, (self.msgid, self.params))


# formulas
FIXED = "定额奖励 %(amount)s"
OPTIONAL_ZERO = "%(label)s缺少数据,按0计(可选项)"
MULTIPLY = "%(label)s %(base)s × %(factor)s = %(amount)s"
MULTIPLY_ROUNDED = "%(label)s %(base)s × %(factor)s = %(amount)s(四舍五入到分)"
NEGATIVE_AS_ZERO = "%(value)s(负数按0计)"
MISSING = "缺少数据"
TIER_NONE = "%(label)s %(base)s 未达到最低档 %(lowest)s,奖励 0元"
TIER_REACHED = "%(label)s %(base)s 达到 %(tier)s 档,奖励 %(amount)s"
CASE = "适用情形:%(case)s"
NO_CASE = "无适用情形,奖励 0元"
SUM = "合计 %(parts)s = %(total)s"
ITEMS = "%(label)s%(count)s项:%(parts)s = %(total)s"
ITEMS_LEFT_OUT = "%(label)s%(count)s项:%(parts)s = %(total)s(另有%(left)s项未计入)"
CAPPED = "%(label)s %(limit)s:%(amount)s → %(limit)s"
NOT_ABOVE = "未超过%(label)s %(limit)s"
CAPPED_TO = "不超过%(label)s %(limit)s:%(amount)s → %(limit)s"
INCREASE = "%(label)s = %(year)s年%(indicator)s %(now)s − %(prev)s年 %(before)s = %(diff)s"
YEAR_VALUE = "%(year)s年 %(value)s"
WINDOW_SUM = "%(label)s = %(parts)s = %(total)s"
WINDOW_AVG = "%(label)s = (%(parts)s) ÷ %(n)s = %(avg)s"
# payments remembered, groups, caps
ONCE_PAID = "一次性奖励:已于%(years)s年度兑现%(paid)s,本年度不再兑现"
TOP_UP = "晋级补差:%(gross)s − 已兑现 %(paid)s = %(amount)s"
GROUP = "与同组条款%(rule)s(%(group)s),已按「%(winners)s」兑现,本条不重复兑现"
GROUP_HIGHEST = "就高不重复"
GROUP_PRIORITY = "按序优先适用"
OTHER_CLAUSES = "其他条款"
YEAR_CAP = "本政策单个企业年度累计上限 %(cap)s,本条实付 %(amount)s"
LIFETIME_CAP = "本政策单个企业累计上限 %(cap)s,以往年度已兑现 %(paid)s,本条实付 %(amount)s"
EXCLUSIVE_LOST = "与其他政策同类奖励就高不重复,已按%(name)s兑现,本条不再兑现"
EXCLUSIVE_NAME = "《%(policy)s》「%(clause)s」"
SAME_KIND = "同类奖励"
EXCLUSIVE_TOP_UP = "与其他政策同类奖励就高不重复:本年度已按同类奖励兑现 %(paid)s,本条补差 %(amount)s"
EXCLUSIVE_TIE = "与其他政策的同类奖励金额相同,按政策顺序兑现本条"
PAYABLE_SHARED = "应兑现 %(amount)s,按 %(ratio)s 分担:%(parts)s"
SHARE = "%(level)s %(amount)s"
PAYABLE = "应兑现 %(amount)s"
# the ledger's notes
PAID_FAMILY = "%(years)s年度已兑现%(paid)s(%(kind)s)"
ONCE = "一次性奖励"
TOP_UP_KIND = "晋级补差"
PAID_POLICY = "本政策%(years)s年度已累计兑现%(paid)s,累计上限%(cap)s"
PAID_EXCLUSIVE = "%(year)s年度已按同类奖励兑现%(paid)s(就高不重复)"
# items
ITEM_MISSING = "缺少数据:%(facts)s"
ITEM_FAILS = "不符合:%(reasons)s"
# the answer in brief (ClauseAnswer.summary)
SUMMARY_PAYABLE = "可兑现 %(amount)s"
SUMMARY_PAID = "已兑现,本年度不再兑现"
SUMMARY_STACKED = "符合条件,与同类奖励就高不重复,按其他条款兑现"
SUMMARY_CAPPED = "符合条件,本政策单个企业上限已用完"
SUMMARY_ZERO = "符合条件,但按公式核定金额为0元"
SUMMARY_DECISIVE = "补充%(label)s后即可判定"
SUMMARY_ANY = "暂不符合;满足以下任一即可:%(routes)s"
SUMMARY_NOT = "暂不符合:%(reason)s"
# budget proration
PRORATION_NOTICE = "预算不足,按 %(percent)s 比例核减"
PRORATION_SUMMARY = "资金不足时按比例核减:可用预算 %(available)s ÷ 符合条件的待兑现金额合计 %(demand)s = %(percent)s"
PRORATION_STEP = "本条测算金额 %(amount)s × 核减比例 = %(scaled)s,向下取整到分"
# levels (LevelInfo.message, a bracket's Level.label)
TIER_LABEL = "%(label)s达到%(shown)s"
LEVEL_TIER_BETWEEN = "已达「%(matched)s」档,奖励%(amount)s;再增加%(gap)s可达「%(next)s」档,奖励%(next_amount)s"
LEVEL_TIER_TOP = "已达最高档「%(matched)s」,奖励%(amount)s"
LEVEL_TIER_BELOW = "再增加%(gap)s可达最低档「%(next)s」,奖励%(next_amount)s"
LEVEL_MISSING = "缺少数据:%(label)s"
LEVEL_CASE_BETWEEN = "适用「%(matched)s」,奖励%(amount)s;「%(next)s」奖励%(next_amount)s,还需:%(needs)s"
LEVEL_CASE_TOP = "适用「%(matched)s」,奖励%(amount)s(已是最高档)"
LEVEL_CASE_NEAREST = "最近的档次「%(next)s」奖励%(next_amount)s,还需:%(needs)s"
AMOUNT_OPEN = "视数据核定"
# an 「或」 not met (Choice.label)
CHOICE_ANY = "满足以下条件之一即可"
# a route of an 「或」 (Route.label, also a case's name): labels and values as the rule file
# writes them, the words between them as frames and Words (ADR 0792)
ROUTE_QUAL = "%(word)s%(value)s"
ROUTE_COMPARE = "%(label)s%(word)s%(value)s"
ROUTE_BOUND = "%(label)s%(value)s%(word)s"
ROUTE_VALUE = "%(label)s%(value)s"
ROUTE_KNOWN = "%(label)s有数据"
ROUTE_PARTS = "%(parts)s"
ROUTE_PARTS_MORE = "%(parts)s等"
ROUTE_NOT = "非(%(label)s)"
#: what joins the parts of a route (``Seq`` separators): all of them, any of them
ROUTE_AND = "且"
ROUTE_OR = "或"
# the inputs an answer lacks (InputNeed.message)
NEED_ITEM_FACT = "请补充%(item)s的%(fact)s"
NEED_YEAR = "请补充%(year)s年度%(label)s"
WITH_UNIT = "%(text)s(%(unit)s)"
NEED_QUALIFICATION = "请补充%(label)s的%(what)s(上传认定文件)"
QUAL_STATUS = "资质情况"
QUAL_DATE = "认定日期"
QUAL_FIRST = "首次或重新认定"
NEED_ATTRIBUTE = "请补充%(label)s"

FRAMES = tuple(v for k, v in dict(globals()).items()
               if k.isupper() and isinstance(v, str) and k not in ("FRAMES", "ROUTE_AND", "ROUTE_OR"))
