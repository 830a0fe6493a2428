"""CAP 1.2 reading: documents modelled on the specification's Appendix A examples (a severe
thunderstorm warning with a polygon, an earthquake update with references and a circle) and on
Chinese warning-signal messages; malformed and unsafe documents are refused with a code."""

import datetime as dt

import pytest

from innolink.engines.weather import CapError, parse_cap

NS = 'xmlns="urn:oasis:names:tc:emergency:cap:1.2"'

THUNDERSTORM = f"""<?xml version="1.0" encoding="UTF-8"?>
<alert {NS}>
  <identifier>KSTO1055887203</identifier>
  <sender>KSTO@NWS.NOAA.GOV</sender>
  <sent>2003-06-17T14:57:00-07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>SEVERE THUNDERSTORM</event>
    <responseType>Shelter</responseType>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <eventCode><valueName>SAME</valueName><value>SVR</value></eventCode>
    <expires>2003-06-17T16:00:00-07:00</expires>
    <senderName>NATIONAL WEATHER SERVICE SACRAMENTO CA</senderName>
    <headline>SEVERE THUNDERSTORM WARNING</headline>
    <description>A storm with large hail is moving east across the county.</description>
    <instruction>Take shelter in a substantial building.</instruction>
    <contact>BARUFFALDI/JUSKIE</contact>
    <area>
      <areaDesc>EXTREME NORTH CENTRAL TUOLUMNE COUNTY</areaDesc>
      <polygon>38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14</polygon>
      <geocode><valueName>SAME</valueName><value>006109</value></geocode>
    </area>
  </info>
</alert>"""

EARTHQUAKE_UPDATE = f"""<?xml version="1.0" encoding="UTF-8"?>
<alert {NS}>
  <identifier>TRI13970876.2</identifier>
  <sender>trinet@caltech.edu</sender>
  <sent>2003-06-11T20:56:00-07:00</sent>
  <status>Actual</status>
  <msgType>Update</msgType>
  <scope>Public</scope>
  <references>trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00</references>
  <info>
    <category>Geo</category>
    <event>Earthquake</event>
    <urgency>Past</urgency>
    <severity>Minor</severity>
    <certainty>Observed</certainty>
    <senderName>Southern California Seismic Network (TriNet)</senderName>
    <headline>EQ 3.4 Imperial County CA</headline>
    <parameter><valueName>Magnitude</valueName><value>3.4 Ml</value></parameter>
    <area>
      <areaDesc>1 km SSW of Brawley, CA</areaDesc>
      <circle>32.9525,-115.5527 0</circle>
    </area>
  </info>
</alert>"""


def test_thunderstorm_example_reads_every_part():
    alert = parse_cap(THUNDERSTORM)
    assert (alert.identifier, alert.sender, alert.status, alert.msg_type, alert.scope) == (
        "KSTO1055887203", "KSTO@NWS.NOAA.GOV", "Actual", "Alert", "Public")
    assert alert.sent == dt.datetime(2003, 6, 17, 14, 57, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    info = alert.infos[0]
    assert info.categories == ("Met",) and info.severity == "Severe"
    assert info.language == "en-US"  # the specification's default
    assert info.event_codes == (("SAME", "SVR"),)
    ring = info.areas[0].polygons[0]
    assert len(ring) == 5 and ring[0] == ring[-1] == (38.47, -120.14)
    assert info.areas[0].geocodes == (("SAME", "006109"),)


def test_update_example_has_references_and_circle():
    alert = parse_cap(EARTHQUAKE_UPDATE)
    assert alert.msg_type == "Update"
    ref = alert.references[0]
    assert (ref.sender, ref.identifier) == ("trinet@caltech.edu", "TRI13970876.1")
    assert alert.infos[0].areas[0].circles == ((32.9525, -115.5527, 0.0),)
    assert alert.infos[0].parameters == (("Magnitude", "3.4 Ml"),)


@pytest.mark.parametrize("mutate, code", [
    (lambda s: s.replace("<status>Actual</status>", "<status>Real</status>"), "cap_value"),
    (lambda s: s.replace("<scope>Public</scope>", ""), "cap_missing"),
    (lambda s: s.replace("2003-06-17T14:57:00-07:00", "2003-06-17T21:57:00Z", 1), "cap_datetime"),
    (lambda s: s.replace("38.62,-119.89 38.47,-120.14", "38.62,-119.89"), "cap_geometry"),
    (lambda s: s.replace("<urgency>Immediate</urgency>", ""), "cap_missing"),
    (lambda s: s.replace("<identifier>KSTO1055887203</identifier>",
                         "<identifier>KSTO 1055</identifier>"), "cap_value"),
    (lambda s: s.replace("</alert>", "<extra>1</extra></alert>"), "cap_structure"),
    (lambda s: s.replace("</alert>", ""), "cap_malformed"),
    (lambda s: s.replace(NS, 'xmlns="urn:oasis:names:tc:emergency:cap:1.1"'), "cap_not_cap"),
    (lambda s: s.replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"), "cap_missing"),
    (lambda s: s.replace("<category>Met</category>", "<category>Weather</category>"), "cap_value"),
])
def test_malformed_documents_are_refused_with_a_code(mutate, code):
    with pytest.raises(CapError) as caught:
        parse_cap(mutate(THUNDERSTORM))
    assert caught.value.code == code
    assert caught.value.message


def test_entity_expansion_and_dtd_are_refused_before_parsing():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            f'<alert {NS}><identifier>&lol2;</identifier></alert>')
    with pytest.raises(CapError) as caught:
        parse_cap(bomb)
    assert caught.value.code == "cap_unsafe_xml"
    external = ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                f'<alert {NS}><identifier>&x;</identifier></alert>')
    with pytest.raises(CapError) as caught:
        parse_cap(external)
    assert caught.value.code == "cap_unsafe_xml"


def test_empty_and_oversized_messages():
    with pytest.raises(CapError) as caught:
        parse_cap(b"   ")
    assert caught.value.code == "cap_empty"
    with pytest.raises(CapError) as caught:
        parse_cap(b"<a>" + b"x" * 600_000 + b"</a>")
    assert caught.value.code == "cap_too_large"


def test_enveloped_signature_is_tolerated_and_noted():
    signed = THUNDERSTORM.replace(
        "</alert>", '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/>'
                    '</Signature></alert>')
    assert parse_cap(signed).signed is True
    assert parse_cap(THUNDERSTORM).signed is False
