"""A cycle in the engine's terms: its spec, who is unavailable, and loads held elsewhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlmodel import Session, col, select

from bot.domain.allocation import CycleSpec
from bot.domain.cycles import CANCELLED, CycleStatus, audits_cases
from bot.domain.rule_settings import RuleSettings
from bot.services.cycles.creating import cycle_filters
from storage.audit_models import Audit, Cycle, CycleUnavailable


def existing_loads(
    session: Session, cycle: Cycle, *, exclude_audits: Collection[int] = (),
    include_own: bool = False,
) -> tuple[dict[str, int], dict[str, int]]:
    """Audits and moderations each person holds in cycles open at the same time as ``cycle``.

    Other cycles count when drawn (allocated or open) and their dates overlap; with
    ``include_own``, the cycle's own audits count too, except ``exclude_audits``.
    """
    overlapping = select(Cycle.id).where(
        Cycle.authority_id == cycle.authority_id,
        col(Cycle.status).in_((CycleStatus.ALLOCATED, CycleStatus.OPEN)),
        Cycle.opens_on <= cycle.audit_due, Cycle.audit_due >= cycle.opens_on,
        Cycle.id != cycle.id,
    )
    cycle_ids = set(session.exec(overlapping).all())
    if include_own and cycle.id is not None:
        cycle_ids.add(cycle.id)
    audits: dict[str, int] = defaultdict(int)
    moderations: dict[str, int] = defaultdict(int)
    if not cycle_ids:
        return {}, {}
    rows = session.exec(
        select(Audit.id, Audit.auditor_id, Audit.moderator_id).where(
            col(Audit.cycle_id).in_(cycle_ids), Audit.status != CANCELLED
        )
    ).all()
    for audit_id, auditor_id, moderator_id in rows:
        if audit_id in exclude_audits:
            continue
        audits[str(auditor_id)] += 1
        if moderator_id is not None:
            moderations[str(moderator_id)] += 1
    return dict(audits), dict(moderations)


def unavailable_ids(session: Session, cycle_id: int) -> tuple[str, ...]:
    """Everyone marked unavailable for the cycle."""
    return tuple(
        str(i) for i in session.exec(
            select(CycleUnavailable.staff_id).where(CycleUnavailable.cycle_id == cycle_id)
        ).all()
    )


def cycle_spec(
    cycle: Cycle, settings: RuleSettings, unavailable: tuple[str, ...], *,
    sample: int | None = None,
) -> CycleSpec:
    """The engine's view of a cycle (``sample`` overrides its rule: a reallocation's size)."""
    filters = cycle_filters(cycle)
    return CycleSpec(
        id=str(cycle.id),
        kind=cycle.kind,  # type: ignore[arg-type]
        opens_on=cycle.opens_on,
        sample=cycle.sample if sample is None else sample,
        per_auditor=cycle.per_auditor if sample is None else None,
        moderation_fraction=cycle.moderation_fraction,
        case_types=tuple(filters["case_types"]) if audits_cases(cycle.kind) else (),
        team_ids=tuple(str(i) for i in filters["team_ids"]),
        service_ids=tuple(str(i) for i in filters["service_ids"]),
        reaudit_months=settings.reaudit_months,
        unavailable_ids=unavailable,
    )
