"""Every write of events and judging rounds, by entity. Each function is one transaction,
audits what it changes and notifies those concerned in the platform.

- ``events``: an event's life (create, edit, availability, schedule, publish, state);
- ``invitations``: who is invited to an event;
- ``reviewers``: reviewers' profiles and declared conflicts;
- ``rounds``: judging rounds, assignment, scores, results and awards.

Callers import from ``innolink.events.services``; the names below are its public surface.
"""

from innolink.events.services._common import EDITABLE_EVENT_STATES
from innolink.events.services.events import (
    EVENT_SCHEDULE_FIELDS,
    EVENT_TEXT_FIELDS,
    SCHEDULE_KIND,
    SYNC_SCHEDULE_PAIRS,
    ScheduleOutcome,
    availability_set,
    event_create,
    event_publish,
    event_schedule,
    event_schedule_now_or_later,
    event_schedule_start,
    event_slot_settings,
    event_transition,
    event_update,
)
from innolink.events.services.invitations import (
    invitation_cancel,
    invitation_create,
    invitations_invite_shortlisted,
)
from innolink.events.services.reviewers import conflict_declare, reviewer_profile_save
from innolink.events.services.rounds import (
    DEFAULT_RUBRIC,
    ROUND_DRAFT_FIELDS,
    ROUND_TEXT_FIELDS,
    AssignOutcome,
    award_record,
    round_assign,
    round_create,
    round_entries_add,
    round_finalise,
    round_open_scoring,
    round_reviewer_set_load,
    round_reviewers_add,
    round_update,
    score_submit,
)

__all__ = [
    "DEFAULT_RUBRIC", "EDITABLE_EVENT_STATES", "EVENT_SCHEDULE_FIELDS", "EVENT_TEXT_FIELDS", "ROUND_DRAFT_FIELDS",
    "ROUND_TEXT_FIELDS", "SCHEDULE_KIND", "SYNC_SCHEDULE_PAIRS", "AssignOutcome", "ScheduleOutcome",
    "availability_set", "award_record", "conflict_declare", "event_create",
    "event_publish", "event_schedule", "event_schedule_now_or_later", "event_schedule_start", "event_slot_settings",
    "event_transition", "event_update", "invitation_cancel", "invitation_create",
    "invitations_invite_shortlisted", "reviewer_profile_save", "round_assign", "round_create",
    "round_entries_add", "round_finalise", "round_open_scoring", "round_reviewer_set_load",
    "round_reviewers_add", "round_update", "score_submit",
]
