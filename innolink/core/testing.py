"""Test helpers shared by every app that know no domain app: the API's one error shape, the
test password and production-settings runs. The factories that build users and enterprises are
in :mod:`innolink.enterprises.testing` (``core`` imports no domain app)."""

from __future__ import annotations

import json
from typing import Any

#: the password every test user gets (``innolink.enterprises.testing.make_user``)
PASSWORD = "Test-password-123"


def assert_json_error(response, status: int, code: str) -> dict:
    """The API's one error shape: ``{code, message, extra}`` with a non-empty message."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "extra"}, body
    assert body["code"] == code, body
    assert body["message"], body
    return body


def assert_json_success(response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return json.loads(response.content)


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a" * 20 + "-production-secret-with-enough-entropy-%$#",
    "DJANGO_ALLOWED_HOSTS": "innolink.example.gov.cn,testserver",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5/db",
}


def production_settings(monkeypatch, **env: str):
    """``config.settings.production`` as it loads with ``env`` (plus required values), read
    afresh: the module is imported again so it sees this environment."""
    import importlib
    import sys

    for name, value in {**PRODUCTION_ENV, **env}.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("config.settings.production", None)
    try:
        return importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)


def sqlite_file_copy(path) -> str:
    """Copy the current (SQLite) test database, schema and committed rows, into the file
    ``path``: a process started with ``DATABASE_URL=sqlite:///<path>`` sees the same records."""
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    target = sqlite3.connect(str(path))
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return str(path)


def run_with_production_settings(script: str, *, database_url: str, timeout: int = 180,
                                 **env: str):
    """Run ``script`` (Python source) in a new process under ``config.settings.production``
    with ``database_url``; the script sets Django up itself (``django.setup()``) and prints
    one JSON object as its last line, which is returned."""
    import os
    import subprocess
    import sys

    from config.env import BASE_DIR

    environ = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": database_url,
               "DJANGO_SETTINGS_MODULE": "config.settings.production", **env}
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=environ,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- keyboard-only browser flows (issue 16, ADR 0795) -----------------------------------------

#: the focused element as "id-or-name|text|TAG", what ``tab_to`` looks for
ACTIVE_ELEMENT = ("() => { const e = document.activeElement; return e ? (e.id || e.name || '') "
                  "+ '|' + (e.textContent || '').trim().slice(0, 40) + '|' + e.tagName : ''; }")


def tab_to(page, wanted: str, limit: int = 150, key: str = "Tab") -> str:
    """Press Tab (or ``key``) until the focused element's id, name or text contains ``wanted``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        active = page.evaluate(ACTIVE_ELEMENT)
        seen.append(active)
        if wanted in active:
            return active
    raise AssertionError(f"{key} never reached {wanted!r}: {seen[-12:]}")


def type_into(page, name: str, text: str) -> None:
    """Tab to the field named ``name`` and type ``text`` there."""
    tab_to(page, name)
    page.keyboard.type(text)


def keyboard_sign_in(page, base: str, username: str) -> None:
    """Sign in on the login page with the keyboard only."""
    page.goto(f"{base}/accounts/login/")
    type_into(page, "username", username)
    type_into(page, "password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/")
