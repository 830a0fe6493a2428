import datetime as dt

import pytest
from django.utils import timezone

from innolink.core.errors import Throttled
from innolink.core.models import RateCount
from innolink.core.throttle import throttle_hit

pytestmark = pytest.mark.django_db


def test_the_count_is_per_window_and_old_windows_are_removed():
    t0 = timezone.now().replace(minute=0, second=0, microsecond=0)
    hit = dict(scope="t", client="203.0.113.9", target=1, limit=2, window=600)
    assert [throttle_hit(**hit, now=t0), throttle_hit(**hit, now=t0)] == [1, 2]
    with pytest.raises(Throttled) as exc:
        throttle_hit(**hit, now=t0 + dt.timedelta(seconds=30))
    assert exc.value.status == 429 and exc.value.extra["retry_after"] == 571
    assert throttle_hit(**hit, now=t0 + dt.timedelta(seconds=600)) == 1  # a new window
    throttle_hit(**hit, now=t0 + dt.timedelta(seconds=1800))
    assert RateCount.objects.filter(scope="t").count() == 1  # the windows that are over go
