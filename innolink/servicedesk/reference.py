"""The shipped reference data: request categories and time limits. Seeded by a migration and,
after a ``flush`` (transactional tests), by a post_migrate handler; both keep rows an operator
already has."""

from __future__ import annotations

from decimal import Decimal

# code, name (Simplified Chinese, translated in the locale), order
CATEGORIES = [
    ("financing", "融资信贷", 10),
    ("labor", "用工社保", 20),
    ("land", "用地用房", 30),
    ("approval", "审批许可", 40),
    ("utilities", "水电气保障", 50),
    ("environment", "环保排污", 60),
    ("property", "产权证办理", 70),
    ("policy", "政策兑现", 80),
    ("tax", "税费", 90),
    ("tech", "科技创新", 100),
    ("market", "市场监管与知识产权", 110),
    ("logistics", "物流交通", 120),
    ("infrastructure", "园区配套", 130),
    ("legal", "法律纠纷", 140),
    ("talent", "人才服务", 150),
    ("trade", "外贸口岸", 160),
    ("other", "其他", 990),
]

# key, sign within (working hours), handle within (value, unit), yellow when this share is left
SLA_RULES = [
    ("consult", Decimal("2"), 1, "days", Decimal("0.25")),
    ("help", Decimal("2"), 5, "days", Decimal("0.25")),
    ("suggest", Decimal("2"), 5, "days", Decimal("0.25")),
    ("complaint", Decimal("2"), 10, "days", Decimal("0.25")),
    ("urgent", Decimal("0.5"), 2, "hours", Decimal("0.25")),
]


def seed_reference(apps=None) -> int:
    """Insert the categories, time limits and the settings row that are missing."""
    from django.apps import apps as installed_apps

    apps = apps or installed_apps
    Category = apps.get_model("servicedesk", "Category")
    SlaRule = apps.get_model("servicedesk", "SlaRule")
    DeskSettings = apps.get_model("servicedesk", "DeskSettings")
    have = set(Category.objects.values_list("code", flat=True))
    names = set(Category.objects.values_list("name", flat=True))
    new = [Category(code=c, name=n, order=o) for c, n, o in CATEGORIES
           if c not in have and n not in names]
    Category.objects.bulk_create(new)
    keys = set(SlaRule.objects.values_list("key", flat=True))
    rules = [SlaRule(key=k, sign_hours=s, handle_value=v, handle_unit=u, warn_fraction=w)
             for k, s, v, u, w in SLA_RULES if k not in keys]
    SlaRule.objects.bulk_create(rules)
    if not DeskSettings.objects.filter(pk=1).exists():
        DeskSettings.objects.create(pk=1)
    return len(new) + len(rules)
