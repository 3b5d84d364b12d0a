"""Tests for the allocation engine of audit cycles (PRODUCT.md section 2).

The organisation is synthetic, generated here with a seed (ids only, no names), at any scale
up to PRODUCT.md section 9. ``check_draw`` is an independent checker: plain loops over the
inputs, written without the engine's own helpers, that lists every rule a draw breaks.
"""

from __future__ import annotations

import ast
import calendar
import itertools
import json
import math
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.domain.allocation import (
    MODERATOR_ROLES,
    AllocationInputError,
    Assignment,
    Case,
    CycleKind,
    CycleSpec,
    DrawRequest,
    DrawResult,
    Organisation,
    Person,
    PersonSubject,
    Receipt,
    Service,
    Team,
    draw,
    rerun,
)
from bot.domain.allocation.flow import levelled_assignment
from bot.domain.allocation.sampling import add_months, apportion

OPENS = date(2026, 11, 2)
CASE_TYPES = ("CIN", "CP", "CLA", "care_leaver", "early_help")


# ------------------------------------------------------------------ the synthetic organisation


@dataclass(frozen=True)
class SynthOrg:
    """A generated authority: its directory, open cases and the practitioners to audit."""

    organisation: Organisation
    cases: tuple[Case, ...]
    people_to_audit: tuple[PersonSubject, ...]

    def with_auditors(self, auditor_ids: set[str]) -> Organisation:
        """The directory with the auditor flag on exactly ``auditor_ids``."""
        people = tuple(replace(p, auditor=p.id in auditor_ids) for p in self.organisation.people)
        return replace(self.organisation, people=people)

    def ids_with(self, role: str, *, active: bool = True) -> list[str]:
        """Ids of the people holding ``role`` (active ones only by default), in id order."""
        return [
            p.id for p in self.organisation.people if role in p.roles and (p.active or not active)
        ]


@cache
def make_org(
    *,
    seed: int = 2026,
    staff: int = 2000,
    teams: int = 150,
    services: int = 10,
    cases: int = 25_000,
) -> SynthOrg:
    """A seeded synthetic authority; the defaults are the scale of PRODUCT.md section 9."""
    rng = random.Random(seed)
    people: list[Person] = []
    numbers = itertools.count(1)

    def add(
        roles: tuple[str, ...],
        team: str | None,
        manager: str | None,
        auditor: bool = False,
        active: bool = True,
    ) -> str:
        """Add a person to the directory and return their id."""
        person_id = f"P{next(numbers):05d}"
        people.append(Person(person_id, roles, team, manager, active, auditor))
        return person_id

    director = add(("director",), None, None)
    ads = [add(("assistant_director",), None, director) for _ in range(2)]
    service_ids = [f"S{n:02d}" for n in range(1, services + 1)]
    hos = {
        s: add(("head_of_service",), None, ads[i % 2], auditor=True)
        for i, s in enumerate(service_ids)
    }
    team_ids = [f"T{n:03d}" for n in range(1, teams + 1)]
    qa_team, iro_team, cp_team, *operational = team_ids
    service_of = {t: service_ids[-1] for t in (qa_team, iro_team, cp_team)}
    service_of |= {t: service_ids[i % services] for i, t in enumerate(operational)}
    # A service manager for every four operational teams of a service.
    sm_of: dict[str, str] = {}
    for s in service_ids:
        mine = [t for t in operational if service_of[t] == s]
        for i, t in enumerate(mine):
            if i % 4 == 0:
                sm = add(("service_manager",), None, hos[s], auditor=True)
            sm_of[t] = sm
    managers: dict[str, list[str]] = {}
    leads: dict[str, list[str]] = defaultdict(list)  # who practitioners of a team report to
    for t in operational:
        tm = add(("team_manager",), t, sm_of[t], auditor=True)
        managers[t] = [tm]
        leads[t].append(tm)
        if rng.random() < 0.5:
            deputy = add(("deputy_team_manager",), t, tm, auditor=True)
            managers[t].append(deputy)
            leads[t].append(deputy)
    qa_head = add(("qa_lead",), qa_team, ads[0])
    managers[qa_team] = [qa_head]
    add(("qa_lead",), qa_team, qa_head)
    add(("principal_social_worker",), qa_team, ads[1])
    iro_manager = add(("team_manager",), iro_team, hos[service_ids[-1]], auditor=True)
    cp_manager = add(("team_manager",), cp_team, hos[service_ids[-1]], auditor=True)
    managers[iro_team], managers[cp_team] = [iro_manager], [cp_manager]
    iros = [add(("iro",), iro_team, iro_manager, auditor=True) for _ in range(30)]
    chairs = [add(("cp_chair",), cp_team, cp_manager, auditor=True) for _ in range(12)]

    weight = {t: rng.uniform(0.5, 1.5) for t in operational}
    practitioners: dict[str, list[str]] = defaultdict(list)
    for _ in range(staff - len(people)):
        t = rng.choices(operational, weights=[weight[x] for x in operational])[0]
        active = rng.random() > 0.02
        practitioners[t].append(add(("practitioner",), t, rng.choice(leads[t]), active=active))
    everyone_practising = [p for t in operational for p in practitioners[t]]

    case_rows: list[Case] = []
    team_weight = [len(practitioners[t]) * rng.uniform(0.8, 1.2) + 0.5 for t in operational]
    for n, t in enumerate(rng.choices(operational, weights=team_weight, k=cases), start=1):
        case_type = rng.choice(CASE_TYPES)
        worker = rng.choice(practitioners[t]) if practitioners[t] and rng.random() > 0.03 else None
        involved: list[str] = []
        if case_type == "CLA" or rng.random() < 0.2:
            involved.append(rng.choice(iros))
        if case_type == "CP":
            involved.append(rng.choice(chairs))
        if rng.random() < 0.1:
            involved.append(rng.choice(everyone_practising))
        last = OPENS - timedelta(days=rng.randrange(1, 730)) if rng.random() < 0.3 else None
        case_rows.append(
            Case(
                id=f"K{n:06d}",
                ref=f"CR{n:07d}",
                team_id=t,
                worker_id=worker,
                case_type=case_type,
                involved_ids=tuple(involved),
                last_audited=last,
                open=rng.random() > 0.02,
            )
        )
    subjects = tuple(
        PersonSubject(
            p,
            kind,
            OPENS - timedelta(days=rng.randrange(1, 730)) if rng.random() < 0.3 else None,
        )
        for p in everyone_practising
        for kind in ("supervision_file", "practice_observation")
    )
    teams_rows = tuple(Team(t, service_of[t], tuple(managers[t])) for t in team_ids)
    org = Organisation(tuple(people), teams_rows, tuple(Service(s) for s in service_ids))
    return SynthOrg(org, tuple(case_rows), subjects)


