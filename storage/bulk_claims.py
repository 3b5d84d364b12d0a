"""Claims and inserts for many keys at once: a fixed number of statements, never one per row.

The nudge sweep claims hundreds of keys in one transaction; `storage.claims.claim_once` per
key would cost a statement each. These do the same in set-based statements, in key order, so
that two sweeps claiming the same keys queue behind each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from storage.models import Claim

#: Rows per statement: well inside SQLite's limit on bound variables (32,766).
CHUNK = 2000


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def claimed_among(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these keys are claimed already."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for chunk in _chunks(wanted, CHUNK):
        found.update(session.exec(select(Claim.key).where(col(Claim.key).in_(chunk))).all())
    return found


def insert_ignore_many(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]],
                       key: str) -> set[Any]:
    """Insert the rows whose `key` column is not taken; the keys this call inserted."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    table = model.__table__  # type: ignore[attr-defined]
    inserted: set[Any] = set()
    ordered = sorted(rows, key=lambda row: row[key])
    per_chunk = max(1, CHUNK // max(1, len(ordered[0])))
    for chunk in _chunks(ordered, per_chunk):
        statement = (
            module.insert(table).values(list(chunk)).on_conflict_do_nothing()
            # RETURNING, not rowcount: rowcount is not reliable for ON CONFLICT across drivers.
            .returning(table.c[key])
        )
        inserted.update(session.execute(statement).scalars().all())
    return inserted


def claim_many(session: Session, keys: Iterable[str], now: datetime) -> set[str]:
    """Claim every key not yet held, in this transaction; the keys this call won."""
    rows = [{"key": k, "claimed_at": now} for k in sorted(set(keys))]
    return insert_ignore_many(session, Claim, rows, "key")
