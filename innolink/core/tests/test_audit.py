import pytest

from innolink.core.audit import audit_diff, audit_record, audit_trail_for
from innolink.core.models import AuditEntry
from innolink.core.testing import make_enterprise, make_user

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
