"""Which compute offers fit a workload, when and with how many cards, ranked by price and fit.

A workload needs ``card_hours`` between ``earliest`` and ``deadline`` on an accelerator of a class
(training / inference / any) with at least ``min_memory_gb`` per card, stored no farther than its
data-residency limit. An offer is a provider's resource: its accelerator, cards in total, price
per card-hour, region, and free cards per day (availability windows minus bookings).

``plan`` finds the earliest-finishing booking on one offer (for each duration d, the cards needed
are ⌈card_hours / 24d⌉ and a sliding-window minimum over the free cards finds the first start
where that many are free every day); ``rank`` keeps the offers that fit and orders them by a score
of price (cheapest = 1) and fit, each with its reasons; offers that do not fit come back with the
reason why. ``plan_reference`` is the slow, obviously correct search the tests compare with.

Examples:
    >>> import datetime as dt
    >>> day = dt.date(2026, 12, 1)
    >>> w = Workload(card_hours=480, kind="training", accelerator_class="training",
    ...              earliest=day, deadline=day + dt.timedelta(days=9), residency="fujian")
    >>> o = Offer(1, "A800", "training", 80, 16, Decimal("12.50"), "jinjiang", day,
    ...           np.full(10, 16, np.int32))
    >>> p = plan(w, o)
    >>> (p.cards, p.days, p.start.isoformat(), str(p.cost))
    (10, 2, '2026-12-01', '6000.00')
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

HOURS_PER_DAY = 24
MAX_WINDOW_DAYS = 92
CENT = Decimal("0.01")

#: accelerator models offered on the platform: class and memory per card (GB)
ACCELERATORS: dict[str, tuple[str, int]] = {
    "A800": ("training", 80),
    "H800": ("training", 80),
    "昇腾910B": ("training", 64),
    "L40S": ("inference", 48),
    "A10": ("inference", 24),
    "昇腾310P": ("inference", 24),
    "RTX 4090": ("inference", 24),
}
CLASSES = {"training": "训练级", "inference": "推理级", "any": "不限"}
KINDS = {"training": "模型训练", "fine_tuning": "模型微调", "inference": "推理服务"}
#: data-residency regions, nearest first; an offer fits when its region is at or inside the limit
REGIONS = {"jinjiang": "晋江本地", "quanzhou": "泉州市内", "fujian": "福建省内",
           "domestic": "境内"}
_REGION_RANK = {code: i for i, code in enumerate(REGIONS)}


@dataclass(frozen=True)
class Workload:
    card_hours: int
    kind: str
    accelerator_class: str  # training | inference | any
    earliest: dt.date
    deadline: dt.date
    residency: str  # the farthest region the data may be processed in
    min_memory_gb: int = 0

    @property
    def days(self) -> int:
        return (self.deadline - self.earliest).days + 1


@dataclass(frozen=True)
class Offer:
    id: int
    accelerator: str
    accelerator_class: str
    memory_gb: int
    total_cards: int
    price: Decimal  # yuan per card-hour
    region: str
    first_day: dt.date  # the day ``free[0]`` describes
    free: np.ndarray  # free cards per day (0 outside availability windows)
    label: str = ""


@dataclass(frozen=True)
class Plan:
    start: dt.date
    days: int
    cards: int
    card_hours: int
    cost: Decimal

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Ranked:
    offer: Offer
    plan: Plan | None
    score: float
    reasons: tuple[str, ...]
    misses: tuple[str, ...] = field(default=())

    @property
    def fits(self) -> bool:
        return self.plan is not None


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _free_in_window(w: Workload, o: Offer) -> np.ndarray:
    """Free cards on each day of the workload's window (0 where the offer says nothing)."""
    out = np.zeros(w.days, np.int64)
    offset = (w.earliest - o.first_day).days
    lo, hi = max(offset, 0), min(offset + w.days, len(o.free))
    if lo < hi:
        out[lo - offset:hi - offset] = o.free[lo:hi]
    return out


def plan(w: Workload, o: Offer) -> Plan | None:
    """The booking on ``o`` that finishes first (then uses the fewest cards), or None."""
    free = _free_in_window(w, o)
    best = None
    for days in range(1, w.days + 1):
        cards = math.ceil(w.card_hours / (HOURS_PER_DAY * days))
        if cards > o.total_cards:
            continue
        lows = np.lib.stride_tricks.sliding_window_view(free, days).min(axis=1)
        starts = np.flatnonzero(lows >= cards)
        if not len(starts):
            continue
        start = int(starts[0])
        key = (start + days, cards)
        if best is None or key < best[0]:
            best = (key, start, days, cards)
    if best is None:
        return None
    _key, start, days, cards = best
    return Plan(w.earliest + dt.timedelta(days=start), days, cards, w.card_hours,
                money(o.price * w.card_hours))


