"""Draw audit cycles: sample the subjects, assign auditors and moderators, write the receipt.

One call draws every cycle opening together from one pool (Northamptonshire: thematic peer
audits, practice observations and supervision files from 66 auditors), so that capacity and
balance are counted across them. Steps, each recorded in the receipt:

1. the pools: flagged auditors, minus the inactive, the unavailable and those at capacity;
2. per cycle (id order): the drawable subjects, the spread of the sample over teams, and a
   seeded random draw that passes over subjects no auditor in the pool could take;
3. auditors for every subject at once, by levelled maximum flow (``flow.py``);
4. the audits to moderate (the cycle's fraction, spread over auditors), and their
   moderators by the same levelled flow.

Nothing is retried at random and no rule is relaxed: what cannot be placed is listed in
``unplaced`` with its reason, and the result is then not ``complete``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.allocation.conflicts import ConflictIndex
from bot.domain.allocation.flow import levelled_assignment
from bot.domain.allocation.model import (
    Assignment,
    CycleRecord,
    CycleSpec,
    DrawRequest,
    Load,
    Person,
    PersonExclusion,
    SubjectExclusion,
    Team,
    TeamQuota,
    Unplaced,
)
from bot.domain.allocation.moderation import assign_moderators
from bot.domain.allocation.pools import auditor_pool, moderator_pool
from bot.domain.allocation.receipt import DrawResult, Receipt, inputs_sha256
from bot.domain.allocation.rules import rules_applied
from bot.domain.allocation.sampling import (
    Candidate,
    DrawnSubject,
    apportion,
    audit_type,
    draw_group,
    population,
)
from bot.domain.allocation.validation import AllocationInputError, normalised, validate

ALGORITHM = "qabot-allocation/1: seeded draw by team quota, levelled max flow (SciPy Dinic)"


@dataclass
class _State:
    """One draw in progress: its input indexed, its random stream, and what it left out."""

    request: DrawRequest
    rng: random.Random
    conflicts: ConflictIndex
    people: dict[str, Person]
    teams: dict[str, Team]
    taken: set[tuple[str, str]] = field(default_factory=set)
    unplaced: list[Unplaced] = field(default_factory=list)
    excluded_people: list[PersonExclusion] = field(default_factory=list)
    excluded_subjects: list[SubjectExclusion] = field(default_factory=list)


@dataclass
class _CycleSample:
    """What sampling did for one cycle."""

    size: int
    quotas: tuple[TeamQuota, ...]
    subjects: list[DrawnSubject]


def draw(request: DrawRequest) -> DrawResult:
    """Draw the request's cycles; the same request always gives the same draw.

    Raises ``AllocationInputError`` listing every problem when the input is inconsistent
    (unknown ids, a cycle with no sample rule ...). A draw that cannot place everything is not
    an error: it comes back with ``complete`` false and each thing unplaced named.
    """
    problems = validate(request)
    if problems:
        raise AllocationInputError(problems)
    request = normalised(request)
    state = _State(
        request=request,
        rng=random.Random(request.seed),
        conflicts=ConflictIndex(request.organisation),
        people={p.id: p for p in request.organisation.people},
        teams={t.id: t for t in request.organisation.teams},
    )
    excluded_people, unplaced = state.excluded_people, state.unplaced
    pools = {c.id: auditor_pool(c, request, excluded_people) for c in request.cycles}
    moderators = {c.id: moderator_pool(c, request, excluded_people) for c in request.cycles}
    samples = {c.id: _sample(state, c, pools[c.id]) for c in request.cycles}
    subjects = [s for c in request.cycles for s in samples[c.id].subjects]
    _assign_auditors(state, subjects, pools)
    placed = [s for s in subjects if s.auditor is not None]
    moderated = assign_moderators(placed, request, state.conflicts, moderators, state.rng, unplaced)

    assignments = tuple(
        sorted(
            (
                Assignment(
                    cycle_id=s.cycle.id,
                    subject_id=s.candidate.id,
                    case_ref=s.candidate.case_ref,
                    team_id=s.candidate.team_id,
                    service_id=s.candidate.service_id,
                    worker_id=s.candidate.worker_id,
                    auditor_id=s.auditor,
                    moderator_id=s.moderator,
                )
                for s in placed
                if s.auditor is not None
            ),
            key=lambda a: (a.cycle_id, a.team_id, a.subject_id),
        )
    )
    records = tuple(
        CycleRecord(
            cycle_id=c.id,
            kind=c.kind,
            sample_size=samples[c.id].size,
            auditor_pool=pools[c.id],
            moderator_pool=moderators[c.id],
            quotas=samples[c.id].quotas,
            drawn=tuple(sorted(s.candidate.id for s in samples[c.id].subjects)),
            moderated=moderated.get(c.id, 0),
        )
        for c in request.cycles
    )
    receipt = Receipt(
        algorithm=ALGORITHM,
        seed=request.seed,
        inputs_sha256=inputs_sha256(request),
        complete=not unplaced,
        rules=rules_applied(request),
        cycles=records,
        excluded_people=tuple(excluded_people),
        excluded_subjects=tuple(state.excluded_subjects),
        assignments=assignments,
        unplaced=tuple(unplaced),
        loads=_loads(request, pools, moderators, assignments),
        inputs=request,
    )
    return DrawResult(receipt)


def rerun(receipt: Receipt) -> DrawResult:
    """Draw a receipt's inputs again; raises ValueError if they do not match its fingerprint."""
    if inputs_sha256(receipt.inputs) != receipt.inputs_sha256:
        raise ValueError("the receipt's inputs do not match its fingerprint (inputs_sha256)")
    return draw(receipt.inputs)


