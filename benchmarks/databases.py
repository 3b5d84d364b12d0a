"""The benchmarks' databases: a fresh, migrated one per backend, and dropping a schema after.

PostgreSQL runs take a schema of their own (the tests' one is left be), named by the caller.
"""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.migrate import upgrade


def migrated_engine(backend: str, sqlite_file: str, schema: str) -> Engine:
    """An empty, migrated database: `sqlite_file` on SQLite, else `schema` (made afresh)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{sqlite_file}")
    else:
        url = os.environ["TEST_DATABASE_URL"]
        drop_schema(schema, create=True)
        sep = "&" if "?" in url else "?"
        engine = make_engine(f"{url}{sep}options=-csearch_path%3D{schema}")
    upgrade(engine)
    return engine


def drop_schema(schema: str, *, create: bool = False) -> None:
    """Drop a PostgreSQL schema and all in it (then create it empty, if asked)."""
    admin = make_engine(os.environ["TEST_DATABASE_URL"])
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
