"""Every refusal code the compute app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.compute.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

ALREADY_DECIDED = "already_decided"
ALREADY_MATCHED = "already_matched"
ALREADY_REGISTERED = "already_registered"
BELOW_BOOKINGS = "below_bookings"
BOOKING_NOT_CONFIRMED = "booking_not_confirmed"
BOOKING_NOT_PENDING = "booking_not_pending"
CAPACITY_TAKEN = "capacity_taken"
MATCH_DECIDED = "match_decided"
NEED_NOT_OPEN = "need_not_open"
OFFER_DOES_NOT_FIT = "offer_does_not_fit"
PROVIDER_NOT_APPROVED = "provider_not_approved"
REQUEST_NOT_OPEN = "request_not_open"
USAGE_NOT_HELD = "usage_not_held"
