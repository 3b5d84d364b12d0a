"""A small synthetic authority for the audit cycle tests, and ways to look at what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.services.cycles import Actor, NewCycle, allocate_cycle, create_cycle
from storage.audit_models import Audit, Cycle
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Case, Staff
from tests.fakes.org import SyntheticOrg, load_org, make_org, register_in_fake_slack

OPERATOR = Actor.operator()
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday morning
OPENS = date(2026, 12, 1)  # a Tuesday
DUE = date(2027, 1, 12)


@dataclass
class Org:
    """The synthetic organisation loaded, and its people's ids."""

    synthetic: SyntheticOrg
    staff_ids: dict[str, int]  # e-mail -> staff id
    emails: dict[int, str]  # staff id -> e-mail
    slack_ids: dict[int, str]  # staff id -> Slack user id

    @property
    def qa_lead(self) -> str:
        """The QA lead's Slack user id."""
        return self.synthetic.with_role("qa_lead")[0].slack_user_id


def seed_org(engine: Engine, fake_slack: object | None = None) -> Org:
    """Six teams in two services, 70 staff (20 auditors), 150 open cases."""
    synthetic = make_org(teams=6, staff=70, cases=150, services=2, seed=0)
    load_org(engine, synthetic)
    if fake_slack is not None:
        register_in_fake_slack(synthetic, fake_slack)
    with unit_of_work(engine) as session:
        staff = session.exec(select(Staff)).all()
    return Org(
        synthetic=synthetic,
        staff_ids={s.email: s.id or 0 for s in staff},
        emails={s.id or 0: s.email for s in staff},
        slack_ids={s.id or 0: s.slack_user_id or "" for s in staff},
    )


def new_cycle(engine: Engine, *, now: datetime = NOW, **fields: object) -> int:
    """Create a cycle as the operator (a case-file cycle opening 1 December by default)."""
    # A fixed seed keeps each test's draw the same from run to run.
    values: dict[str, object] = {"name": "Synthetic cycle", "kind": "case_file",
                                 "opens_on": OPENS, "audit_due": DUE, "seed": 7, **fields}
    created = create_cycle(engine, authority_id=DEFAULT_AUTHORITY_ID, actor=OPERATOR,
                           new=NewCycle(**values), now=now)  # type: ignore[arg-type]
    assert created.cycle_id is not None
    return created.cycle_id


def allocated_cycle(engine: Engine, **fields: object) -> int:
    """A cycle created and drawn (complete)."""
    cycle_id = new_cycle(engine, **fields)
    outcome = allocate_cycle(engine, authority_id=DEFAULT_AUTHORITY_ID, actor=OPERATOR,
                             cycle_id=cycle_id, now=NOW)
    assert outcome.saved, outcome.summary.unplaced
    return cycle_id


def audits_of(engine: Engine, cycle_id: int, *, live: bool = True) -> list[Audit]:
    """The cycle's audits (only those not cancelled, unless ``live`` is false)."""
    with unit_of_work(engine) as session:
        query = select(Audit).where(Audit.cycle_id == cycle_id).order_by(col(Audit.id))
        if live:
            query = query.where(Audit.status != "cancelled")
        return list(session.exec(query).all())


def cycle_row(engine: Engine, cycle_id: int) -> Cycle:
    """The cycle as stored."""
    with unit_of_work(engine) as session:
        found = session.get(Cycle, cycle_id)
        assert found is not None
        return found


def case_refs(engine: Engine) -> dict[int, str]:
    """Case id -> reference."""
    with unit_of_work(engine) as session:
        return {c.id or 0: c.case_ref for c in session.exec(select(Case)).all()}


def button_values(blocks: list[dict], action_id: str) -> list[str]:
    """The values of every button with ``action_id`` in blocks (accessories and actions)."""
    found = []
    for block in blocks:
        elements = [block.get("accessory")] if block.get("accessory") else []
        elements += block.get("elements", []) if block.get("type") == "actions" else []
        found += [e["value"] for e in elements if e and e.get("action_id") == action_id]
    return found
