"""Synthetic organisations at any scale, up to PRODUCT.md section 9 (2,000 / 150 / 25,000).

Everything is made up: people are "Practitioner 123" at "p0123@example.org", cases are
"C0000123". The same seed gives the same organisation, so tests and benchmarks can share one.

    org = make_org(teams=150, staff=2000, cases=25000)
    paths = write_csvs(org, tmp_path)      # teams.csv, staff.csv, cases.csv
    load_org(engine, org)                  # through the real import services
    register_in_fake_slack(org, fake)      # so Slack ids can be found by e-mail
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.services.imports import (
    CASE_COLUMNS,
    STAFF_COLUMNS,
    STAFF_OPTIONAL,
    TEAM_COLUMNS,
    ImportResult,
    import_cases,
    import_staff,
    import_teams,
)
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID

#: The day generated dates are counted from (case openings, EPDRs, assessed years).
BASE_DATE = date(2026, 11, 2)
DOMAIN = "example.org"
# Case types in roughly the proportions of a children's services caseload.
CASE_TYPE_WEIGHTS = {"CIN": 35, "CP": 15, "CLA": 25, "care_leaver": 10, "early_help": 15}
TEAMS_PER_SERVICE_MANAGER = 4
DEPUTY_FROM_TEAM_SIZE = 6  # a team this large (practitioners included) may have a deputy
DEPUTY_SHARE = 0.5  # ... and half of those do


@dataclass(frozen=True)
class OrgTeam:
    """A row of teams.csv."""

    name: str
    service: str
    team_manager_email: str
    service_manager_email: str
    head_of_service_email: str


@dataclass(frozen=True)
class OrgPerson:
    """A row of staff.csv; ``slack_in_csv`` false leaves the id for the import to find."""

    email: str
    name: str
    roles: tuple[str, ...]
    team: str | None
    line_manager_email: str | None
    slack_user_id: str
    auditor: bool
    active: bool = True
    assessed_year_until: date | None = None
    epdr_due: date | None = None
    slack_in_csv: bool = True


@dataclass(frozen=True)
class OrgCase:
    """A row of cases.csv."""

    case_ref: str
    team: str
    worker_email: str
    case_type: str
    opened_on: date
    involved_emails: tuple[str, ...]


@dataclass
class SyntheticOrg:
    """An organisation's teams, staff and open cases, as the import files describe them."""

    services: list[str]
    teams: list[OrgTeam]
    staff: list[OrgPerson]
    cases: list[OrgCase]
    _by_email: dict[str, OrgPerson] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._by_email = {person.email: person for person in self.staff}

    def person(self, email: str) -> OrgPerson:
        """The person with this e-mail."""
        return self._by_email[email]

    def with_role(self, role: str) -> list[OrgPerson]:
        """Everyone holding a role key."""
        return [person for person in self.staff if role in person.roles]

    def chain(self, email: str) -> list[str]:
        """A person's line managers, nearest first, up to the director."""
        managers, current = [], self.person(email).line_manager_email
        while current is not None:
            managers.append(current)
            current = self.person(current).line_manager_email
        return managers


#: Each role's e-mail prefix and title: "p0123@example.org" is "Practitioner 123".
_NAMING = {
    "director": ("dir", "Director"),
    "assistant_director": ("ad", "Assistant Director"),
    "head_of_service": ("hos", "Head of Service"),
    "service_manager": ("sm", "Service Manager"),
    "team_manager": ("tm", "Team Manager"),
    "deputy_team_manager": ("dtm", "Deputy Team Manager"),
    "practitioner": ("p", "Practitioner"),
    "iro": ("iro", "IRO"),
    "cp_chair": ("cpc", "CP Chair"),
    "qa_lead": ("qa", "QA Lead"),
    "principal_social_worker": ("psw", "Principal Social Worker"),
}


