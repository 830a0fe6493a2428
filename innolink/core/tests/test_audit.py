import pytest

from innolink.core.audit import audit_diff, audit_record, audit_trail_for
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_enterprise, make_user

pytestmark = pytest.mark.django_db


def test_entry_records_who_what_and_old_and_new_values():
    actor = make_user()
    enterprise = make_enterprise()
    entry = audit_record(actor=actor, action="update", instance=enterprise,
                         changes={"name": ["甲", "乙"]})
    assert (entry.actor, entry.model, entry.object_id) == (actor, "enterprises.enterprise",
                                                          str(enterprise.pk))
    assert list(audit_trail_for(enterprise)) == [entry]


def test_entries_cannot_be_changed_or_deleted():
    entry = audit_record(actor=None, action="create", instance=make_enterprise())
    entry.note = "改写"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get().note == ""


def test_diff_keeps_decimals_exact_and_ignores_unchanged():
    from decimal import Decimal

    assert audit_diff({"a": Decimal("1.10"), "b": 1}, {"a": Decimal("1.20"), "b": 1}) == {
        "a": ["1.10", "1.20"]}


def test_admin_cannot_edit_audited_records(admin_client):
    entry = audit_record(actor=None, action="create", instance=make_enterprise())
    response = admin_client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == 1


def test_actor_is_kept_as_a_snapshot_when_the_user_is_deleted():
    from innolink.accounts.roles import Role
    from innolink.core.audit import audit_record_many

    user = make_user(Role.POLICY_OFFICER, display_name="林专员")
    enterprise = make_enterprise()
    one = audit_record(actor=user, action="update", instance=enterprise, changes={"x": [1, 2]})
    audit_record_many(actor=user, action="update", items=[(enterprise, {"y": [1, 2]})])
    user.role = Role.ORGANIZER
    user.save()
    user.delete()
    for entry in AuditEntry.objects.filter(model="enterprises.enterprise"):
        assert entry.actor is None
        assert (entry.actor_username, entry.actor_name, entry.actor_role) == (
            user.username, "林专员", "policy_officer")
        assert entry.actor_label == "林专员" and entry.actor_role_label == "政策专员"
    assert one.actor_label == "林专员"


def test_system_entries_have_no_actor():
    entry = audit_record(actor=None, action="create", instance=make_enterprise())
    assert (entry.actor_username, entry.actor_label) == ("", "系统")


def test_source_follows_the_request_channel_unless_the_service_names_one():
    from innolink.core.audit import audit_source

    enterprise = make_enterprise()
    assert audit_record(actor=None, action="update", instance=enterprise).source == "web"
    with audit_source("api"):
        assert audit_record(actor=None, action="update", instance=enterprise).source == "api"
        assert audit_record(actor=None, action="update", instance=enterprise,
                            source="web").source == "api"  # a service's default
        assert audit_record(actor=None, action="update", instance=enterprise,
                            source="job:abc").source == "job:abc"
    assert audit_record(actor=None, action="update", instance=enterprise).source == "web"


def test_entries_read_in_words_fields_lists_and_sources():
    enterprise = make_enterprise()
    entry = audit_record(actor=make_user(), action="update", instance=enterprise,
                         changes={"name": ["甲", "乙"], "tags": [["专精特新", "高企"], ["高企"]],
                                  "founded_on": [None, "2020-01-01"], "score": 3},
                         source="import:ab12cd34")
    assert entry.model_label == "企业"
    assert entry.source_label == "导入 #ab12cd34"
    assert entry.changes_labelled == [("企业名称", "甲", "乙"), ("tags", "专精特新、高企", "高企"),
                                      ("成立日期", "—", "2020-01-01"), ("score", "—", "3")]
    assert AuditEntry(source="web").source_label == "网页"
    assert AuditEntry(source="odd").source_label == "odd"
    assert AuditEntry(model="gone.model").model_label == "gone.model"


def test_the_registry_panel_lists_only_registry_changes_with_a_link(client):
    from innolink.accounts.roles import Role
    from innolink.dashboard.selectors import registry_overview

    enterprise = make_enterprise()
    actor = make_user(Role.ORGANIZER)
    mine = audit_record(actor=actor, action="update", instance=enterprise,
                        changes={"name": ["甲", "乙"]})
    audit_record(actor=actor, action="update", instance=actor, changes={"role": ["a", "b"]})
    assert registry_overview()["recent_audit"] == [mine]
    client.force_login(actor)
    page = client.get("/workspace/").content.decode()
    assert f'href="/enterprises/{enterprise.pk}/"' in page and "企业 · " in page


def test_the_registry_panel_reads_the_trail_by_exact_model_newest_first():
    """One exact ``model = …`` query per registry model (the ``(model, -at, -id)`` index), no
    prefix scan; the newest ten across those models, other apps' entries left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from innolink.accounts.roles import Role
    from innolink.dashboard.selectors import recent_audit_of_app

    actor = make_user(Role.ORGANIZER)
    made = []
    for i in range(12):
        enterprise = make_enterprise()
        made.append(audit_record(actor=actor, action="update", instance=enterprise,
                                 changes={"name": [str(i), str(i + 1)]}))
    audit_record(actor=actor, action="update", instance=actor, changes={"role": ["a", "b"]})
    with CaptureQueriesContext(connection) as ctx:
        recent = recent_audit_of_app("enterprises")
    assert recent == sorted(made, key=lambda e: (e.at, e.pk), reverse=True)[:10]
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "LIKE" not in sql.upper()
