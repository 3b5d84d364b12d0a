"""Who may audit and who may moderate in a cycle, and who is left out and why."""

from __future__ import annotations

from bot.domain.allocation.model import (
    MODERATOR_ROLES,
    CycleSpec,
    DrawRequest,
    PersonExclusion,
)


def auditor_pool(
    cycle: CycleSpec, request: DrawRequest, excluded: list[PersonExclusion]
) -> tuple[str, ...]:
    """The cycle's auditors (id order); everyone flagged but left out goes to ``excluded``."""
    pool: list[str] = []
    unavailable = set(cycle.unavailable_ids)
    capacity = request.capacity
    for person in request.organisation.people:
        if not person.auditor:
            continue
        held = request.existing_load.get(person.id, 0)
        left = None if capacity is None else capacity - held
        reason: str | None = None
        if not person.active:
            reason = "inactive"
        elif person.id in unavailable:
            reason = "unavailable for this cycle"
        elif cycle.auditor_roles and not set(person.roles) & set(cycle.auditor_roles):
            reason = f"not in the cycle's auditor roles ({', '.join(cycle.auditor_roles)})"
        elif left is not None and left <= 0:
            reason = f"at capacity: {held} audits open in other cycles (capacity {capacity})"
        elif left is not None and cycle.per_auditor is not None and left < cycle.per_auditor:
            # "Each auditor gets exactly N": someone who can take fewer is not in the pool.
            reason = f"capacity left ({left}) is less than {cycle.per_auditor} per auditor"
        if reason is None:
            pool.append(person.id)
        else:
            excluded.append(PersonExclusion(cycle.id, person.id, "auditor", reason))
    return tuple(pool)


def moderator_pool(
    cycle: CycleSpec, request: DrawRequest, excluded: list[PersonExclusion]
) -> tuple[str, ...]:
    """The cycle's moderators (id order): active holders of a moderator role, available."""
    if cycle.moderation_fraction == 0:
        return ()
    pool: list[str] = []
    unavailable = set(cycle.unavailable_ids)
    for person in request.organisation.people:
        if not set(person.roles) & set(MODERATOR_ROLES):
            continue
        if not person.active:
            excluded.append(PersonExclusion(cycle.id, person.id, "moderator", "inactive"))
        elif person.id in unavailable:
            excluded.append(
                PersonExclusion(cycle.id, person.id, "moderator", "unavailable for this cycle")
            )
        else:
            pool.append(person.id)
    return tuple(pool)