def medium_org() -> SynthOrg:
    """A smaller authority for the quicker tests (600 staff, 45 teams, 6,000 cases)."""
    return make_org(staff=600, teams=45, services=5, cases=6000)


# ---------------------------------------------------------------------- the independent checker


def _plus_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, day.day if day.day <= last_day else last_day)


def check_draw(request: DrawRequest, result: DrawResult, *, balanced: bool = True) -> list[str]:
    """Every rule ``result`` breaks for ``request``: plain loops over the inputs."""
    bad: list[str] = []
    org = request.organisation
    person = {p.id: p for p in org.people}
    team = {t.id: t for t in org.teams}
    cases = {c.id: c for c in request.cases}
    to_audit = {(s.person_id, s.kind): s for s in request.people_to_audit}
    cycles = {c.id: c for c in request.cycles}

    chains: dict[str, list[str]] = {}
    for p in org.people:
        chain, boss = [], p.line_manager_id
        while boss is not None and boss not in chain:
            chain.append(boss)
            boss = person[boss].line_manager_id
        chains[p.id] = chain

    def conflicted(x: str, team_id: str, worker: str | None, involved: tuple[str, ...]) -> bool:
        """Whether ``x`` was involved in or oversaw the subject (PRODUCT.md section 2)."""
        if worker is not None and (x == worker or x in chains[worker] or worker in chains[x]):
            return True
        if person[x].team_id == team_id:
            return True
        for m in team[team_id].manager_ids:
            if x == m or x in chains[m]:
                return True
        return x in involved

    def in_pool(x: str, cycle: CycleSpec) -> bool:
        """Whether ``x`` may audit in ``cycle`` at all: flagged, active, available, not full."""
        p = person[x]
        if not (p.auditor and p.active) or x in cycle.unavailable_ids:
            return False
        if cycle.auditor_roles and not set(p.roles) & set(cycle.auditor_roles):
            return False
        held = request.existing_load.get(x, 0)
        need = cycle.per_auditor or 1
        return request.capacity is None or held + need <= request.capacity

    subject_of: dict[tuple[str, str], tuple[str, str | None, tuple[str, ...]]] = {}
    seen: set[tuple[str, str]] = set()
    audits: Counter[str] = Counter()
    per_cycle_auditor: Counter[tuple[str, str]] = Counter()
    for a in result.assignments:
        cycle = cycles[a.cycle_id]
        where = f"{a.cycle_id}/{a.subject_id}"
        if cycle.kind in ("case_file", "thematic"):
            case = cases[a.subject_id]
            facts = (case.team_id, case.worker_id, case.involved_ids)
            last, key = case.last_audited, ("case", case.id)
            if not case.open:
                bad.append(f"{where}: closed case drawn")
            if cycle.case_types and case.case_type not in cycle.case_types:
                bad.append(f"{where}: case type outside the theme")
        else:
            subject = to_audit[(a.subject_id, cycle.kind)]
            p = person[a.subject_id]
            facts = (p.team_id or "", p.id, ())
            last, key = subject.last_audited, (cycle.kind, p.id)
            if not p.active:
                bad.append(f"{where}: inactive person audited")
        team_id = facts[0]
        if cycle.team_ids and team_id not in cycle.team_ids:
            bad.append(f"{where}: team outside the theme")
        if cycle.service_ids and team[team_id].service_id not in cycle.service_ids:
            bad.append(f"{where}: service outside the theme")
        if (a.team_id, a.worker_id) != (team_id, facts[1]):
            bad.append(f"{where}: assignment misreports team or worker")
        if key in seen:
            bad.append(f"{where}: drawn twice")
        seen.add(key)
        subject_of[(a.cycle_id, a.subject_id)] = facts
        if last is not None and cycle.opens_on < _plus_months(last, cycle.reaudit_months):
            bad.append(f"{where}: audited again within {cycle.reaudit_months} months")
        if not in_pool(a.auditor_id, cycle):
            bad.append(f"{where}: auditor {a.auditor_id} is not in the pool")
        if conflicted(a.auditor_id, *facts):
            bad.append(f"{where}: auditor {a.auditor_id} is in conflict")
        audits[a.auditor_id] += 1
        per_cycle_auditor[(a.cycle_id, a.auditor_id)] += 1
        if a.moderator_id is not None:
            m = person[a.moderator_id]
            if not (m.active and set(m.roles) & set(MODERATOR_ROLES)):
                bad.append(f"{where}: moderator {m.id} may not moderate")
            if m.id == a.auditor_id or m.id in cycle.unavailable_ids:
                bad.append(f"{where}: moderator {m.id} is the auditor or unavailable")
            if conflicted(m.id, *facts):
                bad.append(f"{where}: moderator {m.id} is in conflict")

    totals = {x: request.existing_load.get(x, 0) + audits[x] for x in audits}
    for x, total in totals.items():
        if request.capacity is not None and total > request.capacity:
            bad.append(f"auditor {x} holds {total}, over capacity {request.capacity}")

    for cycle in request.cycles:
        mine = [a for a in result.assignments if a.cycle_id == cycle.id]
        moderated = sum(a.moderator_id is not None for a in mine)
        if moderated < math.ceil(cycle.moderation_fraction * len(mine) - 1e-9):
            bad.append(f"{cycle.id}: {moderated} of {len(mine)} audits moderated")
        pool = [p.id for p in org.people if in_pool(p.id, cycle)]
        if not result.complete:
            continue
        if cycle.per_auditor is not None:
            for x in pool:
                if per_cycle_auditor[(cycle.id, x)] != cycle.per_auditor:
                    bad.append(f"{cycle.id}: {x} has {per_cycle_auditor[(cycle.id, x)]}")
        elif len(mine) != cycle.sample:
            bad.append(f"{cycle.id}: {len(mine)} audits drawn, sample {cycle.sample}")
        if not cycle.themed:
            bad += _spread_problems(request, cycle, mine)

    # Balance where eligibility allows: nobody holds two more than someone in the pool who
    # could have taken one of their audits (per-auditor cycles fix the load instead).
    loaded = {x: request.existing_load.get(x, 0) + audits[x] for x in person}
    for a in result.assignments:
        cycle = cycles[a.cycle_id]
        if cycle.per_auditor is not None:
            continue
        for x in person:
            if (
                loaded[x] <= loaded[a.auditor_id] - 2
                and in_pool(x, cycle)
                and (request.capacity is None or loaded[x] < request.capacity)
                and not conflicted(x, *subject_of[(a.cycle_id, a.subject_id)])
            ):
                bad.append(f"{a.cycle_id}/{a.subject_id}: {x} could even the load")
                break

    if balanced and totals:
        pooled = {p.id for c in request.cycles for p in org.people if in_pool(p.id, c)}
        loads = [request.existing_load.get(x, 0) + audits[x] for x in pooled]
        if max(loads) - min(loads) > 1:
            bad.append(f"auditor loads range from {min(loads)} to {max(loads)}")
        given = Counter(a.moderator_id for a in result.assignments if a.moderator_id)
        moderators = {
            p.id
            for p in org.people
            if p.active
            and set(p.roles) & set(MODERATOR_ROLES)
            and not any(p.id in c.unavailable_ids for c in request.cycles)
        }
        mod_loads = [request.existing_moderation_load.get(x, 0) + given[x] for x in moderators]
        if mod_loads and max(mod_loads) - min(mod_loads) > 1:
            bad.append(f"moderation loads range from {min(mod_loads)} to {max(mod_loads)}")
    return bad


