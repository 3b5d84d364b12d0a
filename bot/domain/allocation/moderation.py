"""Which audits are moderated, and by whom (PRODUCT.md section 2; Bolton section 7).

Each cycle moderates its fraction of the audits (all by default), rounded up, taken in turns
from each auditor's audits so that a fraction samples every auditor's work. Moderators are the
active heads of service, service managers, principal social workers and QA leads available for
the cycle; never the auditor; and bound by the same conflict rules as an auditor (nobody
moderates a case of their own team or line-management chain). Moderation load is as even
as the pool allows, by the same levelled max flow as the audits.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping

from bot.domain.allocation.conflicts import ConflictIndex
from bot.domain.allocation.flow import levelled_assignment
from bot.domain.allocation.model import DrawRequest, Unplaced
from bot.domain.allocation.sampling import DrawnSubject


def assign_moderators(
    placed: list[DrawnSubject],
    request: DrawRequest,
    conflicts: ConflictIndex,
    moderators: Mapping[str, tuple[str, ...]],
    rng: random.Random,
    unplaced: list[Unplaced],
) -> dict[str, int]:
    """Pick each cycle's audits to moderate and give each a moderator; count per cycle."""
    chosen: list[tuple[DrawnSubject, list[str]]] = []
    for cycle in request.cycles:
        audits = sorted((s for s in placed if s.cycle is cycle), key=lambda s: s.candidate.id)
        count = math.ceil(cycle.moderation_fraction * len(audits) - 1e-9)
        mine: list[tuple[DrawnSubject, list[str]]] = []
        passed_over: list[DrawnSubject] = []
        for subject in in_turns_by_auditor(audits, rng):
            if len(mine) == count:
                break
            blocked = conflicts.blocked(
                team_id=subject.candidate.team_id,
                worker_id=subject.candidate.worker_id,
                involved_ids=subject.candidate.involved_ids,
            )
            eligible = [
                m for m in moderators[cycle.id] if m not in blocked and m != subject.auditor
            ]
            if eligible:
                mine.append((subject, eligible))
            else:
                # Under a fraction, the next audit in turn is moderated instead; only when
                # the fraction cannot be reached are the audits nobody can moderate reported.
                passed_over.append(subject)
        chosen += mine
        if len(mine) < count:
            unplaced += [
                Unplaced(
                    cycle.id,
                    "moderation",
                    subject.candidate.id,
                    "no eligible moderator (every one available is the auditor or in conflict)",
                )
                for subject in sorted(passed_over, key=lambda s: s.candidate.id)
            ]
    people = sorted({m for pool in moderators.values() for m in pool})
    rng.shuffle(people)
    rng.shuffle(chosen)
    index = {m: i for i, m in enumerate(people)}
    choice = levelled_assignment(
        subject_buckets=[[index[m] for m in eligible] for _, eligible in chosen],
        bucket_owner=list(range(len(people))),
        bucket_cap=[len(chosen)] * len(people),
        base_load=[request.existing_moderation_load.get(m, 0) for m in people],
        capacity=[None] * len(people),
    )
    counts: dict[str, int] = defaultdict(int)
    for (subject, _), picked in zip(chosen, choice, strict=True):
        if picked is None:  # cannot happen without a moderation capacity; kept as a guard
            unplaced.append(
                Unplaced(
                    subject.cycle.id,
                    "moderation",
                    subject.candidate.id,
                    "no eligible moderator left",
                )
            )
            continue
        subject.moderator = people[picked]
        counts[subject.cycle.id] += 1
    return dict(counts)


def in_turns_by_auditor(audits: list[DrawnSubject], rng: random.Random) -> list[DrawnSubject]:
    """``audits`` in a random order that takes in turn from each auditor's audits."""
    # Moderating a fraction should sample every auditor's work, not a few auditors' only.
    by_auditor: dict[str, list[DrawnSubject]] = defaultdict(list)
    for audit in audits:
        by_auditor[audit.auditor or ""].append(audit)
    order = sorted(by_auditor)
    rng.shuffle(order)
    for auditor in order:
        rng.shuffle(by_auditor[auditor])
    rounds = max((len(v) for v in by_auditor.values()), default=0)
    return [
        by_auditor[auditor][turn]
        for turn in range(rounds)
        for auditor in order
        if turn < len(by_auditor[auditor])
    ]
