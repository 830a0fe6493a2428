"""Request text as tokens, with the desk's own frozen tokenizer settings (one per process).

The desk uses the matching engine's ``Tokenizer`` class but none of its tunable lists: no
packaged technical terms (``dictionary=False``), no listing boilerplate (``listing=False``),
no compound sub-words (``parts=False``), and its own copy of the function words
(``data/function_words.txt``). So tuning the matcher's vocabulary cannot move routing; the
settings and a digest of the labelled set's tokens are pinned in ``tests/test_text.py``
(ADR 0420). The settings were chosen on the labelled set's training split only
(``bench/servicedesk.py --tune``: validation by held-out wording).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from innolink.engines.matching import Tokenizer
from innolink.enterprises.reference import TOWN_NAMES

FUNCTION_WORDS_FILE = Path(__file__).with_name("data") / "function_words.txt"

#: the desk's tokenizer settings (ADR 0420); tests/test_text.py pins them
TOKENIZER_SETTINGS = {"dictionary": False, "listing": False, "hmm": True, "parts": False}

#: words every request uses, and place names: they say nothing about which department owns it
DESK_STOPWORDS = frozenset({
    "企业", "公司", "我司", "我们", "希望", "请求", "协调", "解决", "问题", "反映", "帮助", "能否",
    "尽快", "相关", "部门", "目前", "情况", "需要", "进行", "要求", "是否", "办理", "有限公司",
    "街道", "镇街", "晋江", "来电", "来电人", "诉求", "走访", "负责人", "提出", "已经", "一家",
    "代表", "座谈会", "恳谈会", "接访",
}) | TOWN_NAMES | frozenset(f"{t}镇" for t in TOWN_NAMES)


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """The desk's frozen function-word list (particles, pronouns, boilerplate verbs)."""
    words = set()
    for line in FUNCTION_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.lower())
    return frozenset(words)


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    return Tokenizer(stopwords=function_words(), dictionary=TOKENIZER_SETTINGS["dictionary"],
                     listing=TOKENIZER_SETTINGS["listing"], hmm=TOKENIZER_SETTINGS["hmm"])


def tokens(text: str) -> list[str]:
    """The request's words, without the words every request uses and single characters."""
    raw = tokenizer().tokenize(text or "", parts=TOKENIZER_SETTINGS["parts"])
    return [t for t in raw if len(t) > 1 and t not in DESK_STOPWORDS]


#: words requests use to ask and to stress, whatever they are about: left out of the hot topics
TOPIC_STOPWORDS = frozenset({
    "影响", "给予", "现场", "看一看", "几家", "咨询", "多次", "结果", "指导", "支持", "答复", "明确",
    "专人", "对接", "跟进", "非常", "着急", "交货", "下个月", "园区", "类似", "员工", "订单", "生产",
    "正常", "年产值", "停滞", "恳请", "告知", "了解", "政策", "一直", "没有", "迟迟", "怎么", "哪些",
    "条件", "申请", "申报", "材料", "流程", "万元", "个月", "已告知", "相关部门", "转相关", "拖了",
    "还有", "帮忙", "日上", "一下", "时候", "不能", "不知道", "希望有", "领导", "就要", "有没有",
    "亿元", "太低", "一个", "多少", "好几个", "太慢", "太多", "太久", "能不能",
})


def topic_terms(text: str) -> list[str]:
    """The words that say what a request is about, for the hot topics."""
    return [t for t in tokens(text) if t not in TOPIC_STOPWORDS and not t[0].isdigit()]
