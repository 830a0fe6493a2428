"""Matchmaking-event scheduling glue. Pure Python: never imports Django.

The event's invited pairs (an enterprise delegation and a researcher or team) are turned into
the input of the matching engine's CP-SAT scheduler
(:func:`innolink.engines.matching.assign.schedule_meetings`), and its answer is turned into
placements and, for the pairs that could not be placed, a reason that an organizer can act on
(add a slot, add a room, free a participant): a ``core.messages.Message``, the Chinese text
keeping its msgid and values, so the stored reason reads in its reader's language.

Participants are opaque keys (``"e:12"`` for an enterprise delegation, ``"u:7"`` for a person):
one key is in at most one meeting per slot.

Example:
    >>> plan = plan_meetings(
    ...     [MeetingPair(1, "e:1", "u:1"), MeetingPair(2, "e:1", "u:2"),
    ...      MeetingPair(3, "e:2", "u:1")],
    ...     slots=[10, 11], rooms=[100, 101])
    >>> sorted(plan.placements), plan.unplaced
    ([1, 2, 3], {})
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from innolink.core.messages import Message

__all__ = ["MeetingPair", "Placement", "MeetingPlan", "plan_meetings", "check_plan"]


@dataclass(frozen=True)
class MeetingPair:
    """One pair that should meet. ``key`` is the caller's id (the invitation)."""

    key: int
    a: str
    b: str
    priority: int = 1


@dataclass(frozen=True)
class Placement:
    slot: Hashable
    room: Hashable


@dataclass(frozen=True)
class MeetingPlan:
    placements: dict[int, Placement]  # pair key -> (slot, room)
    unplaced: dict[int, Message]  # pair key -> reason (Chinese text keeping msgid and values)
    optimal: bool
    status: str
    capacity: int = 0  # slots x rooms


def _label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key, key)


def plan_meetings(
    pairs: Sequence[MeetingPair],
    *,
    slots: Sequence[Hashable],
    rooms: Sequence[Hashable],
    unavailable: Mapping[str, Iterable[Hashable]] | None = None,
    labels: Mapping[str, str] | None = None,
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> MeetingPlan:
    """Place every pair in a (slot, room) so nobody is in two meetings at once and no slot
    holds more meetings than rooms; the engine maximises the priority-weighted number of placed
    pairs, so every pair gets a slot whenever a complete schedule exists.

    Example:
        >>> p = plan_meetings([MeetingPair(5, "e:1", "u:1")], slots=[1], rooms=["A"],
        ...                   unavailable={"u:1": [1]}, labels={"u:1": "陈博士", "e:1": "安踏"})
        >>> p.placements, p.unplaced[5]
        ({}, '安踏与陈博士没有共同的可参会时段')
    """
    labels = labels or {}
    blocked = {k: set(v) for k, v in (unavailable or {}).items()}
    keys = [p.key for p in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("pair keys must be unique")
    if not pairs:
        return MeetingPlan({}, {}, True, "EMPTY", len(slots) * len(rooms))
    if not slots or not rooms:
        missing = Message("活动尚未设置时段") if not slots else Message("活动尚未设置会议室")
        return MeetingPlan({}, {p.key: missing for p in pairs}, True, "NO_CAPACITY")

    from innolink.engines.matching.assign import schedule_meetings

    result = schedule_meetings(
        [(p.a, p.b) for p in pairs], list(slots), list(rooms),
        priority=[max(0, int(p.priority)) for p in pairs], unavailable=blocked,
        time_limit_s=time_limit_s, seed=seed,
    )
    placements = {pairs[i].key: Placement(slot, room) for i, (slot, room) in result.slots.items()}

    # Reasons, in the organizer's terms: the first obstacle that explains the gap.
    demand: Counter[str] = Counter()
    for p in pairs:
        demand[p.a] += 1
        demand[p.b] += 1
    free = {k: [s for s in slots if s not in blocked.get(k, ())] for k in demand}
    unplaced: dict[int, Message] = {}
    for p in pairs:
        if p.key in placements:
            continue
        a, b = _label(labels, p.a), _label(labels, p.b)
        common = [s for s in free[p.a] if s not in blocked.get(p.b, ())]
        if not common:
            unplaced[p.key] = Message("%(a)s与%(b)s没有共同的可参会时段", a=a, b=b)
            continue
        crowded = [(k, demand[k], len(free[k])) for k in (p.a, p.b) if demand[k] > len(free[k])]
        if crowded:
            k, need, have = crowded[0]
            unplaced[p.key] = Message("%(who)s需参加 %(need)s 场洽谈，但只有 %(have)s 个可参会时段",
                                      who=_label(labels, k), need=need, have=have)
        elif len(pairs) > len(slots) * len(rooms):
            unplaced[p.key] = Message("洽谈共 %(pairs)s 场，超过 %(slots)s 个时段 × %(rooms)s 间会议室"
                                      "的容量 %(capacity)s 场", pairs=len(pairs), slots=len(slots),
                                      rooms=len(rooms), capacity=len(slots) * len(rooms))
        elif not result.optimal and result.status not in ("OPTIMAL",):
            unplaced[p.key] = Message("排程在时限内未找到可行安排，请减少洽谈或增加时段后重试")
        else:
            unplaced[p.key] = Message("%(a)s与%(b)s的共同可参会时段均已被双方的其他洽谈或会议室"
                                      "占满；增加时段或会议室可以安排", a=a, b=b)
    plan = MeetingPlan(placements, unplaced, result.optimal, result.status,
                       len(slots) * len(rooms))
    check_plan(plan, pairs, rooms=rooms, unavailable=blocked)
    return plan


def check_plan(plan: MeetingPlan, pairs: Sequence[MeetingPair], *, rooms: Sequence[Hashable],
               unavailable: Mapping[str, Iterable[Hashable]] | None = None) -> None:
    """Raise ``AssertionError`` unless the plan is valid: nobody in two meetings in one slot,
    no room used twice in a slot, at most ``len(rooms)`` meetings per slot, nobody placed in a
    slot they are unavailable, and every pair either placed or listed with a reason."""
    blocked = {k: set(v) for k, v in (unavailable or {}).items()}
    by_key = {p.key: p for p in pairs}
    busy: set[tuple[str, Hashable]] = set()
    used: set[tuple[Hashable, Hashable]] = set()
    per_slot: defaultdict[Hashable, int] = defaultdict(int)
    for key, place in plan.placements.items():
        p = by_key[key]
        per_slot[place.slot] += 1
        if place.room not in rooms:
            raise AssertionError(f"unknown room {place.room!r}")
        if (place.slot, place.room) in used:
            raise AssertionError(f"room {place.room!r} used twice in slot {place.slot!r}")
        used.add((place.slot, place.room))
        for person in {p.a, p.b}:
            if (person, place.slot) in busy:
                raise AssertionError(f"{person} is double-booked in slot {place.slot!r}")
            if place.slot in blocked.get(person, ()):
                raise AssertionError(f"{person} is unavailable in slot {place.slot!r}")
            busy.add((person, place.slot))
    for slot, n in per_slot.items():
        if n > len(rooms):
            raise AssertionError(f"slot {slot!r} has {n} meetings but only {len(rooms)} rooms")
    missing = set(by_key) - set(plan.placements) - set(plan.unplaced)
    if missing:
        raise AssertionError(f"pairs neither placed nor explained: {sorted(missing)}")
