"""Engines for SQLite (WAL, busy timeout) and PostgreSQL, and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

SQLITE_BUSY_MS = 30_000
READ_ONLY = "qabot_read_only"


SQLITE_CONNECTIONS = 1


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine configured for concurrent use by request threads and sweeps."""
    if url.startswith("sqlite"):
        # One pooled connection, not one per session: opening one (and its PRAGMAs) costs
        # more than most of the queries a request makes. SQLite has one writer anyway, and
        # serialising the database work of the listener threads keeps them from crowding
        # out the threads that acknowledge Slack (they share one GIL): measured in
        # benchmarks/qa_latency.py. PostgreSQL, for larger installations, keeps a real pool.
        # No session may be opened while another is held (it would wait for itself).
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
            pool_size=min(pool_size, SQLITE_CONNECTIONS),
            max_overflow=0,
            pool_timeout=SQLITE_BUSY_MS / 1000,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below): pysqlite's own handling defers it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue on the busy
        # timeout instead of failing with "database is locked" on lock upgrade. Readers
        # need no lock in WAL mode: they begin deferred and never wait for a writer.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit explicitly; anything not committed is discarded."""
    # Closing discards whatever was not committed (nothing commits behind the caller's
    # back) and detaches the loaded rows with their values, so results outlive the session.
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def read_only(engine: Engine) -> Iterator[Session]:
    """A session that only reads: on SQLite it never waits for (or blocks) a writer."""
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session