def _spread_problems(request: DrawRequest, cycle: CycleSpec, mine: list[Assignment]) -> list[str]:
    """Teams and services whose count is one or more away from their proportional share."""
    team_service = {t.id: t.service_id for t in request.organisation.teams}
    open_count: Counter[str] = Counter()
    if cycle.kind in ("case_file", "thematic"):
        for case in request.cases:
            if case.open:
                open_count[case.team_id] += 1
    else:
        people = {p.id: p for p in request.organisation.people}
        for s in request.people_to_audit:
            p = people[s.person_id]
            if s.kind == cycle.kind and p.active and p.team_id is not None:
                open_count[p.team_id] += 1
    whole = sum(open_count.values())
    n = len(mine)
    got = Counter(a.team_id for a in mine)
    problems = [
        f"{cycle.id}: team {t} has {got[t]}, share {n * open_count[t] / whole:.2f}"
        for t in open_count
        if abs(got[t] - n * open_count[t] / whole) >= 1
    ]
    service_open: Counter[str] = Counter()
    service_got: Counter[str] = Counter()
    for t, k in open_count.items():
        service_open[team_service[t]] += k
        service_got[team_service[t]] += got[t]
    problems += [
        f"{cycle.id}: service {s} has {service_got[s]}, share {n * k / whole:.2f}"
        for s, k in service_open.items()
        if abs(service_got[s] - n * k / whole) >= 1
    ]
    return problems


