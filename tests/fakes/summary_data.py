"""A synthetic year of QA records for the summaries' tests and benchmark, inserted in bulk.

On top of an organisation already in the database (`tests.fakes.org.load_org`): cycles and
their audits (with the auditors' forms, drafts and moderators' forms that must not count),
actions, Practice Alerts, supervision records and good practice records, spread over the
dates given. Every row is also returned as plain Python values, so a test can work the figures
out again without SQL. Nothing is real: words are "Synthetic …".
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col

from bot.domain.rule_settings import CASE_FILE_DOMAINS
from storage.alert_models import Alert
from storage.audit_models import (
    Action,
    Audit,
    AuditForm,
    Cycle,
    GoodPractice,
    SupervisionRecord,
)
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Case, Staff, StaffRole

GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
GRADE_WEIGHTS = (1, 5, 3, 1)
CATEGORIES = ("drift_or_delay", "plan_not_progressing", "safeguarding_concern",
              "statutory_overdue", "assessment_or_plan_quality", "management_decision", "other")
CHUNK = 5000


@dataclass
class People:
    """The organisation as read back: who is where, for drawing records."""

    staff: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> team_id, roles, ...
    cases: list[tuple[int, int, int | None]] = field(default_factory=list)  # id, team, worker
    auditors: list[int] = field(default_factory=list)
    moderators: list[int] = field(default_factory=list)
    supervisees: list[tuple[int, int]] = field(default_factory=list)  # (supervisee, manager)


@dataclass
class SummaryData:
    """Every row inserted, as plain values (dates and aware datetimes)."""

    people: People
    cycles: list[dict[str, Any]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    forms: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    supervision: list[dict[str, Any]] = field(default_factory=list)
    good_practice: list[dict[str, Any]] = field(default_factory=list)


def read_people(engine: Engine, authority_id: int = DEFAULT_AUTHORITY_ID) -> People:
    """The staff, their roles and the cases, as loaded."""
    people = People()
    with unit_of_work(engine) as session:
        for sid, team_id, manager, email, assessed in session.execute(
            select(col(Staff.id), Staff.team_id, Staff.line_manager_id, Staff.email,
                   Staff.assessed_year_until).where(col(Staff.authority_id) == authority_id)
        ):
            people.staff[sid] = {"team_id": team_id, "manager": manager, "email": email,
                                 "assessed_year_until": assessed, "roles": set()}
        for sid, role in session.execute(select(StaffRole.staff_id, StaffRole.role)):
            if sid in people.staff:
                people.staff[sid]["roles"].add(role)
        people.cases = [tuple(r) for r in session.execute(  # type: ignore[misc]
            select(col(Case.id), Case.team_id, Case.worker_id)
            .where(col(Case.authority_id) == authority_id).order_by(col(Case.id)))]
    moderating = {"head_of_service", "service_manager", "principal_social_worker", "qa_lead"}
    for sid, info in sorted(people.staff.items()):
        if info["roles"] & {"team_manager", "iro", "cp_chair", "qa_lead"}:
            people.auditors.append(sid)
        if info["roles"] & moderating:
            people.moderators.append(sid)
        if info["manager"] is not None and info["roles"] & {"practitioner", "team_manager"}:
            people.supervisees.append((sid, info["manager"]))
    return people


def _next_id(engine: Engine, model: type[SQLModel]) -> int:
    with unit_of_work(engine) as session:
        return int(session.execute(select(func.coalesce(func.max(model.id), 0))).scalar()) + 1  # type: ignore[attr-defined]


def _insert(engine: Engine, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    with unit_of_work(engine) as session:
        for i in range(0, len(rows), CHUNK):
            session.execute(insert(table), rows[i:i + CHUNK])
        if engine.dialect.name == "postgresql" and "id" in table.c and rows and "id" in rows[0]:
            # Ids were given: move the sequence past them so later inserts do not collide.
            name = table.name
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM \"{name}\"))"))
        session.commit()


def _instant(rng: random.Random, first: date, last: date) -> datetime:
    day = first + timedelta(days=rng.randint(0, (last - first).days))
    return datetime.combine(day, time(8), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600))


def build_summary_data(
    engine: Engine, *, first: date, last: date, today: date, cycles: int = 8,
    audits_per_cycle: int = 600, actions: int = 200_000, alerts: int = 20_000,
    supervision: int = 50_000, good_practice: int = 1000, seed: int = 0,
    authority_id: int = DEFAULT_AUTHORITY_ID,
) -> SummaryData:
    """Insert a synthetic history between `first` and `last` (`today`: what is past)."""
    rng = random.Random(seed)
    data = SummaryData(read_people(engine, authority_id))
    _cycles_and_audits(engine, data, rng, first, last, today, cycles, audits_per_cycle,
                       authority_id)
    _actions(engine, data, rng, first, last, today, actions, authority_id, seed)
    _alerts(engine, data, rng, first, last, alerts, authority_id, seed)
    _supervision(engine, data, rng, first, last, supervision, authority_id)
    _good_practice(engine, data, rng, first, last, good_practice, authority_id, seed)
    return data


def _cycles_and_audits(engine: Engine, data: SummaryData, rng: random.Random, first: date,
                       last: date, today: date, count: int, per_cycle: int,
                       authority_id: int) -> None:
    span = max(1, ((last - first).days - 42) // max(1, count))
    cycle_id, audit_id = _next_id(engine, Cycle), _next_id(engine, Audit)
    created = datetime.combine(first, time(9), tzinfo=UTC)
    for c in range(count):
        opens = first + timedelta(days=c * span)
        due, moderation_due = opens + timedelta(days=28), opens + timedelta(days=42)
        data.cycles.append({
            "id": cycle_id + c, "authority_id": authority_id, "name": f"Synthetic cycle {c + 1}",
            "kind": "case_file", "opens_on": opens, "audit_due": due,
            "moderation_due": moderation_due, "seed": c, "created_at": created,
            "status": "closed" if moderation_due < today else "open",
        })
        for case_id, team_id, worker in rng.sample(data.people.cases, per_cycle):
            data.audits.append(_audit(rng, audit_id, cycle_id + c, case_id, team_id, worker,
                                      data.people, due, moderation_due, today, authority_id))
            audit_id += 1
    for audit in data.audits:
        data.forms.extend(_forms(rng, audit))
    _insert(engine, Cycle, data.cycles)
    _insert(engine, Audit, data.audits)
    _insert(engine, AuditForm, data.forms)


def _audit(rng: random.Random, audit_id: int, cycle_id: int, case_id: int, team_id: int,
           worker: int | None, people: People, due: date, moderation_due: date, today: date,
           authority_id: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": audit_id, "authority_id": authority_id, "cycle_id": cycle_id, "case_id": case_id,
        "team_id": team_id, "worker_id": worker, "auditor_id": rng.choice(people.auditors),
        "moderator_id": rng.choice(people.moderators), "audit_due": due,
        "moderation_due": moderation_due, "status": "allocated", "auditor_grade": None,
        "moderated_grade": None, "moderation_agreed": None, "submitted_at": None,
        "moderated_at": None,
    }
    roll = rng.random()
    if roll < 0.03:
        row["status"] = "cancelled"
    elif roll < 0.12 or (due > today and roll < 0.6):
        row["status"] = rng.choice(("allocated", "in_progress"))
    else:
        grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
        row.update(status="submitted", auditor_grade=grade,
                   submitted_at=_instant(rng, due - timedelta(days=20), due + timedelta(days=5)))
        if rng.random() < 0.7:
            agreed = rng.random() < 0.8
            moderated = grade if agreed else rng.choice([g for g in GRADES if g != grade])
            row.update(status=rng.choice(("moderated", "closed")), moderated_grade=moderated,
                       moderation_agreed=agreed,
                       moderated_at=row["submitted_at"] + timedelta(days=rng.randint(1, 12)))
    return row


def _forms(rng: random.Random, audit: dict[str, Any]) -> list[dict[str, Any]]:
    """The auditor's record (or a draft), and sometimes a moderator's form: only records count."""
    def answers() -> str:
        domains = {d: {"grade": rng.choices(GRADES, GRADE_WEIGHTS)[0], "comment": "Synthetic"}
                   for d in CASE_FILE_DOMAINS if rng.random() < 0.95}
        return json.dumps({"domains": domains, "overall_grade": audit["auditor_grade"],
                           "rationale": "Synthetic rationale"})

    at = audit["submitted_at"] or datetime(2026, 1, 1, tzinfo=UTC)
    forms = []
    if audit["submitted_at"] is not None:
        forms.append({"audit_id": audit["id"], "role": "auditor", "data": answers(),
                      "is_draft": False, "updated_at": at})
        if audit["moderated_at"] is not None and rng.random() < 0.5:
            forms.append({"audit_id": audit["id"], "role": "moderator", "data": answers(),
                          "is_draft": False, "updated_at": at})
    elif audit["status"] == "in_progress":
        forms.append({"audit_id": audit["id"], "role": "auditor", "data": answers(),
                      "is_draft": True, "updated_at": at})
    return forms


def _actions(engine: Engine, data: SummaryData, rng: random.Random, first: date, last: date,
             today: date, count: int, authority_id: int, seed: int) -> None:
    created = datetime.combine(first, time(9), tzinfo=UTC)
    cases = data.people.cases
    for i in range(count):
        case_id, team_id, worker = cases[rng.randrange(len(cases))]
        due = first + timedelta(days=rng.randint(0, (last - first).days))
        status = rng.choices(("open", "done", "closed"), (3, 1, 6))[0]
        done_on = verified_on = None
        if status != "open":
            done_on = due + timedelta(days=rng.randint(-20, 15))
        if status == "closed":
            verified_on = (done_on or due) + timedelta(days=rng.randint(0, 5))
        data.actions.append({
            "authority_id": authority_id, "source": "audit",
            "source_id": seed * 10_000_000 + i // 5,
            "position": i % 5, "case_id": case_id, "team_id": team_id,
            "description": "Synthetic action", "owner_id": worker or data.people.auditors[0],
            "due": due, "status": status, "done_on": done_on, "verified_on": verified_on,
            "created_at": created,
        })
    _insert(engine, Action, data.actions)


def _alerts(engine: Engine, data: SummaryData, rng: random.Random, first: date, last: date,
            count: int, authority_id: int, seed: int) -> None:
    raisers = [s for s, info in data.people.staff.items() if info["roles"] & {"iro", "cp_chair"}]
    raisers += data.people.auditors[:5]
    cases = data.people.cases
    for i in range(count):
        case_id, team_id, _ = cases[rng.randrange(len(cases))]
        raised = _instant(rng, first, last)
        ack = raised + timedelta(minutes=rng.randint(5, 4000)) if rng.random() < 0.9 else None
        resolved = None
        if ack is not None and rng.random() < 0.8:
            resolved = ack + timedelta(minutes=rng.randint(60, 30000))
        status = "resolved" if resolved else ("acknowledged" if ack else "open")
        data.alerts.append({
            "authority_id": authority_id, "reference": f"PA-{raised.year}-{seed}-{i + 1:05d}",
            "case_id": case_id, "team_id": team_id, "raised_by_id": rng.choice(raisers),
            "category": rng.choice(CATEGORIES), "severity": rng.choice(("urgent", "standard")),
            "concern": "Synthetic concern", "asked": "Synthetic ask", "status": status,
            "is_open": resolved is None, "stage": rng.choices((0, 1, 2, 3), (6, 2, 1, 1))[0],
            "stage_reached_at": raised, "raised_at": raised, "acknowledged_at": ack,
            "resolved_at": resolved,
        })
    _insert(engine, Alert, data.alerts)


def _supervision(engine: Engine, data: SummaryData, rng: random.Random, first: date,
                 last: date, count: int, authority_id: int) -> None:
    pairs = data.people.supervisees
    per_pair = max(1, count // max(1, len(pairs)))
    gap = max(2, (last - first).days // per_pair)
    steps = (gap // 2, gap, gap, gap, gap * 3 // 2, gap * 2)
    recorded = datetime.combine(first, time(9), tzinfo=UTC)
    seen: set[tuple[int, int, date, str]] = set()
    for _ in range(10):  # passes, until enough rows (bounded)
        for supervisee, manager in pairs:
            day = first + timedelta(days=rng.randint(0, gap))
            while day <= last and len(data.supervision) < count:
                kind = rng.choices(("one_to_one", "group", "reflective"), (8, 1, 1))[0]
                key = (manager, supervisee, day, kind)
                if key not in seen:
                    seen.add(key)
                    held = rng.random() > 0.08
                    data.supervision.append({
                        "authority_id": authority_id, "supervisor_id": manager,
                        "supervisee_id": supervisee, "held_on": day, "kind": kind,
                        "held": held, "missed_reason": None if held else "Synthetic reason",
                        "recorded_at": recorded,
                    })
                day += timedelta(days=max(1, rng.choice(steps)))
        if len(data.supervision) >= count:
            break
    _insert(engine, SupervisionRecord, data.supervision)


def _good_practice(engine: Engine, data: SummaryData, rng: random.Random, first: date,
                   last: date, count: int, authority_id: int, seed: int) -> None:
    workers = [(s, info["team_id"]) for s, info in data.people.staff.items()
               if "practitioner" in info["roles"]]
    for i in range(count):
        practitioner, team_id = rng.choice(workers)
        data.good_practice.append({
            "authority_id": authority_id, "practitioner_id": practitioner,
            "given_by_id": rng.choice(data.people.auditors), "team_id": team_id,
            "what": "Synthetic good practice", "given_at": _instant(rng, first, last),
            "source_key": f"synthetic:{seed}:{i}",
        })
    _insert(engine, GoodPractice, data.good_practice)
