"""The API's field refusals of a new request read in the reader's language (ADR 0791)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from innolink.core.testing import assert_json_error
from innolink.servicedesk.models import ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, unknown, future", [
    ("en", "This enterprise is not in the enterprise registry",
     "The time received cannot be in the future"),
    ("zh-hans", "企业库中没有该企业", "受理时间不能晚于现在"),
])
def test_a_request_refused_at_its_field_in_the_readers_language(client, desk, company,
                                                                 coordinator, language, unknown,
                                                                 future):
    client.force_login(coordinator)
    payload = {"credit_code": "91350582MA2Y000000", "channel": "hotline", "category": "land",
               "description": "园区停电频繁", "kind": "help"}

    def post(data):
        return client.post("/api/servicedesk/requests", json.dumps(data),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)

    body = assert_json_error(post(payload), 422, "unknown_enterprise")
    assert body["extra"]["fields"] == {"enterprise_id": [unknown]}
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    body = assert_json_error(post({**payload, "credit_code": company.credit_code,
                                   "received_at": later}), 422, "invalid")
    assert body["extra"]["fields"] == {"received_at": [future]}
    assert not ServiceRequest.objects.exists()
