"""The demo city's service desk: a year of requests whose counters equal the recount, today's
work in the queues, idempotent."""

import pytest

from innolink.enterprises.testing import make_enterprise
from innolink.demo.services import demo_accounts_ensure
from innolink.servicedesk import demo, selectors
from innolink.servicedesk.models import Extension, ServiceRequest, Status


@pytest.mark.django_db
@pytest.mark.demo_seed
def test_demo_year_is_consistent_and_seeded_once():
    for i in range(300):
        make_enterprise(is_demo=True, town=["陈埭", "安海", "磁灶", "青阳"][i % 4])
    from innolink.accounts.models import Department

    Department.objects.get_or_create(code="gxj", defaults={"name": "工业和信息化局"})
    for code, name in [("kjj", "科学技术局"), ("swj", "商务局"), ("czj", "财政局"),
                       ("rsj", "人力资源和社会保障局"), ("scjgj", "市场监督管理局"),
                       ("fgj", "发展和改革局"), ("zrzyj", "自然资源局"), ("sthjj", "生态环境局"),
                       ("qxj", "气象局")]:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    demo_accounts_ensure()
    summary = demo.seed(seed=5)
    assert "诉求办理" in summary
    assert ServiceRequest.objects.filter(is_demo=True).count() > 200
    assert selectors.counters_stored() == selectors.counters_recount()
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.HANDLING, Status.ASSIGNED, Status.RETURNED,
            Status.REVIEW} <= statuses
    assert Extension.objects.filter(state="pending").exists()
    from innolink.accounts.models import User

    assert selectors.handler_queue(User.objects.get(username="handler")).exists()
    channels = set(ServiceRequest.objects.values_list("channel", flat=True))
    assert {"online", "hotline", "visit"} <= channels
    assert demo.seed(seed=5) == ""
