"""Which subjects a cycle may draw, how its sample is spread over teams, and the random draw.

Spread (PRODUCT.md section 2): unless a theme filters the subjects, a cycle's sample is
apportioned to services in proportion to their open subjects (largest remainder), then each
service's part to its teams, each team getting the floor or the ceiling of its *overall*
proportional share. So every team, and every service, is within one of its exact share.
"""

from __future__ import annotations

import calendar
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.allocation.model import (
    CycleSpec,
    DrawRequest,
    Person,
    Team,
    TeamQuota,
)

REASON_CLOSED = "case closed"
REASON_INACTIVE = "person inactive"
REASON_NO_TEAM = "person in no team"
REASON_CASE_TYPE = "filtered by theme: case type"
REASON_TEAM = "filtered by theme: team"
REASON_SERVICE = "filtered by theme: service"
REASON_TAKEN = "already drawn by another cycle of this draw"


def reason_recent(months: int) -> str:
    """The exclusion reason for a subject audited within the re-audit window."""
    return f"audited within the re-audit window ({months} months)"


@dataclass(frozen=True)
class Candidate:
    """A subject a cycle may draw, with what the conflict rules need to know about it."""

    id: str
    case_ref: str | None
    team_id: str
    service_id: str
    worker_id: str | None
    involved_ids: tuple[str, ...]


@dataclass
class DrawnSubject:
    """A drawn subject of a cycle, its eligible auditors, and what it was given."""

    cycle: CycleSpec
    candidate: Candidate
    auditors: list[str]
    auditor: str | None = None
    moderator: str | None = None


@dataclass
class Population:
    """A cycle's drawable subjects, open subjects per team, and the exclusions on the way."""

    candidates: list[Candidate]
    open_by_team: dict[str, int]
    excluded: dict[str, list[str]]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def audit_type(cycle: CycleSpec) -> str:
    """What a subject is audited as: one case is not drawn twice in a draw, nor one file."""
    # case_file and thematic both audit the case; the two person kinds audit different things.
    return "case" if cycle.audits_cases else cycle.kind


def population(
    cycle: CycleSpec,
    request: DrawRequest,
    people: Mapping[str, Person],
    teams: Mapping[str, Team],
    taken: set[tuple[str, str]],
) -> Population:
    """The subjects ``cycle`` may draw, in id order, with every exclusion and its reason."""
    excluded: dict[str, list[str]] = defaultdict(list)
    open_by_team: dict[str, int] = defaultdict(int)
    candidates: list[Candidate] = []

    def theme_reason(team_id: str, case_type: str | None) -> str | None:
        if cycle.case_types and case_type is not None and case_type not in cycle.case_types:
            return REASON_CASE_TYPE
        if cycle.team_ids and team_id not in cycle.team_ids:
            return REASON_TEAM
        if cycle.service_ids and teams[team_id].service_id not in cycle.service_ids:
            return REASON_SERVICE
        return None

    def consider(candidate: Candidate, last_audited: date | None) -> None:
        # Open subjects weigh in the spread even when recently audited: the spread follows
        # where the work is; a team short of drawable subjects is then reported, not hidden.
        open_by_team[candidate.team_id] += 1
        if last_audited is not None and cycle.opens_on < add_months(
            last_audited, cycle.reaudit_months
        ):
            excluded[reason_recent(cycle.reaudit_months)].append(candidate.id)
        elif (audit_type(cycle), candidate.id) in taken:
            excluded[REASON_TAKEN].append(candidate.id)
        else:
            candidates.append(candidate)

    if cycle.audits_cases:
        for case in request.cases:
            reason = REASON_CLOSED if not case.open else theme_reason(case.team_id, case.case_type)
            if reason is not None:
                excluded[reason].append(case.id)
                continue
            service_id = teams[case.team_id].service_id
            candidate = Candidate(
                case.id, case.ref, case.team_id, service_id, case.worker_id, case.involved_ids
            )
            consider(candidate, case.last_audited)
    else:
        for subject in request.people_to_audit:
            if subject.kind != cycle.kind:
                continue
            person = people[subject.person_id]
            if not person.active:
                excluded[REASON_INACTIVE].append(person.id)
                continue
            if person.team_id is None:
                excluded[REASON_NO_TEAM].append(person.id)
                continue
            reason = theme_reason(person.team_id, None)
            if reason is not None:
                excluded[reason].append(person.id)
                continue
            service_id = teams[person.team_id].service_id
            consider(
                Candidate(person.id, None, person.team_id, service_id, person.id, ()),
                subject.last_audited,
            )
    return Population(candidates, dict(open_by_team), dict(excluded))


