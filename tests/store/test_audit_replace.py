"""Finding 6 of issue 11: the audit log cannot be rewritten with SQLite's REPLACE."""

from __future__ import annotations

import sqlite3

import pytest

from nervetjek.store import repo
from nervetjek.store.db import Database


def test_replace_into_the_audit_log_is_refused_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    database = Database(url)
    database.migrate()
    with database.session() as session:
        repo.audit(session, repo.SYSTEM, "first", detail={"n": 1})
    database.dispose()
    con = sqlite3.connect(tmp_path / "a.db")
    cols = [r[1] for r in con.execute("pragma table_info(audit_log)")]
    row = list(con.execute("select * from audit_log order by id limit 1").fetchone())
    row[cols.index("action")] = "rewritten"
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(
            f"REPLACE INTO audit_log ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
            row,
        )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(
            f"INSERT OR REPLACE INTO audit_log ({','.join(cols)}) "
            f"VALUES ({','.join('?' * len(cols))})",
            row,
        )
    assert con.execute("select action from audit_log").fetchall() == [("first",)]
    con.execute(  # a new entry still goes in
        "INSERT INTO audit_log (at, actor_kind, actor_label, action, detail) "
        "VALUES ('2026-11-30', 'system', 'system', 'second', '{}')"
    )
