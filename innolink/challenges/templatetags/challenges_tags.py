from django import template

register = template.Library()


@register.filter
def field_errors(errors, name: str) -> list[str]:
    """Messages of one field, also for dotted names such as ``indicators.2.value``."""
    if not errors:
        return []
    return errors.get(name, [])


@register.filter
def row_errors(errors, prefix: str) -> list[str]:
    """Every message whose field starts with ``prefix`` (one indicator or milestone row)."""
    if not errors:
        return []
    return [m for key, messages in errors.items() if key.startswith(prefix) for m in messages]


@register.filter
def all_errors(errors) -> list[str]:
    return [m for messages in (errors or {}).values() for m in messages]


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def state_label(value, kind: str = "challenge") -> str:
    """A state value as its label: ``{{ v|state_label }}`` for challenges,
    ``{{ v|state_label:"offer" }}`` or ``:"proposal"`` for the others."""
    from innolink.challenges.models import ChallengeState, OfferState, ProposalState

    choices = {"offer": OfferState, "proposal": ProposalState}.get(kind, ChallengeState)
    if value in choices.values:
        return str(choices(value).label)
    return "—" if value is None else str(value)
