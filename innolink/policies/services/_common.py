"""Helpers the policies services share: today's date, the money short names, the money and
year parsers, and the row lock of the applications a decision or an upload works on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.core import money
from innolink.core.errors import NotFound, ValidationFailed
from innolink.policies.models import Application
from innolink.core.ids import is_id


CENT = Decimal("0.01")
MIN_YEAR = 2000


def _today() -> dt.date:
    return timezone.localdate()


# money helpers live in core.money (ADR 0793); the short names keep the ledger code readable
_fen, _yuan, _wan = money.to_fen, money.from_fen, money.money_text


def parse_money(value: Any, field_name: str, label: str) -> Decimal:
    """A positive amount in yuan with at most two decimals, or a ValidationFailed naming it
    (the platform's one money parser, bounded by the ledger's 16-digit columns).

    Examples:
        >>> parse_money("1,200.5", "amount", "拨付金额")
        Decimal('1200.50')
    """
    from innolink.core.money import MoneyInvalid
    from innolink.core.money import parse_money as parse

    try:
        return parse(value if value is not None else "", label=label, max_digits=16,
                     allow_zero=False, round_places=False)
    except MoneyInvalid as exc:
        raise ValidationFailed({field_name: [exc.message]}) from None


def check_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed({"year": [_("政策年度应为四位年份，如 2025")]})
    if not MIN_YEAR <= year <= _today().year:
        raise ValidationFailed({"year": [_("政策年度应在 %(a)s 至 %(b)s 之间") % {
            "a": MIN_YEAR, "b": _today().year}]})
    return year


def _lock_applications(ids: list[int]) -> list[Application]:
    if not all(is_id(i) for i in ids):
        raise NotFound()
    rows = list(Application.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    found = {a.pk for a in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound()
    return list(Application.objects.filter(pk__in=ids).select_related(
        "clause__version__policy", "enterprise").order_by("pk"))
