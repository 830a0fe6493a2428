"""The shipped reference data: request categories and time limits. Seeded by a migration and,
after a ``flush`` (transactional tests), by a post_migrate handler; both keep rows an operator
already has."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy, gettext_noop

# code, name (Simplified Chinese, translated in the locale), order
CATEGORIES = [
    ("financing", gettext_noop("融资信贷"), 10),
    ("labor", gettext_noop("用工社保"), 20),
    ("land", gettext_noop("用地用房"), 30),
    ("approval", gettext_noop("审批许可"), 40),
    ("utilities", gettext_noop("水电气保障"), 50),
    ("environment", gettext_noop("环保排污"), 60),
    ("property", gettext_noop("产权证办理"), 70),
    ("policy", gettext_noop("政策兑现"), 80),
    ("tax", gettext_noop("税费"), 90),
    ("tech", gettext_noop("科技创新"), 100),
    ("market", gettext_noop("市场监管与知识产权"), 110),
    ("logistics", gettext_noop("物流交通"), 120),
    ("infrastructure", gettext_noop("园区配套"), 130),
    ("legal", gettext_noop("法律纠纷"), 140),
    ("talent", gettext_noop("人才服务"), 150),
    ("trade", gettext_noop("外贸口岸"), 160),
    ("other", gettext_noop("其他"), 990),
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


#: department names the platform ships (accounts' and the demo's), marked for translation so
#: pages in English name them; a department an operator adds is shown as written
DEPARTMENT_NAMES = [
    gettext_noop("工业和信息化局"), gettext_noop("科学技术局"), gettext_noop("商务局"), gettext_noop("财政局"), gettext_noop("人力资源和社会保障局"),
    gettext_noop("市场监督管理局"), gettext_noop("发展和改革局"), gettext_noop("自然资源局"), gettext_noop("生态环境局"), gettext_noop("气象局"),
    gettext_noop("住房和城乡建设局"), gettext_noop("金融工作服务中心"), gettext_noop("税务局"), gettext_noop("行政服务中心管委会"),
    gettext_noop("交通运输局"), gettext_noop("城市管理局"), gettext_noop("水利局"), gettext_noop("人才工作服务中心"), gettext_noop("司法局"),
    gettext_noop("公安局"), gettext_noop("教育局"), gettext_noop("企业服务中心"),
]


#: the label of each town code stored on requests and enterprises (``enterprises.reference``
#: keeps the codes), as msgids so English pages name the town; ``town_label`` translates
TOWN_LABELS = {
    "青阳": gettext_noop("青阳街道"), "梅岭": gettext_noop("梅岭街道"),
    "西园": gettext_noop("西园街道"), "罗山": gettext_noop("罗山街道"),
    "新塘": gettext_noop("新塘街道"), "灵源": gettext_noop("灵源街道"),
    "安海": gettext_noop("安海镇"), "磁灶": gettext_noop("磁灶镇"), "陈埭": gettext_noop("陈埭镇"),
    "东石": gettext_noop("东石镇"), "深沪": gettext_noop("深沪镇"), "金井": gettext_noop("金井镇"),
    "池店": gettext_noop("池店镇"), "内坑": gettext_noop("内坑镇"), "龙湖": gettext_noop("龙湖镇"),
    "永和": gettext_noop("永和镇"), "英林": gettext_noop("英林镇"), "紫帽": gettext_noop("紫帽镇"),
    "西滨": gettext_noop("西滨镇"),
}


def town_label(code: str) -> str:
    """The town's name in the active language (a code the table lacks is shown as stored)."""
    label = TOWN_LABELS.get(code)
    return gettext(label) if label else code


def town_choices() -> list[tuple[str, object]]:
    """``(code, label)`` for selects, in the registry's order, translated when rendered."""
    from innolink.enterprises.reference import TOWN_CHOICES

    return [(code, gettext_lazy(TOWN_LABELS.get(code, label))) for code, label in TOWN_CHOICES]
