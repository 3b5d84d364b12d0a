"""Recording a supervision session (held or missed, with a reason) and an EPDR done.

Only the supervisee's line manager records for them (their supervisor, and the one who holds
their EPDR); anyone else is refused and the refusal logged. A repeated request acts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.domain.nudges import local_day
from bot.domain.supervision import EPDR_KINDS, KINDS, next_epdr_due
from bot.services.actions.common import StepOutcome, active_staff, refuse
from bot.services.nudges.in_place import update_in_place
from bot.services.rule_settings import get_settings
from storage import audit_log
from storage.audit_models import EpdrRecord, SupervisionRecord
from storage.claims import claim_once
from storage.db import unit_of_work
from storage.directory_version import bump_directory_version
from storage.models import Staff


class SupervisionError(Exception):
    """A request about supervision that cannot be done, phrased for the person who asked."""


@dataclass(frozen=True)
class NewSession:
    """A session as the form gives it: when, what kind, held or missed (and why)."""

    on: date
    kind: str
    held: bool
    missed_reason: str | None = None


def _supervisee(session: Session, authority_id: int, actor: Staff | None,
                staff_id: int) -> Staff | None:
    """The person, if the actor is their line manager."""
    person = session.get(Staff, staff_id)
    if person is None or person.authority_id != authority_id or not person.active:
        raise SupervisionError("That person is not in the directory as active staff.")
    if actor is None or actor.id is None or person.line_manager_id != actor.id:
        return None
    return person


def _commit_with_message(session: Session, *, message_key: str | None, actor_slack_id: str,
                         source_key: str, today: date, now: datetime) -> StepOutcome:
    """Update the message the step was taken from in place, then commit the step."""
    keys = update_in_place(session, message_key=message_key, actor_slack_id=actor_slack_id,
                           tag=source_key, today=today, now=now)
    session.commit()
    return StepOutcome(keys=keys)


def record_supervision(engine: Engine, *, authority_id: int, actor_slack_id: str,
                       supervisee_id: int, record: NewSession, source_key: str, now: datetime,
                       message_key: str | None = None) -> StepOutcome:
    """Record a session held (or missed) with a supervisee; once per source key."""
    if record.kind not in KINDS:
        raise SupervisionError("Choose one-to-one, group or reflective.")
    if not record.held and not (record.missed_reason or "").strip():
        raise SupervisionError("Please say why the session was missed.")
    with unit_of_work(engine) as session:
        actor = active_staff(session, authority_id, actor_slack_id)
        supervisee = _supervisee(session, authority_id, actor, supervisee_id)
        if supervisee is not None and actor is not None and actor.id is not None:
            today = local_day(get_settings(session, authority_id).calendar(), now)
            if record.on > today:
                raise SupervisionError("The date cannot be in the future.")
            if not claim_once(session, f"supervision-step:{source_key}", now):
                return StepOutcome(duplicate=True)
            row = session.exec(select(SupervisionRecord).where(
                SupervisionRecord.supervisor_id == actor.id,
                SupervisionRecord.supervisee_id == supervisee_id,
                SupervisionRecord.held_on == record.on, SupervisionRecord.kind == record.kind,
            )).first()
            before = None if row is None else {"held": row.held, "held_on": row.held_on}
            row = row or SupervisionRecord(
                authority_id=authority_id, supervisor_id=actor.id, supervisee_id=supervisee_id,
                held_on=record.on, kind=record.kind, recorded_at=now)
            row.held, row.recorded_at = record.held, now
            row.missed_reason = None if record.held else (record.missed_reason or "").strip()
            session.add(row)
            session.flush()
            audit_log.record(session, authority_id=authority_id, at=now, actor=actor_slack_id,
                             action="supervision.recorded", record_type="supervision_record",
                             record_id=row.id or 0, before=before,
                             after={"held": row.held, "held_on": row.held_on, "kind": row.kind})
            return _commit_with_message(session, message_key=message_key,
                                        actor_slack_id=actor_slack_id, source_key=source_key,
                                        today=today, now=now)
    refuse(engine, authority_id=authority_id, actor=actor_slack_id, step="record",
           record_type="supervision", record_id=supervisee_id, now=now)
    raise SupervisionError("Only their line manager can record supervision for them.")


def record_epdr(engine: Engine, *, authority_id: int, actor_slack_id: str, staff_id: int,
                kind: str, source_key: str, now: datetime, on: date | None = None,
                message_key: str | None = None) -> StepOutcome:
    """Record an EPDR (or its half-year review) done, today unless `on` says; once per key.

    The annual EPDR moves the person's next EPDR date a year on from the day it was done.
    """
    if kind not in EPDR_KINDS:
        raise SupervisionError("That is not an EPDR.")
    with unit_of_work(engine) as session:
        actor = active_staff(session, authority_id, actor_slack_id)
        person = _supervisee(session, authority_id, actor, staff_id)
        if person is not None and actor is not None:
            today = local_day(get_settings(session, authority_id).calendar(), now)
            if not claim_once(session, f"epdr-step:{source_key}", now):
                return StepOutcome(duplicate=True)
            done_on = on or today
            record = EpdrRecord(authority_id=authority_id, staff_id=staff_id, kind=kind,
                                done_on=done_on, recorded_by_id=actor.id, recorded_at=now)
            session.add(record)
            before = {"epdr_due": person.epdr_due}
            if kind == "annual":
                person.epdr_due = next_epdr_due(done_on)
                bump_directory_version(session, person.authority_id)
                session.add(person)
            session.flush()
            audit_log.record(session, authority_id=authority_id, at=now, actor=actor_slack_id,
                             action="epdr.recorded", record_type="epdr_record",
                             record_id=record.id or 0, before=before,
                             after={"kind": kind, "done_on": done_on,
                                    "epdr_due": person.epdr_due})
            return _commit_with_message(session, message_key=message_key,
                                        actor_slack_id=actor_slack_id, source_key=source_key,
                                        today=today, now=now)
    refuse(engine, authority_id=authority_id, actor=actor_slack_id, step="record",
           record_type="epdr", record_id=staff_id, now=now)
    raise SupervisionError("Only their line manager can record their EPDR.")
