"""Every refusal code the events app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.events.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

ALREADY_CANCELLED = "already_cancelled"
ALREADY_ENTERED = "already_entered"
ALREADY_INVITED = "already_invited"
ALREADY_JOINED = "already_joined"
ALREADY_SCORING = "already_scoring"
ASSIGNMENTS_EXCEED_K = "assignments_exceed_k"
BAD_TRANSITION = "bad_transition"
EVENT_CLOSED = "event_closed"
NO_ASSIGNMENTS = "no_assignments"
NO_CRITERIA = "no_criteria"
NO_ENTRIES = "no_entries"
NO_REVIEWERS = "no_reviewers"
NOT_FINALISED = "not_finalised"
NOT_SCHEDULED = "not_scheduled"
NOT_SCORING = "not_scoring"
ROUND_FINALISED = "round_finalised"
ROUND_SCORING = "round_scoring"
SCHEDULE_AFFECTED = "schedule_affected"
SCHEDULE_PUBLISHED = "schedule_published"
SCORES_MISSING = "scores_missing"
