import csv
import io

import pytest

from innolink.accounts.models import User
from innolink.demo import generator
from innolink.demo.services import demo_seed
from innolink.enterprises.models import Enterprise


def _rows(content: bytes):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_generator_is_deterministic_and_seed_dependent():
    assert generator.enterprise_csv(seed=1, count=50) == generator.enterprise_csv(seed=1, count=50)
    assert generator.enterprise_csv(seed=1, count=50) != generator.enterprise_csv(seed=2, count=50)


def test_revenues_are_heavy_tailed_and_years_consistent():
    rows = [r for r in _rows(generator.enterprise_csv(seed=7, count=2000)) if r["年度"] == "2025"]
    revenue = sorted((float(r["营业收入(元)"]) for r in rows), reverse=True)
    top_1_percent = sum(revenue[:20]) / sum(revenue)
    assert top_1_percent > 0.15  # a few giants
    assert revenue[len(revenue) // 2] < 5e7  # a long tail of small firms
    towns = {r["所属镇街"] for r in rows}
    assert len(towns) == 19
    industries = {r["行业代码"][:3] for r in rows}
    assert {"C19", "C17", "C14", "C22", "C30", "C28", "C39"} <= industries


@pytest.mark.django_db
@pytest.mark.demo_seed
def test_seed_is_idempotent_and_creates_one_account_per_role():
    first, accounts = demo_seed(seed=3, enterprises=60)
    assert first.created == 60 and Enterprise.objects.filter(is_demo=True).count() == 60
    assert {a.username for a in accounts} == {"admin", "organizer", "officer", "handler",
                                              "reviewer", "researcher", "enterprise", "leader",
                                              "coordinator", "cadre", "provider", "meteorologist"}
    from innolink.accounts.roles import Role
    assert {User.objects.get(username=a.username).role for a in accounts} == set(Role.values)
    again, _ = demo_seed(seed=3, enterprises=60)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 60)
    enterprise_user = User.objects.get(username="enterprise")
    assert enterprise_user.enterprise.is_demo
    assert User.objects.get(username="handler").department.code == "gxj"
