"""XML digital signatures on CAP messages, verified against the sender's registered certificate
(keys and certificates are made in the test): a valid signature is applied, a bad one is refused
with its reason and writes nothing, and unsigned messages follow the sender's setting."""

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from innolink.accounts.roles import Role
from innolink.core.errors import PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_user
from innolink.weather import services, xmldsig
from innolink.weather.capdocs import cap
from innolink.weather.models import CapMessage, CapSender, IngestLog, Notice, Warning

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _counts():
    return (Warning.objects.count(), Notice.objects.count(), CapMessage.objects.count(),
            AuditEntry.objects.filter(model="weather.warning").count())


def _register(feed, key, **fields):
    CapSender.objects.filter(pk=feed.pk).update(certificate=xmldsig.certificate_pem(key, **fields))


@pytest.mark.parametrize("which,exclusive", [("ec", True), ("rsa", True), ("rsa", False)])
def test_a_validly_signed_message_is_applied(feed, profiles, now, ec_key, rsa_key, which,
                                             exclusive):
    key = ec_key if which == "ec" else rsa_key
    _register(feed, key)
    signed = xmldsig.sign(cap(identifier="S1", sent=now, city=True), key, exclusive=exclusive)
    assert b"SignatureValue" in signed
    result = services.cap_ingest(data=signed, source="push")
    assert result.applied, result
    assert Notice.objects.filter(warning_id=result.warning_id).count() == len(profiles)


def _refused(data, code, fragment=""):
    before = _counts()
    result = services.cap_ingest(data=data, source="push")
    assert (result.outcome, result.code) == ("refused", code), result
    assert fragment in result.reason
    assert _counts() == before
    assert IngestLog.objects.get(pk=result.log_id).code == code
    return result


def test_a_tampered_message_is_refused_and_writes_nothing(feed, profiles, now, ec_key):
    _register(feed, ec_key)
    signed = xmldsig.sign(cap(identifier="S2", level="黄", sent=now, city=True), ec_key)
    # the level raised after signing (a red warning would reach more enterprises)
    tampered = signed.replace("黄色预警".encode(), "红色预警".encode()).replace(
        b"<severity>Moderate</severity>", b"<severity>Extreme</severity>").replace(
        b"<value>0102</value>", b"<value>0104</value>")
    assert tampered != signed
    result = _refused(tampered, "bad_signature", "篡改")
    assert "数字签名验证失败" in result.reason


def test_a_message_signed_with_another_key_is_refused(feed, profiles, now, ec_key):
    _register(feed, ec_key)
    stranger = ec.generate_private_key(ec.SECP256R1())
    _refused(xmldsig.sign(cap(identifier="S3", sent=now, city=True), stranger), "bad_signature",
             "证书不符")


def test_a_key_of_the_wrong_type_is_refused(feed, profiles, now, ec_key, rsa_key):
    _register(feed, ec_key)
    _refused(xmldsig.sign(cap(identifier="S4", sent=now, city=True), rsa_key), "bad_signature")


def test_unsigned_messages_follow_the_senders_setting(feed, profiles, now, ec_key):
    _register(feed, ec_key)
    assert services.cap_ingest(data=cap(identifier="U1", sent=now, city=True),
                               source="push").applied
    CapSender.objects.filter(pk=feed.pk).update(require_signature=True)
    _refused(cap(identifier="U2", kind="暴雨", sent=now, city=True), "unsigned", "未签名")
    signed = xmldsig.sign(cap(identifier="U3", kind="暴雨", sent=now, city=True), ec_key)
    assert services.cap_ingest(data=signed, source="push").applied


def test_a_signature_without_a_registered_certificate_is_refused(feed, profiles, now, ec_key):
    _refused(xmldsig.sign(cap(identifier="N1", sent=now, city=True), ec_key), "no_certificate",
             "未登记签名证书")


def test_an_expired_certificate_is_refused(feed, profiles, now, ec_key):
    _register(feed, ec_key, days=30,
              not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=60))
    _refused(xmldsig.sign(cap(identifier="X1", sent=now, city=True), ec_key),
             "certificate_expired")


@pytest.mark.parametrize("change,code", [
    (lambda d: d.replace(b'URI=""', b'URI="#part"'), "bad_signature"),
    (lambda d: d.replace(b"xmldsig-more#ecdsa-sha256", b"xmldsig#dsa-sha1"), "unsupported_signature"),
    (lambda d: d.replace(b"xmlenc#sha256", b"xmldsig#sha1"), "unsupported_signature"),
    (lambda d: d.replace(b"</ds:Signature>", b"</ds:Signature><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>"), "bad_signature"),
])
def test_signatures_outside_the_profile_are_refused(feed, profiles, now, ec_key, change, code):
    _register(feed, ec_key)
    signed = xmldsig.sign(cap(identifier="P1", sent=now, city=True), ec_key)
    _refused(change(signed), code)


def test_registering_a_certificate_is_checked_and_audited(meteorologist, ec_key):
    pem = xmldsig.certificate_pem(ec_key)
    before = (CapSender.objects.count(), AuditEntry.objects.count())
    for bad in ("not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"):
        with pytest.raises(ValidationFailed) as info:
            services.sender_save(actor=meteorologist, sender="qx@example", name="气象台",
                                 certificate=bad)
        assert "certificate" in info.value.fields
    with pytest.raises(ValidationFailed):  # requiring signatures needs a certificate
        services.sender_save(actor=meteorologist, sender="qx@example", name="气象台",
                             require_signature=True)
    with pytest.raises(PermissionDenied):
        services.sender_save(actor=make_user(Role.ENTERPRISE), sender="qx@example", name="气象台",
                             certificate=pem)
    assert (CapSender.objects.count(), AuditEntry.objects.count()) == before
    row = services.sender_save(actor=meteorologist, sender="qx@example", name="气象台",
                               certificate=pem, require_signature=True)
    assert row.require_signature and xmldsig.load_certificate(row.certificate)
    # saving again without a certificate keeps the registered one
    again = services.sender_save(actor=meteorologist, sender="qx@example", name="市气象台",
                                 require_signature=True)
    assert again.certificate == row.certificate and again.name == "市气象台"
    assert AuditEntry.objects.filter(model="weather.capsender").count() == 2
