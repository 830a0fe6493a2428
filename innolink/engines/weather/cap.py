"""Read and check an OASIS CAP 1.2 alert message (Common Alerting Protocol, version 1.2).

``parse_cap(data)`` parses with ``defusedxml`` (no entity expansion, no external entities, no
DTD), checks the message against the CAP 1.2 structure (namespace, required elements and their
cardinality, enumerations, the dateTime form with an explicit offset, polygons and circles,
references) and returns plain frozen dataclasses. Any problem raises ``CapError`` with a stable
``code`` and a Chinese message; nothing is returned half-read.

Examples:
    >>> alert = parse_cap(EXAMPLE)
    >>> alert.identifier, alert.msg_type, alert.infos[0].event
    ('JJ-2026-0001', 'Alert', '台风红色预警信号')
    >>> alert.infos[0].areas[0].geocodes
    (('townName', '深沪'), ('townName', '金井'))
    >>> parse_cap(b"<alert/>")
    Traceback (most recent call last):
    ...
    innolink.engines.weather.cap.CapError: 不是 CAP 1.2 消息：根元素应为 urn:oasis:names:tc:emergency:cap:1.2 命名空间的 alert
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

NS = "urn:oasis:names:tc:emergency:cap:1.2"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
MAX_BYTES = 512 * 1024

STATUS = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
              "Infra", "CBRNE", "Other")
RESPONSE_TYPES = ("Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess",
                  "AllClear", "None")
URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown", "Very Likely")

_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
_BAD_ID = re.compile(r"[\s,<&]")


class CapError(ValueError):
    """A refused message: ``code`` (stable), ``msgid`` (a Chinese %-format with named fields) and
    ``params``, so the weather app stores the reason and words it in the reader's language;
    ``message`` is the Chinese sentence.

    Examples:
        >>> e = CapError("cap_too_large", "消息过大（超过 %(kb)s KB）", kb=256)
        >>> e.message, e.msgid, e.params
        ('消息过大（超过 256 KB）', '消息过大（超过 %(kb)s KB）', {'kb': 256})
    """

    def __init__(self, code: str, msgid: str, **params: object) -> None:
        self.code = code
        self.msgid = msgid
        self.params = params
        self.message = msgid % params if params else msgid
        super().__init__(self.message)


@dataclass(frozen=True)
class Reference:
    sender: str
    identifier: str
    sent: dt.datetime


@dataclass(frozen=True)
class Area:
    desc: str
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()  # rings of (lat, lon)
    circles: tuple[tuple[float, float, float], ...] = ()  # (lat, lon, radius km)
    geocodes: tuple[tuple[str, str], ...] = ()  # (valueName, value)


@dataclass(frozen=True)
class Info:
    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    event_codes: tuple[tuple[str, str], ...] = ()
    effective: dt.datetime | None = None
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    parameters: tuple[tuple[str, str], ...] = ()
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: dt.datetime
    status: str
    msg_type: str
    scope: str
    source: str = ""
    note: str = ""
    references: tuple[Reference, ...] = ()
    infos: tuple[Info, ...] = field(default_factory=tuple)
    signed: bool = False  # an XML-DSig <Signature> element is present (not verified here)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _children(node: Element, where: str, allowed: dict[str, tuple[int, int | None]]
              ) -> dict[str, list[Element]]:
    """Children by local name, checking namespace, known names and cardinality (min, max)."""
    found: dict[str, list[Element]] = {name: [] for name in allowed}
    for child in node:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        ns, name = _local(child.tag)
        if ns == DSIG_NS and name == "Signature" and where == "alert":
            found.setdefault("Signature", []).append(child)
            continue
        if ns != NS:
            raise CapError("cap_structure", "%(where)s 中出现非 CAP 1.2 元素：%(name)s", where=where, name=name)
        if name not in allowed:
            raise CapError("cap_structure", "%(where)s 中出现未定义的元素：%(name)s", where=where, name=name)
        found[name].append(child)
    for name, (low, high) in allowed.items():
        n = len(found[name])
        if n < low:
            raise CapError("cap_missing", "%(where)s 缺少必填元素：%(name)s", where=where, name=name)
        if high is not None and n > high:
            raise CapError("cap_structure", "%(where)s 中 %(name)s 最多 %(high)s 个，实际 %(n)s 个", where=where,
                           name=name, high=high, n=n)
    return found


def _text(nodes: list[Element], where: str, name: str, *, required: bool = False) -> str:
    if not nodes:
        return ""
    value = (nodes[0].text or "").strip()
    if required and not value:
        raise CapError("cap_missing", "%(where)s 的 %(name)s 不能为空", where=where, name=name)
    return value


def _enum(value: str, allowed: tuple[str, ...], where: str, name: str) -> str:
    if value not in allowed:
        raise CapError("cap_value", "%(where)s 的 %(name)s 取值无效：%(value)s（应为 %(allowed)s）", where=where,
                       name=name, value=value[:40], allowed="、".join(allowed))
    return value


def parse_datetime(value: str, where: str = "alert", name: str = "sent") -> dt.datetime:
    """A CAP dateTime: ``2026-08-01T09:30:00+08:00`` (an explicit offset; no ``Z``)."""
    if not _DATETIME.match(value or ""):
        raise CapError("cap_datetime", "%(where)s 的 %(name)s 时间格式无效：%(value)s（应如 2026-08-01T09:30:00+08:00）",
                       where=where, name=name, value=(value or "")[:40])
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise CapError("cap_datetime", "%(where)s 的 %(name)s 不是有效时间：%(value)s", where=where, name=name,
                       value=value[:40]) from None


def _point(text: str, where: str) -> tuple[float, float]:
    try:
        lat_text, lon_text = text.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise CapError("cap_geometry", "%(where)s 的坐标无效：%(value)s", where=where, value=text[:40]) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CapError("cap_geometry", "%(where)s 的坐标超出范围：%(value)s", where=where, value=text[:40])
    return lat, lon


def parse_polygon(text: str, where: str = "area") -> tuple[tuple[float, float], ...]:
    """CAP polygon: at least four ``lat,lon`` pairs separated by spaces, first equal to last."""
    points = tuple(_point(p, where) for p in text.split())
    if len(points) < 4:
        raise CapError("cap_geometry", "%(where)s 的多边形至少需要4个坐标点（首尾相同）", where=where)
    if points[0] != points[-1]:
        raise CapError("cap_geometry", "%(where)s 的多边形首尾坐标应相同", where=where)
    return points


def _circle(text: str, where: str) -> tuple[float, float, float]:
    try:
        centre, radius_text = text.split()
        radius = float(radius_text)
    except ValueError:
        raise CapError("cap_geometry", "%(where)s 的圆形区域无效：%(value)s", where=where, value=text[:40]) from None
    lat, lon = _point(centre, where)
    if radius < 0:
        raise CapError("cap_geometry", "%(where)s 的圆形半径不能为负", where=where)
    return lat, lon, radius


def _pairs(nodes: list[Element], where: str, name: str) -> tuple[tuple[str, str], ...]:
    out = []
    for node in nodes:
        parts = _children(node, f"{where}/{name}", {"valueName": (1, 1), "value": (1, 1)})
        out.append((_text(parts["valueName"], where, "valueName", required=True),
                    _text(parts["value"], where, "value", required=True)))
    return tuple(out)


def _area(node: Element, where: str) -> Area:
    parts = _children(node, where, {"areaDesc": (1, 1), "polygon": (0, None), "circle": (0, None),
                                    "geocode": (0, None), "altitude": (0, 1), "ceiling": (0, 1)})
    if parts["ceiling"] and not parts["altitude"]:
        raise CapError("cap_structure", "%(where)s 有 ceiling 时必须有 altitude", where=where)
    return Area(
        desc=_text(parts["areaDesc"], where, "areaDesc", required=True),
        polygons=tuple(parse_polygon(n.text or "", where) for n in parts["polygon"]),
        circles=tuple(_circle((n.text or "").strip(), where) for n in parts["circle"]),
        geocodes=_pairs(parts["geocode"], where, "geocode"))


def _optional_time(nodes: list[Element], where: str, name: str) -> dt.datetime | None:
    value = _text(nodes, where, name)
    return parse_datetime(value, where, name) if value else None


def _info(node: Element, where: str) -> Info:
    parts = _children(node, where, {
        "language": (0, 1), "category": (1, None), "event": (1, 1), "responseType": (0, None),
        "urgency": (1, 1), "severity": (1, 1), "certainty": (1, 1), "audience": (0, 1),
        "eventCode": (0, None), "effective": (0, 1), "onset": (0, 1), "expires": (0, 1),
        "senderName": (0, 1), "headline": (0, 1), "description": (0, 1), "instruction": (0, 1),
        "web": (0, 1), "contact": (0, 1), "parameter": (0, None), "resource": (0, None),
        "area": (0, None)})
    categories = tuple(_enum((n.text or "").strip(), CATEGORIES, where, "category")
                       for n in parts["category"])
    for n in parts["responseType"]:
        _enum((n.text or "").strip(), RESPONSE_TYPES, where, "responseType")
    for i, n in enumerate(parts["resource"]):
        _children(n, f"{where}/resource[{i}]", {"resourceDesc": (1, 1), "mimeType": (1, 1),
                                                 "size": (0, 1), "uri": (0, 1),
                                                 "derefUri": (0, 1), "digest": (0, 1)})
    return Info(
        language=_text(parts["language"], where, "language") or "en-US",
        categories=categories,
        event=_text(parts["event"], where, "event", required=True),
        urgency=_enum(_text(parts["urgency"], where, "urgency"), URGENCY, where, "urgency"),
        severity=_enum(_text(parts["severity"], where, "severity"), SEVERITY, where, "severity"),
        certainty=_enum(_text(parts["certainty"], where, "certainty"), CERTAINTY, where,
                        "certainty"),
        event_codes=_pairs(parts["eventCode"], where, "eventCode"),
        effective=_optional_time(parts["effective"], where, "effective"),
        onset=_optional_time(parts["onset"], where, "onset"),
        expires=_optional_time(parts["expires"], where, "expires"),
        sender_name=_text(parts["senderName"], where, "senderName"),
        headline=_text(parts["headline"], where, "headline"),
        description=_text(parts["description"], where, "description"),
        instruction=_text(parts["instruction"], where, "instruction"),
        parameters=_pairs(parts["parameter"], where, "parameter"),
        areas=tuple(_area(n, f"{where}/area[{i}]") for i, n in enumerate(parts["area"])))


def _references(text: str) -> tuple[Reference, ...]:
    out = []
    for item in text.split():
        pieces = item.split(",")
        if len(pieces) != 3 or not all(pieces):
            raise CapError("cap_value", "references 的格式应为 sender,identifier,sent：%(value)s", value=item[:60])
        out.append(Reference(pieces[0], pieces[1], parse_datetime(pieces[2], "alert",
                                                                  "references")))
    return tuple(out)


def parse_cap(data: bytes | str) -> Alert:
    """Parse and check one CAP 1.2 ``<alert>``; raise ``CapError`` on any problem."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data or not data.strip():
        raise CapError("cap_empty", "消息为空")
    if len(data) > MAX_BYTES:
        raise CapError("cap_too_large", "消息过大（超过 %(kb)s KB）", kb=MAX_BYTES // 1024)
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise CapError("cap_unsafe_xml", "消息含有被禁止的 XML 结构（%(error)s）",
                       error=exc.__class__.__name__) from None
    except ParseError as exc:
        raise CapError("cap_malformed", "XML 格式错误：%(error)s", error=str(exc)) from None
    if root.tag != f"{{{NS}}}alert":
        raise CapError("cap_not_cap", "不是 CAP 1.2 消息：根元素应为 %(ns)s 命名空间的 alert", ns=NS)
    parts = _children(root, "alert", {
        "identifier": (1, 1), "sender": (1, 1), "sent": (1, 1), "status": (1, 1),
        "msgType": (1, 1), "source": (0, 1), "scope": (1, 1), "restriction": (0, 1),
        "addresses": (0, 1), "code": (0, None), "note": (0, 1), "references": (0, 1),
        "incidents": (0, 1), "info": (0, None)})
    identifier = _text(parts["identifier"], "alert", "identifier", required=True)
    sender = _text(parts["sender"], "alert", "sender", required=True)
    for name, value in (("identifier", identifier), ("sender", sender)):
        if _BAD_ID.search(value) or len(value) > 200:
            raise CapError("cap_value", "alert 的 %(name)s 不能包含空格、逗号、< 或 &，且不超过200字符", name=name)
    scope = _enum(_text(parts["scope"], "alert", "scope"), SCOPES, "alert", "scope")
    if scope == "Restricted" and not _text(parts["restriction"], "alert", "restriction"):
        raise CapError("cap_missing", "scope 为 Restricted 时必须填写 restriction")
    if scope == "Private" and not _text(parts["addresses"], "alert", "addresses"):
        raise CapError("cap_missing", "scope 为 Private 时必须填写 addresses")
    msg_type = _enum(_text(parts["msgType"], "alert", "msgType"), MSG_TYPES, "alert", "msgType")
    references = _references(_text(parts["references"], "alert", "references"))
    if msg_type in ("Update", "Cancel", "Ack", "Error") and not references:
        raise CapError("cap_missing", "msgType 为 %(type)s 时必须有 references", type=msg_type)
    return Alert(
        identifier=identifier, sender=sender,
        sent=parse_datetime(_text(parts["sent"], "alert", "sent", required=True)),
        status=_enum(_text(parts["status"], "alert", "status"), STATUS, "alert", "status"),
        msg_type=msg_type, scope=scope,
        source=_text(parts["source"], "alert", "source"),
        note=_text(parts["note"], "alert", "note"),
        references=references,
        infos=tuple(_info(n, f"info[{i}]") for i, n in enumerate(parts["info"])),
        signed=bool(parts.get("Signature")))


EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>JJ-2026-0001</identifier>
  <sender>jjqxt@fjqx.example</sender>
  <sent>2026-08-01T09:30:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>台风红色预警信号</event>
    <urgency>Immediate</urgency>
    <severity>Extreme</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>signal</valueName><value>0104</value></eventCode>
    <onset>2026-08-01T10:00:00+08:00</onset>
    <expires>2026-08-02T10:00:00+08:00</expires>
    <headline>晋江市气象台发布台风红色预警信号</headline>
    <area>
      <areaDesc>深沪镇、金井镇</areaDesc>
      <geocode><valueName>townName</valueName><value>深沪</value></geocode>
      <geocode><valueName>townName</valueName><value>金井</value></geocode>
    </area>
  </info>
</alert>""".encode()
