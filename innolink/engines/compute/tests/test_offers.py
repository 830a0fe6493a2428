import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from innolink.engines.compute import Offer, Workload, occupancy, plan, plan_reference, rank

DAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize("seed", range(40))
def test_plan_equals_the_reference_on_random_calendars(seed):
    rng = np.random.default_rng(seed)
    days = int(rng.integers(3, 30))
    total = int(rng.choice([4, 8, 16, 32]))
    free = rng.integers(0, total + 1, days + 10)
    w = Workload(card_hours=int(rng.integers(10, total * 24 * days)), kind="training",
                 accelerator_class="any", earliest=DAY + dt.timedelta(days=int(rng.integers(0, 5))),
                 deadline=DAY + dt.timedelta(days=int(rng.integers(5, days + 5))),
                 residency="domestic")
    o = Offer(1, "A800", "training", 80, total, Decimal("9.90"), "jinjiang", DAY, free)
    assert plan(w, o) == plan_reference(w, o)


def test_occupancy_subtracts_bookings_inside_windows():
    free = occupancy(8, DAY, 10, [(DAY, DAY + dt.timedelta(days=4)),
                                  (DAY + dt.timedelta(days=7), DAY + dt.timedelta(days=20))],
                     [(DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2), 3),
                      (DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=8), 6)])
    assert free.tolist() == [8, 5, 0, 2, 2, 0, 0, 2, 2, 8]


def test_rank_orders_by_price_and_fit_and_says_why_others_miss():
    w = Workload(card_hours=960, kind="fine_tuning", accelerator_class="training",
                 earliest=DAY, deadline=DAY + dt.timedelta(days=9), residency="quanzhou",
                 min_memory_gb=64)
    full = np.full(10, 8, np.int64)
    offers = [
        Offer(1, "A800", "training", 80, 8, Decimal("14.00"), "jinjiang", DAY, full),
        Offer(2, "昇腾910B", "training", 64, 8, Decimal("9.50"), "quanzhou", DAY, full),
        Offer(3, "L40S", "inference", 48, 8, Decimal("5.00"), "jinjiang", DAY, full),
        Offer(4, "H800", "training", 80, 8, Decimal("8.00"), "fujian", DAY, full),
        Offer(5, "A800", "training", 80, 8, Decimal("7.00"), "jinjiang", DAY, np.zeros(10)),
    ]
    ranked = rank(w, offers)
    assert [r.offer.id for r in ranked if r.fits] == [2, 1]
    assert ranked[0].plan.cost == Decimal("9120.00")
    assert any("本次候选中最低" in reason for reason in ranked[0].reasons)
    misses = {r.offer.id: r.misses for r in ranked if not r.fits}
    assert "训练级" in misses[3][0] and "显存" in misses[3][1]
    assert "数据驻留" in misses[4][0]
    assert "空闲卡不足" in misses[5][0]
