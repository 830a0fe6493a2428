"""A job delivered twice at the same moment (two workers of the Redis option, or a retried
delivery) runs once: it is claimed by one conditional UPDATE, not read and then acted on."""

import threading

import pytest
from django.db import connection, connections
from django.db.models.signals import post_init

from innolink.core.jobs import job_runner, run_job
from innolink.core.models import Job
from innolink.core.testing import run_with_production_settings, sqlite_file_copy

RUNS: list[str] = []


@job_runner("tests.race")
def _race(job, progress):
    RUNS.append(str(job.pk))
    return {"ran": True}


def _deliver_twice_at_once(job_id: str) -> list[str]:
    """Two deliveries in two threads; both hold the job row they read before either acts."""
    barrier = threading.Barrier(2, timeout=3)
    waited: set[int] = set()

    def hold(sender, instance, **kwargs):
        me = threading.get_ident()
        if me not in waited:
            waited.add(me)
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    statuses: list[str] = []

    def deliver():
        try:
            statuses.append(run_job.call(job_id))
        finally:
            connections.close_all()

    post_init.connect(hold, sender=Job)
    try:
        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        post_init.disconnect(hold, sender=Job)
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_run_the_job_once_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the SQLite variant runs in its own process)")
    for _attempt in range(3):
        RUNS.clear()
        job = Job.objects.create(kind="tests.race", title="并发投递")
        statuses = _deliver_twice_at_once(str(job.pk))
        job.refresh_from_db()
        assert RUNS == [str(job.pk)], RUNS
        assert job.status == "succeeded" and len(statuses) == 2


RACE = """
import json, threading
import config.settings.production as prod
import django
django.setup()
from django.db import connections
from django.db.models.signals import post_init
from innolink.core.jobs import job_runner, run_job
from innolink.core.models import Job

runs = []

@job_runner("tests.race")
def race(job, progress):
    runs.append(str(job.pk))

barrier = threading.Barrier(2, timeout=3)
waited = set()

def hold(sender, instance, **kwargs):
    if threading.get_ident() not in waited:
        waited.add(threading.get_ident())
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass

post_init.connect(hold, sender=Job)
statuses = []

def deliver():
    try:
        statuses.append(run_job.call(JOB))
    except Exception as exc:
        statuses.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=deliver) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
post_init.disconnect(hold, sender=Job)
print(json.dumps({"runs": runs, "statuses": statuses,
                  "status": Job.objects.get(pk=JOB).status}))
"""


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_run_the_job_once_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant")
    job = Job.objects.create(kind="tests.race", title="并发投递")
    path = sqlite_file_copy(tmp_path / "jobs.sqlite3")
    out = run_with_production_settings(f"JOB = {str(job.pk)!r}\n" + RACE,
                                       database_url=f"sqlite:///{path}")
    assert out["runs"] == [str(job.pk)], out
    assert out["status"] == "succeeded" and len(out["statuses"]) == 2, out
