"""Every write of 气象+: CAP ingestion (push, folder), targeted notices, acknowledgements,
exposure profiles, forecast products and warning feeds.

``cap_ingest`` applies one CAP message in one transaction or not at all: a message that is
malformed, from an unknown sender, about an unknown area, expired, a duplicate or out of order is
refused or ignored, and every attempt leaves an ``IngestLog`` line with its reason (written after
the transaction, so a refusal is logged even though nothing else is).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.core.audit import audit_diff, audit_record, snapshot
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.engines.weather import (
    LEVEL_RANK,
    LEVEL_SEVERITY,
    CapError,
    SignalError,
    WarningArea,
    parse_cap,
    parse_signal_code,
    parse_signal_text,
    target,
)
from innolink.enterprises.models import Enterprise
from innolink.weather import access, fetch, reasons, xmldsig
from innolink.weather.models import (
    CapMessage,
    CapSender,
    ExposureProfile,
    ForecastProduct,
    IndustrialPark,
    IngestLog,
    Notice,
    NoticeAdvice,
    Warning,
    WarningTownTally,
)
from innolink.core.ids import id_or_none, parse_id
from innolink.weather.errors import NOTICE_NOT_ACTIVE

logger = logging.getLogger("innolink.weather")

CITY_CODES = {"350582", "350582000000"}  # GB/T 2260 code of 晋江市 (whole city)
TOWN_VALUE_NAMES = {"townName", "town", "乡镇", "镇街"}
CITY_VALUE_NAMES = {"GB2260", "adcode", "行政区划代码"}
SIGNAL_VALUE_NAMES = {"signal", "预警信号", "signalCode"}
#: the city's bounding box (lat, lon); a polygon wholly outside it is an unknown area
CITY_BOX = (24.45, 118.35, 24.90, 118.80)
LANGUAGES = ("zh-CN", "zh-cn", "zh")


class _Stop(Exception):
    """Abort the ingest transaction with an outcome (refused or ignored) and a reason: a msgid
    with its values (ADR 0390)."""

    def __init__(self, outcome: str, code: str, reason_id: str, params: dict[str, Any] | None = None,
                 warning_id: int | None = None):
        self.outcome, self.code, self.warning_id = outcome, code, warning_id
        self.reason_id, self.reason_params = reason_id, reasons.stored(params or {})
        super().__init__(reasons.render(reason_id, self.reason_params, translate=False))


def _refuse(code: str, reason_id: str, **params: Any) -> _Stop:
    return _Stop(IngestLog.Outcome.REFUSED, code, reason_id, params)


def _ignore(code: str, reason_id: str, warning_id: int | None = None, **params: Any) -> _Stop:
    return _Stop(IngestLog.Outcome.IGNORED, code, reason_id, params, warning_id)


@dataclass(frozen=True)
class IngestResult:
    outcome: str
    code: str
    reason_id: str
    reason_params: dict[str, Any]
    warning_id: int | None = None
    notices: int = 0
    log_id: int | None = None

    @property
    def applied(self) -> bool:
        return self.outcome == IngestLog.Outcome.APPLIED

    @property
    def reason(self) -> str:
        """The reason in the active language."""
        return reasons.render(self.reason_id, self.reason_params)


def cap_ingest(*, data: bytes, source: str, actor=None, filename: str = "",
               now: dt.datetime | None = None) -> IngestResult:
    """Apply one CAP 1.2 message, or refuse/ignore it with a logged reason."""
    started = time.perf_counter()
    now = now or timezone.now()
    sender = identifier = ""
    try:
        with transaction.atomic():
            outcome = _apply(data=data, source=source, actor=actor, now=now)
        reason_id, params = outcome["reason"]
        result = IngestResult(IngestLog.Outcome.APPLIED, outcome["code"], reason_id,
                              reasons.stored(params), outcome["warning_id"], outcome["notices"])
        sender, identifier = outcome["sender"], outcome["identifier"]
    except _Stop as stop:
        result = IngestResult(stop.outcome, stop.code, stop.reason_id, stop.reason_params,
                              stop.warning_id)
        sender, identifier = getattr(stop, "sender", ""), getattr(stop, "identifier", "")
    except Exception as exc:  # rolled back whole; logged, then the caller sees the failure
        IngestLog.objects.create(source=source, filename=filename[:200],
                                 outcome=IngestLog.Outcome.REFUSED, code="internal_error",
                                 reason=f"{exc.__class__.__name__}: {exc}"[:500],
                                 seconds=round(time.perf_counter() - started, 4))
        logger.exception("CAP %s %s failed and was rolled back", source, filename)
        raise
    log = IngestLog.objects.create(
        source=source, filename=filename[:200], sender=sender[:200], identifier=identifier[:200],
        outcome=result.outcome, code=result.code,
        reason=reasons.render(result.reason_id, result.reason_params, translate=False)[:500],
        reason_id=result.reason_id, reason_params=result.reason_params,
        warning_id=result.warning_id, user=actor if getattr(actor, "is_authenticated", False)
        else None, seconds=round(time.perf_counter() - started, 4))
    (logger.info if result.applied else logger.warning)(
        "CAP %s %s %s: %s (%s)", source, identifier or filename, result.outcome, result.code,
        reasons.render(result.reason_id, result.reason_params, translate=False))
    return IngestResult(result.outcome, result.code, result.reason_id, result.reason_params,
                        result.warning_id, result.notices, log.pk)


def _pick_info(alert):
    if not alert.infos:
        raise _refuse("no_info", N_("消息没有 info 段，无法确定预警内容"))
    for info in alert.infos:
        if info.language in LANGUAGES:
            return info
    return alert.infos[0]


def _signal(info) -> tuple[str, str]:
    try:
        for name, value in info.event_codes:
            if name in SIGNAL_VALUE_NAMES:
                kind, level = parse_signal_code(value)
                break
        else:
            kind, level = parse_signal_text(info.event + " " + info.headline)
    except SignalError as exc:
        raise _refuse("unknown_signal", exc.msgid, **exc.params) from None
    if info.severity != "Unknown" and info.severity != LEVEL_SEVERITY[level]:
        raise _refuse("severity_mismatch", N_("%(k)s%(l)s色预警的 severity 应为 %(s)s，消息中为 %(m)s"),
                      k=reasons.word(kind), l=reasons.word(level, reasons.LEVEL_CONTEXT),
                      s=LEVEL_SEVERITY[level], m=info.severity)
    return kind, level


def _town(value: str) -> str | None:
    name = value.strip()
    for suffix in ("街道", "镇"):
        if name.endswith(suffix) and name[:-len(suffix)] in fetch.TOWN_INDEX:
            name = name[:-len(suffix)]
    return name if name in fetch.TOWN_INDEX else None


def _division(value: str) -> str | None:
    """An administrative division code: None for the whole city (350582, 350582000000), the
    registry town for a township code of the city (9 digits, or 12 with a village or 000 tail),
    refused otherwise: another county's code, or a township code of the city that is not in
    ``rules/township_codes.yaml`` (named in the refusal, never guessed or dropped)."""
    code = "".join(value.split())
    if code in CITY_CODES:
        return None
    if not (code.isdigit() and len(code) in (9, 12) and code.startswith(fetch.CITY_CODE)):
        raise _refuse("unknown_area", N_("行政区划代码 %(v)s 不在本市服务范围内"), v=value[:20])
    township = code[:9]
    town = fetch.township_codes().get(township)
    if town is None:
        raise _refuse("unknown_area", N_("镇街行政区划代码 %(v)s 未登记（不在镇街代码表中），"
                                         "无法确定影响的镇街，消息未采信"), v=code)
    return town


def _in_city_box(lat: float, lon: float) -> bool:
    s, w, n, e = CITY_BOX
    return s <= lat <= n and w <= lon <= e


def _area(info) -> dict[str, Any]:
    if not info.areas:
        raise _refuse("no_area", N_("消息没有 area 段，无法确定影响区域"))
    whole_city, towns, polygons, circles, descs = False, [], [], [], []
    for area in info.areas:
        descs.append(area.desc)
        if not (area.geocodes or area.polygons or area.circles):
            raise _refuse("unknown_area", N_("区域「%(d)s」没有 geocode、polygon 或 circle"),
                          d=area.desc[:40])
        for name, value in area.geocodes:
            if name in CITY_VALUE_NAMES:
                code = _division(value)
                if code is None:
                    whole_city = True
                elif code not in towns:
                    towns.append(code)
            elif name in TOWN_VALUE_NAMES:
                town = _town(value)
                if town is None:
                    raise _refuse("unknown_area", N_("未知的镇街：%(v)s"), v=value[:20])
                if town not in towns:
                    towns.append(town)
            else:
                raise _refuse("unknown_area", N_("无法识别的区域编码类型：%(n)s"), n=name[:20])
        for ring in area.polygons:
            if not any(_in_city_box(lat, lon) for lat, lon in ring):
                lats = [p[0] for p in ring]
                lons = [p[1] for p in ring]
                s, w, n, e = CITY_BOX
                if max(lats) < s or min(lats) > n or max(lons) < w or min(lons) > e:
                    raise _refuse("unknown_area", N_("多边形区域「%(d)s」不在本市范围内"),
                                  d=area.desc[:40])
            polygons.append([list(p) for p in ring])
        for lat, lon, km in area.circles:
            circles.append([lat, lon, km])
    return {"whole_city": whole_city, "towns": towns, "polygons": polygons, "circles": circles,
            "area_desc": "；".join(descs)[:300]}


def _warning_fields(info, kind: str, level: str, alert, now: dt.datetime) -> dict[str, Any]:
    if info.expires is not None and info.expires <= now:
        raise _ignore("expired", N_("预警已于 %(t)s 过期，不再发送通知"),
                      t=timezone.localtime(info.expires).strftime("%Y-%m-%d %H:%M"))
    if info.onset and info.expires and info.expires <= info.onset:
        raise _refuse("cap_value", N_("结束时间早于开始时间"))
    return {"kind": kind, "level": level, "headline": info.headline[:300],
            "description": info.description, "instruction": info.instruction,
            "onset": info.onset or info.effective or alert.sent, "expires": info.expires,
            "last_sent": alert.sent, **_area(info)}


def _apply(*, data: bytes, source: str, actor, now: dt.datetime) -> dict[str, Any]:
    try:
        alert = parse_cap(data)
    except CapError as exc:
        raise _refuse(exc.code, exc.msgid, **exc.params) from None

    def stop(exc: _Stop) -> _Stop:
        exc.sender, exc.identifier = alert.sender, alert.identifier
        return exc

    try:
        feed = CapSender.objects.filter(sender=alert.sender, active=True).first()
        if feed is None:
            raise _refuse("unknown_sender", N_("发送方 %(s)s 未登记为预警信息源，消息未采信"),
                          s=alert.sender[:60])
        _check_signature(data, feed, now)
        if CapMessage.objects.filter(sender=alert.sender, identifier=alert.identifier).exists():
            raise _ignore("duplicate", N_("该消息已接收过（%(i)s）"), i=alert.identifier[:60])
        if alert.status not in ("Actual", "Exercise"):
            raise _ignore("not_actual", N_("消息状态为 %(s)s，不发送通知"), s=alert.status)
        if alert.msg_type in ("Ack", "Error"):
            raise _ignore("not_a_warning", N_("%(t)s 类消息不影响预警"), t=alert.msg_type)
        raw = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        digest = hashlib.sha256(raw.encode()).hexdigest()
        if alert.msg_type == "Alert":
            return _apply_alert(alert, raw=raw, digest=digest, source=source, actor=actor, now=now)
        return _apply_followup(alert, raw=raw, digest=digest, source=source, actor=actor, now=now)
    except _Stop as exc:
        raise stop(exc) from None


def _check_signature(data: bytes, feed: CapSender, now: dt.datetime) -> bool:
    """Verify the message's enveloped XML signature against the feed's registered certificate
    (ADR 0620). A bad or unverifiable signature refuses the message; an unsigned one is refused
    only when the feed requires signatures. Returns whether a valid signature was found."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        _root, signature = xmldsig.signature_of(raw)
        if signature is None:
            if feed.require_signature:
                raise _refuse("unsigned", N_("发送方 %(s)s 要求消息带数字签名，该消息未签名，未采信"),
                              s=feed.name)
            return False
        if not feed.certificate.strip():
            raise _refuse("no_certificate",
                          N_("消息带有数字签名，但发送方 %(s)s 未登记签名证书，无法验证，未采信"), s=feed.name)
        try:
            certificate = xmldsig.load_certificate(feed.certificate)
        except ValueError:
            raise _refuse("no_certificate", N_("发送方 %(s)s 登记的签名证书无法读取，未采信"),
                          s=feed.name) from None
        return xmldsig.verify(raw, certificate, now=now)
    except xmldsig.SignatureError as exc:
        raise _refuse(exc.code, N_("数字签名验证失败：%(m)s"), m=reasons.said(exc.msgid, **exc.params)) from None
    except etree.XMLSyntaxError:
        raise _refuse("bad_signature", N_("数字签名验证失败：消息无法解析")) from None


