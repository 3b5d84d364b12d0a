"""What a running process holds: settings, database, clock, Slack client, sender."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

import bot.slack.alert_messages  # noqa: F401  (registers the alert templates)
import bot.slack.audit_messages  # noqa: F401  (registers the audit templates)
import bot.slack.cycle_messages  # noqa: F401  (registers the cycle templates)
import bot.slack.loop_messages  # noqa: F401  (registers the nudge and action templates)
import bot.slack.summary_messages  # noqa: F401  (registers the summary templates)
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.services.alerts.sweep import on_undeliverable
from bot.slack.delivery import OutboxSender
from storage.db import make_engine

SLACK_TIMEOUT_SECONDS = 10


def make_web_client(settings: Settings, *, with_token: bool = True) -> WebClient:
    """The Web API client: our outbox decides about retries, so slack_sdk's are off."""
    return WebClient(
        token=settings.slack_bot_token if with_token else None,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[],
    )


@dataclass
class Container:
    """The process's shared parts, built once and handed to handlers and jobs."""

    settings: Settings
    engine: Engine
    clock: Clock
    client: WebClient
    sender: OutboxSender


def build_container(
    settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None
) -> Container:
    """Wire the parts together; tests pass their own clock (and may share an engine)."""
    clock = clock or SystemClock()
    engine = engine or make_engine(settings.database_url)
    client = make_web_client(settings)
    sender = OutboxSender(engine, client, clock)
    # An alert nobody at its stage can receive climbs at once.
    sender.on_failure("alert:", on_undeliverable)
    return Container(settings=settings, engine=engine, clock=clock, client=client, sender=sender)
