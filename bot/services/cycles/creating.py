"""Creating a cycle: check what the QA lead asked for, fill in the defaults, record the seed."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.domain.cycles import (
    MAX_SEED,
    CycleStatus,
    CycleValues,
    cadence_due,
    check_cycle,
    default_moderation_due,
)
from bot.services.cycles.common import Actor, CycleProblems, check_qa_lead, log_cycle
from bot.services.rule_settings import get_settings
from storage.audit_models import Cycle
from storage.claims import claim_once
from storage.db import read_only, unit_of_work
from storage.models import Service, Team


@dataclass(frozen=True)
class NewCycle:
    """A cycle as asked for; what is left None takes the authority's default."""

    name: str
    kind: str
    opens_on: date | None
    audit_due: date | None = None  # default: one cadence period after opening
    moderation_due: date | None = None  # default: two working weeks after the audits
    theme: str | None = None
    lookback_months: int | None = None
    per_auditor: int | None = None
    sample: int | None = None
    moderation_fraction: float | None = None
    case_types: tuple[str, ...] = ()
    teams: tuple[str, ...] = field(default=())  # team names
    services: tuple[str, ...] = field(default=())  # service names
    seed: int | None = None  # default: random, and recorded


@dataclass(frozen=True)
class CreatedCycle:
    """The new cycle's id (None for a repeated submission, which created nothing)."""

    cycle_id: int | None
    duplicate: bool = False


def _ids_by_name(
    session: Session, model: type[Team] | type[Service], authority_id: int, names: tuple[str, ...],
    what: str,
) -> tuple[list[int], list[str]]:
    """Ids of the named teams or services (matched without regard to case), and problems."""
    ids: list[int] = []
    problems: list[str] = []
    for name in names:
        found = session.exec(
            select(model.id).where(
                model.authority_id == authority_id,
                func.lower(model.name) == name.strip().lower(),
            )
        ).first()
        if found is None:
            problems.append(f"no {what} called {name.strip()!r}")
        else:
            ids.append(found)
    return sorted(set(ids)), problems


@dataclass(frozen=True)
class _Resolved:
    values: CycleValues
    team_ids: list[int]
    service_ids: list[int]
    problems: dict[str, list[str]]


def _resolve(session: Session, authority_id: int, new: NewCycle) -> _Resolved:
    """The cycle with its defaults filled in and names resolved, and every problem by field."""
    settings = get_settings(session, authority_id)
    rule = (new.per_auditor, new.sample)
    if rule == (None, None):
        rule = (settings.default_per_auditor, None)
    audit_due = new.audit_due
    if audit_due is None and new.opens_on is not None:
        audit_due = cadence_due(new.opens_on, settings.default_cadence)
    moderation_due = new.moderation_due
    if moderation_due is None and audit_due is not None:
        moderation_due = default_moderation_due(audit_due, settings.calendar())
    values = CycleValues(
        name=new.name.strip(),
        kind=new.kind,
        opens_on=new.opens_on,
        audit_due=audit_due,
        moderation_due=moderation_due,
        lookback_months=new.lookback_months or settings.default_lookback_months,
        per_auditor=rule[0],
        sample=rule[1],
        moderation_fraction=(
            settings.moderation_fraction
            if new.moderation_fraction is None
            else new.moderation_fraction
        ),
        case_types=tuple(sorted(set(new.case_types))),
        # Drawn once here and kept: the same draw can then be made, shown and defended.
        seed=secrets.randbelow(MAX_SEED + 1) if new.seed is None else new.seed,
    )
    problems = check_cycle(values)
    team_ids, team_problems = _ids_by_name(session, Team, authority_id, new.teams, "team")
    service_ids, service_problems = _ids_by_name(
        session, Service, authority_id, new.services, "service"
    )
    if team_problems:
        problems["teams"] = team_problems
    if service_problems:
        problems["services"] = service_problems
    return _Resolved(values, team_ids, service_ids, problems)


def cycle_problems(engine: Engine, *, authority_id: int, new: NewCycle) -> dict[str, list[str]]:
    """Every problem ``create_cycle`` would find with ``new``, by field; nothing is written."""
    with read_only(engine) as session:
        return _resolve(session, authority_id, new).problems


def create_cycle(
    engine: Engine, *, authority_id: int, actor: Actor, new: NewCycle, now: datetime,
    source_key: str | None = None,
) -> CreatedCycle:
    """Create a draft cycle; raises CycleProblems listing every problem by field.

    ``source_key`` identifies a submission (a modal's view id): submitting it twice creates
    one cycle.
    """
    check_qa_lead(engine, authority_id=authority_id, actor=actor, action="cycle.create",
                  record_type="cycle", record_id="new", now=now)
    with unit_of_work(engine) as session:
        resolved = _resolve(session, authority_id, new)
        values, team_ids, service_ids = resolved.values, resolved.team_ids, resolved.service_ids
        if resolved.problems:
            raise CycleProblems(resolved.problems)
        if source_key is not None and not claim_once(session, f"cycle-create:{source_key}", now):
            return CreatedCycle(None, duplicate=True)
        assert values.opens_on is not None and values.audit_due is not None
        cycle = Cycle(
            authority_id=authority_id,
            name=values.name,
            kind=values.kind,
            theme=(new.theme or "").strip() or None,
            opens_on=values.opens_on,
            audit_due=values.audit_due,
            moderation_due=values.moderation_due,
            lookback_months=values.lookback_months,
            per_auditor=values.per_auditor,
            sample=values.sample,
            moderation_fraction=values.moderation_fraction,
            filters=json.dumps(
                {"case_types": list(values.case_types), "team_ids": team_ids,
                 "service_ids": service_ids},
                sort_keys=True,
            ),
            seed=values.seed,
            status=CycleStatus.DRAFT,
            created_at=now,
        )
        session.add(cycle)
        session.flush()
        log_cycle(
            session, cycle, actor=actor, action="cycle.create", now=now, before=None,
            kind=cycle.kind, per_auditor=cycle.per_auditor, sample=cycle.sample,
            lookback_months=cycle.lookback_months, seed=cycle.seed,
            moderation_fraction=cycle.moderation_fraction,
        )
        session.commit()
        return CreatedCycle(cycle.id)


def cycle_filters(cycle: Cycle) -> dict[str, list]:  # type: ignore[type-arg]
    """A cycle's theme filters: case types, team ids and service ids."""
    stored = json.loads(cycle.filters or "{}")
    return {
        "case_types": list(stored.get("case_types", [])),
        "team_ids": [int(i) for i in stored.get("team_ids", [])],
        "service_ids": [int(i) for i in stored.get("service_ids", [])],
    }

