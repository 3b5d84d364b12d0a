"""What the commands share: settings, the engine, the migrated database."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.config import DatabaseSettings, load_settings
from storage.db import make_engine
from storage.migrate import upgrade


class UsageError(Exception):
    """Bad input on the command line, phrased for the operator."""


def migrated_engine(url: str | None = None) -> Engine:
    """An engine on an up-to-date schema (migrations run under a lock)."""
    engine = make_engine(url or load_settings(DatabaseSettings).database_url)
    upgrade(engine)
    return engine
