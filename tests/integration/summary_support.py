"""A small synthetic organisation with a year and a half of QA records, for summary tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db import read_only
from storage.models import Service, Team
from tests.fakes.org import SyntheticOrg, load_org, make_org
from tests.fakes.summary_data import SummaryData, build_summary_data

FIRST, LAST = date(2025, 4, 1), date(2026, 12, 31)
TODAY = date(2026, 11, 23)  # the `clock` fixture's Monday
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass
class Seeded:
    """The organisation, the records, and who is who."""

    org: SyntheticOrg
    data: SummaryData
    team_ids: dict[str, int]
    service_teams: dict[str, frozenset[int]]

    def slack_id(self, role: str, team: str | None = None) -> str:
        """The Slack id of the first person holding a role (in a team)."""
        return next(p.slack_user_id for p in self.org.with_role(role)
                    if team is None or p.team == team)

    def staff_id(self, slack_id: str) -> int:
        """A person's staff id from their Slack id."""
        email = next(p.email for p in self.org.staff if p.slack_user_id == slack_id)
        return next(s for s, info in self.data.people.staff.items() if info["email"] == email)

    def team_manager_of(self, team: str) -> str:
        """The Slack id of a team's manager."""
        email = next(t.team_manager_email for t in self.org.teams if t.name == team)
        return self.org.person(email).slack_user_id


def seed_summary_org(engine: Engine, *, audits_per_cycle: int = 25, actions: int = 1500,
                     alerts: int = 300, supervision: int = 1200,
                     good_practice: int = 80) -> Seeded:
    """Six teams in two services, and their records from April 2025 to December 2026."""
    org = make_org(teams=6, staff=90, cases=300, services=2, seed=3)
    load_org(engine, org)
    data = build_summary_data(
        engine, first=FIRST, last=LAST, today=TODAY, cycles=8,
        audits_per_cycle=audits_per_cycle, actions=actions, alerts=alerts,
        supervision=supervision, good_practice=good_practice, seed=5)
    with read_only(engine) as session:
        rows = session.execute(
            select(col(Team.id), Team.name, Service.name)
            .join(Service, col(Service.id) == col(Team.service_id))).all()
    team_ids = {name: team_id for team_id, name, _ in rows}
    services: dict[str, set[int]] = {}
    for team_id, _, service in rows:
        services.setdefault(service, set()).add(team_id)
    return Seeded(org, data, team_ids, {k: frozenset(v) for k, v in services.items()})