def _sample(state: _State, cycle: CycleSpec, pool: tuple[str, ...]) -> _CycleSample:
    """Draw one cycle's subjects at random, team by team, reporting every shortfall."""
    noun = "cases" if cycle.audits_cases else "practitioners"
    size = cycle.sample if cycle.sample is not None else (cycle.per_auditor or 0) * len(pool)
    if not pool:
        reason = "no auditor available (see who was left out of the pool, and why)"
        state.unplaced.append(Unplaced(cycle.id, "cycle", cycle.id, reason))
        return _CycleSample(0, (), [])
    found = population(cycle, state.request, state.people, state.teams, state.taken)

    def eligible(candidate: Candidate) -> list[str]:
        blocked = state.conflicts.blocked(
            team_id=candidate.team_id,
            worker_id=candidate.worker_id,
            involved_ids=candidate.involved_ids,
        )
        return [a for a in pool if a not in blocked]

    quotas: tuple[TeamQuota, ...] = ()
    if cycle.themed:
        groups = [("", found.candidates, size)]
    else:
        service_of = {t.id: t.service_id for t in state.teams.values()}
        quotas = tuple(apportion(size, found.open_by_team, service_of, state.rng))
        by_team: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in found.candidates:
            by_team[candidate.team_id].append(candidate)
        groups = [(q.team_id, by_team.get(q.team_id, []), q.quota) for q in quotas]
        if not found.open_by_team:
            reason = f"no open {noun} to sample from"
            state.unplaced.append(Unplaced(cycle.id, "cycle", cycle.id, reason))

    subjects: list[DrawnSubject] = []
    no_free: list[str] = []
    for team_id, candidates, quota in groups:
        drawn = draw_group(candidates, quota, eligible, state.rng)
        no_free += drawn.no_free_auditor
        subjects += [DrawnSubject(cycle, c, auditors) for c, auditors in drawn.taken]
        if len(drawn.taken) < quota:
            where = f"in team {team_id} " if team_id else ""
            reason = (
                f"not enough eligible {noun} {where}for the sample: needs {quota}, found "
                f"{len(drawn.taken)} ({len(candidates)} drawable after the re-audit window "
                f"and other cycles, {len(drawn.no_free_auditor)} of them with no auditor "
                "in the pool free of conflict)"
            )
            state.unplaced.append(
                Unplaced(cycle.id, "team" if team_id else "cycle", team_id or cycle.id, reason)
            )
    state.taken.update((audit_type(cycle), s.candidate.id) for s in subjects)
    for reason, ids in sorted(found.excluded.items()):
        state.excluded_subjects.append(SubjectExclusion(cycle.id, reason, tuple(ids)))
    if no_free:
        state.excluded_subjects.append(
            SubjectExclusion(
                cycle.id,
                "drawn, but no auditor in the pool is free of conflict: passed over",
                tuple(sorted(no_free)),
            )
        )
    return _CycleSample(size, quotas, subjects)


