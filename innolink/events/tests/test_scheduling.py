"""The scheduling glue against a brute-force reference on small instances: nobody is ever
double-booked, and every pair is placed whenever a complete schedule exists."""

from __future__ import annotations

import itertools
import random

import pytest

from innolink.events.scheduling import MeetingPair, MeetingPlan, Placement, check_plan, plan_meetings


def brute_force_max(pairs, slots, rooms, unavailable):
    """The most pairs any valid schedule places (try every slot-or-nothing per pair)."""
    best = 0
    for choice in itertools.product([None, *slots], repeat=len(pairs)):
        busy, per_slot, ok = set(), {}, True
        for p, slot in zip(pairs, choice):
            if slot is None:
                continue
            for person in (p.a, p.b):
                if (person, slot) in busy or slot in unavailable.get(person, ()):
                    ok = False
                busy.add((person, slot))
            per_slot[slot] = per_slot.get(slot, 0) + 1
            if per_slot[slot] > len(rooms):
                ok = False
            if not ok:
                break
        if ok:
            best = max(best, sum(s is not None for s in choice))
    return best


def random_instance(rng: random.Random):
    enterprises = [f"e:{i}" for i in range(rng.randint(1, 3))]
    people = [f"u:{i}" for i in range(rng.randint(1, 4))]
    all_pairs = [(e, u) for e in enterprises for u in people]
    chosen = rng.sample(all_pairs, rng.randint(1, min(6, len(all_pairs))))
    pairs = [MeetingPair(key=100 + i, a=e, b=u) for i, (e, u) in enumerate(chosen)]
    slots = list(range(rng.randint(1, 3)))
    rooms = [f"R{i}" for i in range(rng.randint(1, 2))]
    unavailable = {p: {s for s in slots if rng.random() < 0.2} for p in enterprises + people}
    return pairs, slots, rooms, unavailable


@pytest.mark.parametrize("seed", range(60))
def test_matches_brute_force_on_small_instances(seed):
    # given a random small event
    pairs, slots, rooms, unavailable = random_instance(random.Random(seed))
    # when it is scheduled
    plan = plan_meetings(pairs, slots=slots, rooms=rooms, unavailable=unavailable)
    # then the plan is valid (nobody double-booked, rooms respected, availability respected)
    check_plan(plan, pairs, rooms=rooms, unavailable=unavailable)
    # and as many pairs are placed as any schedule could place
    best = brute_force_max(pairs, slots, rooms, unavailable)
    assert len(plan.placements) == best
    if best == len(pairs):
        assert plan.unplaced == {}
    assert all(reason for reason in plan.unplaced.values())


def test_every_pair_placed_when_a_full_schedule_exists():
    # given 3 enterprises x 3 researchers, all must meet, 3 slots and 3 rooms (a Latin square)
    pairs = [MeetingPair(i, f"e:{e}", f"u:{u}")
             for i, (e, u) in enumerate(itertools.product(range(3), range(3)))]
    plan = plan_meetings(pairs, slots=[1, 2, 3], rooms=["A", "B", "C"])
    assert len(plan.placements) == 9 and plan.unplaced == {}
    check_plan(plan, pairs, rooms=["A", "B", "C"])


def test_reason_when_no_common_slot():
    pairs = [MeetingPair(1, "e:1", "u:1")]
    plan = plan_meetings(pairs, slots=[1, 2], rooms=["A"], unavailable={"e:1": [1], "u:1": [2]},
                         labels={"e:1": "恒安纸业", "u:1": "陈博士"})
    assert plan.placements == {}
    assert plan.unplaced == {1: "恒安纸业与陈博士没有共同的可参会时段"}


def test_reason_when_a_participant_has_too_many_meetings():
    pairs = [MeetingPair(i, "e:1", f"u:{i}") for i in range(3)]
    plan = plan_meetings(pairs, slots=[1, 2], rooms=["A", "B"], labels={"e:1": "安踏"})
    assert len(plan.placements) == 2
    (reason,) = plan.unplaced.values()
    assert reason == "安踏需参加 3 场洽谈，但只有 2 个可参会时段"


def test_reason_when_rooms_are_the_bottleneck():
    pairs = [MeetingPair(i, f"e:{i}", f"u:{i}") for i in range(3)]
    plan = plan_meetings(pairs, slots=[1], rooms=["A", "B"])
    assert len(plan.placements) == 2
    assert list(plan.unplaced.values()) == ["洽谈共 3 场，超过 1 个时段 × 2 间会议室的容量 2 场"]


def test_no_slots_or_rooms_explained():
    pairs = [MeetingPair(1, "e:1", "u:1")]
    assert plan_meetings(pairs, slots=[], rooms=["A"]).unplaced == {1: "活动尚未设置时段"}
    assert plan_meetings(pairs, slots=[1], rooms=[]).unplaced == {1: "活动尚未设置会议室"}


def test_priority_decides_who_gets_the_last_slot():
    pairs = [MeetingPair(1, "e:1", "u:1", priority=1), MeetingPair(2, "e:1", "u:2", priority=5)]
    plan = plan_meetings(pairs, slots=[1], rooms=["A"])
    assert list(plan.placements) == [2] and list(plan.unplaced) == [1]


def test_check_plan_catches_double_booking():
    pairs = [MeetingPair(1, "e:1", "u:1"), MeetingPair(2, "e:1", "u:2")]
    bad = MeetingPlan({1: Placement(1, "A"), 2: Placement(1, "B")}, {}, True, "X")
    with pytest.raises(AssertionError, match="double-booked"):
        check_plan(bad, pairs, rooms=["A", "B"])
    unexplained = MeetingPlan({1: Placement(1, "A")}, {}, True, "X")
    with pytest.raises(AssertionError, match="neither placed nor explained"):
        check_plan(unexplained, pairs, rooms=["A"])


def test_pure_modules_do_not_import_django():
    import subprocess
    import sys

    code = ("import sys, innolink.events.scheduling, innolink.events.judging;"
            "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) "
            "else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
