"""A cycle's audits as rows people can read: subject, team, worker, auditor, moderator, due."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from bot.domain.cycles import CANCELLED
from storage.audit_models import Audit, Cycle
from storage.models import Case, Staff, Team


@dataclass(frozen=True)
class AuditLine:
    """One audit with the names messages and screens show."""

    audit_id: int
    cycle_id: int
    cycle: str
    is_case: bool
    subject: str  # the case reference, or the audited person's name
    team_id: int
    team: str
    worker_id: int | None
    worker: str
    auditor_id: int
    auditor: str
    auditor_email: str
    moderator_id: int | None
    due: date
    moderation_due: date | None
    status: str

    def data(self) -> dict[str, object]:
        """The line as message data (JSON-ready)."""
        return {
            "audit_id": self.audit_id, "is_case": self.is_case, "subject": self.subject,
            "team": self.team, "worker": self.worker, "auditor": self.auditor,
            "due": self.due.isoformat(), "status": self.status,
        }


# Made once: a fresh alias per call costs SQLAlchemy milliseconds of query building.
_WORKER, _AUDITOR, _SUBJECT = aliased(Staff), aliased(Staff), aliased(Staff)


def audit_lines(
    session: Session, *, cycle_ids: Collection[int] | None = None,
    audit_ids: Collection[int] | None = None, statuses: Collection[str] | None = None,
    auditor_id: int | None = None, moderator_id: int | None = None, limit: int | None = None,
    cycle_statuses: Collection[str] | None = None,
) -> list[AuditLine]:
    """The audits asked for (never cancelled ones), by team then subject."""
    worker, auditor, subject = _WORKER, _AUDITOR, _SUBJECT
    columns: list[Any] = [Audit, Cycle.name, Case.case_ref, Team.name, worker.name,
                          auditor.name, auditor.email, subject.name]
    query = (
        select(*columns)
        .join(Cycle, col(Cycle.id) == col(Audit.cycle_id))
        .join(Team, col(Team.id) == col(Audit.team_id))
        .join(auditor, col(auditor.id) == col(Audit.auditor_id))
        .outerjoin(Case, col(Case.id) == col(Audit.case_id))
        .outerjoin(worker, col(worker.id) == col(Audit.worker_id))
        .outerjoin(subject, col(subject.id) == col(Audit.subject_staff_id))
        .where(col(Audit.status) != CANCELLED)
        .order_by(col(Team.name), col(Case.case_ref), col(subject.name), col(Audit.id))
    )
    if cycle_ids is not None:
        query = query.where(col(Audit.cycle_id).in_(list(cycle_ids)))
    if audit_ids is not None:
        query = query.where(col(Audit.id).in_(list(audit_ids)))
    if statuses is not None:
        query = query.where(col(Audit.status).in_(list(statuses)))
    if auditor_id is not None:
        query = query.where(col(Audit.auditor_id) == auditor_id)
    if moderator_id is not None:
        query = query.where(col(Audit.moderator_id) == moderator_id)
    if cycle_statuses is not None:
        query = query.where(col(Cycle.status).in_(list(cycle_statuses)))
    if limit is not None:
        query = query.limit(limit)
    lines = []
    for audit, cycle, case_ref, team, worker_name, auditor_name, auditor_email, subject_name in (
        session.execute(query).all()
    ):
        assert audit.id is not None
        lines.append(
            AuditLine(
                audit_id=audit.id, cycle_id=audit.cycle_id, cycle=cycle,
                is_case=audit.case_id is not None,
                subject=case_ref if audit.case_id is not None else (subject_name or ""),
                team_id=audit.team_id, team=team, worker_id=audit.worker_id,
                worker=worker_name or "no allocated worker", auditor_id=audit.auditor_id,
                auditor=auditor_name, auditor_email=auditor_email,
                moderator_id=audit.moderator_id, due=audit.audit_due,
                moderation_due=audit.moderation_due, status=audit.status,
            )
        )
    return lines
