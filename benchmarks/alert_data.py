"""Synthetic Practice Alert data for the benchmarks, inserted in bulk.

An org of a few services and teams with full ladders (team manager, service manager, head of
service, assistant director), resolved alerts as history, and open alerts whose stage clocks
are consistent with the domain's rules: each open alert's `next_check_at` is what
`bot.domain.alerts.next_check` gives for its state, so the sweep sees what it would in life.
No real names: every person is "Synthetic …" at example.org.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.domain.alerts import (
    CATEGORIES,
    AlertState,
    AlertTimes,
    Status,
    format_reference,
    limit_due,
    next_check,
)
from bot.domain.working_time import WorkingCalendar
from bot.services.alerts.common import times_from
from bot.services.rule_settings import get_settings
from storage.alert_models import Alert, AlertEvent, AlertRecipient
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Case, Service, Staff, StaffRole, Team

SERVICES, TEAMS_PER_SERVICE, CASES_PER_TEAM, RAISERS = 4, 5, 50, 10
#: A Tuesday morning; the scheduler is taken to have been down since the same time Monday.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
LAST_SWEEP = NOW - timedelta(days=1)
#: The columns of an alert that a sweep changes (put back between benchmark repetitions).
MUTABLE = (
    "status", "is_open", "stage", "stage_reached_at", "stage_acknowledged_at",
    "stage_responded_at", "acknowledged_at", "responded_at", "resolution_proposed_at",
    "resolved_at", "limit_notified_at", "next_check_at", "version",
)


@dataclass
class Org:
    """Ids of the synthetic org: each team's ladder, cases and the raisers."""

    ladders: dict[int, list[int]] = field(default_factory=dict)  # team id -> staff per rung
    cases: dict[int, list[int]] = field(default_factory=dict)  # team id -> case ids
    raisers: list[int] = field(default_factory=list)


@dataclass
class SweepData:
    """What was built: the sweep's `now` and the open alerts as inserted."""

    now: datetime
    open_rows: list[dict[str, Any]]
    history: int


def build_org(session: Session) -> Org:
    """Services and teams with a full ladder each, workers with cases, and raisers (IROs)."""
    org = Org()
    counter = iter(range(1, 1_000_000))

    def person(role: str, team_id: int | None = None, manager: int | None = None) -> int:
        n = next(counter)
        staff = Staff(authority_id=DEFAULT_AUTHORITY_ID, email=f"{role}{n}@example.org",
                      name=f"Synthetic {role} {n}", team_id=team_id, line_manager_id=manager,
                      slack_user_id=f"U{n:06d}")
        session.add(staff)
        session.flush()
        assert staff.id is not None
        session.add(StaffRole(staff_id=staff.id, role=role))
        emails[staff.id] = staff.email
        return staff.id

    emails: dict[int, str] = {}
    director = person("assistant_director")
    org.raisers = [person("iro") for _ in range(RAISERS)]
    for s in range(SERVICES):
        head = person("head_of_service", manager=director)
        manager = person("service_manager", manager=head)
        service = Service(authority_id=DEFAULT_AUTHORITY_ID, name=f"Service {s}",
                          head_of_service_email=emails[head])
        session.add(service)
        session.flush()
        for t in range(TEAMS_PER_SERVICE):
            team = Team(authority_id=DEFAULT_AUTHORITY_ID, name=f"Team {s}-{t}",
                        service_id=service.id or 0,
                        service_manager_email=emails[manager])
            session.add(team)
            session.flush()
            assert team.id is not None
            lead = person("team_manager", team.id, manager)
            team.team_manager_email = emails[lead]
            worker = person("practitioner", team.id, lead)
            cases = [Case(authority_id=DEFAULT_AUTHORITY_ID, case_ref=f"C{team.id:03d}{c:04d}",
                          team_id=team.id, worker_id=worker, case_type="CP")
                     for c in range(CASES_PER_TEAM)]
            session.add_all(cases)
            session.flush()
            org.ladders[team.id] = [lead, manager, head, director]
            org.cases[team.id] = [c.id for c in cases if c.id is not None]
    return org


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return _minute(start + (end - start) * rng.random())


def _base(rng: random.Random, org: Org, raised_at: datetime) -> dict[str, Any]:
    team_id = rng.choice(list(org.ladders))
    return {
        "authority_id": DEFAULT_AUTHORITY_ID, "team_id": team_id,
        "case_id": rng.choice(org.cases[team_id]), "raised_by_id": rng.choice(org.raisers),
        "category": rng.choice(list(CATEGORIES)),
        "severity": "urgent" if rng.random() < 0.2 else "standard",
        "management_decision": rng.random() < 0.1,
        "concern": "Synthetic concern.", "asked": "Synthetic ask.", "raised_at": raised_at,
        "version": 1,
    }


def history_row(rng: random.Random, org: Org) -> dict[str, Any]:
    """A resolved alert from the two years before the open ones."""
    raised = _between(rng, NOW - timedelta(days=760), NOW - timedelta(days=35))
    acknowledged = raised + timedelta(hours=rng.randint(1, 30))
    responded = acknowledged + timedelta(days=rng.randint(0, 4))
    resolved = responded + timedelta(days=rng.randint(1, 20))
    return {
        **_base(rng, org, raised), "status": Status.RESOLVED.value, "is_open": False,
        "stage": rng.choices(range(4), weights=(70, 20, 7, 3))[0], "stage_reached_at": raised,
        "stage_acknowledged_at": acknowledged, "stage_responded_at": responded,
        "acknowledged_at": acknowledged, "responded_at": responded,
        "resolution_proposed_at": resolved, "resolved_at": resolved, "limit_notified_at": None,
        "next_check_at": None,
    }


