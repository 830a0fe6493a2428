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


# ------------------------------------------------------------------ worded when read (ADR 0790)

def test_a_translatable_value_is_stored_as_its_msgid_and_worded_when_read():
    from django.utils import translation
    from django.utils.translation import gettext_noop as N_

    from innolink.core.messages import Message, choice_msg
    from innolink.core.models import Job

    alice = make_user()
    job = Job(kind="x", title="x", status=Job.Status.SUCCEEDED)
    with translation.override("en"):  # the sender's language does not decide the stored text
        row, = notify(recipients=[alice], title=N_("算力预订%(s)s：%(r)s"),
                      params={"s": choice_msg(job, "status"), "r": "GPU-1"},
                      body=Message(N_("%(c)s 卡，%(a)s 至 %(b)s"), c=2, a="12-01", b="12-02"),
                      note="请按时使用")
    row = Notification.objects.get(pk=row.pk)
    assert row.title_params == {"s": {"msgid": "已完成"}, "r": "GPU-1"}
    assert row.body_params == {"s": {"msgid": "已完成"}, "r": "GPU-1", "c": 2, "a": "12-01",
                               "b": "12-02"}
    assert (row.title, row.body) == ("算力预订已完成：GPU-1", "2 卡，12-01 至 12-02\n请按时使用")
    with translation.override("en"):
        done = translation.gettext("已完成")
        assert done != "已完成" and row.title_text == f"Compute booking ({done}): GPU-1"
        assert row.body_text == "2 cards, 12-01 to 12-02\n请按时使用"
    with translation.override("zh-hans"):
        assert row.title_text == "算力预订已完成：GPU-1"


def test_a_row_from_before_msgids_shows_as_stored(client):
    alice = make_user()
    Notification.objects.create(recipient=alice, title="揭榜结果：旧榜单", body="旧正文")
    client.force_login(alice)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "揭榜结果：旧榜单" in page and "旧正文" in page


def test_channels_run_on_commit_in_the_platform_language(settings, django_capture_on_commit_callbacks):
    from django.utils import translation
    from django.utils.translation import gettext_noop as N_

    seen = []
    settings.INNOLINK_NOTIFICATION_CHANNELS = [f"{__name__}._channel"]
    _channel.seen = seen
    alice = make_user()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        notify(recipients=[alice], title=N_("进展报告已确认：%(t)s"), params={"t": "项目甲"})
    assert seen == ["进展报告已确认：项目甲"]


def _channel(row):
    _channel.seen.append(row.title_text)


def test_the_api_lists_only_the_callers_notifications_and_needs_a_user(client):
    from django.utils.translation import gettext_noop as N_

    from innolink.accounts.services import api_token_create

    alice, bob = make_user(), make_user()
    notify(recipients=[alice], title=N_("进展报告已确认：%(t)s"), params={"t": "项目甲"})
    notify(recipients=[bob], title=N_("进展报告已确认：%(t)s"), params={"t": "项目乙"})
    assert client.get("/api/notifications").status_code == 401
    _token, plain = api_token_create(user=alice, name="app")
    body = client.get("/api/notifications", HTTP_AUTHORIZATION=f"Bearer {plain}",
                      HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 1
    assert body["items"][0]["title"] == "Progress report accepted: 项目甲"
    assert body["items"][0]["title_params"] == {"t": "项目甲"}