def _message(alert, *, warning: Warning, raw: str, digest: str, source: str) -> CapMessage:
    return CapMessage.objects.create(
        sender=alert.sender, identifier=alert.identifier, sent=alert.sent,
        msg_type=alert.msg_type, status=alert.status, warning=warning, source=source, raw=raw,
        sha256=digest)


def _apply_alert(alert, *, raw, digest, source, actor, now) -> dict[str, Any]:
    info = _pick_info(alert)
    kind, level = _signal(info)
    fields = _warning_fields(info, kind, level, alert, now)
    warning = Warning.objects.create(sender=alert.sender, identifier=alert.identifier,
                                     first_sent=alert.sent, is_exercise=alert.status == "Exercise",
                                     **fields)
    _message(alert, warning=warning, raw=raw, digest=digest, source=source)
    notices = _retarget(warning, now=now, fresh=True)
    audit_record(actor=actor, action="create", instance=warning, source=f"cap:{source}",
                 changes=audit_diff({}, {"kind": kind, "level": level, "towns": fields["towns"],
                                         "whole_city": fields["whole_city"],
                                         "notices": notices}),
                 note=alert.identifier)
    return {"code": "created", "reason": (N_("已发布 %(w)s，通知 %(n)s 家企业"), {
        "w": reasons.warning_name(warning.kind, warning.level), "n": notices}), "warning_id": warning.pk, "notices": notices,
        "sender": alert.sender, "identifier": alert.identifier}


