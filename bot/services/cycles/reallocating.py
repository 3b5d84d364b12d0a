"""Mid-cycle changes: someone becomes unavailable, or the QA lead moves one audit."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.domain.allocation import MODERATOR_ROLES, DrawRequest, DrawResult, draw
from bot.domain.allocation.conflicts import ConflictIndex
from bot.domain.cycles import (
    NOT_MODERATED,
    NOT_SUBMITTED,
    UNAVAILABLE_REASONS,
    CycleStatus,
    audits_cases,
    pick_moderator,
)
from bot.services.cycles.common import Actor, CycleError, check_qa_lead, lock_cycle, log_cycle
from bot.services.cycles.inputs import (
    Directory,
    case_refs,
    involved_staff,
    load_cases,
    load_directory,
    load_people_to_audit,
)
from bot.services.cycles.loads import cycle_spec, existing_loads, unavailable_ids
from bot.services.cycles.moving import (
    change_moderator,
    find_person,
    move_audit,
    open_audits_of,
    tell_new_auditor,
)
from bot.services.rule_settings import get_settings
from storage.audit_models import Audit, Cycle, CycleUnavailable
from storage.db import unit_of_work
from storage.sql import insert_ignore


@dataclass
class ReallocationOutcome:
    """What marking someone unavailable moved, what it could not, and the messages queued."""

    person: str  # their e-mail
    moved: list[str] = field(default_factory=list)
    not_moved: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def mark_unavailable(
    engine: Engine, *, authority_id: int, actor: Actor, cycle_id: int, now: datetime,
    email: str | None = None, slack_user_id: str | None = None, reason: str = "unavailable",
) -> ReallocationOutcome:
    """Mark a person unavailable for a cycle and reallocate their audits and moderations.

    Audits not yet submitted go to other auditors by the same engine and rules as the draw,
    with every other audit held as existing load; moderations not yet done go to the
    least-loaded eligible moderator. What cannot move is reported, and stays where it was.
    """
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action="cycle.unavailable",
                  record_type="cycle", record_id=cycle_id, now=now)
    if reason not in UNAVAILABLE_REASONS:
        raise CycleError(f"Unknown reason {reason!r}: use {', '.join(UNAVAILABLE_REASONS)}.")
    with unit_of_work(engine) as session:
        cycle = lock_cycle(session, authority_id, cycle_id)
        if cycle.status == CycleStatus.CLOSED:
            raise CycleError(f"Cycle {cycle_id} is closed.")
        person = find_person(session, authority_id, email=email, slack_user_id=slack_user_id,
                             field="person")
        assert person.id is not None and cycle.id is not None
        marked = insert_ignore(session, CycleUnavailable, {
            "cycle_id": cycle.id, "staff_id": person.id, "reason": reason, "marked_at": now,
        })
        outcome = ReallocationOutcome(person=person.email)
        if cycle.status != CycleStatus.DRAFT:
            _reallocate(session, cycle, person.id, actor, now, outcome)
        log_cycle(session, cycle, actor=actor, action="cycle.unavailable", now=now,
                  before=None, staff_id=person.id, reason=reason, newly_marked=marked,
                  moved=len(outcome.moved), not_moved=len(outcome.not_moved))
        session.commit()
        return outcome


def _reallocate(session: Session, cycle: Cycle, person_id: int, actor: Actor, now: datetime,
                outcome: ReallocationOutcome) -> None:
    assert cycle.id is not None
    directory = load_directory(session, cycle.authority_id)
    cases = audits_cases(cycle.kind)
    audits = open_audits_of(session, cycle.id, auditor_id=person_id, statuses=NOT_SUBMITTED)
    moderations = open_audits_of(
        session, cycle.id, moderator_id=person_id, statuses=NOT_MODERATED
    )
    case_ids = [a.case_id for a in audits + moderations if a.case_id]
    involved = involved_staff(session, case_ids)
    directory.case_refs.update(case_refs(session, case_ids))
    unavailable = unavailable_ids(session, cycle.id)
    result = _redraw(session, cycle, directory, audits, unavailable)
    placed = {a.subject_id: a.auditor_id for a in result.assignments} if result else {}
    conflicts = ConflictIndex(directory.organisation)
    moderators = _moderator_pool(directory, set(unavailable))
    _, moderation_load = existing_loads(session, cycle, include_own=True)
    load = dict(moderation_load)
    rng = random.Random(f"{cycle.seed}:{person_id}")
    for audit in audits:
        subject = str(audit.case_id if cases else audit.subject_staff_id)
        label = directory.subject_label(subject, cases=cases)
        auditor = placed.get(subject)
        if auditor is None:
            outcome.not_moved.append(f"{label}: {_why_not(result, subject)}")
            continue
        moderator = audit.moderator_id
        if moderator is not None and (str(moderator) in unavailable or str(moderator) == auditor):
            moderator = _moderator(conflicts, involved, audit, moderators, auditor, load, rng)
            if moderator is None:
                outcome.not_moved.append(f"moderation of {label}: no eligible moderator")
        moved = move_audit(session, audit, auditor_id=int(auditor), moderator_id=moderator,
                           actor=actor, action="audit.reallocate", now=now)
        outcome.moved.append(f"{label}: now audited by {directory.emails[auditor]}")
        outcome.keys += tell_new_auditor(session, cycle, moved, directory.slack_ids[auditor], now)
    for audit in moderations:
        subject = str(audit.case_id if cases else audit.subject_staff_id)
        label = directory.subject_label(subject, cases=cases)
        moderator = _moderator(
            conflicts, involved, audit, moderators, str(audit.auditor_id), load, rng
        )
        if moderator is None:
            outcome.not_moved.append(f"moderation of {label}: no eligible moderator")
            continue
        change_moderator(session, audit, moderator, actor=actor, now=now)
        outcome.moved.append(f"moderation of {label}: now {directory.emails[str(moderator)]}")


def _redraw(session: Session, cycle: Cycle, directory: Directory, audits: list[Audit],
            unavailable: tuple[str, ...]) -> DrawResult | None:
    """Draw auditors for exactly these audits' subjects, every other audit held as load."""
    if not audits:
        return None
    assert cycle.id is not None
    settings = get_settings(session, cycle.authority_id)
    load, moderation_load = existing_loads(
        session, cycle, include_own=True, exclude_audits={a.id for a in audits if a.id}
    )
    spec = replace(cycle_spec(cycle, settings, unavailable, sample=len(audits)),
                   moderation_fraction=0.0)  # moderators are kept, or picked below
    if audits_cases(cycle.kind):
        found = load_cases(session, cycle.authority_id, exclude_cycle=cycle.id,
                           case_ids=[a.case_id for a in audits if a.case_id])
        # These subjects were drawn already: the re-audit window was applied then.
        cases = tuple(replace(c, last_audited=None) for c in found)
        directory.case_refs.update({c.id: c.ref for c in cases})
        subjects: tuple = ()  # type: ignore[type-arg]
    else:
        cases = ()
        subjects = tuple(replace(s, last_audited=None) for s in load_people_to_audit(
            session, cycle.authority_id, cycle.kind, exclude_cycle=cycle.id,
            person_ids=[a.subject_staff_id for a in audits if a.subject_staff_id]))
    return draw(DrawRequest(
        organisation=directory.organisation, cycles=(spec,), seed=cycle.seed, cases=cases,
        people_to_audit=subjects, existing_load=load, existing_moderation_load=moderation_load,
    ))


