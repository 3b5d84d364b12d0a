"""What the action steps share: errors, outcomes, loading, the audit log, refusals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage import audit_log
from storage.audit_models import Action
from storage.db import unit_of_work
from storage.models import Staff


class ActionError(Exception):
    """A request about an action that cannot be done, phrased for the person who asked."""


@dataclass
class StepOutcome:
    """What a step did: outbox keys to send now, and anything to tell the presser."""

    keys: list[str] = field(default_factory=list)
    duplicate: bool = False
    until: date | None = None  # a snooze: the day the nudge comes back
    capped: bool = False  # a snooze cut short by an escalation day


def lock_action(session: Session, action_id: int) -> Action | None:
    """The action, locked for this transaction (PostgreSQL row lock; SQLite writes are serial)."""
    return session.exec(select(Action).where(Action.id == action_id).with_for_update()).first()


def active_staff(session: Session, authority_id: int, slack_user_id: str) -> Staff | None:
    """The active person with this Slack user id."""
    return session.exec(select(Staff).where(
        Staff.authority_id == authority_id, Staff.slack_user_id == slack_user_id,
        col(Staff.active).is_(True),
    )).first()


def snapshot(action: Action) -> dict[str, Any]:
    """The parts of an action the audit log keeps: states and dates, never its words."""
    return {"status": action.status, "due": action.due, "done_on": action.done_on,
            "verified_on": action.verified_on, "snoozed_until": action.snoozed_until}


def log_step(session: Session, action: Action, *, actor: str, step: str, now: datetime,
             before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> None:
    """One audit-log entry for a change (or an answer) on an action."""
    assert action.id is not None
    audit_log.record(session, authority_id=action.authority_id, at=now, actor=actor,
                     action=f"action.{step}", record_type="action", record_id=action.id,
                     before=before, after=after if after is not None else snapshot(action))


def refuse(engine: Engine, *, authority_id: int, actor: str, step: str, record_type: str,
           record_id: int, now: datetime) -> None:
    """Write a refused request to the audit log, in its own transaction."""
    with unit_of_work(engine) as session:
        audit_log.record(session, authority_id=authority_id, at=now, actor=actor,
                         action=f"{record_type}.{step}", record_type=record_type,
                         record_id=record_id, outcome="refused")
        session.commit()