def _referenced_warning(alert) -> Warning:
    for ref in alert.references:
        message = CapMessage.objects.filter(sender=ref.sender, identifier=ref.identifier).first()
        if message is not None and message.warning_id:
            return Warning.objects.select_for_update().get(pk=message.warning_id)
    raise _refuse("unknown_reference", N_("引用的原预警消息未接收过，无法更新或解除"))


def _apply_followup(alert, *, raw, digest, source, actor, now) -> dict[str, Any]:
    warning = _referenced_warning(alert)
    if warning.sender != alert.sender:
        raise _refuse("foreign_reference", N_("只能由原发送方更新或解除预警"))
    if warning.state != Warning.State.ACTIVE:
        raise _ignore("already_ended", N_("该预警已%(s)s"), warning.pk,
                      s=reasons.word(reasons.STATE_WORDS.get(warning.state, warning.state)))
    if alert.sent <= warning.last_sent:
        raise _ignore("stale", N_("消息发布时间早于该预警的最近一次更新，已忽略"), warning.pk)
    before = snapshot(warning, ["level", "state", "towns", "whole_city", "expires",
                                "notices_active"])
    if alert.msg_type == "Cancel":
        _message(alert, warning=warning, raw=raw, digest=digest, source=source)
        Notice.objects.filter(warning=warning, state=Notice.State.ACTIVE).update(
            state=Notice.State.CANCELLED, updated_at=now)
        # the counts stay as they were when it was lifted (who was told, who responded)
        warning.state = Warning.State.CANCELLED
        warning.last_sent = alert.sent
        warning.save()
        audit_record(actor=actor, action="transition", instance=warning, source=f"cap:{source}",
                     changes=audit_diff(before, snapshot(warning, list(before))),
                     note=alert.identifier)
        return {"code": "cancelled", "reason": (N_("%(w)s已解除"), {
                    "w": reasons.warning_name(warning.kind, warning.level)}),
                "warning_id": warning.pk, "notices": 0, "sender": alert.sender,
                "identifier": alert.identifier}
    info = _pick_info(alert)
    kind, level = _signal(info)
    if kind != warning.kind:
        raise _refuse("kind_changed", N_("更新消息的预警种类（%(n)s）与原预警（%(o)s）不同，应作为新预警发布"),
                      n=reasons.word(kind), o=reasons.word(warning.kind))
    fields = _warning_fields(info, kind, level, alert, now)
    raised = LEVEL_RANK[level] > LEVEL_RANK[warning.level]
    for key, value in fields.items():
        setattr(warning, key, value)
    warning.save()
    _message(alert, warning=warning, raw=raw, digest=digest, source=source)
    notices = _retarget(warning, now=now, fresh=False, reset_acknowledgements=raised)
    audit_record(actor=actor, action="update", instance=warning, source=f"cap:{source}",
                 changes=audit_diff(before, snapshot(warning, list(before))),
                 note=alert.identifier)
    return {"code": "updated", "reason": (N_("已更新 %(w)s，有效通知 %(n)s 家"), {
        "w": reasons.warning_name(warning.kind, warning.level), "n": notices}), "warning_id": warning.pk, "notices": notices,
        "sender": alert.sender, "identifier": alert.identifier}


