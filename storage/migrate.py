"""Schema migrations, safe when two processes start together."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from storage.models import DEFAULT_AUTHORITY_ID

MIGRATIONS = Path(__file__).parent / "migrations"
# An arbitrary constant: the PostgreSQL advisory lock that serialises migrations.
PG_MIGRATION_LOCK = 7_240_113


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            connection.commit()
            try:
                yield connection
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                connection.commit()
        return
    database = engine.url.database
    lock_path = Path(f"{database}.migrate.lock") if database and database != ":memory:" else None
    if lock_path is None:
        with engine.connect() as connection:
            yield connection
        return
    with open(lock_path, "a+") as lock_file:
        # A file lock beside the database: SQLite has no advisory locks.
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision and make sure the default authority exists."""
    with _migration_lock(engine) as connection:
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    with engine.begin() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM authority WHERE id = :id"), {"id": DEFAULT_AUTHORITY_ID}
        ).first()
        if not exists:
            connection.execute(
                text("INSERT INTO authority (id, name) VALUES (:id, 'default')"),
                {"id": DEFAULT_AUTHORITY_ID},
            )
