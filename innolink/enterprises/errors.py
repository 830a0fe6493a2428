"""Every refusal code the enterprises app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.enterprises.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

IMPORT_BAD_ENCODING = "import_bad_encoding"
IMPORT_BAD_TYPE = "import_bad_type"
IMPORT_EMPTY = "import_empty"
IMPORT_MERGED_HEADER = "import_merged_header"
IMPORT_NO_HEADER = "import_no_header"
IMPORT_TOO_LARGE = "import_too_large"
IMPORT_TOO_MANY_ROWS = "import_too_many_rows"
INDICATOR_KIND_FIXED = "indicator_kind_fixed"
ITEM_EXISTS = "item_exists"
LEVEL_IN_USE = "level_in_use"
LEVEL_MISSING = "level_missing"
QUALIFICATION_EXISTS = "qualification_exists"
