"""A declaration's impossible values are refused at their field in the reader's language:
``checks.field_errors`` (pure) returns ``Message``s, the service renders them with the field's
label translated (ADR 0791)."""

from __future__ import annotations

import pytest
from django.utils import translation

from innolink.accounts.roles import Role
from innolink.core.messages import Message
from innolink.core.testing import assert_json_error
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.rankings.checks import field_errors
from innolink.rankings.models import Declaration

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_the_checks_keep_the_msgid_and_the_label():
    from decimal import Decimal

    (message,) = field_errors({"employees": Decimal(-3)})["employees"]
    assert message == "从业人员不能为负数" and isinstance(message, Message)
    assert (message.msgid, message.params) == ("%(label)s不能为负数", {"label": "从业人员"})
    with translation.override("en"):
        assert message.render(translated=("label",)) == "Employees cannot be negative"


@pytest.mark.parametrize("language, employees, rd", [
    ("en", "Employees cannot be negative", "R&D expenses cannot exceed revenue"),
    ("zh-hans", "从业人员不能为负数", "研发费用不能大于营业收入"),
])
def test_a_declaration_refused_in_the_api_in_the_readers_language(client, language, employees,
                                                                  rd):
    enterprise = make_enterprise(legal_representative="陈立新")
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    values = {"revenue": "80000000", "total_assets": "60000000", "tax_paid": "2000000",
              "employees": "-5", "rd_expense": "90000000"}
    body = assert_json_error(client.post("/api/rankings/declarations", {
        "year": 2025, "values": values, "submit": False}, content_type=JSON,
        HTTP_ACCEPT_LANGUAGE=language), 422, "invalid")
    assert body["extra"]["fields"]["employees"] == [employees]
    assert body["extra"]["fields"]["rd_expense"] == [rd]
    assert not Declaration.objects.exists()
