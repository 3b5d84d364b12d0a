"""Who must not audit or moderate a subject: the line-management tree and the team rules.

PRODUCT.md section 2 and Northamptonshire 5.6.1 ("cases with which they have not been involved
nor had management oversight"). For a subject (a case, or a person audited) of team T, worked
by W (the case worker, or the person audited) with named involved staff I, nobody may audit or
moderate it who is:

- W;
- above W in the line-management chain (W's manager, their manager, ...): oversight;
- below W (W is in their own chain): nobody audits their own manager's work or file;
- a member of T, or one of T's managers (team managers and deputies);
- above one of T's managers: oversight of the team, even when W reports elsewhere;
- in I.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bot.domain.allocation.model import Organisation

CONFLICT_RULES: tuple[str, ...] = (
    "conflict: not the case worker or the person audited",
    "conflict: not above the worker in the line-management chain (oversight)",
    "conflict: not below the worker (nobody audits their own manager's case or file)",
    "conflict: not a member or manager of the subject's team",
    "conflict: not above one of the team's managers (oversight of the team)",
    "conflict: not a named involved person of the case",
)


class ConflictIndex:
    """The directory indexed for conflict checks; built once per draw."""

    def __init__(self, organisation: Organisation) -> None:
        managers = {p.id: p.line_manager_id for p in organisation.people}
        self._above: dict[str, frozenset[str]] = {
            person_id: _chain_above(person_id, managers) for person_id in sorted(managers)
        }
        below: dict[str, set[str]] = defaultdict(set)
        members: dict[str, set[str]] = defaultdict(set)
        for person in organisation.people:
            for boss in self._above[person.id]:
                below[boss].add(person.id)
            if person.team_id is not None:
                members[person.team_id].add(person.id)
        self._below = {k: frozenset(v) for k, v in below.items()}
        self._members = {k: frozenset(v) for k, v in members.items()}
        self._team_managers = {t.id: t.manager_ids for t in organisation.teams}

    def above(self, person_id: str) -> frozenset[str]:
        """Everyone above ``person_id`` in the line-management chain (not themselves)."""
        return self._above.get(person_id, frozenset())

    def blocked(
        self, *, team_id: str, worker_id: str | None, involved_ids: Iterable[str]
    ) -> frozenset[str]:
        """Everyone who must not audit or moderate a subject of this team, worker and case."""
        blocked: set[str] = set(involved_ids)
        blocked |= self._members.get(team_id, frozenset())
        for manager in self._team_managers.get(team_id, ()):
            blocked.add(manager)
            blocked |= self.above(manager)
        if worker_id is not None:
            blocked.add(worker_id)
            blocked |= self.above(worker_id)
            blocked |= self._below.get(worker_id, frozenset())
        return frozenset(blocked)


def _chain_above(person_id: str, managers: dict[str, str | None]) -> frozenset[str]:
    # Walk up until the top or a repeat: a bad import may hold a management loop, and a loop
    # must not hang the draw (everyone on it is then above everyone else on it).
    seen: set[str] = set()
    boss = managers.get(person_id)
    while boss is not None and boss not in seen:
        seen.add(boss)
        boss = managers.get(boss)
    seen.discard(person_id)
    return frozenset(seen)
