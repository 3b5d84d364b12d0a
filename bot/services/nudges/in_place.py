"""Updating a message of items where it is, after one of its buttons was pressed.

The message's items are read again (the record just changed among them) and a `chat.update`
of it is queued in the outbox under a key of its own, so that a repeated press queues nothing
new. Only a message sent to the person who pressed is ever updated.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.services.nudges.content import TEMPLATE, refresh
from bot.services.outbox import Message, enqueue_update
from storage.models import OutboxMessage

#: (kind, record id, answer): what the person answered about one item (a review's "not yet").
Answer = tuple[str, int, str]


def update_in_place(session: Session, *, message_key: str | None, actor_slack_id: str,
                    tag: str, today: date, now: datetime,
                    answer: Answer | None = None) -> list[str]:
    """Queue an update of the message `message_key` showing its items as they are now.

    `tag` names the press (its source key), so the same press queues the update once. A
    message that is not one of ours, or not the presser's, is left alone.
    """
    if not message_key:
        return []
    original = session.exec(
        select(OutboxMessage).where(OutboxMessage.key == message_key,
                                    OutboxMessage.kind == "post")
    ).first()
    if original is None or original.template != TEMPLATE or original.channel != actor_slack_id:
        return []
    latest = session.exec(
        select(OutboxMessage.data).where(OutboxMessage.target_key == message_key)
        .order_by(col(OutboxMessage.id).desc()).limit(1)
    ).first()
    data = refresh(session, json.loads(latest or original.data), today)
    if answer is not None:
        kind, record_id, said = answer
        for item in data["items"]:
            if item["kind"] == kind and item["id"] == record_id:
                item["answer"] = said
    key = f"{message_key}:update:{tag}"
    queued = enqueue_update(session, Message(key, original.channel, TEMPLATE, data),
                            target_key=message_key, authority_id=original.authority_id, now=now)
    return [key] if queued else []
