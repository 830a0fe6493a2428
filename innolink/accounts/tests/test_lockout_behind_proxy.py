"""Login lockout behind a reverse proxy: five bad passwords lock that account for that client,
not every user of the proxy; the client is read from X-Forwarded-For only when the request
comes from a proxy the operator trusts (INNOLINK_TRUSTED_PROXIES)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from innolink.core.net import client_ip
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


def _login(username: str, password: str, *, remote: str = PROXY, forwarded: str = ""):
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("accounts:login"), {"username": username,
                                                     "password": password}, **headers)


def test_behind_a_trusted_proxy_five_bad_passwords_lock_only_that_client(settings):
    settings.INNOLINK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    victim, other = make_user(), make_user()
    for _ in range(5):
        assert _login(victim.username, "wrong", forwarded="203.0.113.9").status_code in (200, 429)
    assert _login(victim.username, PASSWORD, forwarded="203.0.113.9").status_code == 429
    # the same proxy, another client: the account owner still signs in
    assert _login(victim.username, PASSWORD, forwarded="198.51.100.7").status_code == 302
    # and every other user of the proxy is untouched, from the attacker's client too
    assert _login(other.username, PASSWORD, forwarded="203.0.113.9").status_code == 302


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.INNOLINK_TRUSTED_PROXIES = []
    victim = make_user()
    for n in range(5):  # an attacker rotating the header gets no fresh attempts
        _login(victim.username, "wrong", remote="198.51.100.50", forwarded=f"192.0.2.{n}")
    assert _login(victim.username, PASSWORD, remote="198.51.100.50",
                  forwarded="192.0.2.99").status_code == 429


@pytest.mark.parametrize("trusted,remote,forwarded,expected", [
    ([], "10.0.0.2", "203.0.113.9", "10.0.0.2"),
    (["10.0.0.0/8"], "10.0.0.2", "203.0.113.9", "203.0.113.9"),
    (["10.0.0.0/8"], "10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
    (["10.0.0.0/8"], "198.51.100.2", "203.0.113.9", "198.51.100.2"),  # not from a proxy
    (["10.0.0.0/8"], "10.0.0.2", "garbage, 203.0.113.9", "203.0.113.9"),
    (["10.0.0.0/8"], "10.0.0.2", "203.0.113.9, garbage", "10.0.0.2"),
    (["10.0.0.0/8", "::1"], "::1", "2001:db8::5", "2001:db8::5"),
])
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.INNOLINK_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
