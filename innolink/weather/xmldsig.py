"""Verification of an enveloped XML digital signature (W3C XML-Signature 1.1) on a CAP message,
against the sender's registered X.509 certificate.

The CAP 1.2 specification (section 3.3.2.1) lets a sender sign the whole ``<alert>`` with an
enveloped ``<Signature>`` as its last child. We verify the profile such feeds use and refuse
everything else rather than half-checking it:

* exactly one ``ds:Signature``, a child of the root element;
* ``SignedInfo`` canonicalised with exclusive C14N (or inclusive C14N 1.0), without comments;
* ``SignatureMethod`` RSA-SHA256 (PKCS#1 v1.5) or ECDSA-SHA256;
* exactly one ``Reference`` with ``URI=""`` (the whole document), the enveloped-signature
  transform and optionally one canonicalisation transform, digest SHA-256.

The key is always the sender's registered certificate; a ``KeyInfo`` in the message is ignored
(a signature made with a key the message carries itself proves nothing). ``sign`` is the same
profile in reverse, for tests and for a feed simulator.

lxml (libxml2's canonicaliser) and cryptography do the canonicalisation and the signature
arithmetic; the document was already parsed safely by defusedxml (no DTD, no entities) before it
gets here, and lxml parses it again with entity resolution and network access off.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from django.utils.translation import gettext_noop as _
from lxml import etree

from innolink.weather import reasons

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
CANONICAL = {EXC_C14N: True, C14N: False}  # method -> exclusive


class SignatureError(Exception):
    """The signature is absent where required, malformed, of an unsupported profile, or does
    not verify. ``code`` is stable; ``msgid`` and ``params`` the reason (ADR 0390, worded by
    ``reasons.render``), ``message`` its Chinese text."""

    def __init__(self, code: str, msgid: str, **params):
        self.code, self.msgid, self.params = code, msgid, params
        self.message = reasons.render(msgid, params, translate=False)
        super().__init__(self.message)


@dataclass(frozen=True)
class Certificate:
    subject: str
    not_after: dt.datetime
    not_before: dt.datetime
    public_key: object


def load_certificate(pem: str) -> Certificate:
    """A PEM certificate with an RSA (≥ 2048 bits) or elliptic-curve key; ValueError if not."""
    try:
        cert = x509.load_pem_x509_certificate(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError) as exc:
        raise ValueError("not a PEM X.509 certificate") from exc
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise ValueError("RSA key shorter than 2048 bits")
    elif not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("only RSA and elliptic-curve keys are supported")
    return Certificate(cert.subject.rfc4514_string(), cert.not_valid_after_utc,
                       cert.not_valid_before_utc, key)


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_blank_text=False, huge_tree=False)
    return etree.fromstring(data, parser)


def _c14n(element, exclusive: bool) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=exclusive, with_comments=False)


def _one(parent, tag: str, what: str):
    found = parent.findall(f"{{{DS}}}{tag}")
    if len(found) != 1:
        raise SignatureError("bad_signature", _("签名结构不符：%(w)s"), w=reasons.said(what))
    return found[0]


def signature_of(data: bytes):
    """The document's root and its enveloped ``Signature`` element (None if unsigned)."""
    root = _parse(data)
    signatures = list(root.iter(f"{{{DS}}}Signature"))
    if not signatures:
        return root, None
    if len(signatures) > 1 or signatures[0].getparent() is not root:
        raise SignatureError("bad_signature", _("消息只能带一个签名，且须位于 alert 元素内"))
    return root, signatures[0]


def _remove_keeping_tail(node) -> None:
    """Remove an element and its descendants but not the text that follows it: the
    enveloped-signature transform removes the Signature element's node-set only, while lxml's
    ``remove`` would also drop the element's ``tail`` (the whitespace between ``</Signature>``
    and ``</alert>`` in every indented document another implementation signs)."""
    parent, tail = node.getparent(), node.tail
    if tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _digest(root, signature, transforms: list[str]) -> bytes:
    document = copy.deepcopy(root)
    for node in list(document.iter(f"{{{DS}}}Signature")):
        _remove_keeping_tail(node)  # the enveloped-signature transform
    exclusive = next((CANONICAL[t] for t in transforms if t in CANONICAL), False)
    return hashlib.sha256(_c14n(document, exclusive)).digest()


