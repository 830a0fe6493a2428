"""Fuzz every operation of the OpenAPI document with schemathesis, reads and writes alike, with
a bearer token (tokens write without CSRF): whatever the input, the API never answers 5xx,
every answer matches the schema the document publishes for its status (decision 0020), and
every 4xx has the one error shape."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.enterprises.testing import make_enterprise, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # its file starts first (decision 0797)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calls go straight to the WSGI app, not through Django's test client, so do what the test
    client does: keep the request signals from closing the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ENTERPRISE])
def test_no_server_error_for_any_generated_request(role):
    user = make_user(role)
    make_enterprise(years={2025: {"revenue": "1000"}})
    _token, plain = api_token_create(user=user, name="fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 100
    assert {op.method.upper() for op in operations} >= {"GET", "POST", "PUT", "DELETE"}
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {plain}"})
            try:
                case.validate_response(response, checks=[not_a_server_error,
                                                         response_schema_conformance])
            except (AssertionError, BaseExceptionGroup) as exc:  # Failure or FailureGroup
                failures.append((operation.label, response.status_code, "conformance",
                                 str(exc)[:600]))
                return
            if response.status_code >= 500:
                failures.append((operation.label, response.status_code, case.path_parameters,
                                 case.query, response.text[:300]))
            elif response.status_code >= 400:
                body = json.loads(response.text)
                if set(body) != {"code", "message", "extra"}:
                    failures.append((operation.label, response.status_code, "shape", body))

        check()
    assert failures == []
