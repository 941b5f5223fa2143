"""Engine and sessions, and migrations run on first use.

SQLite gets WAL, foreign keys, full sync and a busy timeout on every connection.
Migrations run once per process and URL; a lock (a file lock beside the SQLite file,
an advisory lock on PostgreSQL) keeps two processes from migrating at the same time.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Any fixed 64-bit number: the advisory lock that serialises migrations on PostgreSQL.
PG_MIGRATION_LOCK = 7_346_112_903

_lock = threading.Lock()
_databases: dict[str, Database] = {}


class _NoRowLogging(logging.Filter):
    """SQLAlchemy logs result rows at DEBUG: those hold health and contact data.

    SQL statements (INFO) stay; their parameters are hidden by ``hide_parameters``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowLogging())


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Deleted rows are overwritten with zeros, so forgotten data does not linger in free
    # pages of the file (see Database.scrub for the write-ahead log).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config() -> Config:
    config = Config()
    location = resources.files("nervetjek.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config


# What the app's role may do to each table when an owner role runs the migrations
# (PostgreSQL).  The audit log is read and appended to, never changed.
APP_ROLE_GRANTS = {
    "users": "SELECT, INSERT, UPDATE, DELETE",
    "clinician_sessions": "SELECT, INSERT, UPDATE, DELETE",
    "login_failures": "SELECT, INSERT, UPDATE, DELETE",
    "intakes": "SELECT, INSERT, UPDATE, DELETE",
    "followups": "SELECT, INSERT, UPDATE, DELETE",
    "audit_log": "SELECT, INSERT",
    "alembic_version": "SELECT",
}


class Database:
    def __init__(self, url: str, owner_url: str | None = None):
        self.url = make_url(url)
        # Migrations run as the owner of the tables when given; the app's role then gets
        # only APP_ROLE_GRANTS, so it cannot ALTER the tables or disable their triggers.
        self.owner_url = make_url(owner_url) if owner_url else None
        kwargs: dict = {"hide_parameters": True, "future": True}
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling defers BEGIN; take control so that
            # a write transaction starts with BEGIN IMMEDIATE and cannot deadlock.
            event.listen(self.engine, "connect", _sqlite_no_autobegin)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrated = False
        self._migrate_lock = threading.Lock()
        self._local_writer = threading.RLock() if self.is_sqlite else contextlib.nullcontext()

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @contextmanager
    def _process_lock(self) -> Iterator[None]:
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            lock_path = Path(self.url.database + ".migrate-lock")
            with lock_path.open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        else:
            yield

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema (idempotent); as the owner role, when one is set."""
        if self.owner_url is not None and self._at_head():
            return
        engine = create_engine(self.owner_url) if self.owner_url is not None else self.engine
        try:
            with self._process_lock(), engine.begin() as connection:
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if self.owner_url is not None and self.is_postgresql:
                    grant_app_role(connection, self.url.username)
        finally:
            if engine is not self.engine:
                engine.dispose()

    def _at_head(self) -> bool:
        try:
            return self.migration_state() == (self.head_revision(),) * 2
        except Exception:  # no table yet, or no right to read it: let the owner migrate
            return False

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    def migration_state(self) -> tuple[str | None, str]:
        """(the database's revision, the code's head revision)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        return current, self.head_revision()

    def scrub(self) -> bool:
        """After a deletion: leave no copy of deleted rows in the database's files.

        SQLite: secure_delete (on every connection) zeroes the rows in the database file;
        the write-ahead log still holds older page images until a checkpoint, so move
        everything into the file and truncate the log.  PostgreSQL: VACUUM the tables
        that hold personal data so dead row versions are cleared.  False when another
        connection kept the log in use (busy for longer than busy_timeout).
        """
        if self.is_sqlite:
            # On the driver's connection: a checkpoint cannot run inside the BEGIN
            # IMMEDIATE that SQLAlchemy's connection would start.
            with self._local_writer, self.engine.connect() as connection:
                raw = connection.connection.driver_connection
                busy, _log, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return not busy
        elif self.is_postgresql:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ("followups", "intakes"):
                    conn.exec_driver_sql(f"VACUUM {table}")
        return True

    def downgrade(self, revision: str) -> None:
        with self._process_lock(), self.engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
        self._migrated = False

    def ensure_migrated(self) -> None:
        if self._migrated:
            return
        with self._migrate_lock:
            if not self._migrated:
                self.migrate()
                self._migrated = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        self.ensure_migrated()
        # SQLite allows one writer at a time and every transaction here starts with
        # BEGIN IMMEDIATE.  Queueing the threads of this process on a lock is fairer and
        # faster than SQLite's busy-wait polling (which gave multi-second tails under load);
        # other processes still wait through busy_timeout.
        with self._local_writer:
            session = self.sessions()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_no_autobegin(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def grant_app_role(connection, role: str | None) -> None:
    """Give the app's role exactly APP_ROLE_GRANTS on the current schema (PostgreSQL)."""
    if not role:
        raise ValueError("the app's database URL names no user to grant rights to")
    quote = connection.dialect.identifier_preparer.quote
    schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}")
    for table, rights in APP_ROLE_GRANTS.items():
        connection.exec_driver_sql(f"GRANT {rights} ON {quote(table)} TO {quote(role)}")
    connection.exec_driver_sql(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {quote(role)}"
    )


def get_database(url: str, owner_url: str | None = None) -> Database:
    """One Database (engine and pool) per URL per process."""
    with _lock:
        database = _databases.get(url)
        if database is None:
            database = _databases[url] = Database(url, owner_url)
        return database


def forget_database(url: str) -> None:
    """Drop the cached engine for a URL (tests that delete the database use this)."""
    with _lock:
        database = _databases.pop(url, None)
    if database is not None:
        database.dispose()
