"""Concurrent bookings against the last free cards: exactly one wins (PostgreSQL row locks).

    scripts/with-postgres .venv/bin/python -m pytest innolink/compute -q
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from innolink.accounts.roles import Role
from innolink.compute import services
from innolink.compute.models import Booking
from innolink.compute.tests.conftest import provider_user, workload
from innolink.core.errors import Conflict
from innolink.enterprises.testing import make_enterprise, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _parallel(fns):
    barrier = threading.Barrier(len(fns))
    outcomes = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            outcomes[i] = fn()
        except Exception as exc:  # collected and asserted below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_last_free_cards_go_to_exactly_one(today):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    provider = provider_user()
    resource = services.resource_save(
        actor=provider, name="A800", accelerator="A800", cards_per_node=8, nodes=1,
        memory_gb=80, price="12.00", region="jinjiang",
        windows=[(today, today + dt.timedelta(days=10))])
    users = [make_user(Role.ENTERPRISE, enterprise=make_enterprise()) for _ in range(6)]
    # every request needs all 8 cards for the only 2 days its window allows
    requests = [workload(u, today, card_hours=8 * 24 * 2, deadline=today + dt.timedelta(days=1))
                for u in users]
    outcomes = _parallel([
        (lambda u=u, r=r: services.booking_create(actor=u, request_id=r.pk,
                                                  resource_id=resource.pk))
        for u, r in zip(users, requests)])
    won = [o for o in outcomes if isinstance(o, Booking)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 5, outcomes
    assert all(o.code == "capacity_taken" for o in lost)
    assert Booking.objects.filter(resource=resource).count() == 1
