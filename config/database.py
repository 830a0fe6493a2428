"""The ``DATABASES["default"]`` entry for a database URL, the same in every settings module.

SQLite gets the options it needs when a web process and a worker write at once: WAL lets readers
go on while one writes, ``IMMEDIATE`` transactions take the write lock at BEGIN (a deferred one
that reads and then writes fails at once with "database is locked" when another writer got in
between), and the timeout waits for the lock instead of failing.
"""

from __future__ import annotations

import dj_database_url

SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_settings(url: str, *, conn_max_age: int = 0,
                      conn_health_checks: bool = False) -> dict:
    db = dj_database_url.parse(url, conn_max_age=conn_max_age,
                               conn_health_checks=conn_health_checks)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {**SQLITE_OPTIONS, **db.get("OPTIONS", {})}
    return db