def northants_request(synth: SynthOrg, seed: int = 11) -> DrawRequest:
    """Northamptonshire: one pool of 66 managers, IROs and CP chairs; three cycles together."""
    rng = random.Random(5)
    pool = (
        rng.sample(synth.ids_with("team_manager"), 36)
        + rng.sample(synth.ids_with("service_manager"), 10)
        + synth.ids_with("head_of_service")[:5]
        + rng.sample(synth.ids_with("iro"), 10)
        + rng.sample(synth.ids_with("cp_chair"), 5)
    )
    assert len(set(pool)) == 66
    return DrawRequest(
        organisation=synth.with_auditors(set(pool)),
        cycles=(
            CycleSpec("thematic", "thematic", OPENS, sample=33),
            CycleSpec("observation", "practice_observation", OPENS, sample=22),
            CycleSpec("supervision", "supervision_file", OPENS, sample=22),
        ),
        seed=seed,
        cases=synth.cases,
        people_to_audit=synth.people_to_audit,
        capacity=2,
    )


def bolton_request(synth: SynthOrg, seed: int = 3) -> DrawRequest:
    """Bolton: every team manager audits one case, every audit moderated."""
    return DrawRequest(
        organisation=synth.with_auditors(set(synth.ids_with("team_manager"))),
        cycles=(
            CycleSpec("bolton", "case_file", OPENS, per_auditor=1, auditor_roles=("team_manager",)),
        ),
        seed=seed,
        cases=synth.cases,
    )


# ------------------------------------------------------------------------------------- the tests


def test_northamptonshire_programme_breaks_no_rule_and_balances_load() -> None:
    request = northants_request(medium_org())
    result = draw(request)
    assert result.complete, result.unplaced
    assert check_draw(request, result) == []
    assert Counter(a.cycle_id for a in result.assignments) == {
        "thematic": 33,
        "observation": 22,
        "supervision": 22,
    }
    loads = Counter(a.auditor_id for a in result.assignments)
    assert len(loads) == 66 and sorted(Counter(loads.values()).items()) == [(1, 55), (2, 11)]
    assert all(a.moderator_id is not None for a in result.assignments)


def test_bolton_every_team_manager_audits_one_case_all_moderated() -> None:
    synth = medium_org()
    request = bolton_request(synth)
    result = draw(request)
    assert result.complete, result.unplaced
    assert check_draw(request, result) == []
    managers = synth.ids_with("team_manager")
    assert Counter(a.auditor_id for a in result.assignments) == dict.fromkeys(managers, 1)
    assert all(a.moderator_id is not None for a in result.assignments)


def test_same_seed_same_draw_and_input_order_does_not_matter() -> None:
    synth = medium_org()
    request = northants_request(synth, seed=99)
    first = draw(request)
    shuffled = list(request.cases)
    random.Random(1).shuffle(shuffled)
    people = list(request.organisation.people)
    random.Random(2).shuffle(people)
    again = draw(
        replace(
            request,
            cases=tuple(shuffled),
            organisation=replace(request.organisation, people=tuple(people)),
            cycles=tuple(reversed(request.cycles)),
        )
    )
    assert again.assignments == first.assignments
    assert again.receipt == first.receipt
    other = draw(replace(request, seed=100))
    assert other.assignments != first.assignments
    assert other.complete and check_draw(request, other) == []


def test_receipt_round_trips_through_json_and_reruns_to_the_same_draw() -> None:
    request = northants_request(medium_org())
    result = draw(request)
    text = result.receipt.to_json()
    exported = json.loads(text)
    assert exported["seed"] == 11 and exported["complete"] is True
    assert exported["inputs"]["cycles"][0]["opens_on"] == OPENS.isoformat()
    receipt = Receipt.from_json(text)
    assert receipt == result.receipt
    assert rerun(receipt).receipt == result.receipt
    tampered = replace(receipt, inputs=replace(receipt.inputs, seed=12))
    with pytest.raises(ValueError, match="fingerprint"):
        rerun(tampered)