def _why_not(result: DrawResult | None, subject: str) -> str:
    """Why the redraw left a subject where it was, in the engine's words."""
    if result is not None:
        for item in result.unplaced:
            if item.kind == "subject" and item.id == subject:
                return item.reason
        for group in result.receipt.excluded_subjects:
            if subject in group.subject_ids:
                return group.reason
        for item in result.unplaced:
            if item.kind in ("cycle", "team"):
                return item.reason
    return "no eligible auditor"


def _moderator_pool(directory: Directory, unavailable: set[str]) -> list[str]:
    return [
        p.id for p in directory.organisation.people
        if p.active and p.id not in unavailable and set(p.roles) & set(MODERATOR_ROLES)
    ]


def _moderator(conflicts: ConflictIndex, involved: dict[int, tuple[str, ...]], audit: Audit,
               pool: list[str], auditor: str, load: dict[str, int],
               rng: random.Random) -> int | None:
    """The least-loaded moderator free of conflict with the audit (and counted in ``load``)."""
    blocked = conflicts.blocked(
        team_id=str(audit.team_id),
        worker_id=None if audit.worker_id is None else str(audit.worker_id),
        involved_ids=involved.get(audit.case_id or 0, ()),
    )
    chosen = pick_moderator(pool, blocked, auditor, load, rng)
    if chosen is None:
        return None
    load[chosen] = load.get(chosen, 0) + 1
    return int(chosen)
