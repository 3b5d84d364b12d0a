"""What the alert use cases share: loading, reaching people, the timeline, telling the raiser."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.alerts import (
    CATEGORIES,
    LEVEL_NAMES,
    SEVERITIES,
    AlertState,
    AlertTimes,
    Level,
    Status,
    next_check,
    top_stage,
)
from bot.domain.rule_settings import RuleSettings
from bot.services.alerts.ladder import Ladder, build_ladder
from bot.services.outbox import Message, enqueue
from storage import audit_log
from storage.alert_models import Alert, AlertEvent, AlertRecipient
from storage.models import Case, Staff, Team


class AlertError(Exception):
    """A request about an alert that cannot be done, phrased for the person who asked."""


@dataclass
class AlertOutcome:
    """What a use case did: the alert's reference and the messages to send now."""

    reference: str = ""
    alert_id: int | None = None
    keys: list[str] = field(default_factory=list)
    duplicate: bool = False


def times_from(settings: RuleSettings) -> AlertTimes:
    """The alert clocks of an authority's settings."""
    return AlertTimes.of(
        urgent_ack_hours=settings.alert_urgent_ack_hours,
        urgent_respond_days=settings.alert_urgent_respond_days,
        standard_ack_days=settings.alert_standard_ack_days,
        standard_respond_days=settings.alert_standard_respond_days,
        limit_days=settings.alert_limit_days,
    )


def lock_alert(session: Session, alert_id: int) -> Alert | None:
    """The alert, locked for this transaction (PostgreSQL row lock; SQLite writes are serial)."""
    return session.exec(select(Alert).where(Alert.id == alert_id).with_for_update()).first()


def state_of(alert: Alert, ladder: Ladder) -> AlertState:
    """The domain's view of an alert."""
    return AlertState(
        severity=alert.severity,
        status=Status(alert.status),
        stage=alert.stage,
        stage_reached_at=alert.stage_reached_at,
        stage_acknowledged=alert.stage_acknowledged_at is not None,
        stage_responded=alert.stage_responded_at is not None,
        raised_at=alert.raised_at,
        limit_notified=alert.limit_notified_at is not None,
        top_stage=top_stage(ladder.levels),
    )


def reschedule(alert: Alert, ladder: Ladder, settings: RuleSettings) -> None:
    """Work out when the sweep next needs to look at this alert."""
    alert.is_open = alert.status != Status.RESOLVED
    alert.next_check_at = (
        next_check(settings.calendar(), times_from(settings), state_of(alert, ladder))
        if alert.is_open else None
    )
    alert.version += 1


def recipients(session: Session, alert_id: int) -> set[int]:
    """Everyone the alert has reached so far."""
    return set(session.exec(
        select(AlertRecipient.staff_id).where(AlertRecipient.alert_id == alert_id)
    ).all())


def add_event(session: Session, alert: Alert, kind: str, now: datetime, *,
              actor_id: int | None = None, note: str | None = None) -> AlertEvent:
    """Append a step to the alert's timeline."""
    assert alert.id is not None
    event = AlertEvent(alert_id=alert.id, at=now, kind=kind, actor_id=actor_id,
                       stage=alert.stage, note=note)
    session.add(event)
    session.flush()
    return event


def log_change(session: Session, alert: Alert, *, actor: str, action: str, now: datetime,
               before: dict[str, Any] | None, outcome: str = "ok") -> None:
    """The audit log: status, stage and dates only, never the alert's words."""
    audit_log.record(
        session, authority_id=alert.authority_id, at=now, actor=actor, action=action,
        record_type="alert", record_id=alert.reference, before=before,
        after={"status": alert.status, "stage": alert.stage}, outcome=outcome,
    )


def snapshot(alert: Alert) -> dict[str, Any]:
    """The parts of an alert the audit log keeps."""
    return {"status": alert.status, "stage": alert.stage}


def summary_data(session: Session, alert: Alert) -> dict[str, Any]:
    """The data every message about the alert is rendered from."""
    case = session.get(Case, alert.case_id)
    team = session.get(Team, alert.team_id)
    raiser = session.get(Staff, alert.raised_by_id)
    return {
        "alert_id": alert.id,
        "reference": alert.reference,
        "case_ref": case.case_ref if case else "",
        "team": team.name if team else "",
        "category": CATEGORIES.get(alert.category, alert.category),
        "severity": SEVERITIES.get(alert.severity, alert.severity),
        "management_decision": alert.management_decision,
        "concern": alert.concern,
        "asked": alert.asked,
        "by_when": alert.by_when.isoformat() if alert.by_when else None,
        "raised_by": raiser.name if raiser else "",
        "stage": LEVEL_NAMES[Level(alert.stage)],
        "status": alert.status,
    }


def reach(session: Session, alert: Alert, stage: int, people: list[int], ladder: Ladder,
          now: datetime, *, template: str = "alert.received",
          not_before: datetime | None = None, tag: str | None = None,
          note: str | None = None, summary: dict[str, Any] | None = None) -> list[str]:
    """Add people to those the alert has reached, and queue each their message."""
    assert alert.id is not None
    already = recipients(session, alert.id)
    data = {**(summary or summary_data(session, alert)), "note": note}
    keys = []
    for staff_id in people:
        if staff_id not in already:
            session.add(AlertRecipient(alert_id=alert.id, staff_id=staff_id, stage=stage,
                                       reached_at=now))
        key = f"alert:{alert.id}:to:{staff_id}:stage:{stage}:{template}"
        if tag:  # a step that can happen more than once at a stage (reopening)
            key += f":{tag}"
        if enqueue(session, Message(key, ladder.slack_ids[staff_id], template, data),
                   authority_id=alert.authority_id, now=now, not_before=not_before):
            keys.append(key)
    session.flush()
    return keys


def tell_raiser(session: Session, alert: Alert, event: AlertEvent, what: str, now: datetime,
                summary: dict[str, Any] | None = None, **extra: Any) -> list[str]:
    """Tell the raiser of a step (every step tells the raiser)."""
    raiser = session.get(Staff, alert.raised_by_id)
    if raiser is None or not raiser.slack_user_id:
        return []
    key = f"alert:{alert.id}:raiser:{event.id}"
    data = {**(summary or summary_data(session, alert)), "what": what, "note": event.note,
            **extra}
    enqueue(session, Message(key, raiser.slack_user_id, "alert.raiser_update", data),
            authority_id=alert.authority_id, now=now)
    return [key]


def ladder_for(session: Session, alert: Alert) -> Ladder:
    """The alert's ladder as the directory stands now."""
    return build_ladder(session, authority_id=alert.authority_id, team_id=alert.team_id)


def staff_by_slack_id(session: Session, authority_id: int, slack_user_id: str) -> Staff | None:
    """The active person with this Slack user id."""
    return session.exec(select(Staff).where(
        Staff.authority_id == authority_id, Staff.slack_user_id == slack_user_id,
        col(Staff.active).is_(True),
    )).first()
