"""Two handlers signing the same request at the same moment: exactly one wins, the other is told
it has been signed, and it is counted once.

Needs PostgreSQL (row locks); run with
    scripts/with-postgres .venv/bin/python -m pytest innolink/servicedesk -q
"""

import threading

import pytest
from django.db import connection, connections

from innolink.accounts.models import Department
from innolink.accounts.roles import Role
from innolink.core.errors import Conflict
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.servicedesk import services
from innolink.servicedesk.models import Category, RateCounter, RequestEvent, RoutingRule, Status

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


def test_two_handlers_sign_at_once_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    department = Department.objects.create(code="zrzyj", name="自然资源局")
    RoutingRule.objects.create(category=Category.objects.get(code="land"), lead=department)
    handlers = [make_user(Role.DEPT_HANDLER, department=department) for _ in range(2)]
    for round_ in range(5):
        request = services.request_create(enterprise=make_enterprise(), channel="online",
                                          category="land", description=f"产权证办不下来{round_}",
                                          actor=None)
        outcomes = _parallel([lambda h=h: services.request_sign(actor=h, request_id=request.pk)
                              for h in handlers])
        won = [o for o in outcomes if not isinstance(o, Exception)]
        lost = [o for o in outcomes if isinstance(o, Exception)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert isinstance(lost[0], Conflict) and lost[0].code == "already_signed"
        request.refresh_from_db()
        assert request.status == Status.HANDLING
        assert RequestEvent.objects.filter(request=request, kind="signed").count() == 1
    assert sum(RateCounter.objects.values_list("sign_total", flat=True)) == 5


def test_parallel_creates_never_lose_a_counter():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    department = Department.objects.create(code="zrzyj", name="自然资源局")
    RoutingRule.objects.create(category=Category.objects.get(code="land"), lead=department)
    company = make_enterprise()
    outcomes = _parallel([
        (lambda i=i: services.request_create(enterprise=company, channel="online",
                                             category="land", description=f"用地问题{i}",
                                             actor=None)) for i in range(8)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(RateCounter.objects.values_list("received", flat=True)) == 8
