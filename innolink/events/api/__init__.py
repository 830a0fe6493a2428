"""JSON API of matchmaking events and competition judging. Thin: parse, authorize (through the
scoped selectors and the services' checks), call, shape.

Roles: organizer staff manage events and rounds; reviewers see and score only their own
assignments (another reviewer's is a 404); participants see their own agenda only.

Schemas are in ``schemas``; operations by entity in ``events``, ``rounds`` and
``reviewers``."""

from innolink.events.api import events, reviewers, rounds  # noqa: F401  (add operations)
from innolink.events.api._router import router

__all__ = ["router"]
