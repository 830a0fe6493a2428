"""Factories for project tests: projects go through ``project_create`` like real ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from innolink.accounts.models import Department
from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.projects import services


def department() -> Department:
    return Department.objects.get_or_create(code="kjj", defaults={"name": "科学技术局"})[0]


def project_data(enterprise=None, **overrides: Any) -> dict[str, Any]:
    enterprise = enterprise or make_enterprise(town="陈埭")
    data = {
        "title": "BCB光刻胶联合实验室",
        "kind": "research",
        "summary": "BCB 单体、衍生物、光敏剂和光刻胶的研发与生产",
        "signed_on": "2025-04-15",
        "signing_event_name": "2025年晋江市企业创新发展大会",
        "department_id": department().pk,
        "investment": "3000",
        "investment_unit": "wan",
        "report_cycle": "quarterly",
        "parties": [{"role": "lead", "enterprise_id": enterprise.pk},
                    {"role": "partner", "organisation": "某高校新材料研究院"}],
        "targets": [
            {"metric": "capacity", "name": "BCB系列产品产能", "unit": "吨/年", "baseline": "0",
             "target": "2", "due_on": "2026-12-31"},
            {"metric": "output", "name": "年产值", "unit": "万元", "target": "5000",
             "due_on": "2026-12-31"},
        ],
        "milestones": [
            {"stage": "registered", "due_on": "2025-06-30"},
            {"stage": "started", "due_on": "2025-09-30"},
            {"stage": "producing", "due_on": "2026-06-30"},
        ],
    }
    data.update(overrides)
    return data


def make_project(actor=None, **overrides: Any):
    actor = actor or make_user(Role.ORGANIZER)
    return services.project_create(actor=actor, data=project_data(**overrides))


def today_after(days: int) -> dt.date:
    return dt.date(2025, 4, 15) + dt.timedelta(days=days)
