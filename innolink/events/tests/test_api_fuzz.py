"""Fuzz the events API operations with schemathesis as a reviewer with a real assignment (the
platform-wide fuzz in tests/test_api_fuzz.py covers staff and enterprise users): whatever the
input, never a 5xx, every 4xx in the one error shape."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.tests.conftest import EVENT_DATE
from innolink.events.tests.factories import make_proposal, make_reviewer

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # its file starts first (decision 0797)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_events_api_never_answers_5xx_to_a_reviewer():
    staff = make_user(Role.ORGANIZER)
    user = make_reviewer()
    event = services.event_create(actor=staff, title="对接会", date=EVENT_DATE, venue="晋江")
    proposal = make_proposal()
    services.invitation_create(actor=staff, event=event, proposal=proposal)
    rnd = services.round_create(actor=staff, title="决赛", reviewers_per_entry=1)
    services.round_entries_add(actor=staff, round=rnd, proposals=[proposal])
    services.round_reviewers_add(actor=staff, round=rnd,
                                 reviewers=[user])
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    _token, plain = api_token_create(user=user, name="fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/api/events")]
    assert len(operations) >= 20
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=2, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {plain}"})
            if response.status_code >= 500:
                failures.append((operation.label, response.status_code, case.path_parameters,
                                 case.body, response.text[:300]))
            elif response.status_code >= 400:
                body = json.loads(response.text)
                if set(body) != {"code", "message", "extra"}:
                    failures.append((operation.label, response.status_code, "shape", body))

        check()
    assert failures == []
