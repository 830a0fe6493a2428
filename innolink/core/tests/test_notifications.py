import pytest
from django.db import transaction
from django.utils import timezone

from innolink.core.models import Notification
from innolink.core.notifications import notify
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_active_recipient_and_the_page_shows_them(client):
    alice, bob = make_user(), make_user(is_active=False)
    notify(recipients=[alice, alice, bob, None], title="榜单已发布", url="/x/", kind="t")
    assert list(Notification.objects.values_list("recipient", "title")) == [(alice.pk,
                                                                             "榜单已发布")]
    client.force_login(alice)
    page = client.get("/notifications/").content.decode()
    assert "榜单已发布" in page and 'class="badge">1<' in page
    client.post("/notifications/")
    assert Notification.objects.get().read_at is not None


def test_a_rolled_back_change_notifies_nobody():
    user = make_user()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[user], title="不会发出")
        raise RuntimeError
    assert Notification.objects.count() == 0



def test_the_page_pages_filters_unread_and_searches(client):
    alice = make_user()
    for i in range(120):
        notify(recipients=[alice], title=f"通知 {i:03d}", body="榜单已发布" if i % 2 else "活动提醒")
    Notification.objects.filter(title__in=["通知 000", "通知 001"]).update(read_at=timezone.now())
    client.force_login(alice)
    first = client.get("/notifications/").content.decode()
    assert "通知 119" in first and "通知 069" not in first and "第 1 / 3 页，共 120 条" in first
    last = client.get("/notifications/?page=3").content.decode()
    assert "通知 000" in last and "通知 119" not in last
    unread = client.get("/notifications/?unread=1&page=3").content.decode()
    assert "通知 002" in unread and "通知 001" not in unread and "共 118 条" in unread
    found = client.get("/notifications/?q=活动").content.decode()
    assert "共 60 条" in found and "通知 119" not in found and "通知 118" in found
    assert 'href="?q=%E6%B4%BB%E5%8A%A8&amp;page=2"' in found
    client.post("/notifications/?q=活动")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_page_is_in_english_for_an_english_reader(client):
    alice = make_user()
    notify(recipients=[alice], title="x")
    client.force_login(alice)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unread only" in page and "Mark all as read" in page and "1 notification" in page
