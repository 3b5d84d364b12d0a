"""Who asks and whose figures: the teams and services, the asker's reach, and scope filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.domain.summaries import (
    ALL,
    ME,
    SEE_SERVICE,
    SEE_TEAM,
    SERVICE,
    TEAM,
    Scope,
    Viewer,
    widest_kind,
)
from bot.services.directory import Person
from storage.models import Service, Team


@dataclass(frozen=True)
class TeamInfo:
    """A team, its service, and its managers' e-mails."""

    team_id: int
    name: str
    service_id: int
    service: str
    team_manager_email: str
    service_manager_email: str
    head_of_service_email: str


@dataclass
class OrgNames:
    """The authority's teams and services, by lower-case name, read in one query."""

    teams: dict[str, TeamInfo] = field(default_factory=dict)
    services: dict[str, tuple[int, str, frozenset[int]]] = field(default_factory=dict)
    by_team_id: dict[int, TeamInfo] = field(default_factory=dict)


def load_names(session: Session, authority_id: int) -> OrgNames:
    """Every team with its service (a few hundred rows at most)."""
    columns: list[Any] = [col(Team.id), Team.name, col(Team.service_id), Service.name,
                          Team.team_manager_email, Team.service_manager_email,
                          Service.head_of_service_email]
    rows = session.execute(
        select(*columns)
        .join(Service, col(Service.id) == col(Team.service_id))
        .where(col(Team.authority_id) == authority_id)
    ).all()
    names = OrgNames()
    members: dict[int, set[int]] = {}
    service_names: dict[int, str] = {}
    for team_id, name, service_id, service, tm, sm, hos in rows:
        info = TeamInfo(team_id, name, service_id, service, (tm or "").lower(),
                        (sm or "").lower(), (hos or "").lower())
        names.teams[name.lower()] = info
        names.by_team_id[team_id] = info
        members.setdefault(service_id, set()).add(team_id)
        service_names[service_id] = service
    for service_id, service in service_names.items():
        names.services[service.lower()] = (service_id, service, frozenset(members[service_id]))
    return names


def viewer_of(person: Person, names: OrgNames) -> Viewer:
    """The asker's reach: the teams they manage and the services they run."""
    email = person.email.lower()
    own = names.by_team_id.get(person.team_id or -1)
    teams: set[int] = set()
    services: set[int] = set()
    if person.roles & SEE_TEAM:
        teams = {t.team_id for t in names.teams.values() if t.team_manager_email == email}
        if own is not None:
            teams.add(own.team_id)
    if person.roles & SEE_SERVICE:
        services = {t.service_id for t in names.teams.values()
                    if email in (t.service_manager_email, t.head_of_service_email)}
        if own is not None:
            services.add(own.service_id)
    return Viewer(person.staff_id, person.roles, frozenset(teams), frozenset(services))


def team_scope(info: TeamInfo) -> Scope:
    """A team's scope."""
    return Scope(TEAM, info.name, team_ids=frozenset({info.team_id}), service_id=info.service_id)


def service_scope(names: OrgNames, service_id: int) -> Scope:
    """A service's scope: its teams."""
    for sid, name, members in names.services.values():
        if sid == service_id:
            return Scope(SERVICE, name, team_ids=members, service_id=sid)
    return Scope(SERVICE, f"service {service_id}", team_ids=frozenset(), service_id=service_id)


def me_scope(person: Person) -> Scope:
    """A person's own work."""
    return Scope(ME, f"{person.name} (your own work)", staff_id=person.staff_id)


def named_scope(words: str, person: Person, names: OrgNames) -> Scope | None:
    """The scope named by `me`, `all`, a team's or a service's name; None if none is."""
    key = words.strip().lower()
    if key == ME:
        return me_scope(person)
    if key == ALL:
        return Scope(ALL, "all teams")
    if key in names.teams:
        return team_scope(names.teams[key])
    if key in names.services:
        return service_scope(names, names.services[key][0])
    return None


def default_scope(person: Person, viewer: Viewer, names: OrgNames) -> Scope:
    """The widest scope the person may see (the summary they get by asking for none)."""
    kind = widest_kind(viewer)
    if kind == ALL:
        return Scope(ALL, "all teams")
    if kind == SERVICE:
        own = names.by_team_id.get(person.team_id or -1)
        chosen = own.service_id if own and own.service_id in viewer.service_ids else min(
            viewer.service_ids)
        return service_scope(names, chosen)
    if kind == TEAM:
        chosen = person.team_id if person.team_id in viewer.team_ids else min(viewer.team_ids)
        return team_scope(names.by_team_id[chosen])
    return me_scope(person)


def scope_from_key(key: str, person: Person, names: OrgNames) -> Scope | None:
    """A scope from its key (`team:4`): what a button carries back."""
    kind, _, raw = key.partition(":")
    if kind == ALL and not raw:
        return Scope(ALL, "all teams")
    if not raw.isdigit():
        return None
    number = int(raw)
    if kind == ME:
        return me_scope(person) if number == person.staff_id else Scope(
            ME, "someone else's work", staff_id=number)
    if kind == TEAM and number in names.by_team_id:
        return team_scope(names.by_team_id[number])
    if kind == SERVICE and any(s[0] == number for s in names.services.values()):
        return service_scope(names, number)
    return None


def scope_filter(scope: Scope, team_column: Any, *person_columns: Any) -> list[ColumnElement[bool]]:
    """WHERE clauses keeping a table's rows in scope (by team, or by the person's own)."""
    if scope.kind == ME:
        return [or_(*[column == scope.staff_id for column in person_columns])]
    if scope.kind in (TEAM, SERVICE):
        return [team_column.in_(sorted(scope.team_ids or ()))]
    return []
