"""Set-based writes for imports: many rows per statement, never one query per row.

Imports reach 25,000 cases (PRODUCT.md section 9); a query per row would take minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlmodel import Session, SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class."""
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in one executemany (batched into multi-row INSERTs by SQLAlchemy)."""
    if rows:
        session.execute(insert(table_of(model)), list(rows))


def update_by_id(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Update many rows by primary key `id`; every row must carry the same columns."""
    if not rows:
        return
    table = table_of(model)
    columns = [name for name in rows[0] if name != "id"]
    # Bind names must differ from column names, which SQLAlchemy reserves for SET values.
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in columns})
    )
    session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


def delete_pairs(
    session: Session, model: type[SQLModel], columns: tuple[str, str], pairs: Sequence[tuple]
) -> None:
    """Delete many rows of a two-column key, e.g. (staff_id, role)."""
    if not pairs:
        return
    table = table_of(model)
    first, second = columns
    statement = delete(table).where(
        table.c[first] == bindparam("b_first"), table.c[second] == bindparam("b_second")
    )
    session.execute(statement, [{"b_first": a, "b_second": b} for a, b in pairs])
