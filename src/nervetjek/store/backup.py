"""Consistent online backups: SQLite through its backup API, PostgreSQL through pg_dump.

The server may keep running: SQLite's backup API copies a consistent snapshot page by
page (writers wait only for each step), and pg_dump reads in one snapshot transaction.
Restoring is described in docs/operations.md and tested in tests/store/test_security_store.py.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import URL

# Pages copied per step: small steps let the server's writers in between.
PAGES_PER_STEP = 256


class BackupError(RuntimeError):
    """The backup could not be made; the message says why and what to do."""


def backup_sqlite(source: Path, destination: Path, progress: Callable[[int, int], None]) -> None:
    """Copy a live SQLite database into a new file (never over an existing one)."""
    if destination.exists():
        raise BackupError(f"{destination} exists; choose a new file name")
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(destination)
    try:
        src.backup(
            dst,
            pages=PAGES_PER_STEP,
            progress=lambda _s, left, total: progress(total - left, total),
        )
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        destination.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {check}")


def libpq_url(url: URL) -> str:
    """The SQLAlchemy URL as pg_dump understands it (no driver, same options)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup_postgresql(url: URL, destination: Path) -> None:
    """pg_dump in its custom format (restore with pg_restore)."""
    if destination.exists():
        raise BackupError(f"{destination} exists; choose a new file name")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump was not found: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) or back up with your "
            "database host's own tools"
        )
    schema = _search_path(url)
    command = [pg_dump, "--format=custom", "--file", str(destination), "--dbname", libpq_url(url)]
    if schema:
        command += ["--schema", schema]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        destination.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")


def _search_path(url: URL) -> str | None:
    options = url.query.get("options", "")
    for part in (options if isinstance(options, str) else " ".join(options)).split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1]
    return None
