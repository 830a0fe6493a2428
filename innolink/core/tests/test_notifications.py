import pytest
from django.db import transaction

from innolink.core.models import Notification
from innolink.core.notifications import notify
from innolink.core.testing import make_user

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

