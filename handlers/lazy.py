"""The shape every listener takes: a quick acknowledgement, then the work in Bolt's pool.

The app runs with `process_before_response=True`: the acknowledgement function answers
Slack from the request's own thread without waiting for a pool thread, and the lazy
functions (Web API calls, sending) run afterwards in the listener pool. Slow work can
therefore never hold an acknowledgement back.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, BoltContext

from bot.slack.delivery import OutboxSender

OUTBOX_KEYS = "qabot_outbox_keys"


def ack_only(ack: Ack) -> None:
    """Acknowledge, and leave everything to the lazy functions."""
    ack()


def queue_for_sending(context: BoltContext, keys: list[str]) -> None:
    """Hand the outbox keys a request queued to the lazy sender (the context is copied)."""
    context[OUTBOX_KEYS] = list(keys)


def sender_of(sender: OutboxSender) -> Callable[[BoltContext], None]:
    """The lazy function that sends what the acknowledgement queued."""

    def send_queued(context: BoltContext) -> None:
        sender.deliver_keys(context.get(OUTBOX_KEYS) or [])

    return send_queued