def warning_area(warning: Warning) -> WarningArea:
    return WarningArea(
        warning.kind, warning.level,
        towns=tuple(fetch.TOWN_INDEX[t] for t in warning.towns if t in fetch.TOWN_INDEX),
        polygons=tuple(tuple((float(a), float(b)) for a, b in ring) for ring in warning.polygons),
        circles=tuple((float(a), float(b), float(c)) for a, b, c in warning.circles),
        whole_city=warning.whole_city)


def _chunks(items, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _retarget(warning: Warning, *, now: dt.datetime, fresh: bool,
              reset_acknowledgements: bool = False) -> int:
    """Write the warning's notices from the engine's targets; returns the active notices.

    A fresh warning inserts its notices in bulk. An update changes the notices it keeps in place
    (one UPDATE per combination of matched rules), adds the new ones and withdraws those no
    longer reached, so an enterprise never gets a second notice for the same warning."""
    rules = fetch.response_rules()
    # an area of towns only needs those towns' profiles; polygons and circles need them all
    geometric = bool(warning.polygons or warning.circles)
    by_town = not (warning.whole_city or geometric)
    profiles = fetch.profiles(list(warning.towns) if by_town else None, coordinates=geometric)
    hits = target(profiles, warning_area(warning), rules)
    towns = fetch.TOWNS
    town_of = np.array(list(towns) + [""], dtype=object)
    notice_towns = town_of[profiles.towns[hits.positions]]
    existing: dict[int, int] = {}
    if not fresh:
        existing = dict(Notice.objects.filter(warning=warning).values_list("enterprise_id", "pk"))
    groups: list[tuple[int, Any, Any]] = []  # (advice, enterprise ids, towns): arrays or lists
    kept_ids: list[int] = []
    for bits, group in hits.groups():
        advice = NoticeAdvice.objects.create(warning=warning, rules=list(hits.rule_ids_of(bits)),
                                             actions=list(hits.actions_of(bits)))
        ids = hits.enterprise_ids[group]
        if existing:
            listed = ids.tolist()
            update_ids = [existing[e] for e in listed if e in existing]
            new = [k for k, e in zip(group.tolist(), listed) if e not in existing]
            ids = hits.enterprise_ids[new]
            group_towns = notice_towns[new]
        else:  # numpy arrays, merged and ordered by _insert_notices
            update_ids, group_towns = [], notice_towns[group]
        groups.append((advice.pk, ids, group_towns))
        for chunk in _chunks(update_ids):
            changes = {"level": warning.level, "advice": advice, "state": Notice.State.ACTIVE,
                       "updated_at": now}
            if reset_acknowledgements:
                changes["acknowledged_at"] = None
            Notice.objects.filter(pk__in=chunk).update(**changes)
        kept_ids.extend(update_ids)
    _insert_notices(warning_pk=warning.pk, level=warning.level, now=now, groups=groups)
    if fresh:
        counts = np.bincount(profiles.towns[hits.positions].astype(np.int64) % (len(towns) + 1),
                             minlength=len(towns) + 1)
        by_town = {town_of[i] if i < len(towns) else "": int(n) for i, n in enumerate(counts) if n}
        acknowledged: dict[str, int] = {}
    else:
        kept = set(kept_ids)
        gone = [pk for pk in existing.values() if pk not in kept]
        for chunk in _chunks(gone):
            Notice.objects.filter(pk__in=chunk, state=Notice.State.ACTIVE).update(
                state=Notice.State.WITHDRAWN, updated_at=now)
        by_town, acknowledged = {}, {}
        for town, n, acked in (Notice.objects.filter(warning=warning, state=Notice.State.ACTIVE)
                               .values_list("town").annotate(
                                   n=Count("id"), a=Count("id", filter=Q(
                                       acknowledged_at__isnull=False)))):
            by_town[town], acknowledged[town] = n, acked
    WarningTownTally.objects.filter(warning=warning).delete()
    WarningTownTally.objects.bulk_create([
        WarningTownTally(warning=warning, town=town, active=n,
                         acknowledged=acknowledged.get(town, 0)) for town, n in by_town.items()])
    total = sum(by_town.values())
    Warning.objects.filter(pk=warning.pk).update(
        notices_active=total, notices_acknowledged=sum(acknowledged.values()))
    warning.notices_active, warning.notices_acknowledged = total, sum(acknowledged.values())
    return total


#: the columns every notice of one insert shares (bound once per statement)
NOTICE_CONSTANT_COLUMNS = ["warning", "level", "state", "created_at", "updated_at", "measures"]
#: the columns that differ per notice (bound per row)
NOTICE_ROW_COLUMNS = ["enterprise", "town", "advice"]


def _notice_insert_sql(rows: int) -> str:
    meta = Notice._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(f).column)
                        for f in NOTICE_CONSTANT_COLUMNS + NOTICE_ROW_COLUMNS)
    constants = ", ".join(["%s"] * len(NOTICE_CONSTANT_COLUMNS))
    row = "(" + ", ".join(["%s"] * len(NOTICE_ROW_COLUMNS)) + ")"
    values = ", ".join([row] * rows)
    picked = ", ".join(f"v.column{i + 1}" for i in range(len(NOTICE_ROW_COLUMNS)))
    # VALUES columns are named column1, column2, ... by SQLite and PostgreSQL alike
    return (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"SELECT {constants}, {picked} FROM (VALUES {values}) v")


