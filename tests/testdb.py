"""One migrated test database per test run, copied for each xdist worker (decision 0712).

pytest-django lets every xdist worker build its own test database by running all migrations
(about 20 s of CPU each on SQLite, as much again on PostgreSQL). Here the first worker that needs
a database migrates a *template* once, under a file lock, and every worker copies it:

- SQLite: the template is a file; each worker loads it into its in-memory test database with
  SQLite's online backup (a page copy, well under a second);
- PostgreSQL: the template is a database; each worker runs ``CREATE DATABASE … TEMPLATE …``
  (a file-level copy on the server).

The copy holds exactly what ``migrate`` wrote (schema, data migrations, content types and
permissions), so the tests see the same database as before. The last worker to finish drops the
template. Used only with two or more xdist workers and the default options; ``--reuse-db``,
``--nomigrations``, serialized rollback or a second database alias take pytest-django's usual
path (``setup``'s fallback).
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import sqlite3
import tempfile
from pathlib import Path


def _folder(run_id: str) -> Path:
    folder = Path(tempfile.gettempdir()) / f"innolink-testdb-{run_id}"
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def _locked(folder: Path):
    with open(folder / "lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _template_name(connection, run_id: str, folder: Path) -> str:
    if connection.vendor == "sqlite":
        return str(folder / "template.sqlite3")
    return f"test_{connection.settings_dict['NAME']}_template_{run_id[:12]}"[:63]


def _build_template(connection, template: str, verbosity: int) -> None:
    """Migrate the template database like Django's own test setup does, then step out of it."""
    settings_dict = connection.settings_dict
    original_name, original_test_name = settings_dict["NAME"], settings_dict["TEST"].get("NAME")
    settings_dict["TEST"]["NAME"] = template
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True,
                                           serialize=False, keepdb=False)
    finally:
        connection.close()  # no session may stay in a PostgreSQL template being copied
        _point_at(connection, original_name)
        settings_dict["TEST"]["NAME"] = original_test_name


def _point_at(connection, name: str) -> None:
    from django.conf import settings

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _copy_template(connection, template: str) -> str:
    """Make this worker's test database a copy of the template; returns its name."""
    target = connection.creation._get_test_db_name()
    if connection.vendor == "sqlite":
        _point_at(connection, target)
        connection.ensure_connection()
        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return target
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
        cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
    _point_at(connection, target)
    connection.ensure_connection()
    return target


def usable(config, aliases: set[str], serialized_aliases: set[str], keepdb: bool,
           migrations: bool) -> bool:
    """Whether this worker should copy a template rather than migrate its own database."""
    from django.conf import settings

    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2 or keepdb or not migrations or serialized_aliases:
        return False
    if set(settings.DATABASES) != {"default"} or aliases - {"default"}:
        return False
    from django.db import connections

    return connections["default"].vendor in ("sqlite", "postgresql")


def setup(config, verbosity: int) -> list:
    """Copy (building it first if no worker has) the migrated template into this worker's
    test database. Returns the ``old_config`` that ``teardown_databases`` expects."""
    from django.db import connections

    connection = connections["default"]
    original_name = connection.settings_dict["NAME"]
    run_id = config.workerinput["testrunuid"]
    folder = _folder(run_id)
    template = _template_name(connection, run_id, folder)
    with _locked(folder):
        if not (folder / "ready").exists():
            _build_template(connection, template, verbosity)
            (folder / "ready").write_text(template)
        _copy_template(connection, template)
    return [(connection, original_name, True)]


def finish(config) -> None:
    """At the end of a worker's session: the last worker to finish drops the template."""
    workerinput = getattr(config, "workerinput", None)
    if not workerinput:
        return
    folder = _folder(workerinput["testrunuid"])  # every worker counts, with a database or not
    with _locked(folder):
        finished = folder / "finished"
        count = int(finished.read_text() or 0) + 1 if finished.exists() else 1
        finished.write_text(str(count))
        if count < int(workerinput.get("workercount", 1)):
            return
        ready = folder / "ready"
        template = ready.read_text() if ready.exists() else ""
        if template and not template.endswith(".sqlite3"):
            from django.db import connections

            connection = connections["default"]
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")
    shutil.rmtree(folder, ignore_errors=True)
