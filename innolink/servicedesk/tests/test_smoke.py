from innolink.servicedesk.models import Status
from innolink.servicedesk import services


def test_flow(filed, handler, owner, coordinator):
    assert filed.status == Status.ASSIGNED
    services.request_sign(actor=handler, request_id=filed.pk)
    services.request_reply(actor=handler, request_id=filed.pk, text="已协调办理")
    services.request_rate(actor=owner, request_id=filed.pk, rating="satisfied")
    filed.refresh_from_db()
    assert filed.status == Status.CLOSED
