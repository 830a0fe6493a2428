"""China's 14 meteorological disaster warning signals (气象灾害预警信号) and their colour levels.

Each kind has the levels its national definition gives it (中国气象局令第16号《气象灾害预警信号发布
与传播办法》, 2007): 台风, 暴雨, 暴雪, 寒潮 and 大风 have all four; 沙尘暴, 高温, 雷电, 大雾 and
道路结冰 have yellow to red; 干旱 and 冰雹 orange and red; 霜冻 blue to orange; 霾 yellow and orange.
Levels are ordered 蓝 (IV, 一般) < 黄 (III, 较重) < 橙 (II, 严重) < 红 (I, 特别严重).

Signal codes follow the common two-digit scheme of Chinese warning feeds: kind code + level code,
e.g. ``0104`` = 台风红色 (kinds 01–14 in the order below, levels 01 蓝 … 04 红).

Examples:
    >>> SIGNALS["台风"].levels
    ('蓝', '黄', '橙', '红')
    >>> parse_signal_code("0104")
    ('台风', '红')
    >>> parse_signal_text("晋江市气象台发布台风红色预警信号")
    ('台风', '红')
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("蓝", "黄", "橙", "红")
LEVEL_RANK = {level: i + 1 for i, level in enumerate(LEVELS)}  # 蓝 1 … 红 4
LEVEL_NAMES_EN = {"蓝": "blue", "黄": "yellow", "橙": "orange", "红": "red"}
#: CAP <severity> that goes with each colour (Ⅳ Minor … Ⅰ Extreme)
LEVEL_SEVERITY = {"蓝": "Minor", "黄": "Moderate", "橙": "Severe", "红": "Extreme"}


@dataclass(frozen=True)
class Signal:
    code: str  # two digits, 01–14
    kind: str  # 台风 …
    english: str
    levels: tuple[str, ...]


SIGNALS: dict[str, Signal] = {s.kind: s for s in (
    Signal("01", "台风", "typhoon", ("蓝", "黄", "橙", "红")),
    Signal("02", "暴雨", "rainstorm", ("蓝", "黄", "橙", "红")),
    Signal("03", "暴雪", "snowstorm", ("蓝", "黄", "橙", "红")),
    Signal("04", "寒潮", "cold wave", ("蓝", "黄", "橙", "红")),
    Signal("05", "大风", "gale", ("蓝", "黄", "橙", "红")),
    Signal("06", "沙尘暴", "sandstorm", ("黄", "橙", "红")),
    Signal("07", "高温", "heat wave", ("黄", "橙", "红")),
    Signal("08", "干旱", "drought", ("橙", "红")),
    Signal("09", "雷电", "lightning", ("黄", "橙", "红")),
    Signal("10", "冰雹", "hail", ("橙", "红")),
    Signal("11", "霜冻", "frost", ("蓝", "黄", "橙")),
    Signal("12", "大雾", "heavy fog", ("黄", "橙", "红")),
    Signal("13", "霾", "haze", ("黄", "橙")),
    Signal("14", "道路结冰", "road icing", ("黄", "橙", "红")),
)}
KINDS = tuple(SIGNALS)
_BY_CODE = {s.code: s for s in SIGNALS.values()}


class SignalError(ValueError):
    """An unknown signal: ``msgid`` (a Chinese %-format) and ``params``, like ``CapError``."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


def check_signal(kind: str, level: str) -> tuple[str, str]:
    """``(kind, level)`` if the kind exists and defines that colour, else ``SignalError``.

    Examples:
        >>> check_signal("霜冻", "红")
        Traceback (most recent call last):
        ...
        innolink.engines.weather.signals.SignalError: 霜冻预警信号没有红色级别（只有蓝、黄、橙色）
    """
    signal = SIGNALS.get(kind)
    if signal is None:
        raise SignalError("未知的预警信号种类：%(kind)s", kind=kind)
    if level not in signal.levels:
        raise SignalError("%(kind)s预警信号没有%(level)s色级别（只有%(levels)s色）", kind=kind, level=level,
                          levels="、".join(signal.levels))
    return kind, level


def parse_signal_code(code: str) -> tuple[str, str]:
    code = (code or "").strip()
    if len(code) != 4 or not code.isdigit():
        raise SignalError("预警信号代码应为4位数字：%(code)s", code=code)
    signal = _BY_CODE.get(code[:2])
    level_index = int(code[2:]) - 1
    if signal is None or not 0 <= level_index < len(LEVELS):
        raise SignalError("未知的预警信号代码：%(code)s", code=code)
    return check_signal(signal.kind, LEVELS[level_index])


def signal_code(kind: str, level: str) -> str:
    check_signal(kind, level)
    return SIGNALS[kind].code + f"{LEVEL_RANK[level]:02d}"


def parse_signal_text(text: str) -> tuple[str, str]:
    """Kind and colour from an event text such as 「台风红色预警」 or 「霾橙色预警信号」."""
    text = text or ""
    # longest kind names first, so 沙尘暴 is not read as a shorter name
    for kind in sorted(KINDS, key=len, reverse=True):
        for level in LEVELS:
            if f"{kind}{level}色" in text:
                return check_signal(kind, level)
    raise SignalError("无法从事件名称识别预警信号：%(text)s", text=text[:40])
