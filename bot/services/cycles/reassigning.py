"""The QA lead moves one audit to a named auditor, if the rules allow it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.domain.allocation.conflicts import ConflictIndex
from bot.domain.cycles import NOT_SUBMITTED, CycleStatus, conflict_reason
from bot.services.cycles.audit_lines import AuditLine, audit_lines
from bot.services.cycles.common import (
    Actor,
    CycleError,
    CycleProblems,
    check_qa_lead,
    lock_cycle,
)
from bot.services.cycles.inputs import involved_staff, load_directory
from bot.services.cycles.moving import find_person, lock_audit, move_audit, tell_new_auditor
from storage.audit_models import Audit, CycleUnavailable
from storage.claims import claim_once
from storage.db import read_only, unit_of_work
from storage.models import Staff

FIELD = "auditor"


@dataclass
class ReassignOutcome:
    """The audit's new id and auditor, and the message queued for them."""

    audit_id: int | None
    subject: str = ""
    auditor: str = ""  # the new auditor's e-mail
    keys: list[str] = field(default_factory=list)
    duplicate: bool = False


def describe_audit(
    engine: Engine, *, authority_id: int, actor: Actor, audit_id: int, now: datetime
) -> AuditLine:
    """One audit as the reassign modal shows it (the QA lead's only)."""
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action="audit.reassign",
                  record_type="audit", record_id=audit_id, now=now)
    with read_only(engine) as session:
        audit = session.get(Audit, audit_id)
        found = audit_lines(session, audit_ids=[audit_id])
        if audit is None or audit.authority_id != authority_id or not found:
            raise CycleError("That audit has been moved or no longer exists.")
        return found[0]


def reassign_audit(
    engine: Engine, *, authority_id: int, actor: Actor, audit_id: int, now: datetime,
    email: str | None = None, slack_user_id: str | None = None, source_key: str | None = None,
) -> ReassignOutcome:
    """Give an audit not yet submitted to another auditor; CycleProblems says why not.

    The new auditor must be an active member of the auditor pool, available for the cycle,
    not the audit's moderator, and free of every conflict rule for its subject.
    """
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action="audit.reassign",
                  record_type="audit", record_id=audit_id, now=now)
    with unit_of_work(engine) as session:
        if source_key is not None and not claim_once(session, f"audit-reassign:{source_key}", now):
            return ReassignOutcome(None, duplicate=True)
        audit = lock_audit(session, authority_id, audit_id)
        if audit is None or audit.status not in NOT_SUBMITTED:
            state = "moved or no longer exists" if audit is None or audit.status == "cancelled" \
                else f"is {audit.status.replace('_', ' ')} already"
            raise CycleError(f"That audit {state}: it cannot be reassigned.")
        cycle = lock_cycle(session, authority_id, audit.cycle_id)
        if cycle.status == CycleStatus.CLOSED:
            raise CycleError(f"Cycle {cycle.id} is closed.")
        person = find_person(session, authority_id, email=email, slack_user_id=slack_user_id,
                             field=FIELD)
        [line] = audit_lines(session, audit_ids=[audit_id])
        problem = _problem(session, audit, person, line)
        if problem is not None:
            raise CycleProblems({FIELD: [f"{person.email} cannot audit {line.subject}: {problem}"]})
        assert person.id is not None
        moderator = audit.moderator_id
        moved = move_audit(session, audit, auditor_id=person.id, moderator_id=moderator,
                           actor=actor, action="audit.reassign", now=now)
        keys = tell_new_auditor(session, cycle, moved, person.slack_user_id, now)
        session.commit()
        return ReassignOutcome(moved.id, subject=line.subject, auditor=person.email, keys=keys)


def _problem(session: Session, audit: Audit, person: Staff, line: AuditLine) -> str | None:
    """Why ``person`` may not take this audit, or None."""
    if not person.active:
        return "they are not active in the directory"
    if person.id == line.auditor_id:
        return "they are its auditor already"
    if person.id == line.moderator_id:
        return "they are its moderator"
    unavailable = session.exec(select(CycleUnavailable).where(
        CycleUnavailable.cycle_id == audit.cycle_id, CycleUnavailable.staff_id == person.id
    )).first()
    if unavailable is not None:
        return "they are marked unavailable for this cycle"
    directory = load_directory(session, person.authority_id)
    involved = involved_staff(session, [audit.case_id] if audit.case_id else [])
    conflict = conflict_reason(
        directory.organisation, ConflictIndex(directory.organisation), str(person.id),
        team_id=str(line.team_id),
        worker_id=None if line.worker_id is None else str(line.worker_id),
        involved_ids=involved.get(audit.case_id or 0, ()),
    )
    if conflict is not None:
        return conflict
    return None if person.is_auditor else "they are not in the auditor pool"
