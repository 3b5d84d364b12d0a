"""The escalation sweep, and moving an alert up when its message cannot be delivered."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.domain.alerts import Due, due_actions
from bot.domain.rule_settings import RuleSettings
from bot.services.alerts.climbing import climb, notify_limit
from bot.services.alerts.common import ladder_for, lock_alert, reschedule, state_of, times_from
from bot.services.alerts.ladder import Ladder
from bot.services.rule_settings import get_settings
from storage.alert_models import Alert
from storage.claims import claim_once
from storage.db import read_only, unit_of_work
from storage.models import OutboxMessage

SWEEP_BATCH = 1000


@dataclass
class SweepReport:
    """What one sweep did (or, dry, would do)."""

    keys: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _due_ids(session: Session, now: datetime) -> list[int]:
    return [i for i in session.exec(
        select(Alert.id).where(col(Alert.is_open).is_(True), col(Alert.next_check_at) <= now)
        .order_by(col(Alert.next_check_at)).limit(SWEEP_BATCH)
    ).all() if i is not None]


def sweep_alerts(engine: Engine, *, now: datetime, dry_run: bool = False) -> SweepReport:
    """Climb every alert whose stage ran out of time, and send the limit notices, once each."""
    report = SweepReport()
    settings_cache: dict[int, RuleSettings] = {}
    ladders: dict[int, Ladder] = {}  # per team: the directory does not change mid-sweep
    with read_only(engine) as session:
        ids = _due_ids(session, now)
    for alert_id in ids:
        with unit_of_work(engine) as session:
            alert = lock_alert(session, alert_id)
            # Another sweep may have handled it since we listed it: re-read, then decide.
            if alert is None or not alert.is_open or not alert.next_check_at or \
                    alert.next_check_at > now:
                continue
            settings = settings_cache.get(alert.authority_id)
            if settings is None:
                settings = settings_cache[alert.authority_id] = get_settings(
                    session, alert.authority_id)
            ladder = ladders.get(alert.team_id) or ladders.setdefault(
                alert.team_id, ladder_for(session, alert))
            actions = due_actions(settings.calendar(), times_from(settings),
                                  state_of(alert, ladder), now)
            if dry_run:
                report.lines += [f"would act on {alert.reference}: {a}" for a in actions]
                continue
            for action in actions:
                if action == Due.LIMIT:
                    report.keys += notify_limit(session, alert, ladder, settings, now)
                elif claim_once(session, f"alert:{alert.id}:climb-from:{alert.stage}", now):
                    report.keys += climb(session, alert, ladder, settings, now, reason=action)
                report.lines.append(f"{alert.reference}: {action}")
            if not actions:  # a stale check time: work out the next one
                reschedule(alert, ladder, settings)
            session.add(alert)
            session.commit()
    return report


RECEIVED = re.compile(r"^alert:(\d+):to:(\d+):stage:(\d+):alert\.received$")


def on_undeliverable(session: Session, message: OutboxMessage, now: datetime) -> list[str]:
    """An alert nobody at its stage can receive moves up at once, and the raiser is told."""
    match = RECEIVED.match(message.key)
    if match is None:
        return []
    alert_id, stage = int(match[1]), int(match[3])
    alert = lock_alert(session, alert_id)
    if alert is None or not alert.is_open or alert.stage != stage:
        return []
    prefix = f"alert:{alert_id}:to:"
    suffix = f":stage:{stage}:alert.received"
    still_deliverable = session.exec(
        select(func.count()).select_from(OutboxMessage).where(
            col(OutboxMessage.key).startswith(prefix), col(OutboxMessage.key).endswith(suffix),
            OutboxMessage.status != "failed", OutboxMessage.key != message.key,
        )
    ).one()
    if still_deliverable:
        return []  # someone else at this stage has it
    settings = get_settings(session, alert.authority_id)
    return climb(session, alert, ladder_for(session, alert), settings, now,
                 reason="undeliverable")