def test_receipt_records_pools_exclusions_quotas_and_rules() -> None:
    synth = medium_org()
    request = northants_request(synth)
    away = sorted(p.id for p in request.organisation.people if p.auditor)[:3]
    inactive = sorted(p.id for p in request.organisation.people if p.auditor)[3]
    people = tuple(
        replace(p, active=False) if p.id == inactive else p for p in request.organisation.people
    )
    thematic = replace(request.cycles[0], unavailable_ids=tuple(away))
    request = replace(
        request,
        organisation=replace(request.organisation, people=people),
        cycles=(thematic, *request.cycles[1:]),
        existing_load={away[0]: 2},
    )
    receipt = draw(request).receipt
    reasons = {
        (e.cycle_id, e.person_id): e.reason for e in receipt.excluded_people if e.pool == "auditor"
    }
    assert reasons[("thematic", away[1])] == "unavailable for this cycle"
    assert reasons[("thematic", inactive)] == "inactive"
    assert reasons[("observation", away[0])].startswith("at capacity")
    thematic_record = receipt.cycles[[c.cycle_id for c in receipt.cycles].index("thematic")]
    assert away[1] not in thematic_record.auditor_pool
    assert sum(q.quota for q in thematic_record.quotas) == 33
    subject_reasons = {e.reason for e in receipt.excluded_subjects if e.cycle_id == "thematic"}
    assert {"case closed", "audited within the re-audit window (12 months)"} <= subject_reasons
    assert any(r.startswith("conflict: not below the worker") for r in receipt.rules)
    assert any("capacity: at most 2" in r for r in receipt.rules)


def test_unavailable_people_get_nothing() -> None:
    synth = medium_org()
    request = northants_request(synth)
    auditors = sorted(p.id for p in request.organisation.people if p.auditor)
    moderators = [p.id for p in request.organisation.people if set(p.roles) & set(MODERATOR_ROLES)]
    away = tuple(auditors[::4] + moderators[::3])
    cycles = tuple(replace(c, unavailable_ids=away) for c in request.cycles)
    request = replace(request, cycles=cycles, capacity=3)
    result = draw(request)
    assert result.complete, result.unplaced
    assert check_draw(request, result) == []
    given = {a.auditor_id for a in result.assignments}
    given |= {a.moderator_id for a in result.assignments if a.moderator_id}
    assert not given & set(away)


def test_existing_load_of_concurrent_cycles_counts_toward_capacity_and_balance() -> None:
    synth = medium_org()
    request = northants_request(synth)
    auditors = sorted(p.id for p in request.organisation.people if p.auditor)
    held = {a: 2 for a in auditors[:6]} | {a: 1 for a in auditors[6:30]}
    request = replace(request, existing_load=held, capacity=3)
    result = draw(request)
    assert result.complete, result.unplaced
    assert check_draw(request, result) == []
    got = Counter(a.auditor_id for a in result.assignments)
    totals = [held.get(a, 0) + got[a] for a in auditors]
    assert max(totals) - min(totals) <= 1
    assert all(got[a] <= 1 for a in auditors[:6])  # 2 held + at most 1 = capacity 3


def test_theme_filters_cases_and_is_not_spread_by_team() -> None:
    synth = medium_org()
    teams = sorted({c.team_id for c in synth.cases})[:6]
    request = DrawRequest(
        organisation=synth.with_auditors(set(synth.ids_with("team_manager"))),
        cycles=(
            CycleSpec(
                "cp", "thematic", OPENS, sample=40, case_types=("CP",), team_ids=tuple(teams)
            ),
        ),
        seed=4,
        cases=synth.cases,
        capacity=2,
    )
    result = draw(request)
    assert result.complete, result.unplaced
    assert check_draw(request, result) == []
    cases = {c.id: c for c in synth.cases}
    assert all(cases[a.subject_id].case_type == "CP" for a in result.assignments)
    assert {a.team_id for a in result.assignments} <= set(teams)
    assert result.receipt.cycles[0].quotas == ()


def test_moderation_fraction_spreads_over_auditors() -> None:
    synth = medium_org()
    request = replace(
        northants_request(synth),
        cycles=(CycleSpec("thematic", "thematic", OPENS, sample=60, moderation_fraction=0.5),),
    )
    result = draw(request)
    assert result.complete, result.unplaced
    assert check_draw(request, result) == []
    moderated = [a for a in result.assignments if a.moderator_id]
    assert len(moderated) == 30
    # 60 audits over 66 auditors: one each; half of the auditors' work is moderated.
    assert len({a.auditor_id for a in moderated}) == 30


def test_sample_larger_than_the_eligible_cases_is_reported_by_team() -> None:
    org, cases = tiny_org()
    request = DrawRequest(org, (CycleSpec("c1", "case_file", OPENS, sample=16),), 1, cases)
    result = draw(request)
    assert result.complete is False
    shortfalls = {u.id: u.reason for u in result.unplaced}
    assert set(shortfalls) == {"TA", "TB"}
    assert shortfalls["TA"].startswith("not enough eligible cases in team TA for the sample")
    assert "needs 8, found 6" in shortfalls["TA"]
    assert len(result.assignments) == 12
    assert check_draw(request, result, balanced=False) == []  # what was placed still breaks no rule


