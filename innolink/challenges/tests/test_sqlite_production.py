"""The production settings on the embedded database: concurrent writes wait for the lock
instead of answering 500 "database is locked" (config/database.py)."""

import pytest
from django.db import connection

from innolink.challenges.tests.factories import make_challenge, make_researcher
from innolink.core.testing import (production_settings, run_with_production_settings,
                                   sqlite_file_copy)

CLAIMS = """
import json, threading
import config.settings.production as prod
# the test process has no collectstatic manifest; everything else is the production module
prod.STORAGES = {**prod.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
import django
django.setup()
from django.db import connections
from django.test import Client
from innolink.accounts.models import User

users = list(User.objects.filter(username__in=USERNAMES))
barrier = threading.Barrier(len(users))
statuses = []

def claim(user):
    client = Client(raise_request_exception=False)  # a failure is the 500 a user sees
    client.force_login(user)
    connections.close_all()
    barrier.wait()
    response = client.post(f"/challenges/{CHALLENGE}/claim/", {
        "approach": "采用含氟苯并环丁烯单体共聚，降低极化率，并以纳米孔结构进一步降低介电常数。", "team": "李博士", "budget": "180",
        "plan": "第1-6个月合成与表征，第7-18个月中试，第19-24个月客户验证。", "prior_results": "论文 5 篇",
        "ms-0-title": "小试", "ms-0-month": "6", "ms-0-deliverable": "样品"}, secure=True)
    statuses.append(response.status_code)
    connections.close_all()

threads = [threading.Thread(target=claim, args=(u,)) for u in users]
for t in threads:
    t.start()
for t in threads:
    t.join()
from innolink.challenges.models import Proposal
print(json.dumps({"statuses": statuses,
                  "proposals": Proposal.objects.filter(challenge_id=CHALLENGE).count(),
                  "options": connections["default"].settings_dict["OPTIONS"]}, default=str))
"""


def test_production_settings_keep_the_sqlite_options(monkeypatch, tmp_path):
    prod = production_settings(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    options = prod.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]
    postgres = production_settings(monkeypatch)  # other databases get no SQLite options
    assert "transaction_mode" not in postgres.DATABASES["default"].get("OPTIONS", {})


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_claims_on_a_sqlite_file_none_answers_500(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database's locking")
    challenge = make_challenge(state="published", max_claims=10)
    users = [make_researcher() for _ in range(8)]
    path = sqlite_file_copy(tmp_path / "innolink.sqlite3")
    script = (f"USERNAMES = {[u.username for u in users]!r}\nCHALLENGE = {challenge.pk}\n"
              + CLAIMS)
    out = run_with_production_settings(script, database_url=f"sqlite:///{path}")
    assert sorted(out["statuses"]) == [302] * 8, out
    assert out["proposals"] == 8
