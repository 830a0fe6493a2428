"""Checking project and report input. Each message names the field and the rule; all problems
are collected and raised as one ``ValidationFailed`` (nothing is written)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from innolink.core.errors import ValidationFailed
from innolink.core.money import MoneyInvalid, parse_money

MAX_VALUE = Decimal("99999999999999")


class Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)

    def text(self, data: dict, name: str, label: str, *, required: bool = True,
             max_length: int = 2000) -> str:
        raw = data.get(name)
        value = "" if raw is None else str(raw).replace("\x00", "").strip()
        if required and not value:
            self.add(name, _("%(label)s：必填") % {"label": label})
        elif len(value) > max_length:
            self.add(name, _("%(label)s：不超过 %(n)s 个字") % {"label": label, "n": max_length})
        return value

    def choice(self, data: dict, name: str, label: str, choices, *, required: bool = True
               ) -> str:
        value = str(data.get(name) or "").strip()
        if not value:
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
        elif value not in {c[0] for c in choices}:
            self.add(name, _("%(label)s：应为以下之一：%(values)s") % {
                "label": label, "values": "、".join(str(c[1]) for c in choices)})
        return value

    def decimal(self, data: dict, name: str, label: str, *, required: bool = True,
                negative: bool = False) -> Decimal | None:
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
            return None
        try:
            value = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            self.add(name, _("%(label)s：应为数字") % {"label": label})
            return None
        if not value.is_finite() or abs(value) > MAX_VALUE:
            self.add(name, _("%(label)s：应为数字") % {"label": label})
            return None
        if value < 0 and not negative:
            self.add(name, _("%(label)s：不得为负数") % {"label": label})
            return None
        return value

    def money(self, data: dict, name: str, label: str, *, required: bool = True,
              unit: Decimal = Decimal(1), max_digits: int = 16) -> Decimal | None:
        """Yuan with two places through the platform's money parser (``core.money``): bounded
        by the column *after* the unit is applied (10^13 万元 no longer reaches the database)."""
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
            return None
        try:
            return parse_money(raw, label=label, max_digits=max_digits, decimal_places=2,
                               unit=unit)
        except MoneyInvalid as exc:
            self.add(name, exc.message)
            return None

    def date(self, data: dict, name: str, label: str, *, required: bool = True
             ) -> dt.date | None:
        raw = data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.add(name, _("%(label)s：必填") % {"label": label})
            return None
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            self.add(name, _("%(label)s：日期格式应为 YYYY-MM-DD") % {"label": label})
            return None


def rows(value: Any) -> list[dict]:
    """The non-empty dict rows of a repeated group (forms send blank rows)."""
    if not isinstance(value, (list, tuple)):
        return []
    return [r for r in value if isinstance(r, dict)
            and any(str(v or "").strip() for v in r.values())]
