"""Closing a cycle, listing cycles, and exporting a cycle's receipt."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.domain.allocation import Receipt
from bot.domain.cycles import CANCELLED, CycleStatus
from bot.services.cycles.common import Actor, CycleError, check_qa_lead, lock_cycle, log_cycle
from storage.audit_models import Audit, Cycle
from storage.db import read_only, unit_of_work


@dataclass(frozen=True)
class CycleLine:
    """A cycle as `qabot cycle list` and App Home show it."""

    cycle_id: int
    name: str
    kind: str
    status: str
    opens_on: date
    audit_due: date
    moderation_due: date | None
    sample_rule: str
    audits: dict[str, int] = field(default_factory=dict)  # by status

    @property
    def total(self) -> int:
        """Every audit of the cycle (none cancelled)."""
        return sum(self.audits.values())


def close_cycle(
    engine: Engine, *, authority_id: int, actor: Actor, cycle_id: int, now: datetime
) -> str:
    """Close a cycle; a cycle never opened has its audits cancelled. Returns the old status."""
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action="cycle.close",
                  record_type="cycle", record_id=cycle_id, now=now)
    with unit_of_work(engine) as session:
        cycle = lock_cycle(session, authority_id, cycle_id)
        if cycle.status == CycleStatus.CLOSED:
            raise CycleError(f"Cycle {cycle_id} is closed already.")
        before = cycle.status
        if before != CycleStatus.OPEN:
            # Nobody was told of these audits: they must not count as the cases' last audit.
            session.execute(
                update(Audit).where(col(Audit.cycle_id) == cycle_id).values(status=CANCELLED)
            )
        cycle.status = CycleStatus.CLOSED
        cycle.closed_at = now
        session.add(cycle)
        log_cycle(session, cycle, actor=actor, action="cycle.close", now=now,
                  before={"status": before})
        session.commit()
        return before


def list_cycles(
    engine: Engine, *, authority_id: int, include_closed: bool = True, limit: int | None = None
) -> list[CycleLine]:
    """The authority's cycles, latest opening first, with their audits counted by status."""
    with read_only(engine) as session:
        return cycle_lines(session, authority_id, include_closed=include_closed, limit=limit)


def cycle_lines(
    session: Session, authority_id: int, *, include_closed: bool = True,
    limit: int | None = None,
) -> list[CycleLine]:
    """``list_cycles`` within an open session."""
    query = select(Cycle).where(Cycle.authority_id == authority_id)
    if not include_closed:
        query = query.where(col(Cycle.status) != CycleStatus.CLOSED)
    query = query.order_by(col(Cycle.opens_on).desc(), col(Cycle.id).desc())
    if limit is not None:
        query = query.limit(limit)
    cycles = session.exec(query).all()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    ids = [c.id for c in cycles]
    if ids:
        for cycle_id, status, count in session.exec(
            select(Audit.cycle_id, Audit.status, func.count())
            .where(col(Audit.cycle_id).in_(ids), Audit.status != CANCELLED)
            .group_by(col(Audit.cycle_id), col(Audit.status))
        ).all():
            counts[cycle_id][status] = count
    return [
        CycleLine(
            cycle_id=c.id or 0, name=c.name, kind=c.kind, status=c.status, opens_on=c.opens_on,
            audit_due=c.audit_due, moderation_due=c.moderation_due,
            sample_rule=(f"{c.per_auditor} per auditor" if c.per_auditor is not None
                         else f"sample {c.sample}"),
            audits=dict(sorted(counts[c.id or 0].items())),
        )
        for c in cycles
    ]


def describe_cycle(
    engine: Engine, *, authority_id: int, actor: Actor, cycle_id: int, action: str,
    now: datetime,
) -> CycleLine:
    """One cycle, for a modal about it (the QA lead's only: ``action`` names what they do)."""
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action=action,
                  record_type="cycle", record_id=cycle_id, now=now)
    with read_only(engine) as session:
        found = [c for c in cycle_lines(session, authority_id) if c.cycle_id == cycle_id]
    if not found:
        raise CycleError(f"There is no cycle {cycle_id}.")
    return found[0]


def cycle_receipt(engine: Engine, *, authority_id: int, cycle_id: int) -> Receipt:
    """The receipt of the cycle's saved draw (CycleError if it has not been drawn)."""
    with read_only(engine) as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None or cycle.authority_id != authority_id:
            raise CycleError(f"There is no cycle {cycle_id}.")
        if not cycle.receipt:
            raise CycleError(f"Cycle {cycle_id} has not been drawn yet: allocate it first.")
        return Receipt.from_json(cycle.receipt)
