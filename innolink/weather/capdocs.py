"""CAP 1.2 documents as the city observatory sends them, for the demo, the bench and the tests,
written to the specification's structure and the Chinese warning-signal definitions
(signal code = kind code + level code; severity by colour)."""

from __future__ import annotations

import datetime as dt

from innolink.engines.weather import LEVEL_SEVERITY, signal_code

SENDER = "jjqxt@qx.jinjiang.example"
TZ = dt.timezone(dt.timedelta(hours=8))


def stamp(value: dt.datetime) -> str:
    return value.astimezone(TZ).isoformat(timespec="seconds")


def area_xml(*, towns=(), city=False, polygon=None, desc="") -> str:
    desc = desc or ("晋江市" if city or not towns else "、".join(towns))
    codes = "".join(f"<geocode><valueName>townName</valueName><value>{t}</value></geocode>"
                    for t in towns)
    if city:
        codes += "<geocode><valueName>GB2260</valueName><value>350582</value></geocode>"
    poly = ""
    if polygon:
        poly = "<polygon>" + " ".join(f"{lat},{lon}" for lat, lon in polygon) + "</polygon>"
    return f"<area><areaDesc>{desc}</areaDesc>{poly}{codes}</area>"


def cap(*, identifier: str, kind: str = "台风", level: str = "红", sent: dt.datetime,
        msg_type: str = "Alert", references: str = "", towns=(), city=False, polygon=None,
        expires: dt.datetime | None = None, status: str = "Actual", sender: str = SENDER,
        severity: str | None = None, code: str | None = None, area: str | None = None) -> bytes:
    expires = expires or sent + dt.timedelta(hours=24)
    refs = f"<references>{references}</references>" if references else ""
    info = ""
    if msg_type != "Cancel":
        info = f"""
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>{kind}{level}色预警信号</event>
    <responseType>Prepare</responseType>
    <urgency>Immediate</urgency>
    <severity>{severity or LEVEL_SEVERITY[level]}</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>signal</valueName><value>{code or signal_code(kind, level)}</value></eventCode>
    <onset>{stamp(sent)}</onset>
    <expires>{stamp(expires)}</expires>
    <senderName>晋江市气象台</senderName>
    <headline>晋江市气象台发布{kind}{level}色预警信号</headline>
    <description>预计未来12小时内本市将受{kind}影响。</description>
    <instruction>请做好防御准备。</instruction>
    {area if area is not None else area_xml(towns=towns, city=city, polygon=polygon)}
  </info>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{sender}</sender>
  <sent>{stamp(sent)}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}{info}
</alert>""".encode()


def ref(identifier: str, sent: dt.datetime, sender: str = SENDER) -> str:
    return f"{sender},{identifier},{stamp(sent)}"
