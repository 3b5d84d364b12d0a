"""Writes to the append-only audit log."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from storage.models import AuditLogEntry


def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None

    def default(obj: object) -> str:
        if isinstance(obj, date | datetime):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default, sort_keys=True)


def record(
    session: Session,
    *,
    authority_id: int,
    at: datetime,
    actor: str,
    action: str,
    record_type: str,
    record_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> None:
    """Append one entry: who did what to which record, with states but never free text."""
    session.add(
        AuditLogEntry(
            authority_id=authority_id,
            at=at,
            actor=actor,
            action=action,
            record_type=record_type,
            record_id=str(record_id),
            before=_json(before),
            after=_json(after),
            outcome=outcome,
        )
    )
