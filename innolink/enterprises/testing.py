"""Test factories that take the platform's real paths: users of every role and the enterprises
they belong to. They live in the enterprises app because an enterprise user needs an enterprise
(``innolink.core.testing`` keeps only the domain-free helpers)."""

from __future__ import annotations

import itertools
from typing import Any

from innolink.accounts.models import Department, Institution, User
from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.models import Enterprise, EnterpriseYear
from innolink.enterprises.reference import make_credit_code

_counter = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    n = next(_counter) if n is None else n
    body = f"{n:09d}".replace("0", "A")[:9]
    return make_credit_code(f"91350582{body}")


def make_enterprise(**fields: Any) -> Enterprise:
    n = next(_counter)
    defaults = {"credit_code": credit_code(n), "name": f"测试企业{n}有限公司", "town": "陈埭",
                "industry_code": "C1953", "ownership": "private", "size_class": "medium"}
    years = fields.pop("years", {})
    enterprise = Enterprise.objects.create(**{**defaults, **fields})
    for year, values in years.items():
        EnterpriseYear.objects.create(enterprise=enterprise, year=year,
                                      values={k: str(v) for k, v in values.items()})
    return enterprise


def make_user(role: str = Role.ORGANIZER, **fields: Any) -> User:
    n = next(_counter)
    if role == Role.ENTERPRISE and "enterprise" not in fields:
        fields["enterprise"] = make_enterprise()
    if role in (Role.RESEARCHER, Role.REVIEWER) and "institution" not in fields:
        fields["institution"], _ = Institution.objects.get_or_create(
            name="测试大学", defaults={"kind": "university"})
    if role == Role.DEPT_HANDLER and "department" not in fields:
        fields["department"], _ = Department.objects.get_or_create(
            code="test", defaults={"name": "测试局"})
    user = User(username=fields.pop("username", f"user{n}"), role=role, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user
