"""What people do with an alert: acknowledge, respond, propose, confirm, reopen, escalate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.domain.alerts import Status, may_act_as_raiser, may_act_as_recipient
from bot.domain.rule_settings import RuleSettings
from bot.services.alerts.climbing import climb
from bot.services.alerts.common import (
    AlertError,
    AlertOutcome,
    add_event,
    ladder_for,
    lock_alert,
    log_change,
    reach,
    recipients,
    reschedule,
    snapshot,
    staff_by_slack_id,
    tell_raiser,
)
from bot.services.alerts.ladder import Ladder
from bot.services.rule_settings import get_settings
from storage import audit_log
from storage.alert_models import Alert
from storage.claims import claim_once
from storage.db import unit_of_work
from storage.models import Staff

RECIPIENT_ACTIONS = {"acknowledge", "respond", "propose"}
RAISER_ACTIONS = {"confirm", "reopen", "escalate"}
NEEDS_TEXT = {"respond", "propose", "reopen", "escalate"}

Step = Callable[[Session, Alert, Staff, Ladder, RuleSettings, str | None, datetime], list[str]]


def act_on_alert(engine: Engine, *, authority_id: int, actor_slack_id: str, alert_id: int,
                 action: str, text: str | None, source_key: str, now: datetime) -> AlertOutcome:
    """Do `action` for the person if they may; a repeated request (same key) acts once."""
    if action not in RECIPIENT_ACTIONS | RAISER_ACTIONS:
        raise AlertError("That is not something qabot can do with an alert.")
    if action in NEEDS_TEXT and not (text or "").strip():
        raise AlertError("Please say what you want to add.")
    refused: str | None = None
    with unit_of_work(engine) as session:
        actor = staff_by_slack_id(session, authority_id, actor_slack_id)
        alert = lock_alert(session, alert_id)
        if alert is None or alert.authority_id != authority_id:
            raise AlertError("That alert does not exist.")
        allowed = actor is not None and actor.id is not None and (
            may_act_as_recipient(recipients(session, alert_id), actor.id)
            if action in RECIPIENT_ACTIONS else may_act_as_raiser(alert.raised_by_id, actor.id)
        )
        if allowed:
            assert actor is not None
            return _do(session, alert, actor, action, text, source_key, now, actor_slack_id)
        refused = alert.reference
    # Written in its own transaction, once the alert's lock is released.
    _refuse(engine, authority_id, refused, actor_slack_id, action, now)
    who = "the people it has reached" if action in RECIPIENT_ACTIONS else "its raiser"
    raise AlertError(f"Only {who} can do that with {refused}.")


def _do(session: Session, alert: Alert, actor: Staff, action: str, text: str | None,
        source_key: str, now: datetime, actor_slack_id: str) -> AlertOutcome:
    if not claim_once(session, f"alert-action:{source_key}", now):
        return AlertOutcome(reference=alert.reference, alert_id=alert.id, duplicate=True)
    if alert.status == Status.RESOLVED and action != "confirm":
        raise AlertError(f"{alert.reference} is resolved already.")
    ladder = ladder_for(session, alert)
    settings = get_settings(session, alert.authority_id)
    before = snapshot(alert)
    keys = STEPS[action](session, alert, actor, ladder, settings, text, now)
    if keys is None:  # nothing changed (a second press of the same button)
        return AlertOutcome(reference=alert.reference, alert_id=alert.id, duplicate=True)
    if action != "escalate":  # climbing logs itself
        log_change(session, alert, actor=actor_slack_id, action=f"alert.{action}", now=now,
                   before=before)
    session.commit()
    return AlertOutcome(reference=alert.reference, alert_id=alert.id, keys=keys)


def _refuse(engine: Engine, authority_id: int, reference: str, actor_slack_id: str,
            action: str, now: datetime) -> None:
    with unit_of_work(engine) as session:
        audit_log.record(
            session, authority_id=authority_id, at=now, actor=actor_slack_id,
            action=f"alert.{action}", record_type="alert", record_id=reference,
            outcome="refused",
        )
        session.commit()


def _acknowledge(session: Session, alert: Alert, actor: Staff, ladder: Ladder,
                 settings: RuleSettings, text: str | None, now: datetime) -> list[str] | None:
    if alert.stage_acknowledged_at is not None:
        return None
    alert.stage_acknowledged_at = now
    alert.acknowledged_at = alert.acknowledged_at or now
    if alert.status == Status.OPEN:
        alert.status = Status.ACKNOWLEDGED
    reschedule(alert, ladder, settings)
    event = add_event(session, alert, "acknowledged", now, actor_id=actor.id)
    return tell_raiser(session, alert, event, f"acknowledged by {actor.name}", now)


def _respond(session: Session, alert: Alert, actor: Staff, ladder: Ladder,
             settings: RuleSettings, text: str | None, now: datetime) -> list[str] | None:
    alert.stage_acknowledged_at = alert.stage_acknowledged_at or now
    alert.acknowledged_at = alert.acknowledged_at or now
    alert.stage_responded_at = now
    alert.responded_at = alert.responded_at or now
    if alert.status in (Status.OPEN, Status.ACKNOWLEDGED):
        alert.status = Status.RESPONDED
    reschedule(alert, ladder, settings)
    event = add_event(session, alert, "responded", now, actor_id=actor.id, note=text)
    return tell_raiser(session, alert, event, f"{actor.name} responded with the plan", now)


def _propose(session: Session, alert: Alert, actor: Staff, ladder: Ladder,
             settings: RuleSettings, text: str | None, now: datetime) -> list[str] | None:
    if alert.status == Status.RESOLUTION_PROPOSED:
        return None
    alert.stage_acknowledged_at = alert.stage_acknowledged_at or now
    alert.acknowledged_at = alert.acknowledged_at or now
    alert.resolution_proposed_at = now
    alert.status = Status.RESOLUTION_PROPOSED
    reschedule(alert, ladder, settings)
    event = add_event(session, alert, "resolution_proposed", now, actor_id=actor.id, note=text)
    return tell_raiser(session, alert, event, f"{actor.name} proposes a resolution", now,
                       decide=True)


def _confirm(session: Session, alert: Alert, actor: Staff, ladder: Ladder,
             settings: RuleSettings, text: str | None, now: datetime) -> list[str] | None:
    if alert.status == Status.RESOLVED:
        return None
    if alert.status != Status.RESOLUTION_PROPOSED:
        raise AlertError(f"No resolution of {alert.reference} has been proposed yet.")
    alert.status = Status.RESOLVED
    alert.resolved_at = now
    reschedule(alert, ladder, settings)
    add_event(session, alert, "resolved", now, actor_id=actor.id)
    return _tell_reached(session, alert, ladder, now, "alert.resolved")


def _reopen(session: Session, alert: Alert, actor: Staff, ladder: Ladder,
            settings: RuleSettings, text: str | None, now: datetime) -> list[str] | None:
    if alert.status != Status.RESOLUTION_PROPOSED:
        raise AlertError(f"{alert.reference} has no proposed resolution to reopen.")
    alert.status = Status.OPEN
    alert.resolution_proposed_at = None
    alert.stage_reached_at = now  # the stage's clock starts again
    alert.stage_acknowledged_at = None
    alert.stage_responded_at = None
    reschedule(alert, ladder, settings)
    event = add_event(session, alert, "reopened", now, actor_id=actor.id, note=text)
    return reach(session, alert, alert.stage, ladder.levels[alert.stage], ladder, now,
                 template="alert.reopened", tag=str(event.id), note=text)


def _escalate(session: Session, alert: Alert, actor: Staff, ladder: Ladder,
              settings: RuleSettings, text: str | None, now: datetime) -> list[str] | None:
    keys = climb(session, alert, ladder, settings, now, reason="raiser",
                 actor=actor.slack_user_id or "raiser", actor_id=actor.id, note=text)
    if not keys:
        raise AlertError(f"{alert.reference} is already at the top of its ladder.")
    return keys


def _tell_reached(session: Session, alert: Alert, ladder: Ladder, now: datetime,
                  template: str) -> list[str]:
    reached = sorted(p for p in recipients(session, alert.id or 0) if p in ladder.slack_ids)
    return reach(session, alert, alert.stage, reached, ladder, now, template=template)


STEPS: dict[str, Step] = {
    "acknowledge": _acknowledge,  # type: ignore[dict-item]
    "respond": _respond,  # type: ignore[dict-item]
    "propose": _propose,  # type: ignore[dict-item]
    "confirm": _confirm,  # type: ignore[dict-item]
    "reopen": _reopen,  # type: ignore[dict-item]
    "escalate": _escalate,  # type: ignore[dict-item]
}
