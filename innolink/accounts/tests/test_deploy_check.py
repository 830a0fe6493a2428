"""The deploy check with production settings (no test database: the subprocess is given an
unreachable one). Kept apart from the login tests, whose module is marked ``django_db``, so
CI's PostgreSQL stage does not run it a second time (``--database-only``, decision 0797): it
cannot behave differently there, and CI's production check runs ``check --deploy`` against
PostgreSQL too."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_deploy_check_with_production_settings_reports_nothing(tmp_path):
    """With collectstatic's manifest in place the deploy check is silent; without it, it
    fails (every page would be a 500). A fresh clone has no staticfiles/, so the test points
    INNOLINK_STATIC_ROOT at its own folder."""
    # as an operator's shell would: without the test run's own switches (conftest sets
    # DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests, which the deploy check rightly refuses)
    shell = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**shell, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DJANGO_SECRET_KEY": "a" * 20 + "-production-secret-with-enough-entropy-%$#",
           "DJANGO_ALLOWED_HOSTS": "innolink.example.gov.cn",
           "DATABASE_URL": "postgres://u:p@127.0.0.1:5/db",
           "INNOLINK_STATIC_ROOT": str(tmp_path)}
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    missing = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert missing.returncode != 0 and "innolink.E001" in missing.stdout + missing.stderr
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