def _assign_auditors(
    state: _State, subjects: list[DrawnSubject], pools: Mapping[str, tuple[str, ...]]
) -> None:
    """Give every drawn subject an auditor by levelled max flow; report what does not fit."""
    # The seeded shuffles of nodes are the draw's tie-breaking among equally good flows.
    order = list(range(len(subjects)))
    state.rng.shuffle(order)
    auditors = sorted({a for pool in pools.values() for a in pool})
    state.rng.shuffle(auditors)
    index = {a: i for i, a in enumerate(auditors)}
    buckets: list[tuple[CycleSpec, str]] = []
    bucket_of: dict[tuple[str, str], int] = {}
    for cycle in state.request.cycles:
        for auditor in sorted(pools[cycle.id], key=index.__getitem__):
            bucket_of[(cycle.id, auditor)] = len(buckets)
            buckets.append((cycle, auditor))
    choice = levelled_assignment(
        subject_buckets=[
            [bucket_of[(subjects[i].cycle.id, a)] for a in subjects[i].auditors] for i in order
        ],
        bucket_owner=[index[a] for _, a in buckets],
        bucket_cap=[c.per_auditor or len(subjects) for c, _ in buckets],
        base_load=[state.request.existing_load.get(a, 0) for a in auditors],
        capacity=[state.request.capacity] * len(auditors),
    )
    given: dict[tuple[str, str], int] = defaultdict(int)
    for i, bucket in zip(order, choice, strict=True):
        if bucket is not None:
            cycle, auditor = buckets[bucket]
            subjects[i].auditor = auditor
            given[(cycle.id, auditor)] += 1

    for s in sorted(subjects, key=lambda s: (s.cycle.id, s.candidate.id)):
        if s.auditor is None:
            state.unplaced.append(
                Unplaced(
                    s.cycle.id,
                    "subject",
                    s.candidate.id,
                    f"no eligible auditor with capacity left (all {len(s.auditors)} auditors "
                    "free of conflict are full)",
                )
            )
    eligible_count: dict[tuple[str, str], int] = defaultdict(int)
    for s in subjects:
        for auditor in s.auditors:
            eligible_count[(s.cycle.id, auditor)] += 1
    for cycle, auditor in sorted(buckets, key=lambda b: (b[0].id, b[1])):
        wanted = cycle.per_auditor
        got = given[(cycle.id, auditor)]
        if wanted is None or got >= wanted:
            continue
        could = eligible_count[(cycle.id, auditor)]
        reason = (
            f"auditor has no eligible {'case' if cycle.audits_cases else 'person'} in the sample"
            if could == 0
            else f"not enough eligible subjects for this auditor: {got} of {wanted} (the other "
            f"{could - got} they could take went to auditors who could take nothing else, "
            "or capacity ran out)"
        )
        state.unplaced.append(Unplaced(cycle.id, "auditor", auditor, reason))


def _loads(
    request: DrawRequest,
    pools: Mapping[str, tuple[str, ...]],
    moderators: Mapping[str, tuple[str, ...]],
    assignments: tuple[Assignment, ...],
) -> tuple[Load, ...]:
    """Each pooled person's load before and from the draw, in id order."""
    audits: dict[str, int] = defaultdict(int)
    moderations: dict[str, int] = defaultdict(int)
    for a in assignments:
        audits[a.auditor_id] += 1
        if a.moderator_id is not None:
            moderations[a.moderator_id] += 1
    everyone = {p for pool in pools.values() for p in pool}
    everyone |= {p for pool in moderators.values() for p in pool}
    return tuple(
        Load(
            person_id=p,
            existing_audits=request.existing_load.get(p, 0),
            audits=audits[p],
            existing_moderations=request.existing_moderation_load.get(p, 0),
            moderations=moderations[p],
        )
        for p in sorted(everyone)
    )
