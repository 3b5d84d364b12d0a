"""Claims and processed ids: the database decides who does a thing once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import Claim, ProcessedEvent
from storage.sql import insert_ignore


def claim_once(session: Session, key: str, now: datetime) -> bool:
    """Claim `key` in this transaction; False if someone already holds it."""
    return insert_ignore(session, Claim, {"key": key, "claimed_at": now})


def first_time_seen(session: Session, event_id: str, now: datetime) -> bool:
    """Record an inbound event id; False if it was already processed."""
    return insert_ignore(session, ProcessedEvent, {"event_id": event_id, "received_at": now})
