"""Drawing a cycle: the database to the engine, the draw, and (only when complete) its audits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.domain.allocation import (
    AllocationInputError,
    Assignment,
    DrawRequest,
    Receipt,
    draw,
)
from bot.domain.cycles import CycleStatus, audits_cases
from bot.services.cycles.common import Actor, CycleError, check_qa_lead, lock_cycle, log_cycle
from bot.services.cycles.inputs import (
    Directory,
    load_cases,
    load_directory,
    load_people_to_audit,
)
from bot.services.cycles.loads import cycle_spec, existing_loads, unavailable_ids
from bot.services.cycles.summary import DrawSummary, summarise
from bot.services.rule_settings import get_settings
from storage.audit_models import Audit, AuditForm, Cycle
from storage.db import read_only, unit_of_work

DRAWABLE = (CycleStatus.DRAFT, CycleStatus.ALLOCATED)


@dataclass(frozen=True)
class AllocationOutcome:
    """A draw: whether it was saved (only a complete one is), its summary and its receipt."""

    cycle_id: int
    name: str
    saved: bool
    summary: DrawSummary
    receipt: Receipt


def draw_request(session: Session, cycle: Cycle) -> tuple[DrawRequest, Directory]:
    """Everything the cycle's draw depends on, read from the database."""
    assert cycle.id is not None
    settings = get_settings(session, cycle.authority_id)
    directory = load_directory(session, cycle.authority_id)
    load, moderation_load = existing_loads(session, cycle)
    if audits_cases(cycle.kind):
        cases = load_cases(session, cycle.authority_id, exclude_cycle=cycle.id)
        subjects: tuple = ()  # type: ignore[type-arg]
        directory.case_refs.update({c.id: c.ref for c in cases})
    else:
        cases = ()
        subjects = load_people_to_audit(
            session, cycle.authority_id, cycle.kind, exclude_cycle=cycle.id
        )
    request = DrawRequest(
        organisation=directory.organisation,
        cycles=(cycle_spec(cycle, settings, unavailable_ids(session, cycle.id)),),
        seed=cycle.seed,
        cases=cases,
        people_to_audit=subjects,
        existing_load=load,
        existing_moderation_load=moderation_load,
    )
    return request, directory


def allocate_cycle(
    engine: Engine, *, authority_id: int, actor: Actor, cycle_id: int, now: datetime
) -> AllocationOutcome:
    """Draw the cycle with its recorded seed; save the audits only if nothing is unplaced.

    A cycle drawn already but not yet open is drawn again and its audits replaced. An
    incomplete draw saves nothing: its summary says what could not be placed, and why.
    """
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action="cycle.allocate",
                  record_type="cycle", record_id=cycle_id, now=now)
    # Read, then draw outside any transaction: a draw of a large authority takes a second or
    # two, and on SQLite a writer would hold every other writer back that long.
    with read_only(engine) as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None or cycle.authority_id != authority_id:
            raise CycleError(f"There is no cycle {cycle_id}.")
        _check_drawable(cycle)
        request, directory = draw_request(session, cycle)
    try:
        result = draw(request)
    except AllocationInputError as exc:
        raise CycleError("The directory is inconsistent: " + "; ".join(exc.problems)) from None
    summary = summarise(result.receipt, directory, audits_cases=audits_cases(cycle.kind))
    if not result.complete:
        return AllocationOutcome(cycle_id, cycle.name, False, summary, result.receipt)
    with unit_of_work(engine) as session:
        cycle = lock_cycle(session, authority_id, cycle_id)
        _check_drawable(cycle)  # it may have been opened while we drew
        before = {"status": cycle.status}
        _replace_audits(session, cycle, result.assignments)
        cycle.receipt = result.receipt.to_json(indent=None)
        cycle.status = CycleStatus.ALLOCATED
        cycle.allocated_at = now
        session.add(cycle)
        log_cycle(session, cycle, actor=actor, action="cycle.allocate", now=now, before=before,
                  audits=len(result.assignments), seed=cycle.seed,
                  inputs_sha256=result.receipt.inputs_sha256)
        session.commit()
    return AllocationOutcome(cycle_id, cycle.name, True, summary, result.receipt)


def _check_drawable(cycle: Cycle) -> None:
    if cycle.status not in DRAWABLE:
        raise CycleError(
            f"Cycle {cycle.id} is {cycle.status}: its draw can no longer change (mark people "
            "unavailable or reassign audits instead)."
        )


def _replace_audits(session: Session, cycle: Cycle, assignments: tuple[Assignment, ...]) -> None:
    """The cycle's audits become exactly ``assignments`` (a new draw replaces an old one)."""
    old = select(Audit.id).where(Audit.cycle_id == cycle.id)
    session.execute(delete(AuditForm).where(col(AuditForm.audit_id).in_(old)))
    session.execute(delete(Audit).where(col(Audit.cycle_id) == cycle.id))
    assert cycle.id is not None
    cases = audits_cases(cycle.kind)
    for a in assignments:
        session.add(
            Audit(
                authority_id=cycle.authority_id,
                cycle_id=cycle.id,
                case_id=int(a.subject_id) if cases else None,
                subject_staff_id=None if cases else int(a.subject_id),
                team_id=int(a.team_id),
                worker_id=None if a.worker_id is None else int(a.worker_id),
                auditor_id=int(a.auditor_id),
                moderator_id=None if a.moderator_id is None else int(a.moderator_id),
                audit_due=cycle.audit_due,
                moderation_due=cycle.moderation_due if a.moderator_id is not None else None,
                status="allocated",
            )
        )
    session.flush()