def plan_reference(w: Workload, o: Offer) -> Plan | None:
    """Every (start, days) pair, one day at a time."""
    free = _free_in_window(w, o).tolist()
    best = None
    for start in range(w.days):
        for days in range(1, w.days - start + 1):
            cards = -(-w.card_hours // (HOURS_PER_DAY * days))
            if cards > o.total_cards:
                continue
            if all(free[d] >= cards for d in range(start, start + days)):
                key = (start + days, cards)
                if best is None or key < best[0]:
                    best = (key, start, days, cards)
    if best is None:
        return None
    _key, start, days, cards = best
    return Plan(w.earliest + dt.timedelta(days=start), days, cards, w.card_hours,
                money(o.price * w.card_hours))


def check(w: Workload, o: Offer) -> list[str]:
    """Why ``o`` cannot serve ``w`` at all (empty when it might)."""
    misses = []
    if w.accelerator_class == "training" and o.accelerator_class != "training":
        misses.append(f"{o.accelerator} 为{CLASSES[o.accelerator_class]}加速卡，工作负载需要训练级")
    if w.accelerator_class == "inference" and o.accelerator_class not in ("inference", "training"):
        misses.append(f"{o.accelerator} 不适合推理")
    if o.memory_gb < w.min_memory_gb:
        misses.append(f"单卡显存 {o.memory_gb}GB，低于要求的 {w.min_memory_gb}GB")
    if _REGION_RANK.get(o.region, 99) > _REGION_RANK.get(w.residency, -1):
        misses.append(f"数据处理地在{REGIONS.get(o.region, o.region)}，超出「{REGIONS.get(w.residency, w.residency)}」的数据驻留要求")
    return misses


def rank(w: Workload, offers: list[Offer]) -> list[Ranked]:
    """Fitting offers first, best score first; then the others with their reasons.

    score = 0.6 × (cheapest cost / this cost) + 0.4 × fit, where fit starts at 1 and loses
    0.4 × (days until finish / window), 0.2 for a training card on an inference workload
    (paying for capacity it does not need) and 0.1 when the data leaves Jinjiang."""
    if w.days < 1:
        raise ValueError("deadline before earliest start")
    if w.days > MAX_WINDOW_DAYS:
        raise ValueError(f"window longer than {MAX_WINDOW_DAYS} days")
    fitting, others = [], []
    for o in offers:
        misses = check(w, o)
        p = None if misses else plan(w, o)
        if p is None:
            if not misses:
                misses = [f"{w.earliest:%m-%d} 至 {w.deadline:%m-%d} 期间空闲卡不足以完成 {w.card_hours} 卡时"]
            others.append(Ranked(o, None, 0.0, (), tuple(misses)))
        else:
            fitting.append((o, p))
    if not fitting:
        return others
    cheapest = min(p.cost for _o, p in fitting)
    out = []
    for o, p in fitting:
        finish = (p.end - w.earliest).days + 1
        fit = 1.0 - 0.4 * finish / w.days
        reasons = [f"{o.accelerator}（{CLASSES[o.accelerator_class]}，单卡 {o.memory_gb}GB）"
                   f"满足{KINDS.get(w.kind, w.kind)}需要"]
        if w.accelerator_class != "training" and o.accelerator_class == "training":
            fit -= 0.2
            reasons.append("训练级加速卡用于推理，性能有富余但单价较高")
        if o.region != "jinjiang":
            fit -= 0.1
        reasons.append(f"数据处理地在{REGIONS[o.region]}，符合「{REGIONS[w.residency]}」的数据驻留要求")
        reasons.append(f"{p.start:%Y-%m-%d} 起 {p.cards} 卡 × {p.days} 天，"
                       f"{p.end:%m-%d} 前完成 {p.card_hours} 卡时")
        price_note = "，本次候选中最低" if p.cost == cheapest else ""
        reasons.append(f"单价 {o.price} 元/卡时，预计 {p.cost} 元{price_note}")
        score = 0.6 * float(cheapest / p.cost if p.cost else 1) + 0.4 * max(fit, 0.0)
        out.append(Ranked(o, p, round(score, 4), tuple(reasons)))
    out.sort(key=lambda r: (-r.score, r.plan.cost, r.offer.id))
    return out + others


def occupancy(total_cards: int, first_day: dt.date, days: int,
              windows: list[tuple[dt.date, dt.date]],
              bookings: list[tuple[dt.date, dt.date, int]]) -> np.ndarray:
    """Free cards per day from ``first_day``: total inside availability windows, minus the cards
    of every booking on that day (never below 0)."""
    free = np.zeros(days, np.int64)
    for start, end in windows:
        lo, hi = (start - first_day).days, (end - first_day).days + 1
        free[max(lo, 0):max(min(hi, days), 0)] = total_cards
    used = np.zeros(days + 1, np.int64)
    for start, end, cards in bookings:
        lo, hi = (start - first_day).days, (end - first_day).days + 1
        lo, hi = max(lo, 0), min(hi, days)
        if lo < hi:
            used[lo] += cards
            used[hi] -= cards
    return np.maximum(free - np.cumsum(used)[:days], 0)
