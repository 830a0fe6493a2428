"""The Django admin is part of the platform: its name and look, Chinese names for every model,
a link in the administrator's menu, and every change made in it in the audit trail."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from innolink.accounts.models import ApiToken, Department, User
from innolink.accounts.roles import Role
from innolink.accounts.services import api_token_create
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_user
from innolink.enterprises.models import IndicatorDefinition

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def admin_client(client):
    user = make_user(Role.ADMIN, username="root", display_name="系统管理员甲", is_staff=True,
                     is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def test_every_model_and_app_has_a_chinese_name():
    """Every platform model (the apps added later included) and everything the admin lists."""
    translation.activate("zh-hans")
    shown = set(admin.site._registry)
    missing = []
    for model in apps.get_models():
        if model in shown or model.__module__.startswith("innolink."):
            meta = model._meta
            if not (CJK.search(str(meta.verbose_name))
                    and CJK.search(str(meta.verbose_name_plural))):
                missing.append(meta.label)
    for config in apps.get_app_configs():
        if any(m in shown for m in config.get_models()) and not CJK.search(
                str(config.verbose_name)):
            missing.append(f"app {config.label}")
    assert missing == []


def test_admin_looks_like_the_platform(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "晋江创新对接平台 · 管理后台" in page and "css/admin.css" in page
    assert "Django" not in re.sub(r"<[^>]+>", "", page.split("<body")[1])[:2000]
    assert "企业" in page and "审计记录" in page and "返回平台" in page


def test_admin_is_in_the_administrators_menu_only(client):
    client.force_login(make_user(Role.ADMIN))
    response = client.get(reverse("dashboard:workspace"))
    groups = {g.label: [i.label for i in g.items] for g in response.context["nav_groups"]}
    assert "管理后台" in groups["系统"]
    assert 'href="/admin/"' in response.content.decode()
    client.force_login(make_user(Role.ORGANIZER))
    labels = [i.label for i in client.get(reverse("dashboard:workspace")).context["nav_items"]]
    assert "管理后台" not in labels


def _change_user(client, user, **overrides):
    import datetime as dt

    from django.utils import timezone

    User.objects.filter(pk=user.pk).update(date_joined=timezone.make_aware(
        dt.datetime(2026, 1, 1)))  # what the form's date and time fields carry
    data = {"username": user.username, "role": user.role, "display_name": user.display_name,
            "phone": user.phone, "is_active": "on", "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00", "first_name": "", "last_name": "", "email": "",
            "enterprise": "", "institution": user.institution_id or "",
            "department": user.department_id or "", **overrides}
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


def test_a_role_change_in_the_admin_is_audited_with_source_admin(admin_client):
    target = make_user(Role.ORGANIZER, display_name="张三")
    response = _change_user(admin_client, target, role=Role.POLICY_OFFICER)
    assert response.status_code == 302, response.content.decode()[:3000]
    target.refresh_from_db()
    assert target.role == Role.POLICY_OFFICER
    entry = AuditEntry.objects.get(model="accounts.user", object_id=str(target.pk))
    assert (entry.action, entry.source) == ("update", "admin")
    assert entry.changes["role"] == ["organizer", "policy_officer"]
    assert "password" not in entry.changes and "last_login" not in entry.changes
    assert (entry.actor, entry.actor_username, entry.actor_name, entry.actor_role) == (
        admin_client.user, "root", "系统管理员甲", "admin")


def test_saving_without_changes_writes_no_entry(admin_client):
    target = make_user(Role.ORGANIZER)
    assert _change_user(admin_client, target).status_code == 302
    assert not AuditEntry.objects.filter(model="accounts.user").exists()


def test_a_password_reset_in_the_admin_is_audited_without_the_hash(admin_client):
    target = make_user(Role.ORGANIZER)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = admin_client.post(url, {"password1": "Another-pass-987", "password2":
                                       "Another-pass-987", "usable_password": "true"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="accounts.user", object_id=str(target.pk))
    assert entry.changes == {"password": ["***", "***"]} and entry.source == "admin"
    target.refresh_from_db()
    assert target.password not in str(entry.changes)


def test_add_and_delete_in_the_admin_are_audited(admin_client):
    response = admin_client.post(reverse("admin:accounts_department_add"),
                                 {"code": "kjj", "name": "科技局"})
    assert response.status_code == 302
    department = Department.objects.get(code="kjj")
    created = AuditEntry.objects.get(model="accounts.department", action="create")
    assert created.source == "admin" and created.changes["name"] == [None, "科技局"]
    response = admin_client.post(reverse("admin:accounts_department_delete",
                                         args=[department.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Department.objects.filter(pk=department.pk)
    deleted = AuditEntry.objects.get(model="accounts.department", action="delete")
    assert deleted.object_id == str(department.pk) and deleted.changes["name"] == ["科技局",
                                                                                    None]


def test_bulk_delete_in_the_admin_is_audited_per_record(admin_client):
    rows = [Department.objects.create(code=f"d{n}", name=f"部门{n}") for n in range(3)]
    response = admin_client.post(reverse("admin:accounts_department_changelist"), {
        "action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"})
    assert response.status_code == 302 and not Department.objects.exists()
    assert sorted(AuditEntry.objects.filter(model="accounts.department", action="delete",
                                            source="admin").values_list("object_id", flat=True)
                  ) == sorted(str(r.pk) for r in rows)


def test_indicator_catalogue_edit_in_the_admin_is_audited(admin_client):
    definition = IndicatorDefinition.objects.order_by("code").first()
    url = reverse("admin:enterprises_indicatordefinition_change", args=[definition.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    data["name"] = definition.name + "（修订）"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(model="enterprises.indicatordefinition")
    assert entry.source == "admin" and entry.changes["name"][1].endswith("（修订）")


def test_token_revocation_in_the_admin_is_audited(admin_client):
    owner = make_user(Role.ORGANIZER)
    token, _plain = api_token_create(user=owner, name="etl")
    url = reverse("admin:accounts_apitoken_change", args=[token.pk])
    response = admin_client.post(url, {"expires_at_0": "", "expires_at_1": "",
                                       "revoked_at_0": "2026-01-02", "revoked_at_1": "10:00:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(model="accounts.apitoken", action="update")
    assert entry.source == "admin" and entry.changes["revoked_at"][0] is None
    assert "digest" not in str(entry.changes) or entry.changes["digest"] == ["***", "***"]
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_read_only_business_records_stay_read_only(admin_client):
    from innolink.enterprises.testing import make_enterprise

    enterprise = make_enterprise()
    url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
    assert admin_client.post(url, {"name": "改名"}).status_code == 403
    assert not User.objects.filter(username="改名").exists()
