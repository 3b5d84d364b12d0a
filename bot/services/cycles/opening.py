"""Opening a cycle: every auditor, team manager and practitioner concerned is told, once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.domain.cycles import KIND_LABELS, CycleStatus, lookback_start
from bot.services.cycles.audit_lines import AuditLine, audit_lines
from bot.services.cycles.common import Actor, CycleError, check_qa_lead, lock_cycle, log_cycle
from bot.services.cycles.inputs import Directory, load_directory
from bot.services.outbox import Message, enqueue
from bot.services.rule_settings import get_settings
from storage.audit_models import Cycle
from storage.db import read_only, unit_of_work


@dataclass
class OpenOutcome:
    """What opening did: the messages queued, and who could not be told (no Slack id)."""

    cycle_id: int
    opened: bool
    keys: list[str] = field(default_factory=list)
    auditors: int = 0
    managers: int = 0
    practitioners: int = 0
    not_told: list[str] = field(default_factory=list)  # e-mails


def cycle_data(cycle: Cycle) -> dict[str, Any]:
    """What every message about the cycle says of it."""
    return {
        "cycle_id": cycle.id,
        "cycle": cycle.name,
        "kind": KIND_LABELS.get(cycle.kind, cycle.kind),
        "theme": cycle.theme,
        "lookback_months": cycle.lookback_months,
        "lookback_from": lookback_start(cycle.opens_on, cycle.lookback_months).isoformat(),
        "opens_on": cycle.opens_on.isoformat(),
        "audit_due": cycle.audit_due.isoformat(),
        "moderation_due": cycle.moderation_due.isoformat() if cycle.moderation_due else None,
    }


def open_cycle(
    engine: Engine, *, authority_id: int, actor: Actor, cycle_id: int, now: datetime
) -> OpenOutcome:
    """Open an allocated cycle and queue its messages; opening it again sends nothing."""
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action="cycle.open",
                  record_type="cycle", record_id=cycle_id, now=now)
    with unit_of_work(engine) as session:
        cycle = lock_cycle(session, authority_id, cycle_id)
        if cycle.status == CycleStatus.OPEN:
            return OpenOutcome(cycle_id, opened=False)
        if cycle.status != CycleStatus.ALLOCATED:
            raise CycleError(
                f"Cycle {cycle_id} is {cycle.status}: only an allocated cycle can be opened "
                "(preview its draw first)."
            )
        outcome = _announce(session, cycle, now)
        before = {"status": cycle.status}
        cycle.status = CycleStatus.OPEN
        cycle.opened_at = now
        session.add(cycle)
        log_cycle(session, cycle, actor=actor, action="cycle.open", now=now, before=before,
                  messages=len(outcome.keys))
        session.commit()
    return outcome


def _announce(session: Session, cycle: Cycle, now: datetime) -> OpenOutcome:
    assert cycle.id is not None
    directory = load_directory(session, cycle.authority_id)
    lines = audit_lines(session, cycle_ids=[cycle.id])
    about = cycle_data(cycle)
    outcome = OpenOutcome(cycle.id, opened=True)
    by_auditor: dict[int, list[AuditLine]] = defaultdict(list)
    by_manager: dict[int, list[AuditLine]] = defaultdict(list)
    by_worker: dict[int, list[AuditLine]] = defaultdict(list)
    for line in lines:
        by_auditor[line.auditor_id].append(line)
        for manager in directory.team_managers.get(str(line.team_id), ()):
            by_manager[int(manager)].append(line)
        if line.worker_id is not None:
            by_worker[line.worker_id].append(line)

    def tell(role: str, staff_id: int, template: str, mine: list[AuditLine]) -> bool:
        slack_id = _reachable(directory, staff_id, outcome)
        if slack_id is None:
            return False
        key = f"cycle:{cycle.id}:open:{role}:{staff_id}"
        data = {**about, "audits": [line.data() for line in mine]}
        enqueue(session, Message(key, slack_id, template, data),
                authority_id=cycle.authority_id, now=now)
        outcome.keys.append(key)
        return True

    outcome.auditors = sum(
        tell("auditor", s, "cycle.auditor_allocations", m) for s, m in sorted(by_auditor.items())
    )
    outcome.managers = sum(
        tell("manager", s, "cycle.team_audits", m) for s, m in sorted(by_manager.items())
    )
    outcome.practitioners = sum(
        tell("practitioner", s, "cycle.practitioner_notice", m)
        for s, m in sorted(by_worker.items())
    )
    outcome.not_told = sorted(set(outcome.not_told))
    return outcome


def _reachable(directory: Directory, staff_id: int, outcome: OpenOutcome) -> str | None:
    """The person's Slack id, or None (noted in the outcome) when they cannot be told."""
    key = str(staff_id)
    slack_id = directory.slack_ids.get(key)
    if not slack_id or not directory.active.get(key, False):
        outcome.not_told.append(directory.emails.get(key, key))
        return None
    return slack_id


@dataclass
class DueReport:
    """What the opening job did (or, dry, would do)."""

    lines: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def open_due_cycles(engine: Engine, *, now: datetime, dry_run: bool = False) -> DueReport:
    """Open every allocated cycle whose opening date has come, in working hours of a working day.

    Each authority's own calendar decides; a cycle opens once however often this runs.
    """
    report = DueReport()
    with read_only(engine) as session:
        allocated = session.exec(
            select(Cycle).where(col(Cycle.status) == CycleStatus.ALLOCATED)
            .order_by(col(Cycle.opens_on), col(Cycle.id))
        ).all()
        calendars = {
            a: get_settings(session, a).calendar() for a in {c.authority_id for c in allocated}
        }
    for cycle in allocated:
        calendar = calendars[cycle.authority_id]
        if not calendar.is_working_time(now) or cycle.opens_on > now.astimezone(calendar.tz).date():
            continue
        assert cycle.id is not None
        if dry_run:
            report.lines.append(f"would open cycle {cycle.id} ({cycle.name}), opening "
                                f"{cycle.opens_on.isoformat()}")
            continue
        try:
            outcome = open_cycle(engine, authority_id=cycle.authority_id, actor=Actor.operator(),
                                 cycle_id=cycle.id, now=now)
        except CycleError as exc:  # changed since it was listed (closed, drawn again)
            report.lines.append(f"cycle {cycle.id}: {exc}")
            continue
        if outcome.opened:
            report.keys += outcome.keys
            report.lines.append(
                f"opened cycle {cycle.id} ({cycle.name}): {len(outcome.keys)} messages"
            )
    return report
