"""The directory's version: one number that changes whenever staff, roles or teams do."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Authority


def bump_directory_version(session: Session, authority_id: int) -> None:
    """Mark the directory changed, in the transaction that changes it."""
    session.execute(
        update(Authority).where(col(Authority.id) == authority_id)
        .values(directory_version=Authority.directory_version + 1)
    )


def directory_version(session: Session, authority_id: int) -> int:
    """The directory's current version (0 for an authority not yet seen)."""
    found = session.exec(
        select(Authority.directory_version).where(Authority.id == authority_id)
    ).first()
    return int(found or 0)