def test_pool_too_small_for_the_capacity_names_each_unplaced_case() -> None:
    org, cases = tiny_org()
    request = DrawRequest(
        org, (CycleSpec("c1", "case_file", OPENS, sample=8),), 1, cases, capacity=1
    )
    result = draw(request)
    assert result.complete is False
    assert len(result.assignments) == 4  # four auditors, one each
    unplaced = [u for u in result.unplaced if u.kind == "subject"]
    assert len(unplaced) == 4
    assert all(u.reason.startswith("no eligible auditor with capacity left") for u in unplaced)
    assert check_draw(request, result, balanced=False) == []


def test_team_whose_only_auditors_all_conflict_is_named() -> None:
    org, cases = tiny_org()
    # Only TA's own managers (and the service manager above them) may audit: TA's cases
    # have no auditor free of conflict, TB's have.
    flags = {"TA_TM", "TA_DTM", "SM"}
    org = replace(org, people=tuple(replace(p, auditor=p.id in flags) for p in org.people))
    request = DrawRequest(org, (CycleSpec("c1", "case_file", OPENS, sample=4),), 1, cases)
    result = draw(request)
    assert result.complete is False
    (team_gap,) = [u for u in result.unplaced if u.kind == "team"]
    assert team_gap.id == "TA"
    assert "needs 2, found 0" in team_gap.reason
    assert "6 of them with no auditor in the pool free of conflict" in team_gap.reason
    assert check_draw(request, result, balanced=False) == []


def test_per_auditor_rule_names_an_auditor_with_no_eligible_case() -> None:
    org, cases = tiny_org()
    flags = {"TA_TM", "TB_TM", "HOS"}  # the head of service is above every case
    org = replace(org, people=tuple(replace(p, auditor=p.id in flags) for p in org.people))
    request = DrawRequest(org, (CycleSpec("c1", "case_file", OPENS, per_auditor=1),), 1, cases)
    result = draw(request)
    assert result.complete is False
    assert [(u.kind, u.id, u.reason) for u in result.unplaced if u.kind == "auditor"] == [
        ("auditor", "HOS", "auditor has no eligible case in the sample")
    ]
    assert check_draw(request, result, balanced=False) == []


def test_audit_with_no_eligible_moderator_is_reported() -> None:
    org, cases = tiny_org()
    # The only moderator is the head of service, above every case: nobody can moderate.
    org = replace(org, people=tuple(p for p in org.people if p.id not in {"PSW", "QA"}))
    request = DrawRequest(org, (CycleSpec("c1", "case_file", OPENS, sample=2),), 1, cases)
    result = draw(request)
    assert result.complete is False
    assert {u.kind for u in result.unplaced} == {"moderation"}
    assert all("no eligible moderator" in u.reason for u in result.unplaced)


def test_person_audits_skip_self_team_reports_and_own_managers() -> None:
    org, _ = tiny_org()
    # One practitioner of TA to audit; every flagged person but one is in conflict.
    subjects = (PersonSubject("TA_P1", "supervision_file"),)
    request = DrawRequest(
        org, (CycleSpec("s", "supervision_file", OPENS, sample=1),), 5, people_to_audit=subjects
    )
    for _ in range(5):
        result = draw(request)
        assert result.complete, result.unplaced
        (audit,) = result.assignments
        assert audit.auditor_id in {"TB_TM", "TB_DTM"}  # not TA's managers, SM or HoS
        request = replace(request, seed=request.seed + 1)


def test_recently_audited_and_closed_cases_are_never_drawn() -> None:
    org, cases = tiny_org()
    recent = {c.id for c in cases[:5]}
    cases = tuple(
        replace(c, last_audited=OPENS - timedelta(days=200)) if c.id in recent else c for c in cases
    )
    cases = (*cases, replace(cases[-1], id="KX", ref="RX", open=False))
    request = DrawRequest(org, (CycleSpec("c1", "case_file", OPENS, sample=6),), 1, cases)
    result = draw(request)
    drawn = {a.subject_id for a in result.assignments}
    assert not drawn & (recent | {"KX"})
    assert check_draw(request, result, balanced=False) == []
    six_months = replace(request, cycles=(replace(request.cycles[0], reaudit_months=6),))
    reasons = {e.reason for e in draw(six_months).receipt.excluded_subjects}
    assert "audited within the re-audit window (6 months)" not in reasons


def test_bad_input_is_refused_with_every_problem() -> None:
    org, cases = tiny_org()
    bad_case = replace(cases[0], id="K_BAD", team_id="NOPE")
    cycle = CycleSpec("c1", "case_file", OPENS, sample=2, per_auditor=1, moderation_fraction=2)
    with pytest.raises(AllocationInputError) as caught:
        draw(DrawRequest(org, (cycle,), 1, (*cases, bad_case), existing_load={"GHOST": 1}))
    problems = caught.value.problems
    assert "case 'K_BAD': unknown team 'NOPE'" in problems
    assert "cycle 'c1': set exactly one of a total sample and a per-auditor N" in problems
    assert "cycle 'c1': moderation fraction must be between 0 and 1" in problems
    assert "existing load of 'GHOST': unknown person" in problems


# --------------------------------------------------------------------------------- the helpers


