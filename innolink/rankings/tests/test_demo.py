"""The demo city's rankings: 2024 published, 2025 under 公示 with change against 2024,
declarations waiting for the staff check; seeding twice changes nothing."""

import pytest

from innolink.demo import generator
from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.enterprises.services import registry_import
from innolink.rankings import demo
from innolink.rankings.models import Correction, Declaration, Objection, RankingRun


@pytest.mark.django_db
@pytest.mark.demo_seed
def test_demo_seed_publishes_2024_and_leaves_2025_under_notice(client):
    # what manage.py demo_seed does before it calls each app's demo module (only ours here)
    registry_import(content=generator.enterprise_csv(seed=2026, count=2000), filename="demo.csv",
                    actor=None, commit=True, source="demo", demo=True)
    make_user(Role.ORGANIZER, username="organizer")
    assert demo.seed(seed=2026).startswith("榜单：2024 年度已发布，2025 年度公示中")

    published = RankingRun.objects.get(year=2024)
    notice = RankingRun.objects.get(year=2025)
    assert published.status == "published" and notice.status == "notice"
    assert published.lists.count() == notice.lists.count() == 7
    assert all(rl.entries.filter(in_list=True).count() == rl.size for rl in notice.lists.all())
    assert not notice.lists.filter(entries__review="pending").exists()
    assert Correction.objects.filter(ranking_list__run=published).count() == 1
    assert Objection.objects.filter(run=notice, status="open").count() == 1
    assert Declaration.objects.filter(year=2025, status="submitted").count() == 3
    assert any(f["code"] == "jump" for d in Declaration.objects.all() for f in d.flags)

    page = client.get("/rankings/public/2025/comprehensive_100/").content.decode()
    assert "与 2024 年度发布榜单比较" in page and ("rk-up" in page or "rk-down" in page)

    counts = (RankingRun.objects.count(), Declaration.objects.count(), Objection.objects.count())
    assert demo.seed(seed=2026) == "榜单：已存在，无变化"
    assert (RankingRun.objects.count(), Declaration.objects.count(),
            Objection.objects.count()) == counts


@pytest.mark.django_db
def test_a_city_too_small_for_the_lists_gets_no_lists_and_no_error(db):
    registry_import(content=generator.enterprise_csv(seed=3, count=60), filename="demo.csv",
                    actor=None, commit=True, source="demo", demo=True)
    make_user(Role.ORGANIZER, username="organizer")

    summary = demo.seed(seed=3)

    assert "未生成演示榜单" in summary and "100" in summary
    assert not RankingRun.objects.exists()
