"""The rules a draw applied, in words and settings, for its receipt."""

from __future__ import annotations

from bot.domain.allocation.conflicts import CONFLICT_RULES
from bot.domain.allocation.model import MODERATOR_ROLES, CycleSpec, DrawRequest


def rules_applied(request: DrawRequest) -> tuple[str, ...]:
    """Every rule and setting of ``request``'s draw, one line each."""
    capacity = (
        "capacity: no limit"
        if request.capacity is None
        else f"capacity: at most {request.capacity} audits per auditor, counting audits "
        "held in other cycles open at the same time"
    )
    return (
        f"random: random.Random({request.seed}); inputs sorted by id first",
        "pool: active people with the auditor flag, minus the unavailable and those at capacity",
        *CONFLICT_RULES,
        capacity,
        "load: as even as the pool allows, counting audits held in other open cycles "
        "(max flow, capacities raised one level at a time)",
        "unavailable: a person unavailable for a cycle gets nothing in it",
        "unique: a case is drawn once per draw; a person once per person kind",
        f"moderators: active {', '.join(MODERATOR_ROLES)}; not the auditor; the auditor's "
        "conflict rules apply to them too; load as even as the pool allows",
        *(_cycle_rule(c) for c in request.cycles),
    )


def _cycle_rule(cycle: CycleSpec) -> str:
    """One cycle's settings in one line."""
    noun = "cases" if cycle.audits_cases else "practitioners"
    sample = (
        f"sample {cycle.sample}" if cycle.sample is not None else f"{cycle.per_auditor} per auditor"
    )
    if cycle.themed:
        theme = (
            f"theme: case types {list(cycle.case_types)}, teams {list(cycle.team_ids)}, "
            f"services {list(cycle.service_ids)}; drawn at random from the themed {noun}, "
            "not spread by team"
        )
    else:
        theme = (
            "spread over services then teams in proportion to their "
            f"{'open cases' if cycle.audits_cases else 'active practitioners'} "
            "(largest remainder, each within one of its share)"
        )
    roles = f"; auditor roles {list(cycle.auditor_roles)}" if cycle.auditor_roles else ""
    return (
        f"cycle {cycle.id}: {cycle.kind} opening {cycle.opens_on.isoformat()}; {sample}; "
        f"re-audit window {cycle.reaudit_months} months; {theme}; moderated fraction "
        f"{cycle.moderation_fraction:g} (rounded up){roles}"
    )