class _People:
    """Numbers people and builds their rows, so every e-mail and Slack id is unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers = itertools.count(1)
        self.staff: list[OrgPerson] = []

    def add(
        self,
        role: str,
        manager: OrgPerson | None,
        *,
        team: str | None = None,
        auditor: bool = True,
        assessed_year: bool = False,
    ) -> OrgPerson:
        """A new person holding one role; managers and specialists are auditors by default."""
        number = next(self.numbers)
        prefix, title = _NAMING[role]
        person = OrgPerson(
            email=f"{prefix}{number:04d}@{DOMAIN}",
            name=f"{title} {number}",
            roles=(role,),
            team=team,
            line_manager_email=manager.email if manager else None,
            slack_user_id=f"U{number:07d}",
            auditor=auditor,
            assessed_year_until=(
                BASE_DATE + timedelta(days=self.rng.randint(30, 330)) if assessed_year else None
            ),
            epdr_due=BASE_DATE + timedelta(days=self.rng.randint(-60, 300)),
        )
        self.staff.append(person)
        return person


def make_org(
    *,
    teams: int = 150,
    staff: int = 2000,
    cases: int = 25000,
    services: int | None = None,
    seed: int = 0,
    unlisted_slack_ids: int = 0,
) -> SyntheticOrg:
    """A made-up organisation with a proper line-management tree.

    Practitioners -> (deputy) team manager -> service manager -> head of service ->
    assistant director -> director; IROs and CP chairs under a QA lead; the PSW under the
    director. ``unlisted_slack_ids`` practitioners have no Slack id in staff.csv.
    """
    services = services or max(1, round(teams / 12))
    if not 1 <= services <= teams:
        raise ValueError("need at least one team per service")
    rng = random.Random(seed)
    people = _People(rng)
    service_names = [f"Service {s + 1:02d}" for s in range(services)]
    team_names = [f"Team {t + 1:03d}" for t in range(teams)]
    teams_of = {name: team_names[s::services] for s, name in enumerate(service_names)}

    director = people.add("director", None, auditor=False)
    directors = [
        people.add("assistant_director", director, auditor=False)
        for _ in range(max(1, services // 4))
    ]
    org_teams: list[OrgTeam] = []
    managers: dict[str, OrgPerson] = {}
    for s, service in enumerate(service_names):
        head = people.add("head_of_service", directors[s % len(directors)])
        for group in _chunks(teams_of[service], TEAMS_PER_SERVICE_MANAGER):
            service_manager = people.add("service_manager", head)
            for team in group:
                managers[team] = people.add("team_manager", service_manager, team=team)
                org_teams.append(
                    OrgTeam(team, service, managers[team].email, service_manager.email, head.email)
                )
    people.add("principal_social_worker", director)
    qa_leads = [people.add("qa_lead", directors[0]) for _ in range(1 if staff < 300 else 2)]
    for role, count in (("iro", max(1, staff // 100)), ("cp_chair", max(1, staff // 150))):
        for _ in range(count):
            people.add(role, qa_leads[0])

    remaining = staff - len(people.staff)
    if remaining < teams:
        raise ValueError(
            f"{staff} staff is too few: {teams} teams need {len(people.staff) + teams}"
        )
    workers: dict[str, list[OrgPerson]] = {}
    for team, size in zip(team_names, _team_sizes(rng, remaining, teams), strict=True):
        workers[team] = _staff_team(people, team, size, managers[team])
    staff_rows = _unlist_slack_ids(rng, people.staff, unlisted_slack_ids)
    case_rows = list(_cases(rng, cases, team_names, workers, staff_rows))
    org_teams.sort(key=lambda t: t.name)
    return SyntheticOrg(service_names, org_teams, staff_rows, case_rows)


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _team_sizes(rng: random.Random, total: int, teams: int) -> list[int]:
    """Team sizes summing to ``total``, each at least 1, varying about the mean."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(teams)]
    scale = (total - teams) / sum(weights)
    sizes = [1 + math.floor(w * scale) for w in weights]
    for index in rng.sample(range(teams), total - sum(sizes)):
        sizes[index] += 1
    return sizes


def _staff_team(people: _People, team: str, size: int, manager: OrgPerson) -> list[OrgPerson]:
    """A team's deputy (if any) and practitioners: who may hold its cases."""
    members: list[OrgPerson] = []
    deputy = None
    if size >= DEPUTY_FROM_TEAM_SIZE and people.rng.random() < DEPUTY_SHARE:
        deputy = people.add("deputy_team_manager", manager, team=team)
        members.append(deputy)
    for index in range(size - len(members)):
        # A deputy supervises about a third of the team.
        supervisor = deputy if deputy is not None and index % 3 == 2 else manager
        senior = people.rng.random() < 0.05  # senior practitioners join the auditor pool
        newly_qualified = people.rng.random() < 0.1
        members.append(
            people.add(
                "practitioner",
                supervisor,
                team=team,
                auditor=senior,
                assessed_year=newly_qualified,
            )
        )
    return members


def _unlist_slack_ids(rng: random.Random, staff: list[OrgPerson], count: int) -> list[OrgPerson]:
    practitioners = [i for i, p in enumerate(staff) if "practitioner" in p.roles]
    if count > len(practitioners):
        raise ValueError(f"only {len(practitioners)} practitioners to leave without Slack ids")
    unlisted = set(rng.sample(practitioners, count))
    return [
        OrgPerson(**{**person.__dict__, "slack_in_csv": False}) if i in unlisted else person
        for i, person in enumerate(staff)
    ]


