"""Every refusal code the matching app raises: the ``code`` of its ``ApplicationError``s (the
``code`` field of an API error body, what a client branches on), one name each.

Raise with the name (``from innolink.matching.errors import NAME``, then ``code=NAME``); the
message stays at the raise site (it carries the case's values) and is a translatable msgid
(ADR 0750).
``tests/test_error_codes.py`` fails on a code written anywhere but here.
"""

DUPLICATE = "duplicate"
