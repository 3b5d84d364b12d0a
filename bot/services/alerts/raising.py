"""Raising a Practice Alert from the modal (or from an audit's urgent concern)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain.alerts import (
    Status,
    acknowledgement_runs_overnight,
    first_stage,
    format_reference,
    stage_clock,
)
from bot.services.alerts.common import (
    AlertError,
    AlertOutcome,
    add_event,
    ladder_for,
    log_change,
    reach,
    reschedule,
    staff_by_slack_id,
    summary_data,
    times_from,
)
from bot.services.outbox import Message, enqueue
from bot.services.rule_settings import get_settings
from storage.alert_models import Alert, AlertCounter
from storage.db import read_only, unit_of_work
from storage.models import Case
from storage.sql import insert_ignore


@dataclass(frozen=True)
class NewAlert:
    """What the raiser typed, already checked field by field."""

    case_ref: str
    category: str
    severity: str
    management_decision: bool
    concern: str
    asked: str
    by_when: date | None


def find_open_case(session: Session, authority_id: int, case_ref: str) -> Case | None:
    """A known open case by reference (matched without regard to case)."""
    return session.exec(select(Case).where(
        Case.authority_id == authority_id,
        func.upper(Case.case_ref) == case_ref.strip().upper(),
        col(Case.is_open).is_(True),
    )).first()


def search_cases(engine: Engine, *, authority_id: int, text: str, limit: int = 20) -> list[str]:
    """Open case references starting with what was typed (the modal's type-ahead)."""
    prefix = text.strip().upper()
    with read_only(engine) as session:
        return list(session.exec(
            select(Case.case_ref).where(
                Case.authority_id == authority_id, col(Case.is_open).is_(True),
                func.upper(Case.case_ref).startswith(prefix),
            ).order_by(col(Case.case_ref)).limit(limit)
        ).all())


def _next_number(session: Session, authority_id: int, year: int) -> int:
    insert_ignore(session, AlertCounter, {"authority_id": authority_id, "year": year,
                                          "last_number": 0})
    # One UPDATE … RETURNING: the row lock means two requests can never share a number.
    return int(session.execute(
        update(AlertCounter)
        .where(col(AlertCounter.authority_id) == authority_id, col(AlertCounter.year) == year)
        .values(last_number=AlertCounter.last_number + 1)
        .returning(col(AlertCounter.last_number))
    ).scalar_one())


def raise_alert(engine: Engine, *, authority_id: int, raiser_slack_id: str, alert: NewAlert,
                source_key: str, now: datetime) -> AlertOutcome:
    """Record the alert, reach its first rung at once, and confirm to the raiser.

    `source_key` identifies the submission (a view id): submitting it twice acts once.
    """
    try:
        return _raise(engine, authority_id, raiser_slack_id, alert, source_key, now)
    except IntegrityError:
        # A concurrent duplicate submission won the race: it did everything already.
        return _existing(engine, source_key)


def _existing(engine: Engine, source_key: str) -> AlertOutcome:
    with unit_of_work(engine) as session:
        found = session.exec(select(Alert).where(Alert.source_view_id == source_key)).first()
        if found is None:
            raise AlertError("The alert could not be saved. Please try again.")
        return AlertOutcome(reference=found.reference, alert_id=found.id, duplicate=True)


def _raise(engine: Engine, authority_id: int, raiser_slack_id: str, new: NewAlert,
           source_key: str, now: datetime) -> AlertOutcome:
    with unit_of_work(engine) as session:
        found = session.exec(select(Alert).where(Alert.source_view_id == source_key)).first()
        if found is not None:
            return AlertOutcome(reference=found.reference, alert_id=found.id, duplicate=True)
        raiser = staff_by_slack_id(session, authority_id, raiser_slack_id)
        if raiser is None or raiser.id is None:
            raise AlertError("Only active staff in the directory can raise a Practice Alert.")
        case = find_open_case(session, authority_id, new.case_ref)
        if case is None or case.id is None:
            raise AlertError(f"No open case {new.case_ref} is known to qabot.")
        settings = get_settings(session, authority_id)
        calendar = settings.calendar()
        year = now.astimezone(calendar.tz).year
        alert = Alert(
            authority_id=authority_id, reference="", case_id=case.id, team_id=case.team_id,
            raised_by_id=raiser.id, source_view_id=source_key, category=new.category,
            severity=new.severity, management_decision=new.management_decision,
            concern=new.concern, asked=new.asked, by_when=new.by_when,
            status=Status.OPEN, stage=0, stage_reached_at=now, raised_at=now,
        )
        ladder = ladder_for(session, alert)
        stage = first_stage(ladder.levels)
        if stage is None:
            raise AlertError("Nobody can be reached for this case's team: please tell your "
                             "QA lead, and use the out-of-hours route if it is urgent.")
        alert.reference = format_reference(year, _next_number(session, authority_id, year))
        alert.stage = stage
        reschedule(alert, ladder, settings)
        session.add(alert)
        session.flush()
        event = add_event(session, alert, "raised", now, actor_id=raiser.id)
        # Only urgent alerts go out of hours; a standard one waits for the working day.
        not_before = None if new.severity == "urgent" else calendar.next_working_instant(now)
        people = list(ladder.levels[stage])
        if new.management_decision and stage == 0:
            people += [p for p in ladder.levels[1] if p not in people]
        keys = reach(session, alert, stage, people, ladder, now, not_before=not_before)
        clock = stage_clock(calendar, times_from(settings), new.severity, now)
        confirmation = f"alert:{alert.id}:raiser:{event.id}"
        enqueue(session, Message(confirmation, raiser_slack_id, "alert.raised", {
            **summary_data(session, alert),
            "ack_due": clock.ack_due.astimezone(calendar.tz).strftime("%A %d %B, %H:%M"),
            "out_of_hours": acknowledgement_runs_overnight(calendar, clock, now),
        }), authority_id=authority_id, now=now)
        keys.append(confirmation)
        if settings.oversight_channel:
            key = f"alert:{alert.id}:oversight"
            data = summary_data(session, alert)
            # A channel gets the reference, team, category and severity: never the words.
            enqueue(session, Message(key, settings.oversight_channel, "alert.oversight", {
                k: data[k] for k in ("reference", "team", "category", "severity")
            }), authority_id=authority_id, now=now)
            keys.append(key)
        log_change(session, alert, actor=raiser_slack_id, action="alert.raised", now=now,
                   before=None)
        session.commit()
        return AlertOutcome(reference=alert.reference, alert_id=alert.id, keys=keys)