def _notice_chunk_rows() -> int:
    """Rows per statement: as many as the backend's bound-parameter limit allows, capped so
    one statement's text stays a few hundred kilobytes."""
    limit = connection.features.max_query_params or 65535
    return max(1, min(10_000, (limit - len(NOTICE_CONSTANT_COLUMNS)) // len(NOTICE_ROW_COLUMNS)))


def _insert_notices(*, warning_pk: int, level: str, now: dt.datetime,
                    groups: list[tuple[int, Any, Any]]) -> int:
    """Insert a warning's new notices: one multi-row ``INSERT ... SELECT`` per chunk, where only
    the enterprise, its town and its advice are bound per row and the warning, level, state and
    times once per statement (no model instances).

    The rule groups are merged and written in ascending enterprise order (ADR 0611): each of the
    notice table's indexes -- rowid, ``(warning, enterprise)`` and ``(enterprise, state)`` -- then
    receives its keys in order, so the B-trees grow at their right edge or walk forward once,
    instead of once per rule group (a red warning has dozens of groups, each spanning the whole
    city). Full-size chunks reuse one statement text, so the backend prepares it once."""
    lengths = [len(group_ids) for _advice, group_ids, _towns in groups]
    total = sum(lengths)
    if not total:
        return 0
    ids = np.concatenate([np.asarray(g[1], np.int64) for g in groups])
    order = np.argsort(ids, kind="stable")
    towns = np.concatenate([np.asarray(g[2], dtype=object) for g in groups])
    advice = np.repeat(np.asarray([g[0] for g in groups], np.int64), lengths)
    params_all: list = [None] * (3 * total)
    params_all[0::3] = ids[order].tolist()
    params_all[1::3] = towns[order].tolist()
    params_all[2::3] = advice[order].tolist()
    stamp = connection.ops.adapt_datetimefield_value(now)
    constants = [warning_pk, level, Notice.State.ACTIVE, stamp, stamp, ""]
    size = _notice_chunk_rows()
    full_sql = None
    with connection.cursor() as cursor:
        for start in range(0, total, size):
            rows = min(size, total - start)
            if rows == size:
                full_sql = full_sql or _notice_insert_sql(size)
                sql = full_sql
            else:
                sql = _notice_insert_sql(rows)
            cursor.execute(sql, constants + params_all[3 * start:3 * (start + rows)])
    return total


@transaction.atomic
def warnings_expire(*, now: dt.datetime | None = None, actor=None) -> int:
    """Mark active warnings whose end time has passed as expired (audited)."""
    now = now or timezone.now()
    count = 0
    for warning in Warning.objects.select_for_update().filter(state=Warning.State.ACTIVE,
                                                              expires__lte=now):
        warning.state = Warning.State.EXPIRED
        warning.save(update_fields=["state", "updated_at"])
        audit_record(actor=actor, action="transition", instance=warning, source="job",
                     changes={"state": [Warning.State.ACTIVE, Warning.State.EXPIRED]})
        count += 1
    return count


# ------------------------------------------------------------------------------ the folder

def signature_for(data: bytes, key: str) -> str:
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def inbox_poll(*, directory: Path | None = None, key: str | None = None,
               now: dt.datetime | None = None) -> list[tuple[str, IngestResult]]:
    """Ingest every ``*.xml`` file in the inbox, oldest first. Each must come with a detached
    signature ``<name>.xml.sig`` (hex HMAC-SHA256 of the file with the feed's shared key); an
    unsigned or badly signed file is refused. Files are moved to ``done/`` or ``refused/``."""
    directory = Path(directory or settings.INNOLINK_WEATHER_INBOX)
    key = settings.INNOLINK_WEATHER_INBOX_KEY if key is None else key
    directory.mkdir(parents=True, exist_ok=True)
    results = []
    for path in sorted(directory.glob("*.xml"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        data = path.read_bytes()
        sig_path = path.with_name(path.name + ".sig")
        if not key:
            result = _log_refusal(path.name, "inbox_not_configured",
                                  N_("未配置目录接收的签名密钥（INNOLINK_WEATHER_INBOX_KEY），文件未处理"))
        elif not sig_path.exists():
            result = _log_refusal(path.name, "unsigned", N_("文件没有签名（缺少 %(n)s），未采信"),
                                  n=sig_path.name)
        elif not hmac.compare_digest(sig_path.read_text().strip().lower(),
                                     signature_for(data, key)):
            result = _log_refusal(path.name, "bad_signature", N_("文件签名不符，可能被篡改，未采信"))
        else:
            result = cap_ingest(data=data, source=CapMessage.Source.FOLDER, filename=path.name,
                                now=now)
        folder = directory / ("done" if result.outcome != IngestLog.Outcome.REFUSED else "refused")
        folder.mkdir(exist_ok=True)
        path.replace(folder / path.name)
        if sig_path.exists():
            sig_path.replace(folder / sig_path.name)
        results.append((path.name, result))
    return results


def _log_refusal(filename: str, code: str, reason_id: str, **params: Any) -> IngestResult:
    params = reasons.stored(params)
    text = reasons.render(reason_id, params, translate=False)
    log = IngestLog.objects.create(source=CapMessage.Source.FOLDER, filename=filename[:200],
                                   outcome=IngestLog.Outcome.REFUSED, code=code, reason=text[:500],
                                   reason_id=reason_id, reason_params=params)
    logger.warning("CAP folder %s refused: %s (%s)", filename, code, text)
    return IngestResult(IngestLog.Outcome.REFUSED, code, reason_id, params, log_id=log.pk)


# ------------------------------------------------------------------------------ enterprises

MAX_MEASURES = 2000


@transaction.atomic
def notice_acknowledge(*, actor, notice_id: Any, measures: str = "",
                       measures_done: list[str] | None = None) -> Notice:
    """The enterprise confirms it received the notice and reports what it did. The first
    confirmation counts as its response; later ones update the measures."""
    if not access.is_enterprise(actor):
        raise PermissionDenied()
    notice = Notice.objects.select_for_update().filter(
        pk=parse_id(notice_id), enterprise_id=actor.enterprise_id).select_related(
        "warning", "advice").first()
    if notice is None:
        raise NotFound()
    if notice.state != Notice.State.ACTIVE:
        raise Conflict(_("该通知%(s)s，无需再确认") % {"s": notice.get_state_display()},
                       code=NOTICE_NOT_ACTIVE)
    return record_acknowledgement(actor=actor, notice=notice, measures=measures,
                                  measures_done=measures_done)


def record_acknowledgement(*, actor, notice: Notice, measures: str,
                           measures_done: list[str] | None) -> Notice:
    """Check and record a response on a locked, active notice (``notice_acknowledge`` after its
    access checks; the demo seed for enterprises without an account)."""
    measures = (measures or "").strip()
    if len(measures) > MAX_MEASURES:
        raise ValidationFailed({"measures": [_("已采取措施：不超过2000字")]})
    done = [m for m in (measures_done or []) if m in notice.actions]
    if len(done) != len(measures_done or []):
        raise ValidationFailed({"measures_done": [_("只能勾选通知中列出的建议措施")]})
    if not measures and not done:
        raise ValidationFailed({"measures": [_("请勾选已落实的建议措施或填写已采取的措施")]})
    before = snapshot(notice, ["acknowledged_at", "measures", "measures_done"])
    first = notice.acknowledged_at is None
    notice.acknowledged_at = notice.acknowledged_at or timezone.now()
    notice.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
    notice.measures = measures
    notice.measures_done = done
    notice.save(update_fields=["acknowledged_at", "acknowledged_by", "measures", "measures_done"])
    if first:
        Warning.objects.filter(pk=notice.warning_id).update(
            notices_acknowledged=F("notices_acknowledged") + 1)
        WarningTownTally.objects.filter(warning_id=notice.warning_id, town=notice.town).update(
            acknowledged=F("acknowledged") + 1)
    audit_record(actor=actor, action="transition" if first else "update", instance=notice,
                 changes=audit_diff(before, snapshot(notice, list(before))))
    return notice


def _coordinate(value: Any, field: str, low: float, high: float, label: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationFailed({field: [_("%(l)s应为数字") % {"l": label}]}) from None
    if not low <= number <= high:
        raise ValidationFailed({field: [_("%(l)s应在 %(a)s 至 %(b)s 之间") % {
            "l": label, "a": low, "b": high}]})
    return number


@transaction.atomic
def profile_save(*, actor, enterprise: Enterprise, exposures: list[str], park_id: Any = None,
                 lat: Any = None, lon: Any = None, outdoor_staff: Any = 0,
                 note: str = "") -> ExposureProfile:
    """Create or change an enterprise's exposure profile (the enterprise itself or weather
    staff). The exposure codes are those of the response rules file."""
    if not (access.is_weather_staff(actor) or (access.is_enterprise(actor)
                                                and actor.enterprise_id == enterprise.pk)):
        raise PermissionDenied()
    rules = fetch.response_rules()
    known = dict(rules.exposures)
    errors: dict[str, list[str]] = {}
    unknown = [c for c in exposures if c not in known]
    if unknown:
        errors["exposures"] = [_("未知的暴露类型：%(c)s") % {"c": "、".join(unknown)}]
    park = None
    if park_id not in (None, ""):
        try:
            park = IndustrialPark.objects.get(pk=parse_id(park_id))
        except (NotFound, IndustrialPark.DoesNotExist):
            errors["park"] = [_("所选园区不存在")]
    try:
        staff = int(outdoor_staff or 0)
        if not 0 <= staff <= 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors["outdoor_staff"] = [_("户外作业人数应为0至100000之间的整数")]
        staff = 0
    if len(note or "") > 300:
        errors["note"] = [_("补充说明：不超过300字")]
    try:
        lat_value = _coordinate(lat, "lat", 24.3, 25.0, _("纬度"))
        lon_value = _coordinate(lon, "lon", 118.2, 118.9, _("经度"))
    except ValidationFailed as exc:
        errors.update(exc.fields)
        lat_value = lon_value = None
    if (lat_value is None) != (lon_value is None) and "lat" not in errors:
        errors["lat"] = [_("纬度和经度应同时填写或同时留空")]
    if errors:
        raise ValidationFailed(errors)
    codes = [c for c, _label in rules.exposures if c in exposures]
    values = {"exposures": codes, "exposure_mask": rules.mask_of(codes), "park": park,
              "lat": lat_value, "lon": lon_value, "outdoor_staff": staff,
              "note": (note or "").strip()}
    profile = ExposureProfile.objects.select_for_update().filter(enterprise=enterprise).first()
    if profile is None:
        profile = ExposureProfile.objects.create(enterprise=enterprise, **values)
        audit_record(actor=actor, action="create", instance=profile,
                     changes=audit_diff({}, values))
        return profile
    before = snapshot(profile, list(values))
    for key, value in values.items():
        setattr(profile, key, value)
    profile.save()
    audit_record(actor=actor, action="update", instance=profile,
                 changes=audit_diff(before, snapshot(profile, list(values))))
    return profile


# ------------------------------------------------------------------------------ staff

@transaction.atomic
def forecast_create(*, actor, area: str, title: str, valid_from: dt.date | None,
                    valid_to: dt.date | None, risk: str, summary: str, advice: str = "",
                    park_id: Any = None, event_id: Any = None, industry_prefix: str = "",
                    exposure: str = "") -> ForecastProduct:
    """Attach a forecast product. Where it shows depends on its area: a park forecast on the
    park's enterprises' pages, an event risk on the event's page, a cluster outlook for the
    industry's enterprises, a finance product for enterprises with that exposure."""
    if not access.is_weather_staff(actor):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    if area not in ForecastProduct.Area.values:
        errors["area"] = [_("请选择服务领域")]
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title or len(title) > 120:
        errors["title"] = [_("标题：必填，不超过120字")]
    if not summary:
        errors["summary"] = [_("预报内容：必填")]
    if risk not in ForecastProduct.Risk.values:
        errors["risk"] = [_("请选择风险等级")]
    if valid_from is None:
        errors["valid_from"] = [_("请填写适用开始日期")]
    if valid_to is None:
        errors["valid_to"] = [_("请填写适用结束日期")]
    elif valid_from and valid_to < valid_from:
        errors["valid_to"] = [_("结束日期不能早于开始日期")]
    elif valid_from and (valid_to - valid_from).days > 31:
        errors["valid_to"] = [_("一个产品最长适用31天")]
    park = event = None
    if area == ForecastProduct.Area.PARK:
        park = IndustrialPark.objects.filter(pk=id_or_none(park_id)).first()
        if park is None:
            errors["park"] = [_("园区逐日预报须选择园区")]
    if area == ForecastProduct.Area.TOURISM and event_id not in (None, ""):
        from innolink.events.models import Event

        event = Event.objects.filter(pk=id_or_none(event_id)).first()
        if event is None:
            errors["event"] = [_("所选活动不存在")]
        elif valid_from and valid_to and not valid_from <= event.date <= valid_to:
            errors["event"] = [_("活动日期 %(d)s 不在产品适用日期内") % {"d": event.date}]
    prefix = (industry_prefix or "").strip().upper()
    if area == ForecastProduct.Area.CLUSTER and not prefix:
        errors["industry_prefix"] = [_("产业集群产品须填写行业代码前缀，如 C19（皮革制鞋）")]
    if prefix and (len(prefix) > 5 or not prefix[0].isalpha()):
        errors["industry_prefix"] = [_("行业代码前缀应为门类字母加数字，如 C19")]
    if exposure and exposure not in fetch.exposure_labels():
        errors["exposure"] = [_("未知的暴露类型")]
    if area == ForecastProduct.Area.FINANCE and not exposure:
        exposure = "finance_index"
    if errors:
        raise ValidationFailed(errors)
    product = ForecastProduct.objects.create(
        area=area, title=title, valid_from=valid_from, valid_to=valid_to, risk=risk,
        summary=summary, advice=(advice or "").strip(), park=park, event=event,
        industry_prefix=prefix, exposure=exposure, created_by=actor)
    audit_record(actor=actor, action="create", instance=product, changes=audit_diff({}, {
        "area": area, "title": title, "valid_from": valid_from, "valid_to": valid_to,
        "risk": risk, "park": park, "event": event}))
    return product


@transaction.atomic
def sender_save(*, actor, sender: str, name: str, active: bool = True,
                certificate: str | None = None,
                require_signature: bool | None = None) -> CapSender:
    if not access.is_weather_staff(actor):
        raise PermissionDenied()
    sender, name = (sender or "").strip(), (name or "").strip()
    errors = {}
    if not sender or len(sender) > 200 or any(c in sender for c in " ,<&"):
        errors["sender"] = [_("发送方标识：必填，不含空格、逗号、< 和 &")]
    if not name or len(name) > 100:
        errors["name"] = [_("名称：必填，不超过100字")]
    certificate = None if certificate is None else certificate.strip()
    if certificate:
        try:
            found = xmldsig.load_certificate(certificate)
            if found.not_after <= timezone.now():
                errors["certificate"] = [_("签名证书已过期")]
        except ValueError:
            errors["certificate"] = [_("签名证书应为 PEM 格式的 X.509 证书（RSA 2048 位以上或椭圆曲线密钥）")]
    existing = CapSender.objects.select_for_update().filter(sender=sender).first()
    cert_after = certificate if certificate is not None else (existing.certificate if existing
                                                              else "")
    require_after = bool(require_signature) if require_signature is not None else (
        existing.require_signature if existing else False)
    if require_after and not cert_after and "certificate" not in errors:
        errors["certificate"] = [_("要求签名时须登记签名证书")]
    if errors:
        raise ValidationFailed(errors)
    values = {"name": name, "active": active, "certificate": cert_after,
              "require_signature": require_after}
    if existing is None:
        row = CapSender.objects.create(sender=sender, **values)
        audit_record(actor=actor, action="create", instance=row,
                     changes=audit_diff({}, {"sender": sender, **values}))
        return row
    before = snapshot(existing, list(values))
    if before != values:
        for key, value in values.items():
            setattr(existing, key, value)
        existing.save()
        audit_record(actor=actor, action="update", instance=existing,
                     changes=audit_diff(before, snapshot(existing, list(values))))
    return existing
