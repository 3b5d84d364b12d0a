"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert a row unless one with the same key exists; True if this call inserted it."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    table = model.__table__  # type: ignore[attr-defined]
    statement = (
        module.insert(table)
        .values(**values)
        .on_conflict_do_nothing()
        # RETURNING, not rowcount: rowcount is not reliable for ON CONFLICT across drivers.
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None
