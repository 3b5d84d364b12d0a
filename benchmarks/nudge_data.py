"""Synthetic data for the nudge sweep benchmark, inserted in bulk.

A large authority (PRODUCT.md section 9): 2,000 staff in 150 teams imported through the real
import services, every line-managed person a supervision pair with six sessions of history,
EPDRs not yet due, 600 audits of an open cycle, and actions: 5,000 open (600 due today, the
rest weeks away) on top of closed history. Everything is made up ("Practitioner 123",
"C0000123"); the same seed gives the same data, so two databases differ only in history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.audit_models import Action, Audit, Cycle, EpdrRecord, SupervisionRecord
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Case, Staff, StaffRole
from tests.fakes.org import load_org, make_org

#: A Monday in working hours: the sweep's `now`.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
OPEN, DUE_TODAY, AUDITS = 5_000, 600, 600
CHUNK = 10_000


@dataclass(frozen=True)
class NudgeData:
    """What was built."""

    now: datetime
    staff: int
    pairs: int
    actions: int
    open_actions: int
    due_today: int


def _insert(engine: Engine, model: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert in executemany chunks, one transaction each."""
    table = model.__table__
    for start in range(0, len(rows), CHUNK):
        with unit_of_work(engine) as session:
            session.execute(insert(table), rows[start:start + CHUNK])
            session.commit()


def build_nudge_data(engine: Engine, *, history: int, seed: int = 1) -> NudgeData:
    """The organisation, supervision, audits and `history` closed actions plus the open ones."""
    org = make_org(teams=150, staff=2000, cases=2000, seed=seed)
    load_org(engine, org, now=NOW - timedelta(days=60))
    rng = random.Random(seed)
    with unit_of_work(engine) as session:
        # Ordered: the same seed must give the same data on every backend.
        staff = session.exec(select(Staff.id, Staff.line_manager_id).order_by(col(Staff.id))).all()
        practitioners = sorted(session.exec(select(StaffRole.staff_id).where(
            StaffRole.role == "practitioner")).all())
        cases = session.exec(select(Case.id, Case.team_id).order_by(col(Case.id))).all()
        auditors = sorted(session.exec(select(Staff.id).where(
            Staff.is_auditor == True)).all())  # noqa: E712
        # EPDRs weeks away, their half-year reviews done: the EPDR queries run, nothing due.
        for staff_id, _ in staff:
            person = session.get(Staff, staff_id)
            assert person is not None
            person.epdr_due = TODAY + timedelta(days=rng.randint(60, 300))
            session.add(person)
        cycle = Cycle(authority_id=DEFAULT_AUTHORITY_ID, name="Synthetic cycle", kind="case_file",
                      opens_on=TODAY - timedelta(days=14), audit_due=TODAY + timedelta(days=14),
                      seed=seed, status="open", created_at=NOW - timedelta(days=20))
        session.add(cycle)
        session.commit()
        cycle_id = cycle.id
    pairs = [(manager, person) for person, manager in staff if manager is not None]
    _insert(engine, EpdrRecord, [
        {"authority_id": DEFAULT_AUTHORITY_ID, "staff_id": s, "kind": "half_year",
         "done_on": TODAY - timedelta(days=20), "recorded_at": NOW - timedelta(days=20)}
        for s, _ in staff])
    sessions = []
    for manager, person in pairs:
        last = TODAY - timedelta(days=28) + timedelta(days=rng.randint(-10, 60))
        for n in range(6):
            held_on = last - timedelta(days=28 * n)
            sessions.append({"authority_id": DEFAULT_AUTHORITY_ID, "supervisor_id": manager,
                             "supervisee_id": person, "held_on": held_on, "kind": "one_to_one",
                             "held": True, "recorded_at": NOW - timedelta(days=200),
                             "source": "import"})
    _insert(engine, SupervisionRecord, sessions)
    _insert(engine, Audit, [
        {"authority_id": DEFAULT_AUTHORITY_ID, "cycle_id": cycle_id, "case_id": case_id,
         "team_id": team_id, "auditor_id": rng.choice(auditors),
         "audit_due": TODAY + timedelta(days=14), "status": "allocated", "version": 0}
        for case_id, team_id in cases[:AUDITS]])
    _insert(engine, Action, _actions(rng, history, practitioners, cases))
    return NudgeData(NOW, len(staff), len(pairs), history + OPEN, OPEN, DUE_TODAY)


def _actions(rng: random.Random, history: int, owners: list[int],
             cases: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Closed history first (ids are not ordered by what is open), then the open actions."""
    rows = []
    open_rng = random.Random(7)  # the open actions are the same whatever the history
    for n in range(history):
        case_id, team_id = cases[rng.randrange(len(cases))]
        due = TODAY - timedelta(days=rng.randint(30, 700))
        rows.append(_action(n, case_id, team_id, rng.choice(owners), due, "closed",
                            done_on=due, verified_on=due + timedelta(days=2)))
    for n in range(OPEN):
        case_id, team_id = cases[open_rng.randrange(len(cases))]
        due = TODAY if n < DUE_TODAY else TODAY + timedelta(days=open_rng.randint(30, 120))
        rows.append(_action(history + n, case_id, team_id, open_rng.choice(owners), due, "open"))
    return rows


def _action(n: int, case_id: int, team_id: int, owner: int, due: date, status: str,
            **extra: Any) -> dict[str, Any]:
    return {
        "authority_id": DEFAULT_AUTHORITY_ID, "source": "audit", "source_id": n // 3 + 1,
        "position": n % 3, "case_id": case_id, "team_id": team_id,
        "description": f"Synthetic action {n}", "owner_id": owner, "due": due,
        "needed_for_good": False, "status": status, "done_on": extra.get("done_on"),
        "verified_on": extra.get("verified_on"), "verified_by_id": None,
        "created_at": NOW - timedelta(days=15),
    }
