"""The outbox sender: each message goes out once, or stays queued to retry."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.slack.render import render
from storage import audit_log
from storage.db import unit_of_work
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

METADATA_EVENT = "qabot_outbox"
# Errors that will not change however often we try: mark failed, report, never retry.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "account_inactive",
        "channel_not_found",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "is_archived",
        "not_in_channel",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "missing_scope",
        "no_permission",
        "restricted_action",
        "message_not_found",
        "cant_update_message",
        "invalid_arguments",
        "no_text",
    }
)
CLAIM_SECONDS = 120  # a send that has not finished by then is treated as uncertain
MAX_ATTEMPTS = 25
HISTORY_PAGE = 200


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)


# A hook may queue messages of its own (an alert moving up): they are sent straight after.
FailureHook = Callable[[Session, OutboxMessage, datetime], "list[str] | None"]


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(600, 5 * 2 ** max(0, attempts - 1)))


class OutboxSender:
    """Claims due rows, sends them through the Web API, and records what happened."""

    def __init__(self, engine: Engine, client: WebClient, clock: Clock) -> None:
        self._engine = engine
        self._client = client
        self._clock = clock
        self._failure_hooks: list[tuple[str, FailureHook]] = []

    def on_failure(self, key_prefix: str, hook: FailureHook) -> None:
        """Run `hook` in the transaction that marks a message under the prefix failed."""
        self._failure_hooks.append((key_prefix, hook))

    def deliver_due(self, limit: int = 200) -> DeliveryReport:
        """Send every message whose time has come (the sweep, and catching up after a restart)."""
        now = self._clock.now()
        with unit_of_work(self._engine) as session:
            due = session.exec(
                select(OutboxMessage.id, OutboxMessage.status)
                .where(
                    or_(
                        col(OutboxMessage.status).in_(("pending", "uncertain"))
                        & (col(OutboxMessage.not_before) <= now),
                        (col(OutboxMessage.status) == "sending")
                        & (col(OutboxMessage.claimed_until) < now),
                    )
                )
                .order_by(col(OutboxMessage.id))
                .limit(limit)
            ).all()
        return self._deliver([(row_id, status) for row_id, status in due if row_id is not None])

    def deliver_keys(self, keys: Iterable[str]) -> DeliveryReport:
        """Send these messages now if they are due (called right after a request commits)."""
        keys = list(keys)
        if not keys:
            return DeliveryReport()
        now = self._clock.now()
        with unit_of_work(self._engine) as session:
            rows = session.exec(
                select(OutboxMessage.id, OutboxMessage.status).where(
                    col(OutboxMessage.key).in_(keys),
                    col(OutboxMessage.status).in_(("pending", "uncertain")),
                    col(OutboxMessage.not_before) <= now,
                ).order_by(col(OutboxMessage.id))
            ).all()
        return self._deliver([(row_id, status) for row_id, status in rows if row_id is not None])

    def _deliver(self, rows: list[tuple[int, str]]) -> DeliveryReport:
        report = DeliveryReport()
        for row_id, seen_status in rows:
            message = self._claim(row_id, seen_status)
            if message is None:
                continue  # another process has it
            # A row found 'sending' was abandoned mid-send: its outcome is unknown.
            uncertain = seen_status in ("uncertain", "sending")
            outcome = self._send(message, uncertain)
            getattr(report, outcome).append(message.key)
        return report

    def _claim(self, row_id: int, seen_status: str) -> OutboxMessage | None:
        now = self._clock.now()
        with unit_of_work(self._engine) as session:
            result = session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.status) == seen_status)
                .values(
                    status="sending",
                    claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            session.commit()
            return session.get(OutboxMessage, row_id)

    def _send(self, message: OutboxMessage, uncertain: bool) -> str:
        try:
            if message.kind == "update":
                return self._send_update(message)
            if uncertain:
                found = self._find_in_history(message)
                if found is not None:
                    self._mark_sent(message, *found)
                    return "sent"
            text, blocks = render(message.template, json.loads(message.data))
            response = self._client.chat_postMessage(
                channel=message.channel,
                text=text,
                blocks=blocks,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": message.key}},
                unfurl_links=False,
                unfurl_media=False,
            )
            self._mark_sent(message, response["channel"], response["ts"])
            return "sent"
        except SlackApiError as exc:
            return self._api_error(message, exc)
        except (URLError, HTTPException, OSError) as exc:
            # The request may or may not have reached Slack: check history before resending.
            log.warning("outbox %s: uncertain send (%s)", message.key, type(exc).__name__)
            return self._defer(message, "uncertain", _backoff(message.attempts), type(exc).__name__)

    def _send_update(self, message: OutboxMessage) -> str:
        with unit_of_work(self._engine) as session:
            target = session.exec(
                select(OutboxMessage).where(OutboxMessage.key == message.target_key)
            ).first()
        if target is None or target.status == "failed":
            return self._fail(message, "target_missing")
        if target.status != "sent" or target.ts is None:
            return self._defer(message, "pending", timedelta(seconds=5), "target_not_sent")
        text, blocks = render(message.template, json.loads(message.data))
        response = self._client.chat_update(
            channel=target.sent_channel or target.channel, ts=target.ts, text=text, blocks=blocks
        )
        self._mark_sent(message, response["channel"], response["ts"])
        return "sent"

    def _find_in_history(self, message: OutboxMessage) -> tuple[str, str] | None:
        """Where Slack shows the message already posted (by the key in its metadata)."""
        channel = message.sent_channel or message.channel
        if channel.startswith(("U", "W")):
            # Only here do we need the DM's conversation id: history takes no user id.
            channel = self._client.conversations_open(users=channel)["channel"]["id"]
        # The newest page is enough: the check runs within minutes of the attempt.
        history = self._client.conversations_history(
            channel=channel, limit=HISTORY_PAGE, include_all_metadata=True
        )
        messages: list[dict[str, Any]] = history.get("messages", [])
        for item in messages:
            metadata = item.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == message.key:
                return channel, item["ts"]
        return None

    def _api_error(self, message: OutboxMessage, exc: SlackApiError) -> str:
        status = exc.response.status_code
        error = str(exc.response.get("error", "")) if exc.response.data else ""
        if status == 429:
            retry_after = int(exc.response.headers.get("Retry-After", "1") or 1)
            return self._defer(message, "pending", timedelta(seconds=retry_after), "ratelimited")
        if status >= 500:
            return self._defer(message, "uncertain", _backoff(message.attempts), f"http_{status}")
        if error in PERMANENT_ERRORS or message.attempts >= MAX_ATTEMPTS:
            return self._fail(message, error or f"http_{status}")
        return self._defer(message, "pending", _backoff(message.attempts), error)

    def _mark_sent(self, message: OutboxMessage, channel: str, ts: str) -> None:
        now = self._clock.now()
        with unit_of_work(self._engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == message.id)
                .values(
                    status="sent",
                    ts=ts,
                    sent_channel=channel,
                    sent_at=now,
                    claimed_until=None,
                    error=None,
                )
            )
            session.commit()

    def _defer(self, message: OutboxMessage, status: str, wait: timedelta, error: str) -> str:
        if message.attempts >= MAX_ATTEMPTS:
            return self._fail(message, error)
        now = self._clock.now()
        with unit_of_work(self._engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == message.id)
                .values(status=status, not_before=now + wait, claimed_until=None, error=error)
            )
            session.commit()
        return "deferred"

    def _fail(self, message: OutboxMessage, error: str) -> str:
        now = self._clock.now()
        log.warning("outbox %s: failed permanently (%s)", message.key, error)
        with unit_of_work(self._engine) as session:
            row = session.get(OutboxMessage, message.id)
            assert row is not None
            row.status, row.error, row.claimed_until, row.reported = "failed", error, None, True
            session.add(row)
            audit_log.record(
                session,
                authority_id=row.authority_id,
                at=now,
                actor="system",
                action="outbox.failed",
                record_type="outbox",
                record_id=row.key,
                after={"status": "failed", "error": error},
            )
            follow_up: list[str] = []
            for prefix, hook in self._failure_hooks:
                if row.key.startswith(prefix):
                    follow_up += hook(session, row, now) or []
            session.commit()
        if follow_up:
            self.deliver_keys(follow_up)
        return "failed"