def _cases(
    rng: random.Random,
    count: int,
    team_names: list[str],
    workers: dict[str, list[OrgPerson]],
    staff: list[OrgPerson],
) -> Iterator[OrgCase]:
    """Cases spread over teams in proportion to their size; CP and CLA cases name a chair/IRO."""
    iros = [p.email for p in staff if "iro" in p.roles]
    chairs = [p.email for p in staff if "cp_chair" in p.roles]
    pools = {team: [worker.email for worker in workers[team]] for team in team_names}
    teams = rng.choices(team_names, weights=[len(pools[t]) for t in team_names], k=count)
    types = rng.choices(list(CASE_TYPE_WEIGHTS), weights=list(CASE_TYPE_WEIGHTS.values()), k=count)
    for number, (team, case_type) in enumerate(zip(teams, types, strict=True), start=1):
        worker = rng.choice(pools[team])
        involved: list[str] = []
        if case_type == "CP":
            involved.append(rng.choice(chairs))
        elif case_type == "CLA":
            involved.append(rng.choice(iros))
        if len(pools[team]) > 1 and rng.random() < 0.1:
            involved.append(rng.choice([w for w in pools[team] if w != worker]))  # previous worker
        opened = BASE_DATE - timedelta(days=rng.randint(1, 1500))
        yield OrgCase(f"C{number:07d}", team, worker, case_type, opened, tuple(involved))


# ---------------------------------------------------------------------------- the files


def _csv(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue()


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def teams_csv(org: SyntheticOrg) -> str:
    """teams.csv in PRODUCT.md's format."""
    return _csv(TEAM_COLUMNS, [list(team.__dict__.values()) for team in org.teams])


def staff_csv(org: SyntheticOrg) -> str:
    """staff.csv in PRODUCT.md's format, with the optional columns."""
    rows = [
        [
            p.email,
            p.name,
            ";".join(p.roles),
            p.team,
            p.line_manager_email,
            p.slack_user_id if p.slack_in_csv else "",
            _yes(p.auditor),
            _yes(p.active),
            p.assessed_year_until,
            p.epdr_due,
        ]
        for p in org.staff
    ]
    return _csv((*STAFF_COLUMNS, *STAFF_OPTIONAL), rows)


def cases_csv(org: SyntheticOrg) -> str:
    """cases.csv in PRODUCT.md's format."""
    rows = [
        [c.case_ref, c.team, c.worker_email, c.case_type, c.opened_on, ";".join(c.involved_emails)]
        for c in org.cases
    ]
    return _csv(CASE_COLUMNS, rows)


def csv_texts(org: SyntheticOrg) -> dict[str, str]:
    """The three files' text by kind, in the order a new installation imports them."""
    return {"teams": teams_csv(org), "staff": staff_csv(org), "cases": cases_csv(org)}


def write_csvs(org: SyntheticOrg, folder: Path) -> dict[str, Path]:
    """Write teams.csv, staff.csv and cases.csv into ``folder``; their paths by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"{kind}.csv" for kind in ("teams", "staff", "cases")}
    for kind, text in csv_texts(org).items():
        paths[kind].write_text(text, encoding="utf-8", newline="")
    return paths


def load_org(
    engine: Engine,
    org: SyntheticOrg,
    *,
    authority_id: int = DEFAULT_AUTHORITY_ID,
    now: datetime | None = None,
) -> dict[str, ImportResult]:
    """Import the organisation through the import services, one transaction per file."""
    importers = {"teams": import_teams, "staff": import_staff, "cases": import_cases}
    results = {}
    for kind, text in csv_texts(org).items():
        with unit_of_work(engine) as session:
            result = importers[kind](
                session,
                authority_id=authority_id,
                data=text.encode(),
                actor="system",
                now=now or datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            )
            if not result.ok:
                shown = "; ".join(str(p) for p in result.problems[:5])
                raise AssertionError(f"synthetic {kind} did not import: {shown}")
            session.commit()
        results[kind] = result
    return results


def register_in_fake_slack(org: SyntheticOrg, fake: Any) -> None:
    """Add every person to a FakeSlack workspace, so users.list and lookupByEmail find them."""
    for person in org.staff:
        handle = person.email.split("@")[0]
        fake.add_user(person.slack_user_id, person.email, name=handle, real_name=person.name)
