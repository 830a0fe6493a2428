"""Factories of the rankings tests: a small population that fills every list, and small
methodology files (the shipped files with list sizes of 5 and fewer samples)."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

from innolink.enterprises.testing import make_enterprise
from innolink.enterprises.models import Enterprise, EnterpriseTag
from innolink.rankings.methods import DEFAULT_DIR

TOWNS = ["陈埭", "青阳", "安海", "磁灶", "池店", "西园"]
INDUSTRIES = ["C1953", "C1713", "C2927", "I6510", "F5137", "C3985"]


def small_methodologies(folder: Path, *, size: int = 5, samples: int = 60) -> Path:
    """Copies of the shipped files with ``list_size`` and ``samples`` scaled down."""
    for path in sorted(DEFAULT_DIR.glob("**/*.yaml")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^list_size: \d+", f"list_size: {size}", text)
        text = re.sub(r"(?m)^(\s+)samples: \d+", rf"\g<1>samples: {samples}", text)
        target = folder / path.relative_to(DEFAULT_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def _money(rng: random.Random, low: float, high: float) -> str:
    return str(Decimal(rng.uniform(low, high)).quantize(Decimal("0.01")))


def year_values(rng: random.Random, scale: float) -> dict[str, str]:
    revenue = scale * rng.uniform(0.8, 1.2)
    return {
        "revenue": _money(rng, revenue, revenue),
        "total_assets": _money(rng, revenue * 0.5, revenue * 1.5),
        "net_profit": _money(rng, -revenue * 0.02, revenue * 0.12),
        "tax_paid": _money(rng, revenue * 0.02, revenue * 0.08),
        "fiscal_contribution": _money(rng, revenue * 0.005, revenue * 0.02),
        "rd_expense": _money(rng, revenue * 0.005, revenue * 0.06),
        "invention_patents": str(rng.randint(0, 40)),
        "exports": _money(rng, revenue * 0.05, revenue * 0.6),
        "imports": _money(rng, revenue * 0.01, revenue * 0.2),
        "employees": str(rng.randint(80, 3000)),
        "energy_consumption": str(Decimal(rng.uniform(200, 20000)).quantize(Decimal("0.1"))),
        "equipment_investment": _money(rng, revenue * 0.01, revenue * 0.08),
    }


def make_population(count: int = 36, *, seed: int = 7, years=(2024, 2025),
                    prefix: str = "榜单测试") -> list[Enterprise]:
    """``count`` private enterprises in Jinjiang, manufacturing and services mixed, with every
    field for each year (revenue 0.6亿–6亿)."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        scale = 6e7 + 5.4e8 * rng.random()
        values = {y: year_values(rng, scale * (1 + 0.08 * k)) for k, y in enumerate(sorted(years))}
        made.append(make_enterprise(name=f"{prefix}{i:03d}有限公司", town=TOWNS[i % len(TOWNS)],
                                    industry_code=INDUSTRIES[i % len(INDUSTRIES)],
                                    legal_representative=f"法人{i:03d}", years=values))
    return made


def flag(enterprise: Enterprise, tag: str = "dishonest") -> None:
    EnterpriseTag.objects.create(enterprise=enterprise, tag=tag)


def computed_run(year: int, actor, **kwargs):
    """Start a run and run its job here (tests do not wait for a worker)."""
    from innolink.core.jobs import job_run
    from innolink.rankings import services

    run = services.run_start(year=year, actor=actor, **kwargs)
    job_run(run.job)
    run.refresh_from_db()
    return run


def reviewed_run(year: int, actor, **kwargs):
    from innolink.rankings import services

    run = computed_run(year, actor, **kwargs)
    services.entries_confirm_pending(run=run, actor=actor, note="测试：已核对")
    return services.run_mark_reviewed(run=run, actor=actor)


def notice_run(year: int, actor, *, days: int = 7, **kwargs):
    import datetime as dt

    from django.utils import timezone

    from innolink.rankings import services

    run = reviewed_run(year, actor, **kwargs)
    return services.run_open_notice(run=run, actor=actor,
                                    closes_on=timezone.localdate() + dt.timedelta(days=days))


def published_run(year: int, actor, **kwargs):
    from innolink.rankings import services

    run = notice_run(year, actor, **kwargs)
    run = services.run_close_notice(run=run, actor=actor)
    return services.run_publish(run=run, actor=actor)
