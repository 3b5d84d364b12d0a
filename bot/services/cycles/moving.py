"""Moving one audit to another auditor or moderator, and telling the new auditor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.cycles import CANCELLED, CycleStatus
from bot.services.cycles.audit_lines import audit_lines
from bot.services.cycles.common import Actor, CycleProblems
from bot.services.cycles.opening import cycle_data
from bot.services.outbox import Message, enqueue
from storage import audit_log
from storage.audit_models import Audit, Cycle
from storage.models import Staff


def find_person(
    session: Session, authority_id: int, *, email: str | None, slack_user_id: str | None,
    field: str,
) -> Staff:
    """The person named by e-mail or Slack id; CycleProblems at ``field`` if unknown."""
    query = select(Staff).where(Staff.authority_id == authority_id)
    if email is not None:
        query = query.where(func.lower(Staff.email) == email.strip().lower())
    elif slack_user_id is not None:
        query = query.where(Staff.slack_user_id == slack_user_id)
    else:
        raise CycleProblems({field: ["choose a person"]})
    staff = session.exec(query).first()
    if staff is None or staff.id is None:
        who = email or "that person"
        raise CycleProblems({field: [f"{who} is not in the staff directory"]})
    return staff


def lock_audit(session: Session, authority_id: int, audit_id: int) -> Audit | None:
    """The authority's audit, locked for this transaction."""
    audit = session.exec(select(Audit).where(Audit.id == audit_id).with_for_update()).first()
    return audit if audit is not None and audit.authority_id == authority_id else None


def move_audit(
    session: Session, audit: Audit, *, auditor_id: int, moderator_id: int | None,
    actor: Actor, action: str, now: datetime,
) -> Audit:
    """Cancel ``audit`` and allocate its subject afresh to ``auditor_id``; returns the new one.

    A new row, not an edit: the tracker keeps who held it before, and a draft the first
    auditor saved is never shown to the second.
    """
    before = {"audit_id": audit.id, "auditor_id": audit.auditor_id,
              "moderator_id": audit.moderator_id, "status": audit.status}
    audit.status = CANCELLED
    audit.version += 1
    session.add(audit)
    moved = Audit(
        authority_id=audit.authority_id, cycle_id=audit.cycle_id, case_id=audit.case_id,
        subject_staff_id=audit.subject_staff_id, team_id=audit.team_id,
        worker_id=audit.worker_id, auditor_id=auditor_id, moderator_id=moderator_id,
        audit_due=audit.audit_due,
        moderation_due=audit.moderation_due if moderator_id is not None else None,
        status="allocated",
    )
    session.add(moved)
    session.flush()
    audit_log.record(
        session, authority_id=audit.authority_id, at=now, actor=actor.label, action=action,
        record_type="audit", record_id=audit.id or 0, before=before,
        after={"audit_id": moved.id, "auditor_id": auditor_id, "moderator_id": moderator_id,
               "status": moved.status},
    )
    return moved


def change_moderator(
    session: Session, audit: Audit, moderator_id: int | None, *, actor: Actor, now: datetime
) -> None:
    """Give an audit another moderator (or none), in place: its auditor's work is unchanged."""
    before = {"moderator_id": audit.moderator_id}
    audit.moderator_id = moderator_id
    audit.version += 1
    session.add(audit)
    audit_log.record(
        session, authority_id=audit.authority_id, at=now, actor=actor.label,
        action="audit.moderator", record_type="audit", record_id=audit.id or 0, before=before,
        after={"moderator_id": moderator_id},
    )


def tell_new_auditor(
    session: Session, cycle: Cycle, audit: Audit, slack_id: str | None, now: datetime
) -> list[str]:
    """Queue the new auditor's allocation message, if the cycle is open (else opening tells)."""
    if cycle.status != CycleStatus.OPEN or not slack_id or audit.id is None:
        return []
    key = f"cycle:{cycle.id}:audit:{audit.id}:allocated"
    data = {**cycle_data(cycle), "audits": [line.data() for line in audit_lines(
        session, audit_ids=[audit.id])]}
    enqueue(session, Message(key, slack_id, "cycle.audit_reallocated", data),
            authority_id=cycle.authority_id, now=now)
    return [key]


def open_audits_of(
    session: Session, cycle_id: int, *, auditor_id: int | None = None,
    moderator_id: int | None = None, statuses: tuple[str, ...],
) -> list[Audit]:
    """The cycle's audits held by an auditor (or moderator) in one of ``statuses``, locked."""
    query = select(Audit).where(
        Audit.cycle_id == cycle_id, col(Audit.status).in_(statuses)
    ).order_by(col(Audit.id)).with_for_update()
    if auditor_id is not None:
        query = query.where(Audit.auditor_id == auditor_id)
    if moderator_id is not None:
        query = query.where(Audit.moderator_id == moderator_id)
    return list(session.exec(query).all())