def test_apportion_keeps_every_team_and_service_within_one_of_its_share() -> None:
    rng = random.Random(8)
    for trial in range(200):
        teams = {f"t{i}": rng.randrange(1, 300) for i in range(rng.randrange(1, 40))}
        service_of = {t: f"s{rng.randrange(4)}" for t in teams}
        total = rng.randrange(1, 700)
        quotas = apportion(total, teams, service_of, random.Random(trial))
        whole = sum(teams.values())
        assert sum(q.quota for q in quotas) == total
        for q in quotas:
            assert abs(q.quota - total * teams[q.team_id] / whole) < 1
        for s in set(service_of.values()):
            got = sum(q.quota for q in quotas if q.service_id == s)
            share = total * sum(w for t, w in teams.items() if service_of[t] == s) / whole
            assert abs(got - share) < 1


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 12) == date(2026, 11, 15)
    assert add_months(date(2025, 12, 1), 6) == date(2026, 6, 1)


def test_levelled_flow_balances_where_a_plain_max_flow_need_not() -> None:
    # Six subjects any of three people can take, person 0 also alone for two more: a plain
    # max flow may give person 0 four; levelled, loads are 3/3/2 or better.
    subjects = [[0, 1, 2]] * 6 + [[0]] * 2
    choice = levelled_assignment(subjects, [0, 1, 2], [99, 99, 99], [0, 0, 0], [None] * 3)
    assert None not in choice
    assert sorted(Counter(choice).values()) == [2, 3, 3]
    # Existing load counts: person 0 already holds 3 and gets only what nobody else can take.
    choice = levelled_assignment(subjects, [0, 1, 2], [99, 99, 99], [3, 0, 0], [None] * 3)
    assert Counter(choice) == {0: 2, 1: 3, 2: 3}
    # Capacity binds: person 0 may hold 4 at most, so one subject only they could take waits.
    choice = levelled_assignment(subjects, [0, 1, 2], [99, 99, 99], [3, 0, 0], [4, 9, 9])
    assert choice.count(None) == 1 and choice.count(0) == 1


def test_domain_module_imports_no_framework() -> None:
    package = Path(__file__).resolve().parents[2] / "bot" / "domain" / "allocation"
    banned = (
        "slack",
        "sqlalchemy",
        "sqlmodel",
        "apscheduler",
        "storage",
        "handlers",
        "scheduling",
        "bot.services",
        "bot.slack",
    )
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert not name.startswith(banned), f"{source.name} imports {name}"


def tiny_org() -> tuple[Organisation, tuple[Case, ...]]:
    """Two teams (TA, TB) of one service, 12 cases; each team's cases worked in the team."""
    people = (
        Person("HOS", ("head_of_service",), None, None, auditor=True),
        Person("SM", ("service_manager",), None, "HOS", auditor=True),
        Person("PSW", ("principal_social_worker",), None, None),
        Person("QA", ("qa_lead",), None, None),
        Person("TA_TM", ("team_manager",), "TA", "SM", auditor=True),
        Person("TA_DTM", ("deputy_team_manager",), "TA", "TA_TM", auditor=True),
        Person("TA_P1", ("practitioner",), "TA", "TA_DTM"),
        Person("TA_P2", ("practitioner",), "TA", "TA_TM"),
        Person("TB_TM", ("team_manager",), "TB", "SM", auditor=True),
        Person("TB_DTM", ("deputy_team_manager",), "TB", "TB_TM", auditor=True),
        Person("TB_P1", ("practitioner",), "TB", "TB_TM"),
    )
    teams = (Team("TA", "S1", ("TA_TM", "TA_DTM")), Team("TB", "S1", ("TB_TM", "TB_DTM")))
    cases = tuple(
        Case(f"K{t}{i}", f"R{t}{i}", f"T{t}", f"T{t}_P1" if i % 2 else f"T{t}_TM", "CIN")
        for t in "AB"
        for i in range(4)
    ) + tuple(Case(f"K{t}{i}", f"R{t}{i}", f"T{t}", None, "CP") for t in "AB" for i in (8, 9))
    return Organisation(people, teams, (Service("S1"),)), cases


