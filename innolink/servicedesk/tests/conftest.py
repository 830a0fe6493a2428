import pytest

from innolink.accounts.models import Department
from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.servicedesk.models import Category, DeskSettings, RoutingRule


@pytest.fixture(autouse=True)
def _fresh_router_cache():
    from innolink.servicedesk.routing import reset_router_cache

    reset_router_cache()
    yield
    reset_router_cache()


@pytest.fixture
def desk(db):
    """Three departments, a fallback owner and two routing rules (land → 自然资源局 with
    住建局 co-handling; labor in 陈埭 → 人社局)."""
    zr = Department.objects.create(code="zrzyj", name="自然资源局")
    zj = Department.objects.create(code="zjj", name="住房和城乡建设局")
    rs = Department.objects.create(code="rsj", name="人力资源和社会保障局")
    fb = Department.objects.create(code="qyfw", name="企业服务中心")
    DeskSettings.objects.filter(pk=1).update(fallback_department=fb)
    rule = RoutingRule.objects.create(category=Category.objects.get(code="land"), lead=zr)
    rule.co_departments.add(zj)
    RoutingRule.objects.create(category=Category.objects.get(code="labor"), town="陈埭", lead=rs)
    return {"zr": zr, "zj": zj, "rs": rs, "fb": fb}


@pytest.fixture
def company(db):
    return make_enterprise(name="晋江市恒安测试鞋业有限公司", town="陈埭")


@pytest.fixture
def owner(company):
    return make_user(Role.ENTERPRISE, enterprise=company)


@pytest.fixture
def handler(desk):
    return make_user(Role.DEPT_HANDLER, department=desk["zr"], email="zr@example.cn")


@pytest.fixture
def other_handler(desk):
    return make_user(Role.DEPT_HANDLER, department=desk["rs"])


@pytest.fixture
def co_handler(desk):
    return make_user(Role.DEPT_HANDLER, department=desk["zj"])


@pytest.fixture
def fallback_handler(desk):
    return make_user(Role.DEPT_HANDLER, department=desk["fb"])


@pytest.fixture
def coordinator(db):
    return make_user(Role.COORDINATOR, email="coord@example.cn")


@pytest.fixture
def leader(db):
    return make_user(Role.LEADER)


@pytest.fixture
def cadre(desk):
    return make_user(Role.CADRE, department=desk["zr"])


@pytest.fixture
def filed(desk, company, owner, handler):
    """A land request of the company, routed to 自然资源局 and waiting to be signed."""
    from innolink.servicedesk.services import request_create

    return request_create(enterprise=company, channel="online", category="land",
                          description="厂房历史遗留问题，不动产权证一直办不下来，影响银行抵押融资。",
                          actor=owner)
