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


@register.filter
def funding_text(challenge) -> str:
    """The listing's money as it states it, in the reader's units (``core.money``): "50 万元",
    "30–50 万元", "不超过 100 万元", "奖金合计 120 万元", "面议" for a Chinese reader; "500,000 yuan",
    "up to 1 million yuan" for others, who do not count in ten-thousands."""
    from django.utils.translation import gettext as _

    from innolink.core.money import money_parts, money_text

    kind, low, high = challenge.funding_kind, challenge.funding, challenge.funding_max
    if kind == "negotiable" or (low is None and high is None):
        return _("面议")
    if kind == "range" and low is not None and high is not None:
        (a, unit_a), (b, unit_b) = money_parts(low), money_parts(high)
        if unit_a == unit_b:
            return f"{a}–{b} {unit_b}"
        return f"{money_text(low)} – {money_text(high)}"
    if kind == "up_to":
        return _("不超过 %(v)s") % {"v": money_text(low)}
    if kind == "prize":
        return _("奖金合计 %(v)s") % {"v": money_text(low)}
    return money_text(low)


@register.filter
def prize_rows(challenge) -> list[dict]:
    from innolink.core.money import money_text

    return [{"award": p.get("award", ""), "amount": money_text(p.get("amount") or 0),
             "count": p.get("count") or 1} for p in challenge.prize_schedule or []]


@register.filter
def domain_labels(codes) -> str:
    from innolink.challenges.models import Domain

    labels = {d.value: str(d.label) for d in Domain}
    if isinstance(codes, str):  # one code
        codes = [codes] if codes else []
    return "、".join(labels.get(c, c) for c in codes or [])


@register.filter
def discipline_labels(codes) -> str:
    from innolink.challenges import disciplines

    return "、".join(disciplines.label(c) for c in codes or [])


@register.filter
def solver_type_labels(codes) -> str:
    from innolink.challenges.models import SolverType

    labels = {c.value: str(c.label) for c in SolverType}
    return "、".join(labels.get(c, c) for c in codes or [])


@register.filter
def import_reason(problem) -> str:
    """A row problem of an import report in the reader's language (stored by code)."""
    from innolink.challenges.listing_import import render_reason

    if isinstance(problem, dict) and problem.get("code"):
        return render_reason(problem["code"], problem.get("params"))
    return (problem or {}).get("reason", "") if isinstance(problem, dict) else str(problem)


@register.filter
def preview_funding(p) -> str:
    from types import SimpleNamespace

    return funding_text(SimpleNamespace(funding_kind=p.get("funding_kind"),
                                        funding=p.get("funding"), funding_max=p.get("funding_max")))