def open_row(rng: random.Random, org: Org, calendar: WorkingCalendar,
             times: AlertTimes) -> dict[str, Any]:
    """An open alert somewhere in its life, its next check worked out by the domain."""
    raised = _between(rng, NOW - timedelta(days=30), NOW - timedelta(hours=1))
    row = _base(rng, org, raised)
    stage = rng.choices(range(4), weights=(60, 25, 10, 5))[0]
    reached = raised if stage == 0 else _between(rng, raised, NOW - timedelta(minutes=30))
    status = rng.choices(list(Status)[:4], weights=(40, 30, 25, 5))[0]
    acked = None if status == Status.OPEN else _between(rng, reached, NOW - timedelta(minutes=2))
    responded = (_between(rng, acked, NOW - timedelta(minutes=1))
                 if acked and status in (Status.RESPONDED, Status.RESOLUTION_PROPOSED) else None)
    limit_at = limit_due(calendar, times, raised)
    limit_notified = limit_at if limit_at <= LAST_SWEEP else None
    state = AlertState(severity=row["severity"], status=status, stage=stage,
                       stage_reached_at=reached, stage_acknowledged=acked is not None,
                       stage_responded=responded is not None, raised_at=raised,
                       limit_notified=limit_notified is not None, top_stage=3)
    return {
        **row, "status": status.value, "is_open": True, "stage": stage,
        "stage_reached_at": reached, "stage_acknowledged_at": acked,
        "stage_responded_at": responded, "acknowledged_at": acked, "responded_at": responded,
        "resolution_proposed_at": responded if status == Status.RESOLUTION_PROPOSED else None,
        "resolved_at": None, "limit_notified_at": limit_notified,
        "next_check_at": next_check(calendar, times, state),
    }


def open_rows(rng: random.Random, org: Org, calendar: WorkingCalendar, times: AlertTimes,
              count: int, due: int) -> list[dict[str, Any]]:
    """`count` open alerts of which `due` fell due during the outage and the rest are later.

    A state whose check came before the outage is drawn again: a sweep would have moved it.
    """
    due_rows: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    while len(due_rows) < due or len(waiting) < count - due:
        row = open_row(rng, org, calendar, times)
        check = row["next_check_at"]
        if check is None or check > NOW:
            if len(waiting) < count - due:
                waiting.append(row)
        elif check > LAST_SWEEP and len(due_rows) < due:
            due_rows.append(row)
    return due_rows + waiting


def _insert_alerts(session: Session, org: Org, rows: list[dict[str, Any]]) -> None:
    rows.sort(key=lambda r: r["raised_at"])
    numbers: dict[int, int] = {}
    for alert_id, row in enumerate(rows, start=1):
        year = row["raised_at"].year
        numbers[year] = numbers.get(year, 0) + 1
        row["id"] = alert_id
        row["reference"] = format_reference(year, numbers[year])
    session.execute(insert(Alert), rows)
    recipients, events = [], []
    for row in rows:
        ladder = org.ladders[row["team_id"]]
        for stage in range(row["stage"] + 1):
            at = row["raised_at"] if stage == 0 else row["stage_reached_at"]
            recipients.append({"alert_id": row["id"], "staff_id": ladder[stage], "stage": stage,
                               "reached_at": at})
        events.append({"alert_id": row["id"], "at": row["raised_at"], "kind": "raised",
                       "actor_id": row["raised_by_id"], "stage": 0})
        if row["resolved_at"]:
            events.append({"alert_id": row["id"], "at": row["resolved_at"], "kind": "resolved",
                           "actor_id": row["raised_by_id"], "stage": row["stage"]})
    session.execute(insert(AlertRecipient), recipients)
    session.execute(insert(AlertEvent), events)
    if session.get_bind().dialect.name == "postgresql":
        # Ids were given explicitly: move the sequence past them.
        session.execute(text("SELECT setval(pg_get_serial_sequence('alert', 'id'), "
                             "(SELECT max(id) FROM alert))"))


def build_sweep_data(engine: Engine, *, history: int, open_alerts: int, due: int,
                     seed: int) -> SweepData:
    """The org, `history` resolved alerts and `open_alerts` open ones (`due` of them due)."""
    rng = random.Random(seed)
    with unit_of_work(engine) as session:
        org = build_org(session)
        settings = get_settings(session, DEFAULT_AUTHORITY_ID)
        calendar, times = settings.calendar(), times_from(settings)
        current = open_rows(rng, org, calendar, times, open_alerts, due)
        _insert_alerts(session, org, [history_row(rng, org) for _ in range(history)] + current)
        session.commit()
    if engine.dialect.name == "postgresql":
        # As autovacuum would after a while; left to itself it runs during the measurements.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return SweepData(now=NOW, open_rows=[{k: r[k] for k in ("id", *MUTABLE)} for r in current],
                     history=history)
