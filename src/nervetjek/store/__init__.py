"""Storage: SQLAlchemy models, migrations (Alembic) and repository functions.

SQLite in ``<data_dir>`` by default (WAL, foreign keys on), PostgreSQL in production.
The schema is created and migrated on first use; nothing needs to be set up by hand.
"""

from nervetjek.store.db import Database, get_database

__all__ = ["Database", "get_database"]
