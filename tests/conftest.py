"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.clock import FixedClock
from storage.db import make_engine
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def reset_postgres(url: str) -> None:
    """Drop everything in the test database so each test starts empty."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_url_for(backend: str, tmp_path: object) -> str:
    """A fresh, empty database URL of the given backend (skipping PostgreSQL if absent)."""
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{tmp_path}/qabot.db"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """An empty database's URL, once per backend."""
    return database_url_for(request.param, tmp_path)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A freshly migrated, empty database (SQLite, and PostgreSQL when available)."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """A clock the test moves by hand (a Monday morning in working hours by default)."""
    return FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def bot(engine: Engine, database_url: str, clock: FixedClock) -> Iterator[Any]:
    """The real app served over HTTP on a loopback port, calling a fake Slack."""
    from tests.harness import running_bot

    with running_bot(engine, database_url, clock) as running:
        yield running
