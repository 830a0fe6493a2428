import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.compute import services
from innolink.compute.models import Provider, ProviderMember
from innolink.enterprises.testing import make_enterprise, make_user


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def population_snapshot_dir(settings, tmp_path):
    from innolink.policies import snapshot

    settings.INNOLINK_POLICY_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    snapshot.forget()
    yield
    snapshot.forget()


def provider_user(name="晋江算力平台", status=Provider.Status.APPROVED, **fields):
    user = make_user(Role.PROVIDER)
    provider = Provider.objects.create(name=name, kind=fields.pop("kind", "both"), status=status,
                                       **fields)
    ProviderMember.objects.create(user=user, provider=provider)
    return user


@pytest.fixture
def provider(db):
    return provider_user()


@pytest.fixture
def enterprise_a(db):
    return make_user(Role.ENTERPRISE, enterprise=make_enterprise(town="陈埭"))


@pytest.fixture
def enterprise_b(db):
    return make_user(Role.ENTERPRISE, enterprise=make_enterprise(town="安海"))


@pytest.fixture
def staff(db):
    return make_user(Role.ORGANIZER)


@pytest.fixture
def resource(provider, today):
    return services.resource_save(
        actor=provider, name="A800 训练集群", accelerator="A800", cards_per_node=8, nodes=2,
        memory_gb=80, price="12.50", region="jinjiang",
        windows=[(today, today + dt.timedelta(days=60))])


def workload(actor, today, **fields):
    values = {"title": "鞋面缺陷检测模型训练", "kind": "training", "card_hours": 16 * 24 * 3,
              "accelerator_class": "training", "earliest": today,
              "deadline": today + dt.timedelta(days=2), "residency": "quanzhou"}
    values.update(fields)
    return services.request_create(actor=actor, **values)


MONEY = Decimal
