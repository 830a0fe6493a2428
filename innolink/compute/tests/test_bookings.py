"""Offers, bookings and capacity: a request gets fitting offers ranked with reasons; a booking
holds cards until declined or cancelled; a provider sees only its own."""

import datetime as dt
from decimal import Decimal

import pytest

from innolink.compute import fetch, services
from innolink.compute.models import Booking, WorkloadRequest
from innolink.compute.tests.conftest import provider_user, workload
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.enterprises.models import EnterpriseYear

pytestmark = pytest.mark.django_db


def test_offers_are_ranked_with_reasons_and_misses(provider, resource, enterprise_a, today):
    cheap = provider_user("泉州智算", kind="compute")
    services.resource_save(actor=cheap, name="910B 集群", accelerator="昇腾910B",
                           cards_per_node=8, nodes=2, memory_gb=64, price="9.80",
                           region="quanzhou", windows=[(today, today + dt.timedelta(days=30))])
    far = provider_user("省外云", kind="compute")
    services.resource_save(actor=far, name="H800", accelerator="H800", cards_per_node=8, nodes=1,
                           memory_gb=80, price="6.00", region="domestic",
                           windows=[(today, today + dt.timedelta(days=30))])
    request = workload(enterprise_a, today)
    ranked = fetch.offers_for(request)
    fits = [(r.name, ranked_.plan.cards) for r, ranked_ in ranked if ranked_.fits]
    assert fits == [("910B 集群", 16), ("A800 训练集群", 16)]
    misses = {r.name: m.misses for r, m in ranked if not m.fits}
    assert "数据驻留" in misses["H800"][0]


def test_booking_holds_cards_and_decline_frees_them(provider, resource, enterprise_a,
                                                    enterprise_b, today):
    first = workload(enterprise_a, today)
    booking = services.booking_create(actor=enterprise_a, request_id=first.pk,
                                      resource_id=resource.pk)
    assert (booking.cards, booking.start, booking.end, booking.amount) == (
        16, today, today + dt.timedelta(days=2), Decimal("14400.00"))
    second = workload(enterprise_b, today)
    before = (Booking.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Conflict) as caught:
        services.booking_create(actor=enterprise_b, request_id=second.pk, resource_id=resource.pk)
    assert caught.value.code == "capacity_taken"
    assert (Booking.objects.count(), AuditEntry.objects.count()) == before
    services.booking_decline(actor=provider, booking_id=booking.pk, note="检修")
    assert WorkloadRequest.objects.get(pk=first.pk).status == "open"
    assert services.booking_create(actor=enterprise_b, request_id=second.pk,
                                   resource_id=resource.pk).cards == 16


def test_confirmed_bookings_become_the_registry_contract_amount(provider, resource, enterprise_a,
                                                                today):
    request = workload(enterprise_a, today)
    booking = services.booking_create(actor=enterprise_a, request_id=request.pk,
                                      resource_id=resource.pk)
    services.booking_confirm(actor=provider, booking_id=booking.pk)
    year = EnterpriseYear.objects.get(enterprise_id=enterprise_a.enterprise_id, year=today.year)
    assert year.values["compute_contract"] == "14400.00"
    assert AuditEntry.objects.filter(model="enterprises.enterpriseyear", source="compute").exists()


def test_others_are_refused(provider, resource, enterprise_a, enterprise_b, today):
    request = workload(enterprise_a, today)
    with pytest.raises(NotFound):
        services.booking_create(actor=enterprise_b, request_id=request.pk, resource_id=resource.pk)
    booking = services.booking_create(actor=enterprise_a, request_id=request.pk,
                                      resource_id=resource.pk)
    other_provider = provider_user("别家")
    with pytest.raises(NotFound):
        services.booking_confirm(actor=other_provider, booking_id=booking.pk)
    with pytest.raises(PermissionDenied):
        services.booking_confirm(actor=enterprise_a, booking_id=booking.pk)
    with pytest.raises(PermissionDenied):
        services.request_create(actor=provider, title="x", kind="training", card_hours=1,
                                accelerator_class="any", earliest=today, deadline=today,
                                residency="domestic")


def test_bad_request_input_names_the_fields(enterprise_a, today):
    before = WorkloadRequest.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.request_create(actor=enterprise_a, title="", kind="mining", card_hours="lots",
                                accelerator_class="training", earliest=today,
                                deadline=today - dt.timedelta(days=1), residency="moon")
    assert set(caught.value.fields) == {"title", "kind", "card_hours", "deadline", "residency"}
    assert WorkloadRequest.objects.count() == before


def test_pending_provider_cannot_list(today):
    pending = provider_user("新服务商", status="pending")
    with pytest.raises(Conflict):
        services.resource_save(actor=pending, name="x", accelerator="A10", cards_per_node=1,
                               nodes=1, memory_gb=24, price="3", region="jinjiang",
                               windows=[(today, today)])
