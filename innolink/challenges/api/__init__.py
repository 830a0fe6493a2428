"""JSON API of the challenge board: every step from posting to acceptance, offers and interest.

Money is exchanged in yuan as decimal strings (``funding``, ``budget``, ``amount``), the same
unit as stored; pages take 万元 input instead. Errors have the shape ``{code, message, extra}``;
invalid fields come back as ``extra.fields`` with Chinese messages naming the field and rule.

Schemas are in ``schemas``; operations by entity in ``challenges``, ``proposals``,
``researchers``, ``listings``, ``offers`` and ``overview`` (imported in that order, the order
of the paths in the OpenAPI document).
"""

from innolink.challenges.api import (  # noqa: F401  (add operations, in this order)
    challenges,
    proposals,
    researchers,
    listings,
    offers,
    overview,
)
from innolink.challenges.api._router import router

__all__ = ["router"]
