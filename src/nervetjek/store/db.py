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
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config() -> Config:
    config = Config()
    location = resources.files("nervetjek.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config


class Database:
    def __init__(self, url: str):
        self.url = make_url(url)
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
        """Upgrade the schema (idempotent)."""
        with self._process_lock(), self.engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

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


def get_database(url: str) -> Database:
    """One Database (engine and pool) per URL per process."""
    with _lock:
        database = _databases.get(url)
        if database is None:
            database = _databases[url] = Database(url)
        return database


def forget_database(url: str) -> None:
    """Drop the cached engine for a URL (tests that delete the database use this)."""
    with _lock:
        database = _databases.pop(url, None)
    if database is not None:
        database.dispose()
