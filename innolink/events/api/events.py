"""API of events: create, edit, invitations, availability, schedule, agenda."""

from __future__ import annotations

from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.core.models import Job
from innolink.events import access, selectors, services
from innolink.events.api._router import router
from innolink.events.api.schemas import (
    AgendaOut,
    AgendaRowOut,
    AvailabilityIn,
    CreatedCountOut,
    EventDetailOut,
    EventIn,
    EventOut,
    EventPatchIn,
    InvitationIn,
    InvitationOut,
    JobStartedOut,
    ParticipantOut,
    ScheduleOut,
    ScheduleOutcomeOut,
    StateIn,
    _clean,
)

# ------------------------------------------------------------------------------ events

@router.get("", response={200: list[EventOut], **ERRORS})
def event_list(request):
    """Staff: every event. Participants: events whose published schedule includes them."""
    return list(selectors.event_list(request.auth)[:500])


@router.post("", response={201: EventDetailOut, **ERRORS})
def event_create(request, payload: EventIn):
    event = services.event_create(actor=request.auth, source="api", **payload.dict())
    return Status(201, event)


@router.get("/{int:event_id}", response={200: EventDetailOut, **ERRORS})
def event_detail(request, event_id: int):
    return selectors.event_for_user(request.auth, event_id)


@router.patch("/{int:event_id}", response={200: EventDetailOut, **ERRORS})
def event_update(request, event_id: int, payload: EventPatchIn):
    event = selectors.event_for_staff(request.auth, event_id)
    data = payload.dict(exclude_unset=True)
    discard = data.pop("discard_schedule", False)
    return services.event_update(actor=request.auth, event=event, discard_schedule=discard,
                                 source="api", **data)


@router.get("/{int:event_id}/invitations", response={200: list[InvitationOut], **ERRORS})
def invitation_list(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    return list(selectors.active_invitations(event))


@router.post("/{int:event_id}/invitations", response={201: InvitationOut, **ERRORS})
def invitation_create(request, event_id: int, payload: InvitationIn):
    event = selectors.event_for_staff(request.auth, event_id)
    invitation = services.invitation_create(
        actor=request.auth, event=event, priority=payload.priority, source="api",
        proposal=None if payload.proposal_id is None
        else selectors.proposal_for_staff(request.auth, payload.proposal_id),
        offer_interest=None if payload.offer_interest_id is None
        else selectors.offer_interest_for_staff(request.auth, payload.offer_interest_id))
    return Status(201, invitation)


@router.post("/{int:event_id}/invitations/invite-shortlisted",
             response={201: CreatedCountOut, **ERRORS})
def invitations_invite_shortlisted(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    n = services.invitations_invite_shortlisted(actor=request.auth, event=event, source="api")
    return Status(201, CreatedCountOut(created=n))


@router.post("/{int:event_id}/invitations/{int:invitation_id}/cancel",
             response={200: InvitationOut, **ERRORS})
def invitation_cancel(request, event_id: int, invitation_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    invitation = selectors.invitation_for_staff(request.auth, event, invitation_id)
    return services.invitation_cancel(actor=request.auth, invitation=invitation, source="api")



@router.get("/{int:event_id}/participants", response={200: list[ParticipantOut], **ERRORS})
def participants(request, event_id: int):
    """Every invited participant and the slots they cannot attend."""
    event = selectors.event_for_staff(request.auth, event_id)
    return [ParticipantOut(participant=p.key, name=p.name,
                           unavailable_slot_ids=sorted(p.unavailable))
            for p in selectors.event_participants(event)]


@router.put("/{int:event_id}/participants", response={200: ParticipantOut, **ERRORS})
def availability_set(request, event_id: int, payload: AvailabilityIn):
    """Replace the slots a participant cannot attend (respected by the next schedule)."""
    event = selectors.event_for_staff(request.auth, event_id)
    slots = services.availability_set(actor=request.auth, event=event,
                                      participant=_clean(payload.participant),
                                      slot_ids=payload.unavailable_slot_ids, source="api")
    name = next(p.name for p in selectors.event_participants(event)
                if p.key == payload.participant)
    return ParticipantOut(participant=payload.participant, name=name,
                          unavailable_slot_ids=slots)



@router.post("/{int:event_id}/schedule",
             response={200: ScheduleOutcomeOut, 202: JobStartedOut, **ERRORS})
def event_schedule(request, event_id: int):
    """Schedule every invited pair (CP-SAT); pairs that cannot be placed come with a reason.
    An event with more than 200 pairs is scheduled in a background job (202; poll
    /api/jobs/{job_id})."""
    event = selectors.event_for_staff(request.auth, event_id)
    outcome = services.event_schedule_now_or_later(actor=request.auth, event=event, source="api")
    if isinstance(outcome, Job):
        return Status(202, JobStartedOut(job_id=outcome.pk, status=outcome.status))
    return ScheduleOutcomeOut(placed=outcome.placed, optimal=outcome.optimal,
                              unplaced=outcome.unplaced)


@router.get("/{int:event_id}/schedule", response={200: ScheduleOut, **ERRORS})
def schedule_read(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    return ScheduleOut(
        state=event.state, meetings=list(event.meetings.order_by("slot__starts_at", "id")),
        unplaced={i.pk: i.unscheduled_reason_text for i in selectors.active_invitations(event)
                  if i.unscheduled_reason})


@router.post("/{int:event_id}/publish", response={200: EventOut, **ERRORS})
def event_publish(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    return services.event_publish(actor=request.auth, event=event, source="api")


@router.post("/{int:event_id}/state", response={200: EventOut, **ERRORS})
def event_transition(request, event_id: int, payload: StateIn):
    event = selectors.event_for_staff(request.auth, event_id)
    return services.event_transition(actor=request.auth, event=event, to=payload.to,
                                     source="api")


@router.get("/{int:event_id}/agenda", response={200: list[AgendaOut], **ERRORS})
def agenda(request, event_id: int):
    """The caller's own agenda (staff: every participant's)."""
    event = selectors.event_for_user(request.auth, event_id)
    agendas = selectors.agendas_for_event(event) if access.is_event_staff(request.auth) \
        else selectors.agendas_for_user(request.auth, event)
    return [AgendaOut(participant=a.key, name=a.name, meetings=[
        AgendaRowOut(starts_at=r.starts_at, ends_at=r.ends_at, room=r.room,
                     counterpart=r.counterpart, topic=r.topic) for r in a.rows])
        for a in agendas]
