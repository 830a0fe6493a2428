"""The challenge life cycle in one table: which action moves a challenge from which states to
which state, and who may take it. Pure Python (no Django) so it can be tested exhaustively.

Actors:
    owner       a user of the posting enterprise (or the staff member who posted for an
                institution)
    staff       organizer staff and administrators
    researcher  a researcher claiming the challenge (the first claim moves it to ``claimed``)
    system      the platform itself (last open claim withdrawn, deadline passed)

Examples:
    >>> target_state("publish", "submitted", {"staff"})
    'published'
    >>> allowed("publish", "submitted", {"owner"})
    False
"""

from __future__ import annotations

from dataclasses import dataclass

OWNER, STAFF, RESEARCHER, SYSTEM = "owner", "staff", "researcher", "system"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    #: the verb on buttons and in refusals: a Chinese msgid in context "challenge step",
    #: translated where shown (``services.step_label``, ``{% translate t.label context … %}``);
    #: this module stays free of Django
    label: str


def _t(action: str, sources: str, target: str, actors: str, label: str) -> Transition:
    return Transition(action, frozenset(sources.split()), target, frozenset(actors.split()),
                      label)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    _t("submit", "draft returned", "submitted", OWNER, "提交审核"),
    _t("return", "submitted", "returned", STAFF, "退回修改"),
    _t("reject", "submitted", "rejected", STAFF, "不予发布"),
    _t("publish", "submitted", "published", STAFF, "张榜发布"),
    _t("claim", "published", "claimed", RESEARCHER, "揭榜"),
    _t("unclaim", "claimed", "published", SYSTEM, "恢复待揭榜"),
    _t("shortlist", "claimed shortlisted", "shortlisted", STAFF, "入围遴选"),
    _t("match", "shortlisted", "matched", STAFF, "确认对接成功"),
    _t("contract", "matched", "contracted", f"{OWNER} {STAFF}", "登记合同"),
    _t("milestone", "contracted in_progress", "in_progress", f"{OWNER} {STAFF}", "完成节点"),
    _t("accept", "contracted in_progress", "accepted", f"{OWNER} {STAFF}", "验收通过"),
    _t("close", "accepted", "closed", STAFF, "结项"),
    _t("withdraw", "draft submitted returned published claimed", "withdrawn", OWNER, "撤回"),
    _t("expire", "published claimed", "expired", f"{STAFF} {SYSTEM}", "过期下榜"),
]}

#: Actions the owner may take while editing is allowed.
EDITABLE_STATES = frozenset({"draft", "returned"})


def allowed(action: str, state: str, actors: set[str] | frozenset[str]) -> bool:
    transition = TRANSITIONS.get(action)
    return bool(transition and state in transition.sources and transition.actors & set(actors))


def target_state(action: str, state: str, actors: set[str] | frozenset[str]) -> str | None:
    """The state after ``action``, or None when the action is not allowed."""
    return TRANSITIONS[action].target if allowed(action, state, actors) else None


def actions_for(state: str, actors: set[str] | frozenset[str]) -> list[Transition]:
    """Transitions these actors may start from ``state`` (for buttons), in table order."""
    return [t for t in TRANSITIONS.values() if state in t.sources and t.actors & set(actors)
            and t.action not in BY_OTHER_PATHS]


#: Actions started by another step (a claim, a milestone, a withdrawn claim), not by a button.
BY_OTHER_PATHS = frozenset({"claim", "unclaim", "milestone"})
