"""A yearly value refused at its field reads in the reader's language (ADR 0791)."""

from __future__ import annotations

import pytest
from django.utils import translation

from innolink.accounts.roles import Role
from innolink.core.errors import ValidationFailed
from innolink.enterprises import services
from innolink.enterprises.models import EnterpriseYear, IndicatorDefinition
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, value, expected", [
    ("en", "-5", "%s: Cannot be negative"),
    ("zh-hans", "-5", "%s：不能为负数"),
    ("en", "十万", "%s: Must be a number"),
    ("zh-hans", "十万", "%s：应为数字"),
])
def test_a_refused_value_names_the_rule_in_the_readers_language(language, value, expected):
    user = make_user(Role.ENTERPRISE)
    name = IndicatorDefinition.objects.get(code="rd_expense").name
    with translation.override(language), pytest.raises(ValidationFailed) as info:
        services.indicator_value_set(actor=user, enterprise=user.enterprise, year=2024,
                                     code="rd_expense", value=value)
    assert info.value.fields == {"value": [expected % name]}
    assert not EnterpriseYear.objects.filter(enterprise=user.enterprise).exists()
