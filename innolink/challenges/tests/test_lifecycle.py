"""The transition table, checked exhaustively: every (action, state, actor) combination is
either the one allowed move or refused, and the services obey the same table."""

import itertools

import pytest

from innolink.challenges import lifecycle
from innolink.challenges.models import ChallengeState

STATES = [s.value for s in ChallengeState]
ACTORS = [lifecycle.OWNER, lifecycle.STAFF, lifecycle.RESEARCHER, lifecycle.SYSTEM]

# The life cycle as the city describes it, written out independently of the table.
EXPECTED = {
    ("submit", "draft", "owner"): "submitted",
    ("submit", "returned", "owner"): "submitted",
    ("return", "submitted", "staff"): "returned",
    ("reject", "submitted", "staff"): "rejected",
    ("publish", "submitted", "staff"): "published",
    ("claim", "published", "researcher"): "claimed",
    ("unclaim", "claimed", "system"): "published",
    ("shortlist", "claimed", "staff"): "shortlisted",
    ("shortlist", "shortlisted", "staff"): "shortlisted",
    ("match", "shortlisted", "staff"): "matched",
    ("contract", "matched", "owner"): "contracted",
    ("contract", "matched", "staff"): "contracted",
    ("milestone", "contracted", "owner"): "in_progress",
    ("milestone", "contracted", "staff"): "in_progress",
    ("milestone", "in_progress", "owner"): "in_progress",
    ("milestone", "in_progress", "staff"): "in_progress",
    ("accept", "contracted", "owner"): "accepted",
    ("accept", "contracted", "staff"): "accepted",
    ("accept", "in_progress", "owner"): "accepted",
    ("accept", "in_progress", "staff"): "accepted",
    ("close", "accepted", "staff"): "closed",
    ("expire", "published", "staff"): "expired",
    ("expire", "claimed", "staff"): "expired",
    ("expire", "published", "system"): "expired",
    ("expire", "claimed", "system"): "expired",
    **{("withdraw", s, "owner"): "withdrawn"
       for s in ("draft", "submitted", "returned", "published", "claimed")},
}


@pytest.mark.parametrize("action", sorted(lifecycle.TRANSITIONS))
def test_every_combination_of_state_and_actor(action):
    for state, actor in itertools.product(STATES, ACTORS):
        expected = EXPECTED.get((action, state, actor))
        assert lifecycle.target_state(action, state, {actor}) == expected, (action, state, actor)


def test_table_targets_and_sources_are_real_states():
    for t in lifecycle.TRANSITIONS.values():
        assert t.target in STATES and t.sources <= set(STATES)


def test_terminal_states_have_no_way_out():
    for state in ("closed", "rejected", "withdrawn", "expired"):
        assert lifecycle.actions_for(state, set(ACTORS)) == []


def test_every_state_is_reachable_from_draft():
    reached, frontier = {"draft"}, ["draft"]
    while frontier:
        state = frontier.pop()
        for t in lifecycle.TRANSITIONS.values():
            if state in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(STATES)


def test_buttons_leave_out_steps_taken_by_other_paths():
    actions = [t.action for t in lifecycle.actions_for("claimed", {"owner", "staff"})]
    assert actions == ["shortlist", "withdraw", "expire"]
