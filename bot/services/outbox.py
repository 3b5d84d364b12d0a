"""Putting messages in the outbox: the one way anything is said to anyone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import OutboxMessage
from storage.sql import insert_ignore


@dataclass(frozen=True)
class Message:
    """What to say to whom: a template the Slack side renders, with its data."""

    key: str  # the record and the change it announces, e.g. "alert:42:raised:U123"
    to: str  # a Slack user id (direct message) or channel id
    template: str
    data: dict[str, Any]


def _row(message: Message, *, kind: str, authority_id: int, now: datetime,
         not_before: datetime | None = None, target_key: str | None = None) -> dict[str, Any]:
    return {
        "authority_id": authority_id,
        "key": message.key,
        "kind": kind,
        "target_key": target_key,
        "channel": message.to,
        "template": message.template,
        "data": json.dumps(message.data, sort_keys=True, default=str),
        "status": "pending",
        "not_before": not_before or now,
        "created_at": now,
    }


def enqueue(
    session: Session, message: Message, *, authority_id: int, now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Queue a new message; a key already queued changes nothing. True if queued now."""
    return insert_ignore(session, OutboxMessage, _row(
        message, kind="post", authority_id=authority_id, now=now, not_before=not_before))


def enqueue_update(
    session: Session, message: Message, *, target_key: str, authority_id: int, now: datetime
) -> bool:
    """Queue an edit of the message sent under `target_key` (chat.update once it has a ts)."""
    return insert_ignore(session, OutboxMessage, _row(
        message, kind="update", authority_id=authority_id, now=now, target_key=target_key))
