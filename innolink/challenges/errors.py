"""Every refusal code the challenges app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.challenges.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

ALREADY_CLAIMED = "already_claimed"
ALREADY_INTERESTED = "already_interested"
BAD_ACTION = "bad_action"
BAD_TRANSITION = "bad_transition"
CHECK_NOT_OPEN = "check_not_open"
CLOSED = "closed"
DEADLINE_NOT_PASSED = "deadline_not_passed"
DEADLINE_PASSED = "deadline_passed"
IMPORT_ALREADY_STARTED = "import_already_started"
IMPORT_BAD_ENCODING = "import_bad_encoding"
IMPORT_BAD_FILE = "import_bad_file"
IMPORT_BAD_TYPE = "import_bad_type"
IMPORT_EMPTY = "import_empty"
IMPORT_HAS_ERRORS = "import_has_errors"
IMPORT_MISSING_COLUMNS = "import_missing_columns"
IMPORT_NEEDS_MAPPING = "import_needs_mapping"
IMPORT_NO_HEADER = "import_no_header"
IMPORT_NOT_CHECKED = "import_not_checked"
IMPORT_TOKEN = "import_token"
IMPORT_TOO_LARGE = "import_too_large"
IMPORT_TOO_MANY_ROWS = "import_too_many_rows"
MILESTONE_DONE = "milestone_done"
MILESTONES_PENDING = "milestones_pending"
NO_PLACES = "no_places"
NOT_CLAIMABLE = "not_claimable"
NOT_EDITABLE = "not_editable"
NOT_PUBLISHED = "not_published"
NOT_SCREENING = "not_screening"
PROFILE_MISSING = "profile_missing"
SCREENING_OPEN = "screening_open"
