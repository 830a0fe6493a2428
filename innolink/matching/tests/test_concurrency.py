"""PostgreSQL: concurrent generation bumps (term edits, rebuild jobs in several workers) never
lose an increment, so no process misses a rebuild."""

import threading

import pytest
from django.db import connection, transaction

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.matching import services
from innolink.matching.index import current_generation
from innolink.matching.models import MatchIndexState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_term_adds_each_bump_the_generation():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    staff = make_user(Role.ORGANIZER)
    MatchIndexState.objects.create(pk=1)
    errors = []
    barrier = threading.Barrier(4)

    def add(n):
        try:
            barrier.wait()
            services.techterm_add(actor=staff, term=f"并发术语{n}")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert current_generation() == 4


def test_rebuild_bump_and_term_add_do_not_lose_an_increment():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    staff = make_user(Role.ORGANIZER)
    MatchIndexState.objects.create(pk=1, generation=10)
    barrier = threading.Barrier(2)

    def bump():
        barrier.wait()
        with transaction.atomic():
            services.index_generation_bump(actor=None, note="job", source="test")
        connection.close()

    def term():
        barrier.wait()
        services.techterm_add(actor=staff, term="并发重建")
        connection.close()

    threads = [threading.Thread(target=bump), threading.Thread(target=term)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert current_generation() == 12
