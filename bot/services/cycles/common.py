"""What the cycle use cases share: who may act, errors, locking a cycle, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage import audit_log
from storage.audit_models import Cycle
from storage.db import read_only, unit_of_work
from storage.models import Staff, StaffRole

QA_LEAD = "qa_lead"
#: Who the audit log names for the command line and the scheduler.
SYSTEM = "system"


class CycleError(Exception):
    """A request about a cycle that cannot be done, phrased for the person who asked."""


class CycleProblems(CycleError):
    """A cycle's settings are wrong: ``problems`` lists each problem by field."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {'; '.join(v)}" for k, v in problems.items()))


@dataclass(frozen=True)
class Actor:
    """Who asks: the operator (command line, scheduler) or someone in Slack, who is checked."""

    slack_user_id: str | None = None

    @classmethod
    def operator(cls) -> Actor:
        """The command line or a scheduled job: trusted as the installation's operator."""
        return cls(None)

    @property
    def label(self) -> str:
        """How the audit log names them."""
        return self.slack_user_id or SYSTEM


def is_qa_lead(session: Session, authority_id: int, slack_user_id: str) -> bool:
    """Whether this Slack user is an active ``qa_lead`` of the authority."""
    found = session.exec(
        select(Staff.id)
        .join(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
        .where(
            Staff.authority_id == authority_id,
            Staff.slack_user_id == slack_user_id,
            col(Staff.active).is_(True),
            StaffRole.role == QA_LEAD,
        )
    ).first()
    return found is not None


def may_run_cycles(engine: Engine, *, authority_id: int, slack_user_id: str) -> bool:
    """Whether this Slack user may create and run cycles (an active QA lead)."""
    with read_only(engine) as session:
        return is_qa_lead(session, authority_id, slack_user_id)


def check_qa_lead(
    engine: Engine,
    *,
    authority_id: int,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: str | int,
    now: datetime,
) -> None:
    """Refuse (and log the refusal) unless the actor is the operator or an active QA lead."""
    if actor.slack_user_id is None:
        return
    with unit_of_work(engine) as session:
        if is_qa_lead(session, authority_id, actor.slack_user_id):
            return
        # Refusals are written in their own transaction: nothing else of the request is.
        audit_log.record(
            session, authority_id=authority_id, at=now, actor=actor.label, action=action,
            record_type=record_type, record_id=record_id, outcome="refused",
        )
        session.commit()
    raise CycleError("Only the QA lead can do that with audit cycles.")


def lock_cycle(session: Session, authority_id: int, cycle_id: int) -> Cycle:
    """The authority's cycle, locked for this transaction; CycleError if there is none."""
    cycle = session.exec(
        select(Cycle).where(Cycle.id == cycle_id).with_for_update()
    ).first()
    if cycle is None or cycle.authority_id != authority_id:
        raise CycleError(f"There is no cycle {cycle_id}.")
    return cycle


def snapshot(cycle: Cycle) -> dict[str, Any]:
    """The parts of a cycle the audit log keeps (states and dates, never its name or theme)."""
    return {
        "status": cycle.status,
        "opens_on": cycle.opens_on,
        "audit_due": cycle.audit_due,
        "moderation_due": cycle.moderation_due,
    }


def log_cycle(
    session: Session, cycle: Cycle, *, actor: Actor, action: str, now: datetime,
    before: dict[str, Any] | None, **after: Any,
) -> None:
    """Write a change of a cycle to the audit log."""
    assert cycle.id is not None
    audit_log.record(
        session, authority_id=cycle.authority_id, at=now, actor=actor.label, action=action,
        record_type="cycle", record_id=cycle.id, before=before,
        after={**snapshot(cycle), **after},
    )
