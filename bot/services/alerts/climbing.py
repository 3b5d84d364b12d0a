"""Moving an alert up its ladder, and the overall limit notice."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.alerts import LEVEL_NAMES, Level, Status, next_stage, top_stage
from bot.domain.rule_settings import RuleSettings
from bot.services.alerts.common import (
    add_event,
    log_change,
    reach,
    reschedule,
    snapshot,
    summary_data,
    tell_raiser,
)
from bot.services.alerts.ladder import Ladder
from storage.alert_models import Alert

REASONS = {
    "not_acknowledged": "it was not acknowledged in time",
    "not_responded": "no response came in time",
    "raiser": "the raiser escalated it",
    "undeliverable": "the message could not be delivered",
}


def climb(session: Session, alert: Alert, ladder: Ladder, settings: RuleSettings,
          now: datetime, *, reason: str, actor: str = "system", actor_id: int | None = None,
          note: str | None = None) -> list[str]:
    """Take the alert to the next staffed rung; nothing if it is at the top already."""
    stage = next_stage(ladder.levels, alert.stage)
    if stage is None:
        return []
    before = snapshot(alert)
    alert.stage = stage
    alert.stage_reached_at = now
    alert.stage_acknowledged_at = None
    alert.stage_responded_at = None
    alert.status = Status.OPEN
    reschedule(alert, ladder, settings)
    event = add_event(session, alert, "escalated", now, actor_id=actor_id, note=note)
    summary = summary_data(session, alert)  # once: both messages are rendered from it
    keys = reach(session, alert, stage, ladder.levels[stage], ladder, now, summary=summary)
    level = LEVEL_NAMES[Level(stage)]
    keys += tell_raiser(session, alert, event, f"escalated to the {level} because "
                        f"{REASONS[reason]}", now, summary=summary)
    log_change(session, alert, actor=actor, action=f"alert.escalated.{reason}", now=now,
               before=before)
    return keys


def notify_limit(session: Session, alert: Alert, ladder: Ladder, settings: RuleSettings,
                 now: datetime) -> list[str]:
    """Tell the top of the ladder that the alert is still open at the limit (once)."""
    if alert.limit_notified_at is not None:
        return []
    before = snapshot(alert)
    alert.limit_notified_at = now
    reschedule(alert, ladder, settings)
    top = top_stage(ladder.levels)
    event = add_event(session, alert, "limit", now)
    summary = summary_data(session, alert)
    keys = reach(session, alert, top, ladder.levels[top], ladder, now, template="alert.limit",
                 summary=summary)
    keys += tell_raiser(
        session, alert, event,
        f"still open after {settings.alert_limit_days} working days: the "
        f"{LEVEL_NAMES[Level(top)]} has been told", now, summary=summary,
    )
    log_change(session, alert, actor="system", action="alert.limit", now=now, before=before)
    return keys
