"""Storage: SQLAlchemy models, migrations (Alembic) and repository functions.

SQLite in ``<data_dir>`` by default (WAL, foreign keys on), PostgreSQL in production.
The schema is created and migrated on first use; nothing needs to be set up by hand.
"""

from typing import Any

__all__ = ["Database", "get_database"]


def __getattr__(name: str) -> Any:
    # Imported on first use: SQLAlchemy and Alembic take a second to import, and the
    # command line registers the clinic commands without needing them (PEP 562).
    if name in __all__:
        from nervetjek.store import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
