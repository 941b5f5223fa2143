from sqlalchemy import inspect, text

from nervetjek.store.db import get_database


def _tables(database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def test_upgrade_from_empty_creates_every_table(db_url):
    database = get_database(db_url)
    assert _tables(database) == set()
    database.migrate()
    assert {"users", "intakes", "followups", "audit_log", "clinician_sessions"} <= _tables(database)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0004"
        )


def test_downgrade_one_step_and_upgrade_again(db_url):
    database = get_database(db_url)
    database.migrate()
    database.downgrade("-1")
    database.downgrade("-1")
    assert "followups" in _tables(database)  # 0004 and 0003 only change triggers
    database.downgrade("-1")
    tables = _tables(database)
    assert "followups" not in tables
    assert "intakes" in tables
    database.migrate()
    assert "followups" in _tables(database)


def test_downgrade_to_base_removes_everything(db_url):
    database = get_database(db_url)
    database.migrate()
    database.downgrade("base")
    assert _tables(database) <= {"alembic_version"}


def test_migrating_twice_is_harmless(db):
    db.migrate()
    db.migrate()


def test_models_match_the_migrations(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from nervetjek.store.models import Base

    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    database = get_database(f"sqlite:///{tmp_path / 'wal.db'}")
    with database.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
