"""The allocation tracker's rows (PRODUCT.md section 8), for `qabot export allocations`.

References, e-mails, dates, statuses and grade keys only: never what anyone typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.domain.cycles import CANCELLED
from storage.audit_models import Audit, Cycle
from storage.models import Case, Service, Staff, Team

ALLOCATION_COLUMNS: tuple[str, ...] = (
    "cycle", "case_ref", "team", "service", "worker_email", "team_manager_email",
    "auditor_email", "moderator_email", "audit_due", "moderation_due", "status",
    "auditor_grade", "moderated_grade",
)
BATCH_ROWS = 1000


def cycle_exists(connection: Connection, authority_id: int, cycle_id: int) -> bool:
    """Whether the authority has this cycle."""
    found = connection.execute(
        select(col(Cycle.id)).where(col(Cycle.id) == cycle_id,
                                    col(Cycle.authority_id) == authority_id)
    ).first()
    return found is not None


def allocation_rows(
    connection: Connection, authority_id: int, cycle_id: int | None
) -> Iterator[tuple[str, ...]]:
    """Every audit of the authority (or of one cycle), by cycle, team and case; streamed."""
    worker, auditor, moderator = aliased(Staff), aliased(Staff), aliased(Staff)
    columns: list[Any] = [
        Cycle.name, Case.case_ref, Team.name, Service.name, worker.email,
        Team.team_manager_email, auditor.email, moderator.email, Audit.audit_due,
        Audit.moderation_due, Audit.status, Audit.auditor_grade, Audit.moderated_grade,
    ]
    query = (
        select(*columns)
        .join(Cycle, col(Cycle.id) == col(Audit.cycle_id))
        .join(Team, col(Team.id) == col(Audit.team_id))
        .join(Service, col(Service.id) == col(Team.service_id))
        .join(auditor, col(auditor.id) == col(Audit.auditor_id))
        .outerjoin(Case, col(Case.id) == col(Audit.case_id))
        .outerjoin(worker, col(worker.id) == col(Audit.worker_id))
        .outerjoin(moderator, col(moderator.id) == col(Audit.moderator_id))
        .where(col(Audit.authority_id) == authority_id, col(Audit.status) != CANCELLED)
        .order_by(col(Cycle.opens_on), col(Cycle.id), col(Team.name), col(Case.case_ref),
                  col(worker.email), col(Audit.id))
    )
    if cycle_id is not None:
        query = query.where(col(Audit.cycle_id) == cycle_id)
    result = connection.execute(query.execution_options(yield_per=BATCH_ROWS))
    for row in result:
        yield tuple(_cell(value) for value in row)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
