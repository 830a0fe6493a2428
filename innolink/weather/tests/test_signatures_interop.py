"""CAP 1.2 messages signed by another implementation (xmlsec1 1.2.37 on OpenSSL 3.0, see
``data/xmlsec/README.md``): each verifies against its registered certificate and is applied; a
copy with one character of the area or of the signature value changed, a moved Reference or a
moved Signature is refused with its code and writes nothing. The documents were signed once,
offline; these tests only read them (xmlsec1 is not needed here)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree

from innolink.core.models import AuditEntry
from innolink.weather import services, xmldsig
from innolink.weather.models import CapMessage, CapSender, IngestLog, Notice, Warning

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data" / "xmlsec"
NOW = dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DS = "{http://www.w3.org/2000/09/xmldsig#}"

# document, certificate, the town it warns (None: the whole city), canonicalisation, algorithm
DOCUMENTS = [
    ("rsa-exc-c14n.xml", "rsa-cert.pem", "深沪", xmldsig.EXC_C14N, xmldsig.RSA_SHA256),
    ("ecdsa-exc-c14n.xml", "ec-cert.pem", "金井", xmldsig.EXC_C14N, xmldsig.ECDSA_SHA256),
    ("rsa-c14n.xml", "rsa-cert.pem", None, xmldsig.C14N, xmldsig.RSA_SHA256),
]


def _doc(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _register(feed, certificate: str):
    CapSender.objects.filter(pk=feed.pk).update(certificate=(DATA / certificate).read_text())


def _counts():
    return (Warning.objects.count(), Notice.objects.count(), CapMessage.objects.count(),
            AuditEntry.objects.filter(model="weather.warning").count())


def _refused(data: bytes, code: str, fragment: str = ""):
    before = _counts()
    result = services.cap_ingest(data=data, source="push", now=NOW)
    assert (result.outcome, result.code) == ("refused", code), result
    assert fragment in result.reason, result.reason
    assert _counts() == before
    assert IngestLog.objects.get(pk=result.log_id).code == code
    return result


def test_the_documents_are_what_the_readme_says():
    for name, _cert, _town, method, algorithm in DOCUMENTS:
        root = etree.fromstring(_doc(name))
        signature = root.find(f"{DS}Signature")
        assert signature is not None and signature.getparent() is root
        info = signature.find(f"{DS}SignedInfo")
        assert info.find(f"{DS}CanonicalizationMethod").get("Algorithm") == method
        assert info.find(f"{DS}SignatureMethod").get("Algorithm") == algorithm
        # signed by the other tool: values present, layout (indentation, prefixes) its own
        assert signature.findtext(f"{DS}SignatureValue").strip()
        assert info.findtext(f"{DS}Reference/{DS}DigestValue").strip()


@pytest.mark.parametrize("name,certificate,town,method,algorithm", DOCUMENTS)
def test_each_independently_signed_document_verifies_and_is_applied(
        feed, profiles, name, certificate, town, method, algorithm):
    cert = xmldsig.load_certificate((DATA / certificate).read_text())
    assert xmldsig.verify(_doc(name), cert, now=NOW) is True
    _register(feed, certificate)
    CapSender.objects.filter(pk=feed.pk).update(require_signature=True)
    result = services.cap_ingest(data=_doc(name), source="push", now=NOW)
    assert result.applied, result
    warning = Warning.objects.get(pk=result.warning_id)
    if town is None:
        assert warning.whole_city
    else:
        assert warning.towns == [town] and not warning.whole_city
        reached = set(Notice.objects.filter(warning=warning).values_list("enterprise__town",
                                                                         flat=True))
        assert reached <= {town}
    if name.startswith("rsa-exc"):  # a red typhoon on 深沪: its port reaches a notice
        assert result.notices == 1


@pytest.mark.parametrize("name,certificate,original,changed", [
    # one character of the area: the warning would reach the next town
    ("rsa-exc-c14n.xml", "rsa-cert.pem", b"<value>350582105</value>", b"<value>350582106</value>"),
    ("ecdsa-exc-c14n.xml", "ec-cert.pem", b"350582106000", b"350582105000"),
    ("rsa-c14n.xml", "rsa-cert.pem", "<areaDesc>晋江市".encode(), "<areaDesc>晋江巿".encode()),
])
def test_one_character_of_the_area_changed_is_refused(feed, profiles, name, certificate,
                                                      original, changed):
    _register(feed, certificate)
    data = _doc(name)
    assert data.count(original) == 1
    _refused(data.replace(original, changed), "bad_signature", "篡改")


def _flip_signature_character(data: bytes, at: int = 20) -> bytes:
    match = re.search(rb"(<(?:ds:)?SignatureValue>)([^<]+)(<)", data)
    value = bytearray(match.group(2))
    value[at] = ord("A") if value[at] != ord("A") else ord("B")
    return data[:match.start(2)] + bytes(value) + data[match.end(2):]


@pytest.mark.parametrize("name,certificate", [(d[0], d[1]) for d in DOCUMENTS])
def test_one_character_of_the_signature_value_changed_is_refused(feed, profiles, name,
                                                                 certificate):
    _register(feed, certificate)
    tampered = _flip_signature_character(_doc(name))
    assert tampered != _doc(name) and len(tampered) == len(_doc(name))
    _refused(tampered, "bad_signature", "证书不符")


def _edit(data: bytes, change) -> bytes:
    root = etree.fromstring(data)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _reference_into_object(root):
    signature = root.find(f"{DS}Signature")
    reference = signature.find(f"{DS}SignedInfo/{DS}Reference")
    etree.SubElement(signature, f"{DS}Object").append(reference)


def _reference_to_the_info(root):
    info = root.find("{urn:oasis:names:tc:emergency:cap:1.2}info")
    info.set("Id", "info")
    root.find(f"{DS}Signature/{DS}SignedInfo/{DS}Reference").set("URI", "#info")


def _second_reference(root):
    signed_info = root.find(f"{DS}Signature/{DS}SignedInfo")
    reference = signed_info.find(f"{DS}Reference")
    signed_info.append(etree.fromstring(etree.tostring(reference)))


def _signature_into_the_info(root):
    root.find("{urn:oasis:names:tc:emergency:cap:1.2}info").append(root.find(f"{DS}Signature"))


@pytest.mark.parametrize("name,certificate", [(d[0], d[1]) for d in DOCUMENTS])
@pytest.mark.parametrize("change,code,fragment", [
    (_reference_into_object, "bad_signature", "Reference"),
    (_reference_to_the_info, "bad_signature", "Reference URI"),
    (_second_reference, "bad_signature", "Reference"),
    # a Signature inside <info> is not CAP 1.2: the structure check refuses it first
    (_signature_into_the_info, "cap_structure", "Signature"),
])
def test_a_moved_reference_or_signature_is_refused(feed, profiles, name, certificate, change,
                                                   code, fragment):
    _register(feed, certificate)
    _refused(_edit(_doc(name), change), code, fragment)


@pytest.mark.parametrize("name,certificate", [(d[0], d[1]) for d in DOCUMENTS])
def test_the_re_serialised_document_still_verifies(feed, profiles, name, certificate):
    """Parsing and writing the document again with lxml (another serialiser: quotes, the
    declaration, empty elements) keeps it valid: what is signed is the canonical form."""
    _register(feed, certificate)
    result = services.cap_ingest(data=_edit(_doc(name), lambda root: None), source="push",
                                 now=NOW)
    assert result.applied, result


def test_key_info_in_the_message_is_not_trusted(feed, profiles):
    """The RSA document carries its certificate in KeyInfo; registered with the ECDSA
    certificate the feed's key decides, so the message is refused, and without KeyInfo the
    registered RSA certificate still verifies it."""
    _register(feed, "ec-cert.pem")
    _refused(_doc("rsa-exc-c14n.xml"), "bad_signature", "密钥类型不符")

    def drop_key_info(root):
        signature = root.find(f"{DS}Signature")
        signature.remove(signature.find(f"{DS}KeyInfo"))

    _register(feed, "rsa-cert.pem")
    result = services.cap_ingest(data=_edit(_doc("rsa-exc-c14n.xml"), drop_key_info),
                                 source="push", now=NOW)
    assert result.applied, result


def test_the_whitespace_after_the_signature_is_signed(feed, profiles):
    """The enveloped-signature transform removes the Signature element, not the text after it:
    xmlsec1 signed the newline between ``</ds:Signature>`` and ``</alert>``, so dropping it
    breaks the digest (before this was fixed, the newline was dropped when verifying and every
    indented document signed elsewhere was refused)."""
    _register(feed, "rsa-cert.pem")
    data = _doc("rsa-exc-c14n.xml")
    assert b"</ds:Signature>\n</alert>" in data
    _refused(data.replace(b"</ds:Signature>\n</alert>", b"</ds:Signature></alert>"),
             "bad_signature", "篡改")