def apportion(
    total: int,
    open_by_team: Mapping[str, int],
    service_of: Mapping[str, str],
    rng: random.Random,
) -> list[TeamQuota]:
    """Spread ``total`` over teams by open subjects: services first, then their teams.

    Largest remainder at both steps, in exact integer arithmetic; equal remainders are
    broken by a random key per service and per team, drawn from ``rng`` in id order.
    """
    teams = sorted(t for t, n in open_by_team.items() if n > 0)
    weight = sum(open_by_team[t] for t in teams)
    if weight == 0 or total <= 0:
        return [TeamQuota(t, service_of[t], open_by_team[t], 0.0, 0) for t in sorted(open_by_team)]
    services = sorted({service_of[t] for t in teams})
    tie = {("s", s): rng.random() for s in services} | {("t", t): rng.random() for t in teams}

    by_service: dict[str, list[str]] = defaultdict(list)
    for t in teams:
        by_service[service_of[t]].append(t)
    service_weight = {s: sum(open_by_team[t] for t in by_service[s]) for s in services}
    service_quota = _largest_remainder(
        total, {s: service_weight[s] for s in services}, weight, lambda s: tie[("s", s)], total
    )
    quotas: list[TeamQuota] = []
    for s in services:
        members = {t: open_by_team[t] for t in by_service[s]}
        team_quota = _largest_remainder(
            total, members, weight, lambda t: tie[("t", t)], service_quota[s]
        )
        for t in by_service[s]:
            share = round(total * open_by_team[t] / weight, 4)
            quotas.append(TeamQuota(t, s, open_by_team[t], share, team_quota[t]))
    return sorted(quotas, key=lambda q: q.team_id)


def _largest_remainder(
    total: int,
    weights: Mapping[str, int],
    whole: int,
    tie_key: Callable[[str], float],
    target: int,
) -> dict[str, int]:
    """Floors of ``total * w / whole``, plus one for the largest remainders up to ``target``."""
    quota = {k: total * w // whole for k, w in weights.items()}
    remainder = {k: total * w % whole for k, w in weights.items()}
    extra = target - sum(quota.values())
    # Largest remainder first; the ordering is total (ties by a seeded key, then by id).
    for k in sorted(weights, key=lambda k: (-remainder[k], tie_key(k), k))[:extra]:
        quota[k] += 1
    return quota


def random_order(items: Sequence[Candidate], rng: random.Random) -> Iterator[Candidate]:
    """Yield ``items`` in a random order, lazily (a partial Fisher-Yates shuffle).

    A team usually needs a few of its hundreds of subjects: only those looked at cost a
    random number, and the order is the same as a full shuffle would give for them.
    """
    pool = list(items)
    for i in range(len(pool)):
        j = rng.randrange(i, len(pool))
        pool[i], pool[j] = pool[j], pool[i]
        yield pool[i]


@dataclass
class Drawn:
    """A group's draw: subjects taken (with their eligible auditors) and those passed over."""

    taken: list[tuple[Candidate, list[str]]]
    no_free_auditor: list[str]


def draw_group(
    candidates: Sequence[Candidate],
    quota: int,
    eligible_auditors: Callable[[Candidate], list[str]],
    rng: random.Random,
) -> Drawn:
    """Draw up to ``quota`` subjects at random, passing over any no auditor could take."""
    drawn = Drawn([], [])
    if quota <= 0:
        return drawn
    for candidate in random_order(candidates, rng):
        auditors = eligible_auditors(candidate)
        if not auditors:
            # Nobody in the pool is free of conflict with it: drawing it would only leave an
            # audit unplaced, so the next subject in the random order takes its place.
            drawn.no_free_auditor.append(candidate.id)
            continue
        drawn.taken.append((candidate, auditors))
        if len(drawn.taken) == quota:
            break
    return drawn
