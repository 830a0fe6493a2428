
import pytest
from django.utils import timezone

from innolink.accounts.models import Department
from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.weather.models import CapSender
from innolink.weather.services import profile_save
from innolink.weather.capdocs import SENDER


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def meteorologist(db):
    department, _ = Department.objects.get_or_create(code="qxj", defaults={"name": "气象局"})
    return make_user(Role.METEOROLOGIST, department=department)


@pytest.fixture
def feed(db):
    return CapSender.objects.create(sender=SENDER, name="晋江市气象台")


@pytest.fixture
def profiles(db, meteorologist):
    """Six enterprises: port logistics in 深沪 and 金井, outdoor work in 青阳, a dye works in
    陈埭, a bakery with no exposure in 安海, and one located by coordinates only in 磁灶."""
    spec = [("深沪", ["port_logistics"], None), ("金井", ["port_logistics", "open_storage"], None),
            ("青阳", ["outdoor_work"], None), ("陈埭", ["dyeing"], None), ("安海", [], None),
            ("磁灶", ["kiln", "outdoor_work"], (24.75, 118.45))]
    out = []
    for town, exposures, point in spec:
        enterprise = make_enterprise(town=town)
        profile_save(actor=meteorologist, enterprise=enterprise, exposures=exposures,
                     lat=point[0] if point else None, lon=point[1] if point else None)
        out.append(enterprise)
    return out
