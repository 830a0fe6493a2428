"""Parsing of page forms into the plain dicts the services check. Validation itself lives in
``validation.py`` so pages and the API refuse the same input with the same messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from innolink.challenges.models import Domain, IpOwnership, TechnologyOffer
from innolink.core.ids import id_or_none
from innolink.core.money import wan_input

INDICATOR_ROWS = 6
MILESTONE_ROWS = 5
PRIZE_ROWS = 4
INDICATOR_KEYS = ("name", "target", "test_method")
PRIZE_KEYS = ("award", "amount", "count")

CHALLENGE_KEYS = ("title", "domain", "statement", "keywords", "funding_kind", "funding",
                  "funding_max", "payment_terms", "time_limit_months", "ip_ownership",
                  "ip_enterprise_share", "ip_notes", "other_conditions", "claim_deadline",
                  "max_claims", "contact_name", "contact_phone", "contact_email",
                  "enterprise_code", "institution_id", "issuer_name", "issuer_kind",
                  "issuer_region", "programme_id", "external_ref", "source", "solver_eligibility",
                  "solver_region", "disciplines", "trl_min", "trl_max")
LIST_KEYS = ("secondary_domains", "solver_types")


def rows_from_post(post, prefix: str, keys: tuple[str, ...], count: int) -> list[dict[str, str]]:
    rows = []
    for i in range(count + 20):
        row = {key: post.get(f"{prefix}-{i}-{key}", "") for key in keys}
        if i >= count and not any(row.values()):
            break
        rows.append(row)
    return rows


def challenge_data(post) -> dict[str, Any]:
    data: dict[str, Any] = {key: post.get(key, "") for key in CHALLENGE_KEYS}
    for key in LIST_KEYS:
        data[key] = post.getlist(key)
    data["indicators"] = rows_from_post(post, "ind", INDICATOR_KEYS, INDICATOR_ROWS)
    data["prize_schedule"] = rows_from_post(post, "prize", PRIZE_KEYS, PRIZE_ROWS)
    return data


def challenge_initial(challenge) -> dict[str, Any]:
    from innolink.challenges import disciplines

    data = {key: getattr(challenge, key, "") for key in CHALLENGE_KEYS
            if not key.endswith("_id") and hasattr(challenge, key)}
    for key in LIST_KEYS:
        data[key] = list(getattr(challenge, key) or [])
    data["funding"] = wan_input(challenge.funding)
    data["funding_max"] = wan_input(challenge.funding_max)
    data["claim_deadline"] = challenge.claim_deadline.isoformat()
    data["ip_enterprise_share"] = challenge.ip_enterprise_share or ""
    data["time_limit_months"] = challenge.time_limit_months or ""
    data["trl_min"] = challenge.trl_min or ""
    data["trl_max"] = challenge.trl_max or ""
    data["disciplines"] = "、".join(disciplines.label(c) for c in challenge.disciplines or [])
    data["programme_id"] = challenge.programme_id or ""
    if challenge.issuer_id:
        data.update(issuer_name=challenge.issuer.name, issuer_kind=challenge.issuer.kind,
                    issuer_region=challenge.issuer.region)
    data["prize_schedule"] = [{"award": p.get("award", ""), "amount": wan_input(p.get("amount")),
                               "count": p.get("count") or 1}
                              for p in challenge.prize_schedule or []]
    data["indicators"] = [{"name": i.name, "target": i.raw_text or i.display_target,
                           "test_method": i.test_method}
                          for i in challenge.indicators.all()]
    return data


def padded(rows: list[dict[str, Any]], count: int, keys: tuple[str, ...]) -> list[dict]:
    rows = list(rows)
    while len(rows) < count:
        rows.append({key: "" for key in keys})
    return rows


def proposal_data(post) -> dict[str, Any]:
    data = {key: post.get(key, "") for key in ("approach", "team", "budget", "plan",
                                               "prior_results")}
    data["milestones"] = rows_from_post(post, "ms", ("title", "month", "deliverable"),
                                        MILESTONE_ROWS)
    return data


PROFILE_KEYS = ("kind", "name", "title", "email", "phone", "station_kind", "station",
                "discipline", "research_fields", "keywords", "achievements", "availability",
                "region", "trl")


def profile_data(post) -> dict[str, Any]:
    data = {key: post.get(key, "") for key in PROFILE_KEYS}
    data["domains"] = post.getlist("domains")
    data["members"] = rows_from_post(post, "mem", ("name", "title", "role"), 6)
    return data


OFFER_KEYS = ("title", "domain", "summary", "trl", "applications", "ip_status", "ip_notes",
              "cooperation_mode", "asking_terms", "asking_price", "keywords", "contact_name",
              "contact_phone", "institution_id")


def offer_data(post) -> dict[str, Any]:
    return {key: post.get(key, "") for key in OFFER_KEYS}


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    domain = forms.ChoiceField(label=_("领域"), required=False,
                               choices=[("", _("全部领域"))] + list(Domain.choices))
    funding_min = forms.DecimalField(label=_("资金下限（万元）"), required=False, min_value=0,
                                     max_digits=12, decimal_places=2)
    funding_max = forms.DecimalField(label=_("资金上限（万元）"), required=False, min_value=0,
                                     max_digits=12, decimal_places=2)
    max_months = forms.IntegerField(label=_("时限不超过（月）"), required=False, min_value=1,
                                    max_value=36)
    ip = forms.ChoiceField(label=_("知识产权"), required=False,
                           choices=[("", _("不限"))] + list(IpOwnership.choices))
    deadline_from = forms.DateField(label=_("截止日期不早于"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "")


class OfferFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    domain = forms.ChoiceField(label=_("领域"), required=False,
                               choices=[("", _("全部领域"))] + list(Domain.choices))
    min_trl = forms.IntegerField(label=_("成熟度不低于"), required=False, min_value=1,
                                 max_value=9)
    mode = forms.ChoiceField(label=_("合作方式"), required=False,
                             choices=[("", _("不限"))] + list(TechnologyOffer.Mode.choices))

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "")


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("导入文件（.xlsx 或 .csv）"))
    commit = forms.BooleanField(label=_("检查无误后直接导入"), required=False)


class ListingImportForm(forms.Form):
    file = forms.FileField(label=_("榜单文件（.xlsx 或 .csv）"))
    programme = forms.IntegerField(label=_("所属赛事/榜单批次"), required=False)
    publish = forms.BooleanField(label=_("导入后直接张榜（仅限筛查项全部通过的榜单）"),
                                 required=False)


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


parse_int = id_or_none  # the one id helper (innolink.core.ids)


def parse_decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return None


PROGRAMME_KEYS = ("name", "edition", "track", "organizer", "region", "eligibility", "source")


def programme_data(post) -> dict[str, Any]:
    data: dict[str, Any] = {key: post.get(key, "") for key in PROGRAMME_KEYS}
    data["rubric"] = rows_from_post(post, "rub", ("name", "weight", "guidance"), 6)
    data["timeline"] = rows_from_post(post, "tl", ("stage", "start", "end"), 5)
    return data


def programme_initial(programme) -> dict[str, Any]:
    if programme is None:
        return {"rubric": [], "timeline": []}
    data = {key: getattr(programme, key) for key in PROGRAMME_KEYS}
    data["rubric"] = list(programme.rubric or [])
    data["timeline"] = list(programme.timeline or [])
    return data
