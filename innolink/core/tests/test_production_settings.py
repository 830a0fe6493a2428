"""The production settings module as an operator loads it (``config.settings.production``)."""

import pytest

from innolink.core.testing import production_settings

pytestmark = pytest.mark.django_db


def test_healthz_over_plain_http_answers_without_redirect(monkeypatch, settings, client):
    """A load balancer probes /healthz over HTTP: it must get 200/503, not the 301 to HTTPS
    that every other path gets."""
    prod = production_settings(monkeypatch)
    settings.SECURE_SSL_REDIRECT = prod.SECURE_SSL_REDIRECT
    settings.SECURE_REDIRECT_EXEMPT = getattr(prod, "SECURE_REDIRECT_EXEMPT", [])
    assert settings.SECURE_SSL_REDIRECT is True
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/").status_code == 301  # every other page still goes to HTTPS
    assert client.get("/healthz/x").status_code == 301