def test_checker_catches_broken_draws() -> None:
    # The checker is only worth its passes if it fails broken draws: break one rule at a time.
    request = northants_request(medium_org())
    result = draw(request)
    audits = list(result.assignments)
    at = next(i for i, a in enumerate(audits) if a.cycle_id == "thematic")
    first = audits[at]
    team = next(t for t in request.organisation.teams if t.id == first.team_id)
    busy = next(a.auditor_id for a in audits if a.auditor_id != first.auditor_id)
    cycles = {c.id: c for c in request.cycles}

    def changed(index: int, **fields: Any) -> list[Assignment]:
        """The draw's audits with one of them changed."""
        return [replace(a, **fields) if i == index else a for i, a in enumerate(audits)]

    def with_cycle(**fields: Any) -> DrawRequest:
        """The request with its thematic cycle changed."""
        cycle = replace(cycles["thematic"], **fields)
        return replace(
            request, cycles=tuple(cycle if c.id == "thematic" else c for c in request.cycles)
        )

    recent = tuple(
        replace(c, last_audited=OPENS - timedelta(days=30)) if c.id == first.subject_id else c
        for c in request.cases
    )
    breaks = {
        "conflict": (request, changed(at, auditor_id=team.manager_ids[0])),
        "moderator is the auditor": (request, changed(at, moderator_id=first.auditor_id)),
        "unmoderated": (request, changed(at, moderator_id=None)),
        "over capacity": (request, [replace(a, auditor_id=busy) for a in audits[:3]] + audits[3:]),
        "unavailable": (with_cycle(unavailable_ids=(first.auditor_id,)), audits),
        "outside the theme": (with_cycle(team_ids=("T999",)), audits),
        "recently audited": (replace(request, cases=recent), audits),
    }
    expected = {
        "conflict": "in conflict",
        "moderator is the auditor": "is the auditor",
        "unmoderated": "audits moderated",
        "over capacity": "over capacity",
        "unavailable": "not in the pool",
        "outside the theme": "team outside the theme",
        "recently audited": "audited again within 12 months",
    }
    for what, (broken_request, broken_audits) in breaks.items():
        broken = DrawResult(replace(result.receipt, assignments=tuple(broken_audits)))
        problems = check_draw(broken_request, broken)
        assert any(expected[what] in p for p in problems), (what, problems)


def test_under_a_fraction_an_audit_nobody_can_moderate_gives_way_to_the_next() -> None:
    org, cases = tiny_org()
    org = replace(org, people=tuple(p for p in org.people if p.id != "QA"))
    # The principal social worker, the only moderator free of the chain, was involved in two.
    involved = {"KA0", "KB0"}
    cases = tuple(replace(c, involved_ids=("PSW",)) if c.id in involved else c for c in cases)
    cycle = CycleSpec("c1", "case_file", OPENS, sample=8, moderation_fraction=0.5)
    request = DrawRequest(org, (cycle,), 1, cases)
    result = draw(request)
    assert result.complete, result.unplaced
    moderated = [a for a in result.assignments if a.moderator_id]
    assert len(moderated) == 4 and not {a.subject_id for a in moderated} & involved
    assert check_draw(request, result, balanced=False) == []
    everything = draw(replace(request, cycles=(replace(cycle, moderation_fraction=1.0),)))
    drawn_involved = {a.subject_id for a in everything.assignments} & involved
    assert drawn_involved and everything.complete is False
    assert {u.id for u in everything.unplaced if u.kind == "moderation"} == drawn_involved


def test_random_configurations_never_break_a_rule() -> None:
    # Small random authorities and settings, complete or not: whatever is placed is placed
    # by the rules, loads are even wherever a move could even them, and every gap is named.
    kinds: tuple[CycleKind, ...] = (
        "case_file",
        "thematic",
        "supervision_file",
        "practice_observation",
    )
    for seed in range(25):
        rng = random.Random(seed)
        synth = make_org(seed=seed, staff=160, teams=12, services=3, cases=500)
        flagged = [p.id for p in synth.organisation.people if p.auditor]
        pool = set(rng.sample(flagged, rng.randrange(4, 30)))
        cycles = []
        for n in range(rng.randrange(1, 4)):
            kind = rng.choice(kinds)
            rule: dict[str, Any] = (
                {"per_auditor": rng.randrange(1, 3)}
                if rng.random() < 0.3
                else {"sample": rng.randrange(1, 40)}
            )
            theme: dict[str, Any] = (
                {"case_types": ("CP", "CLA")} if kind in kinds[:2] and rng.random() < 0.3 else {}
            )
            cycles.append(
                CycleSpec(
                    f"c{n}",
                    kind,
                    OPENS,
                    **rule,
                    **theme,
                    moderation_fraction=rng.choice((1.0, 0.5, 0.25)),
                    reaudit_months=rng.choice((6, 12)),
                    unavailable_ids=tuple(rng.sample(sorted(pool), 2)),
                )
            )
        request = DrawRequest(
            organisation=synth.with_auditors(pool),
            cycles=tuple(cycles),
            seed=seed,
            cases=synth.cases,
            people_to_audit=synth.people_to_audit,
            capacity=rng.choice((None, 1, 2, 3)),
            existing_load={a: rng.randrange(0, 2) for a in rng.sample(sorted(pool), 3)},
        )
        result = draw(request)
        assert check_draw(request, result, balanced=False) == [], seed
        assert result.complete == (not result.unplaced)
        assert all(u.reason for u in result.unplaced)


def test_draw_does_not_depend_on_the_process_hash_seed() -> None:
    # Sets and dicts of strings iterate in an order that changes with PYTHONHASHSEED: two
    # processes with different seeds must still produce the same receipt, byte for byte.
    script = (
        "import hashlib\n"
        "from tests.unit.test_allocation import draw, medium_org, northants_request\n"
        "text = draw(northants_request(medium_org())).receipt.to_json()\n"
        "print(hashlib.sha256(text.encode()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1
