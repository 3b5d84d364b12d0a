"""Checks on a draw's input, and its canonical (sorted) form.

A request that refers to someone or something that does not exist, or sets a rule to a value
it cannot take, is refused with every problem listed: drawing on bad input would give a
draw nobody could defend. The canonical form sorts every collection by id, so that the draw
never depends on the order rows came out of storage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, TypeVar

from bot.domain.allocation.model import CASE_KINDS, PERSON_KINDS, Case, DrawRequest, Person
from bot.domain.directory import CASE_TYPES, ROLE_KEYS

#: At most this many problems are listed (a broken import can produce thousands).
MAX_PROBLEMS = 50

T = TypeVar("T", Person, Case)


class AllocationInputError(ValueError):
    """A draw's input is inconsistent; ``problems`` lists each problem in words."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _duplicates(what: str, ids: Iterable[str]) -> list[str]:
    """A problem for each id that appears more than once."""
    return [f"{what} {i!r} appears {n} times" for i, n in Counter(ids).items() if n > 1]


def validate(request: DrawRequest) -> list[str]:
    """Every problem with ``request``, in words (empty when it can be drawn)."""
    org = request.organisation
    people = {p.id for p in org.people}
    teams = {t.id for t in org.teams}
    services = {s.id for s in org.services}
    problems = _duplicates("person", (p.id for p in org.people))
    problems += _duplicates("team", (t.id for t in org.teams))
    problems += _duplicates("service", (s.id for s in org.services))
    problems += _duplicates("case", (c.id for c in request.cases))
    problems += _duplicates("cycle", (c.id for c in request.cycles))
    problems += _duplicates(
        "person to audit", (f"{s.person_id}/{s.kind}" for s in request.people_to_audit)
    )

    for team in org.teams:
        if team.service_id not in services:
            problems.append(f"team {team.id!r}: unknown service {team.service_id!r}")
        problems += [
            f"team {team.id!r}: unknown manager {m!r}" for m in team.manager_ids if m not in people
        ]
    for person in org.people:
        if person.team_id is not None and person.team_id not in teams:
            problems.append(f"person {person.id!r}: unknown team {person.team_id!r}")
        if person.line_manager_id is not None and person.line_manager_id not in people:
            problems.append(f"person {person.id!r}: unknown line manager")
        problems += [
            f"person {person.id!r}: unknown role {r!r}" for r in person.roles if r not in ROLE_KEYS
        ]
    for case in request.cases:
        if case.team_id not in teams:
            problems.append(f"case {case.id!r}: unknown team {case.team_id!r}")
        if case.worker_id is not None and case.worker_id not in people:
            problems.append(f"case {case.id!r}: unknown worker {case.worker_id!r}")
        if case.case_type not in CASE_TYPES:
            problems.append(f"case {case.id!r}: unknown case type {case.case_type!r}")
        problems += [
            f"case {case.id!r}: unknown involved person {i!r}"
            for i in case.involved_ids
            if i not in people
        ]
    for subject in request.people_to_audit:
        if subject.person_id not in people:
            problems.append(f"person to audit {subject.person_id!r} is not in the directory")
        if subject.kind not in PERSON_KINDS:
            problems.append(f"person to audit {subject.person_id!r}: {subject.kind} audits cases")

    if not request.cycles:
        problems.append("no cycle to draw")
    for cycle in request.cycles:
        where = f"cycle {cycle.id!r}"
        if cycle.kind not in CASE_KINDS + PERSON_KINDS:
            problems.append(f"{where}: unknown kind {cycle.kind!r}")
        if (cycle.sample is None) == (cycle.per_auditor is None):
            problems.append(f"{where}: set exactly one of a total sample and a per-auditor N")
        for name, value in (("sample", cycle.sample), ("per_auditor", cycle.per_auditor)):
            if value is not None and value < 1:
                problems.append(f"{where}: {name} must be at least 1")
        if not 0.0 <= cycle.moderation_fraction <= 1.0:
            problems.append(f"{where}: moderation fraction must be between 0 and 1")
        if cycle.reaudit_months < 0:
            problems.append(f"{where}: re-audit window cannot be negative")
        if cycle.case_types and cycle.kind not in CASE_KINDS:
            problems.append(f"{where}: a case-type theme needs a case kind")
        problems += [
            f"{where}: unknown case type {t!r}" for t in cycle.case_types if t not in CASE_TYPES
        ]
        problems += [f"{where}: unknown team {t!r}" for t in cycle.team_ids if t not in teams]
        problems += [
            f"{where}: unknown service {s!r}" for s in cycle.service_ids if s not in services
        ]
        problems += [
            f"{where}: unknown unavailable person {p!r}"
            for p in cycle.unavailable_ids
            if p not in people
        ]
        problems += [
            f"{where}: unknown auditor role {r!r}"
            for r in cycle.auditor_roles
            if r not in ROLE_KEYS
        ]
    if request.capacity is not None and request.capacity < 0:
        problems.append("capacity cannot be negative")
    for name, loads in (
        ("existing load", request.existing_load),
        ("existing moderation load", request.existing_moderation_load),
    ):
        problems += [f"{name} of {p!r}: unknown person" for p in loads if p not in people]
        problems += [f"{name} of {p!r} is negative" for p, n in loads.items() if n < 0]
    if len(problems) > MAX_PROBLEMS:
        problems = problems[:MAX_PROBLEMS] + [f"... and {len(problems) - MAX_PROBLEMS} more"]
    return problems


def normalised(request: DrawRequest) -> DrawRequest:
    """``request`` with every collection sorted (and de-duplicated where a set is meant)."""

    def ids(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(values)))

    org = request.organisation
    return replace(
        request,
        organisation=replace(
            org,
            people=tuple(
                sorted((_with(p, "roles", ids(p.roles)) for p in org.people), key=lambda p: p.id)
            ),
            teams=tuple(
                sorted(
                    (replace(t, manager_ids=ids(t.manager_ids)) for t in org.teams),
                    key=lambda t: t.id,
                )
            ),
            services=tuple(sorted(org.services, key=lambda s: s.id)),
        ),
        cycles=tuple(
            sorted(
                (
                    replace(
                        c,
                        case_types=ids(c.case_types),
                        team_ids=ids(c.team_ids),
                        service_ids=ids(c.service_ids),
                        unavailable_ids=ids(c.unavailable_ids),
                        auditor_roles=ids(c.auditor_roles),
                    )
                    for c in request.cycles
                ),
                key=lambda c: c.id,
            )
        ),
        cases=tuple(
            sorted(
                (_with(c, "involved_ids", ids(c.involved_ids)) for c in request.cases),
                key=lambda c: c.id,
            )
        ),
        people_to_audit=tuple(sorted(request.people_to_audit, key=lambda s: (s.kind, s.person_id))),
        existing_load=dict(sorted(request.existing_load.items())),
        existing_moderation_load=dict(sorted(request.existing_moderation_load.items())),
    )


def _with(item: T, name: str, value: tuple[str, ...]) -> T:
    """``item`` with field ``name`` set to ``value``, copied only when that changes it."""
    # Tens of thousands of cases, most already in order: a copy of each would cost for nothing.
    if getattr(item, name) == value:
        return item
    changes: dict[str, Any] = {name: value}
    return replace(item, **changes)