def verify(data: bytes, certificate: Certificate, *, now: dt.datetime) -> bool:
    """True if the message carries a valid signature by ``certificate``'s key, False if it
    carries none; SignatureError for every other case."""
    root, signature = signature_of(data)
    if signature is None:
        return False
    if not certificate.not_before <= now <= certificate.not_after:
        raise SignatureError("certificate_expired", _("发送方登记的证书不在有效期内，签名不能采信"))
    signed_info = _one(signature, "SignedInfo", _("缺少 SignedInfo"))
    method = _one(signed_info, "CanonicalizationMethod", _("缺少 CanonicalizationMethod")).get(
        "Algorithm")
    if method not in CANONICAL:
        raise SignatureError("unsupported_signature", _("不支持的规范化方法：%(m)s"), m=method)
    algorithm = _one(signed_info, "SignatureMethod", _("缺少 SignatureMethod")).get("Algorithm")
    if algorithm not in (RSA_SHA256, ECDSA_SHA256):
        raise SignatureError("unsupported_signature", _("不支持的签名算法：%(m)s"), m=algorithm)
    reference = _one(signed_info, "Reference", _("须有且仅有一个 Reference"))
    if reference.get("URI") != "":
        raise SignatureError("bad_signature", _("签名须覆盖整个消息（Reference URI 应为空）"))
    transforms = [t.get("Algorithm") for t in reference.iter(f"{{{DS}}}Transform")]
    if ENVELOPED not in transforms or any(t not in (ENVELOPED, *CANONICAL) for t in transforms):
        raise SignatureError("unsupported_signature", _("签名变换须为 enveloped-signature 加规范化"))
    if _one(reference, "DigestMethod", _("缺少 DigestMethod")).get("Algorithm") != SHA256:
        raise SignatureError("unsupported_signature", _("摘要算法须为 SHA-256"))
    try:
        expected = base64.b64decode(_one(reference, "DigestValue", _("缺少 DigestValue")).text or "",
                                    validate=False)
        value = base64.b64decode("".join((_one(signature, "SignatureValue", _("缺少 SignatureValue"))
                                          .text or "").split()))
    except (ValueError, TypeError):
        raise SignatureError("bad_signature", _("签名值不是有效的 Base64")) from None
    if not hmac.compare_digest(expected, _digest(root, signature, transforms)):
        raise SignatureError("bad_signature", _("消息内容与签名摘要不符，可能被篡改"))
    signed = _c14n(signed_info, CANONICAL[method])
    key = certificate.public_key
    try:
        if algorithm == RSA_SHA256 and isinstance(key, rsa.RSAPublicKey):
            key.verify(value, signed, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm == ECDSA_SHA256 and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(value) // 2
            if len(value) % 2 or not half:
                raise InvalidSignature
            der = encode_dss_signature(int.from_bytes(value[:half], "big"),
                                       int.from_bytes(value[half:], "big"))
            key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        else:
            raise SignatureError("bad_signature", _("签名算法与发送方证书的密钥类型不符"))
    except InvalidSignature:
        raise SignatureError("bad_signature", _("签名与发送方登记的证书不符")) from None
    return True


def sign(data: bytes, private_key, *, exclusive: bool = True) -> bytes:
    """Add an enveloped signature of this profile to a CAP document (tests, feed simulators)."""
    root = _parse(data)
    method = EXC_C14N if exclusive else C14N
    digest = base64.b64encode(_digest(root, None, [ENVELOPED, method])).decode()
    rsa_key = isinstance(private_key, rsa.RSAPrivateKey)
    ds = f"{{{DS}}}"
    signature = etree.SubElement(root, ds + "Signature", nsmap={"ds": DS})
    info = etree.SubElement(signature, ds + "SignedInfo")
    etree.SubElement(info, ds + "CanonicalizationMethod", Algorithm=method)
    etree.SubElement(info, ds + "SignatureMethod", Algorithm=RSA_SHA256 if rsa_key else ECDSA_SHA256)
    reference = etree.SubElement(info, ds + "Reference", URI="")
    transforms = etree.SubElement(reference, ds + "Transforms")
    etree.SubElement(transforms, ds + "Transform", Algorithm=ENVELOPED)
    etree.SubElement(transforms, ds + "Transform", Algorithm=method)
    etree.SubElement(reference, ds + "DigestMethod", Algorithm=SHA256)
    etree.SubElement(reference, ds + "DigestValue").text = digest
    signed = _c14n(info, exclusive)
    if rsa_key:
        raw = private_key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(private_key.sign(signed, ec.ECDSA(hashes.SHA256())))
        size = (private_key.curve.key_size + 7) // 8
        raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    etree.SubElement(signature, ds + "SignatureValue").text = base64.b64encode(raw).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def certificate_pem(private_key, *, subject: str = "晋江市气象台", days: int = 365,
                    not_before: dt.datetime | None = None) -> str:
    """A self-signed certificate for ``private_key`` (tests and demo feeds)."""
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, subject)])
    start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(private_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
            .sign(private_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
