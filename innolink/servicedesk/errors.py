"""Every refusal code the servicedesk app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.servicedesk.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

ALREADY_RATED = "already_rated"
ALREADY_REPLIED = "already_replied"
ALREADY_SIGNED = "already_signed"
BAD_ATTACHMENT = "bad_attachment"
CALLBACK_DONE = "callback_done"
DUPLICATE_EXTERNAL_ID = "duplicate_external_id"
EMPTY_TEXT = "empty_text"
EXTENSION_DECIDED = "extension_decided"
EXTENSION_PENDING = "extension_pending"
IMPORT_MISSING_COLUMNS = "import_missing_columns"
IMPORT_ROWS_INVALID = "import_rows_invalid"
IMPORT_TOO_LARGE = "import_too_large"
INPUT_NOT_PENDING = "input_not_pending"
INPUT_PENDING = "input_pending"
NO_SLA_RULE = "no_sla_rule"
REQUEST_CLOSED = "request_closed"
RULE_EXISTS = "rule_exists"
TOO_FEW_SAMPLES = "too_few_samples"
UNKNOWN_CADRE = "unknown_cadre"
UNKNOWN_CATEGORY = "unknown_category"
UNKNOWN_DEPARTMENT = "unknown_department"
UNKNOWN_ENTERPRISE = "unknown_enterprise"
UNKNOWN_TOWN = "unknown_town"
WRONG_STATE = "wrong_state"
