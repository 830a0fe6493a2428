"""Screening checks (审核筛查项) the organizer sees before publishing a listing (decision 0351).

Real listings often lack what the board once refused at posting: indicator parameters (须明确
指标参数), a domain, a readable number, a time limit within 3 years. Posting accepts them; the
organizer sees each open check on the listing and either fixes it (assigns a domain, returns the
listing for editing) or waives it with a reason, which is audited. Publication needs every check
passed or waived.

A waiver is kept in ``Challenge.screening_waivers[code]`` with the reason, who and when; the
time-limit exception also keeps the months it covers, so a later, longer time limit needs a new
exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from innolink.challenges.models import MAX_TIME_LIMIT_MONTHS, Challenge


@dataclass(frozen=True)
class CheckSpec:
    code: str
    label: str
    waivable: bool
    fix: str  # what resolves it besides a waiver


SPECS: dict[str, CheckSpec] = {s.code: s for s in [
    CheckSpec("indicators_missing", _("须明确指标参数：未填写技术指标"), True,
              _("退回发榜方补充指标，或说明理由后豁免")),
    CheckSpec("indicators_unreadable", _("有指标数值无法识别，已按文字保存"), True,
              _("退回发榜方修改，或核对后确认按文字指标处理")),
    CheckSpec("time_limit_over", _("时限超过 36 个月（原则上不超过3年）"), True,
              _("退回发榜方缩短时限，或说明理由批准例外")),
    CheckSpec("domain_missing", _("未指定主领域"), False, _("由组织方指定主领域")),
]}


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    detail: str
    waivable: bool
    fix: str
    waiver: dict | None = None

    @property
    def resolved(self) -> bool:
        return self.waiver is not None


def _waiver(challenge: Challenge, code: str) -> dict | None:
    waiver = (challenge.screening_waivers or {}).get(code)
    if not waiver:
        return None
    if code == "time_limit_over":
        covered = waiver.get("value")
        if covered is None or (challenge.time_limit_months or 0) > int(covered):
            return None  # the exception was for a shorter time limit
    return waiver


def checks_for(challenge: Challenge, indicators=None) -> list[Check]:
    """The screening checks that apply to this listing now (waived ones included, marked)."""
    rows = list(challenge.indicators.all()) if indicators is None else list(indicators)
    found: list[tuple[str, str]] = []
    if not rows:
        found.append(("indicators_missing", ""))
    unreadable = [r for r in rows if r.needs_review]
    if unreadable:
        found.append(("indicators_unreadable",
                      "；".join(f"{r.name or '—'}：{r.raw_text}" for r in unreadable)[:300]))
    months = challenge.time_limit_months
    if months and months > MAX_TIME_LIMIT_MONTHS:
        found.append(("time_limit_over", f"{months} 个月"))
    if not challenge.domain:
        found.append(("domain_missing", ""))
    out = []
    for code, detail in found:
        spec = SPECS[code]
        out.append(Check(code, str(spec.label), detail, spec.waivable, str(spec.fix),
                         _waiver(challenge, code) if spec.waivable else None))
    return out


def open_checks(challenge: Challenge, indicators=None) -> list[Check]:
    """Checks neither passed nor waived: they block publication."""
    return [c for c in checks_for(challenge, indicators) if not c.resolved]
