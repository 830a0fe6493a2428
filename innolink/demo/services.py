"""Seed the demo city. Idempotent: running it again with the same seed changes nothing."""

from __future__ import annotations

from django.db import transaction

from innolink.accounts.models import Department, Institution, User
from innolink.accounts.roles import Role
from innolink.accounts.services import user_create
from innolink.core.audit import audit_record
from innolink.demo import generator
from innolink.enterprises.models import Enterprise
from innolink.enterprises.services import ImportOutcome, registry_import


def demo_seed(*, seed: int = 2026, enterprises: int = 2000, progress=None
              ) -> tuple[ImportOutcome, list[generator.DemoAccount]]:
    with transaction.atomic():
        for name, kind, province, city in generator.INSTITUTIONS:
            institution, created = Institution.objects.get_or_create(
                name=name, defaults={"kind": kind, "province": province, "city": city,
                                     "is_demo": True})
            if created:
                audit_record(actor=None, action="create", instance=institution, source="demo",
                             changes={"name": [None, name]})
        for code, name in generator.DEPARTMENTS:
            department, created = Department.objects.get_or_create(code=code,
                                                                   defaults={"name": name})
            if created:
                audit_record(actor=None, action="create", instance=department, source="demo",
                             changes={"name": [None, name]})
    content = generator.enterprise_csv(seed=seed, count=enterprises)
    kwargs = {"progress": progress} if progress else {}
    outcome = registry_import(content=content, filename="demo.csv", actor=None, commit=True,
                              source="demo", demo=True, **kwargs)
    accounts = demo_accounts_ensure()
    for module in demo_modules():
        summary = module.seed(seed=seed)
        if progress and summary:
            progress(0, None, summary, force=True)
    return outcome, accounts


def demo_modules() -> list:
    """Each app adds its demo records through ``<app>/demo.py: seed(*, seed) -> str`` (a summary
    line), called in INSTALLED_APPS order after the registry and the accounts exist. Each seed
    is idempotent."""
    import importlib

    from django.apps import apps

    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("innolink.") or config.name == "innolink.demo":
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    return modules


@transaction.atomic
def demo_accounts_ensure() -> list[generator.DemoAccount]:
    """One account per role, scoped to a real demo enterprise, department and institution."""
    enterprise = (Enterprise.objects.filter(is_demo=True, tags__tag="high_tech",
                                            size_class="medium").order_by("credit_code").first()
                  or Enterprise.objects.order_by("credit_code").first())
    department = Department.objects.filter(code="gxj").first()
    weather_department = Department.objects.filter(code="qxj").first()
    institution = Institution.objects.filter(name="华侨大学").first()
    # Display names are (synthetic) people's names: the page header adds the role, and forms
    # offer the name as the contact person (accounts.contact); a role label is not a person.
    plan = [
        ("admin", Role.ADMIN, "系统管理员", {}),
        ("organizer", Role.ORGANIZER, "林主任", {}),
        ("officer", Role.POLICY_OFFICER, "黄科长", {}),
        ("handler", Role.DEPT_HANDLER, "许工", {"department": department}),
        ("reviewer", Role.REVIEWER, "吴教授", {"institution": institution}),
        ("researcher", Role.RESEARCHER, "陈思远", {"institution": institution}),
        ("enterprise", Role.ENTERPRISE, "蔡雅琴", {"enterprise": enterprise}),
        ("leader", Role.LEADER, "蔡副市长", {}),
        ("coordinator", Role.COORDINATOR, "王科长", {}),
        ("cadre", Role.CADRE, "郑科员", {"department": department}),
        # the provider's company is linked by the compute app's demo
        ("provider", Role.PROVIDER, "苏经理", {}),
        ("meteorologist", Role.METEOROLOGIST, "施工程师", {"department": weather_department}),
    ]
    # Without a registry, department or institution yet, the accounts that need them wait.
    plan = [row for row in plan if all(value is not None for value in row[3].values())]
    accounts = []
    for username, role, display, scope in plan:
        if not User.objects.filter(username=username).exists():
            user_create(username=username, password=generator.DEMO_PASSWORD, role=role,
                        display_name=display, validate_password=False, **scope)
        described = ", ".join(str(v) for v in scope.values()) or "全平台"
        accounts.append(generator.DemoAccount(username, str(Role(role).label), display, described))
    return accounts
