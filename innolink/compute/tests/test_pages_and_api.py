"""Pages and API: each role reaches its own pages; another tenant gets 404, another role 403;
bad input is a 422 with nothing written."""

import datetime as dt

import pytest

from innolink.accounts.roles import Role
from innolink.compute import services
from innolink.compute.models import Booking, WorkloadRequest
from innolink.compute.tests.conftest import provider_user, workload
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def test_enterprise_flow_through_pages(client, provider, resource, enterprise_a, today):
    client.force_login(enterprise_a)
    assert client.get("/compute/").status_code == 200
    response = client.post("/compute/requests/new/", {
        "title": "图案设计生成", "kind": "inference", "card_hours": "48",
        "accelerator_class": "any", "earliest": today.isoformat(),
        "deadline": (today + dt.timedelta(days=3)).isoformat(), "residency": "jinjiang"})
    assert response.status_code == 302
    request = WorkloadRequest.objects.get(title="图案设计生成")
    page = client.get(f"/compute/requests/{request.pk}/").content.decode()
    assert "A800 训练集群" in page and "训练级加速卡用于推理" in page
    response = client.post(f"/compute/requests/{request.pk}/book/", {"resource": resource.pk})
    booking = Booking.objects.get(request=request)
    assert response.status_code == 302 and booking.status == "requested"
    client.force_login(provider)
    assert enterprise_a.enterprise.name in client.get("/compute/").content.decode()
    page = client.post(f"/compute/bookings/{booking.pk}/confirm/", follow=True)
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    assert [str(m) for m in page.context["messages"]] == ["已确认预订。"]


def test_bad_form_is_422_and_writes_nothing(client, enterprise_a):
    client.force_login(enterprise_a)
    before = (WorkloadRequest.objects.count(), AuditEntry.objects.count())
    response = client.post("/compute/requests/new/", {"title": "", "kind": "training",
                                                      "card_hours": "0"})
    assert response.status_code == 422
    assert (WorkloadRequest.objects.count(), AuditEntry.objects.count()) == before


def test_other_tenants_and_roles_are_refused(client, provider, resource, enterprise_a,
                                             enterprise_b, today):
    request = workload(enterprise_a, today)
    booking = services.booking_create(actor=enterprise_a, request_id=request.pk,
                                      resource_id=resource.pk)
    client.force_login(enterprise_b)
    assert client.get(f"/compute/requests/{request.pk}/").status_code == 404
    assert client.get(f"/compute/bookings/{booking.pk}/").status_code == 404
    assert_json_error(client.get(f"/api/compute/requests/{request.pk}/offers"), 404, "not_found")
    assert assert_json_success(client.get("/api/compute/bookings")) == []
    client.force_login(provider_user("别家服务商"))
    assert client.get(f"/compute/bookings/{booking.pk}/").status_code == 404
    assert assert_json_success(client.get("/api/compute/usage")) == []
    assert_json_error(client.post(f"/api/compute/bookings/{booking.pk}/confirm", data={},
                                  content_type="application/json"), 404, "not_found")
    client.force_login(make_user(Role.RESEARCHER))
    assert client.get("/compute/").status_code == 403
    assert_json_error(client.get("/api/compute/bookings"), 403, "permission_denied")
    client.force_login(make_user(Role.METEOROLOGIST, department=_weather_department()))
    assert client.get("/compute/").status_code == 403
    client.force_login(provider)
    rows = assert_json_success(client.get("/api/compute/bookings"))
    assert [r["id"] for r in rows] == [booking.pk]


def _weather_department():
    from innolink.accounts.models import Department

    return Department.objects.get_or_create(code="qxj", defaults={"name": "气象局"})[0]


def test_api_request_offers_and_booking(client, provider, resource, enterprise_a, today):
    client.force_login(enterprise_a)
    created = assert_json_success(client.post("/api/compute/requests", data={
        "title": "需求预测模型", "kind": "fine_tuning", "card_hours": 200,
        "accelerator_class": "training", "earliest": today.isoformat(),
        "deadline": (today + dt.timedelta(days=5)).isoformat(), "residency": "fujian"},
        content_type="application/json"), 201)
    offers = assert_json_success(client.get(f"/api/compute/requests/{created['id']}/offers"))
    assert offers[0]["fits"] and offers[0]["reasons"]
    booked = assert_json_success(client.post(f"/api/compute/requests/{created['id']}/bookings",
                                             data={"resource_id": resource.pk},
                                             content_type="application/json"), 201)
    assert booked["status"] == "requested"
    bad = assert_json_error(client.post("/api/compute/requests", data={
        "title": "x", "kind": "training", "card_hours": 5, "accelerator_class": "any",
        "earliest": today.isoformat(), "deadline": (today - dt.timedelta(days=2)).isoformat(),
        "residency": "jinjiang"}, content_type="application/json"), 422, "invalid")
    assert "deadline" in bad["extra"]["fields"]


def test_staff_approve_providers(client, staff):
    pending = provider_user("待审核算力", status="pending")
    client.force_login(pending)
    assert client.get("/compute/").status_code == 200
    client.force_login(staff)
    provider = pending.provider_membership.provider
    client.post(f"/compute/providers/{provider.pk}/decide/", {"decision": "approve"})
    provider.refresh_from_db()
    assert provider.status == "approved"
    assert AuditEntry.objects.filter(model="compute.provider", object_id=str(provider.pk)).exists()
