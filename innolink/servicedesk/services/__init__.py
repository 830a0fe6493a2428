"""Every write of the service desk, by entity: requests from every channel, routing, the
handling steps, ratings and reviews, merges, time-limit sweeps, and the tables staff keep
(routing, limits, cadres, plans).

- ``requests``: a new request from any channel, its routing and the suggestions;
- ``handling``: the handling steps (sign, return, assign, co-handling, extensions, reply, close,
  rate, review, merge, attachments, callbacks);
- ``sweeps``: the time-limit sweep and the rebuild of the aggregate counters;
- ``tables``: routing rules, the desk's settings, time-limit rules, supervising leaders;
- ``cadres``: cadres' assignments, visit plans, visits and sessions.

Each service is keyword-only, checks its input before it writes, runs in one transaction with its
audit entries, the request's history (``RequestEvent``) and the aggregate counters, and sends
notifications (rows in the transaction, e-mail on commit).

Other apps create requests through :func:`request_create` (ADR 0400)::

    request_create(enterprise=e, channel=Channel.PROJECT, category="land",
                   description="…", actor=user, source=f"project:{project.pk}")

Callers import from ``innolink.servicedesk.services``; the names below are its public surface.
"""

from innolink.servicedesk.services._common import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_FILES,
    MAX_TEXT,
    MAX_TITLE,
    attachments_check,
    category_resolve,
    town_check,
)
from innolink.servicedesk.services.cadres import (
    Problem,
    _cadre,
    cadre_assign,
    cadre_unassign,
    session_record,
    visit_plan_set,
    visit_record,
)
from innolink.servicedesk.services.handling import (
    callback_record,
    request_assign,
    request_attachment_add,
    request_close,
    request_extension_ask,
    request_extension_decide,
    request_input_ask,
    request_input_give,
    request_merge,
    request_rate,
    request_reply,
    request_return,
    request_return_decide,
    request_review,
    request_sign,
)
from innolink.servicedesk.services.requests import (
    CREATOR_CHANNELS,
    check_creator,
    request_create,
    route_for,
)
from innolink.servicedesk.services.sweeps import SweepResult, counters_rebuild, sla_sweep
from innolink.servicedesk.services.tables import (
    desk_settings_update,
    routing_rule_delete,
    routing_rule_save,
    sla_rule_update,
    supervision_set,
)

__all__ = [
    "ATTACHMENT_EXTENSIONS", "ATTACHMENT_MAX_BYTES", "ATTACHMENT_MAX_FILES", "CREATOR_CHANNELS",
    "MAX_TEXT", "MAX_TITLE", "Problem", "SweepResult", "_cadre", "attachments_check",
    "cadre_assign", "cadre_unassign", "callback_record", "category_resolve", "check_creator",
    "counters_rebuild", "desk_settings_update", "request_assign", "request_attachment_add",
    "request_close", "request_create", "request_extension_ask", "request_extension_decide",
    "request_input_ask", "request_input_give", "request_merge", "request_rate", "request_reply",
    "request_return", "request_return_decide", "request_review", "request_sign", "route_for",
    "routing_rule_delete", "routing_rule_save", "session_record", "sla_rule_update", "sla_sweep",
    "supervision_set", "town_check", "visit_plan_set", "visit_record",
]
