"""The attacker's findings at the store and command line (issue 11).

REPLACE into the audit log, the PostgreSQL role split, deleted data left in the files,
CSV for Danish Excel, huge numbers on the command line, backup and restore.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.store import repo
from nervetjek.store.db import Database, forget_database

from .conftest import fresh_postgres_schema
from .helpers import MILD, SCIATICA, add_intake

runner = CliRunner()
SECRET_NAME = "Zyxwvut Quokkasen"


# ------------------------------------------------------------- 6: audit log rewrite


@pytest.fixture
def role_split():
    """A schema migrated by its owner, and a URL for an app role that owns nothing."""
    owner_url, drop = fresh_postgres_schema()
    role = f"nt_app_{uuid.uuid4().hex[:10]}"
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    app_url = make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    yield owner_url, app_url, role
    forget_database(app_url)
    drop()
    with admin.connect() as connection:
        connection.execute(text(f'DROP OWNED BY "{role}"'))
        connection.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


@pytest.mark.postgres
def test_the_app_role_cannot_disable_the_audit_triggers_on_postgresql(role_split):
    owner_url, app_url, _role = role_split
    database = Database(app_url, owner_url)
    database.ensure_migrated()
    with database.session() as session:  # the app works as before
        intake = add_intake(session, SCIATICA, name="Rolle Person")
        repo.audit(session, repo.SYSTEM, "check")
        intake_id = intake.id
    with database.session() as session:
        assert repo.get_intake(session, intake_id).contact_name == "Rolle Person"
    for statement in [
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
        "DROP TRIGGER audit_log_no_change ON audit_log",
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DROP TABLE audit_log",
    ]:
        with pytest.raises(DBAPIError), database.session() as session:
            session.execute(text(statement))
    with database.session() as session:
        assert "check" in [e.action for e in repo.audit_entries(session)]
    database.dispose()


@pytest.mark.postgres
def test_a_second_start_as_the_app_role_needs_no_owner(role_split):
    owner_url, app_url, _role = role_split
    Database(app_url, owner_url).ensure_migrated()
    plain = Database(app_url)  # the owner URL is not needed once at head
    plain.ensure_migrated()
    with plain.session() as session:
        add_intake(session, MILD)
    plain.dispose()


# ------------------------------------------------------------- 10: deleted data on disk


def _raw_files(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("nervetjek.db"))


def _store_secret(database):
    with database.session() as session:
        intake = add_intake(session, SCIATICA, name=SECRET_NAME, phone="99887766")
        add_intake(session, MILD, name="Anden Person")
        return repo.format_receipt_code(intake.receipt_code)


def test_forget_leaves_no_trace_of_the_name_in_the_database_files(cli_database, tmp_path):
    code = _store_secret(cli_database)
    assert SECRET_NAME.encode() in _raw_files(tmp_path)  # the search would find it
    result = runner.invoke(app, ["forget", code, "--yes"])
    assert result.exit_code == 0, result.output
    raw = _raw_files(tmp_path)
    assert SECRET_NAME.encode() not in raw
    assert b"99887766" not in raw
    assert b"Anden Person" in raw  # the others are kept


def test_purge_leaves_no_trace_in_the_database_files(cli_database, tmp_path):
    from datetime import timedelta

    from nervetjek.store.models import utcnow

    with cli_database.session() as session:
        add_intake(session, SCIATICA, name=SECRET_NAME, created_at=utcnow() - timedelta(days=400))
    assert SECRET_NAME.encode() in _raw_files(tmp_path)
    assert runner.invoke(app, ["purge", "--older-than", "180d"]).exit_code == 0
    assert SECRET_NAME.encode() not in _raw_files(tmp_path)


# ------------------------------------------------------------- 11: CSV for Danish Excel


def _export(dialect: str) -> str:
    result = runner.invoke(app, ["export", "--csv", "-", "--contact", "--dialect", dialect])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("dialect", ["excel", "excel-da"])
def test_no_cell_starts_a_formula_whatever_the_spreadsheet_splits_on(cli_database, dialect):
    with cli_database.session() as session:
        add_intake(session, MILD, name="Ole;=1+2", email="a,@b.dk", phone="+4512345678")
        add_intake(session, MILD, name="Eva\t@SUM(A1)", phone="-2+3")
    body = _export(dialect)
    for separator in [",", ";", "\t"]:  # how naive or foreign-locale software splits
        for line in body.lstrip("\ufeff").splitlines():
            for cell in line.split(separator):
                assert cell.strip().strip('"').lstrip()[:1] not in ("=", "+", "-", "@"), (
                    separator,
                    cell,
                )


def test_excel_da_uses_semicolons_and_a_bom_and_keeps_the_values(cli_database):
    with cli_database.session() as session:
        add_intake(session, MILD, name="Ærlige Ørn; Åse", phone="12345678")
    body = _export("excel-da")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["id", "sent_at", "triage"]
    assert rows[1][-3:] == ["Ærlige Ørn; Åse", "12345678", ""]
    assert not _export("excel").startswith("\ufeff")


def test_an_unknown_dialect_is_refused(cli_database):
    result = runner.invoke(app, ["export", "--csv", "-", "--dialect", "lotus"])
    assert result.exit_code == 2


# ------------------------------------------------------------- 4: the command line


@pytest.mark.parametrize(
    "args",
    [
        ["forget", "99999999999999999999", "--yes"],
        ["forget", "9" * 5000, "--yes"],
        ["purge", "--older-than", "9999999d"],
        ["purge", "--older-than", "9" * 5000],
        ["export", "--csv", "-", "--until", "9999-12-31"],
        ["export", "--csv", "-", "--since", "0001-01-01"],
        ["export", "--fhir", "99999999999999999999"],
    ],
)
def test_huge_numbers_and_far_dates_on_the_command_line_get_a_message(cli_database, args):
    result = runner.invoke(app, args)
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


# ------------------------------------------------------------- backup and restore


def test_backup_copies_the_live_database_and_restores(cli_database, tmp_path, monkeypatch):
    code = _store_secret(cli_database)
    with cli_database.session() as session:
        audit_rows = repo.count_audit_entries(session)
    dest = tmp_path / "backup" / "copy.db"
    result = runner.invoke(app, ["backup", str(dest)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["backup", str(dest)])
    assert again.exit_code == 2 and "exists" in again.output  # never overwrites
    con = sqlite3.connect(dest)
    assert con.execute("pragma integrity_check").fetchone() == ("ok",)
    assert con.execute("pragma journal_mode").fetchone() == ("delete",)
    con.close()
    # Restore as docs/operations.md says: the copy becomes the data folder's database.
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "nervetjek.db").write_bytes(dest.read_bytes())
    database = Database(f"sqlite:///{restored / 'nervetjek.db'}")
    database.ensure_migrated()
    with database.session() as session:
        assert repo.find_intake(session, code).contact_name == SECRET_NAME
        assert repo.count_audit_entries(session) >= audit_rows
    database.dispose()
    # The backup itself is in the live database's audit log.
    with cli_database.session() as session:
        assert any(entry.action == "backup" for entry in repo.audit_entries(session))


def test_a_refused_audit_rewrite_leaves_no_lock_behind(cli_database, tmp_path):
    """The portal probe's order: someone with file access tries REPLACE on the audit log
    and keeps the connection open; the backup (and its audit entry) must not wait on it."""
    _store_secret(cli_database)
    con = sqlite3.connect(cli_database.url.database)
    cols = [r[1] for r in con.execute("pragma table_info(audit_log)")]
    first = con.execute("select * from audit_log order by id limit 1").fetchone()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(
            f"REPLACE INTO audit_log ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
            first,
        )
    assert not con.in_transaction  # RAISE(ROLLBACK): no write lock kept
    try:
        result = runner.invoke(app, ["backup", str(tmp_path / "copy.db")])
        assert result.exit_code == 0, result.output
        copy = sqlite3.connect(tmp_path / "copy.db")
        assert copy.execute("select count(*) from audit_log").fetchone()[0] >= 1
        copy.close()
    finally:
        con.close()


@pytest.mark.postgres
def test_backup_of_postgresql_uses_pg_dump_or_says_what_is_missing(tmp_path, monkeypatch):
    import shutil

    url, drop = fresh_postgres_schema()
    try:
        monkeypatch.setenv("NERVETJEK_DATABASE_URL", url)
        monkeypatch.setenv("NERVETJEK_DATA_DIR", str(tmp_path))
        from nervetjek.settings import get_settings

        get_settings.cache_clear()
        dest = tmp_path / "pg.dump"
        result = runner.invoke(app, ["backup", str(dest)])
        if shutil.which("pg_dump") is None:
            assert result.exit_code == 2 and "pg_dump was not found" in result.output
        else:
            assert result.exit_code == 0, result.output
            assert dest.read_bytes()[:5] == b"PGDMP"
    finally:
        get_settings.cache_clear()
        forget_database(url)
        drop()
