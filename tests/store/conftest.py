"""Store tests run against SQLite and PostgreSQL.

PostgreSQL: NERVETJEK_TEST_POSTGRES_URL (default: the local server, database `test`).
Every test gets its own schema, so parallel workers never share tables.  With CI=true an
unreachable PostgreSQL fails the run; elsewhere those tests are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nervetjek.store.db import Database, forget_database, get_database
from tests.conftest import copy_template

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_url() -> str:
    return os.environ.get("NERVETJEK_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def _postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL at {make_url(postgres_url()).render_as_string()} unreachable: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: PostgreSQL is required)", pytrace=False)
    pytest.skip(message)


def fresh_postgres_schema() -> tuple[str, callable]:
    """A new empty schema; returns a URL whose search_path is that schema, and a dropper."""
    base = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any connection failure: refused, auth, missing database
        _postgres_unavailable(type(exc).__name__ + ": " + str(exc).splitlines()[0])
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url, drop = fresh_postgres_schema()
    yield url
    forget_database(url)
    drop()


@pytest.fixture
def db(db_url, migrated_template) -> Iterator[Database]:
    if db_url.startswith("sqlite:///"):
        copy_template(migrated_template, Path(db_url.removeprefix("sqlite:///")))
    database = get_database(db_url)
    database.ensure_migrated()
    yield database
    forget_database(db_url)
