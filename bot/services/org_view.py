"""The directory as nudges and actions need it, read in four queries for a whole authority.

Who is an owner's team manager (the team's manager and deputies), their head of service, a
supervisor's line manager, the QA leads: worked out in memory, so that a sweep over thousands
of items never asks the database about one person at a time.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy
from sqlmodel import Session, col, select

from storage.directory_version import directory_version
from storage.models import Service, Staff, StaffRole, Team


@dataclass(frozen=True)
class Member:
    """An active member of staff."""

    id: int
    email: str
    name: str
    slack_user_id: str | None
    team_id: int | None
    line_manager_id: int | None
    assessed_year_until: date | None
    epdr_due: date | None


@dataclass
class OrgView:
    """An authority's active staff, their roles, and each team's managers and head of service."""

    members: dict[int, Member]
    roles: dict[int, frozenset[str]]
    team_managers: dict[int, tuple[int, ...]] = field(default_factory=dict)
    heads: dict[int, tuple[int, ...]] = field(default_factory=dict)
    qa_leads: tuple[int, ...] = ()
    _reverse: tuple[dict[int, list[int]], dict[int, list[int]]] | None = field(
        default=None, repr=False, compare=False
    )

    def _reverse_maps(self) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        # Built once per view (views are cached): who reports to whom, who manages whom.
        if self._reverse is None:
            reports: dict[int, list[int]] = {}
            managed: dict[int, list[int]] = {}
            for member_id in self.members:
                manager = self.line_manager(member_id)
                if manager is not None:
                    reports.setdefault(manager, []).append(member_id)
                for boss in self.managers_of(member_id):
                    managed.setdefault(boss, []).append(member_id)
            self._reverse = (reports, managed)
        return self._reverse

    def reports_of(self, staff_id: int) -> list[int]:
        """The active people whose line manager this person is."""
        return self._reverse_maps()[0].get(staff_id, [])

    def managed_by(self, staff_id: int) -> list[int]:
        """The active people this person manages (see managers_of)."""
        return self._reverse_maps()[1].get(staff_id, [])

    def reachable(self, staff_id: int | None) -> bool:
        """Active, with a Slack user id to send to."""
        member = self.members.get(staff_id) if staff_id is not None else None
        return member is not None and bool(member.slack_user_id)

    def slack_id(self, staff_id: int) -> str:
        """The Slack user id of someone reachable."""
        return self.members[staff_id].slack_user_id or ""

    def name(self, staff_id: int | None) -> str:
        """A person's name, or empty when not an active member."""
        member = self.members.get(staff_id) if staff_id is not None else None
        return member.name if member else ""

    def line_manager(self, staff_id: int | None) -> int | None:
        """The active line manager of someone active."""
        member = self.members.get(staff_id) if staff_id is not None else None
        if member is None or member.line_manager_id not in self.members:
            return None
        return member.line_manager_id

    def managers_of(self, staff_id: int) -> tuple[int, ...]:
        """The person's team manager and deputies (never themselves), else their line manager."""
        member = self.members.get(staff_id)
        team = member.team_id if member else None
        found = tuple(p for p in self.team_managers.get(team or -1, ()) if p != staff_id)
        if found:
            return found
        manager = self.line_manager(staff_id)
        return (manager,) if manager is not None else ()

    def heads_of(self, staff_id: int) -> tuple[int, ...]:
        """The head of service of the person's team's service (never themselves)."""
        member = self.members.get(staff_id)
        team = member.team_id if member else None
        return tuple(p for p in self.heads.get(team or -1, ()) if p != staff_id)

    def only_reachable(self, people: tuple[int, ...]) -> tuple[int, ...]:
        """Those who can be sent a message."""
        return tuple(p for p in people if self.reachable(p))


_CACHE: weakref.WeakKeyDictionary[Any, dict[int, tuple[int, OrgView]]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()


def load_org_view(session: Session, authority_id: int) -> OrgView:
    """The authority's directory, rebuilt only when its version has changed.

    Every `/qa` and App Home needs it; reading 2,000 staff each time cost tens of ms, so it is
    kept per engine and checked against the directory version (one small query).
    """
    engine = session.get_bind()
    version = directory_version(session, authority_id)
    with _CACHE_LOCK:
        cached = _CACHE.setdefault(engine, {}).get(authority_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    view = _read_org_view(session, authority_id)
    with _CACHE_LOCK:
        _CACHE[engine][authority_id] = (version, view)
    return view


def _read_org_view(session: Session, authority_id: int) -> OrgView:
    """The authority's active staff and their management, in four queries."""
    # sqlalchemy.select: sqlmodel's select types at most four columns.
    rows = session.execute(
        sqlalchemy.select(*(col(getattr(Staff, name)) for name in Member.__dataclass_fields__))
        .where(col(Staff.authority_id) == authority_id, col(Staff.active).is_(True))
    ).all()
    members = {row[0]: Member(*row) for row in rows if row[0] is not None}
    roles: dict[int, set[str]] = {}
    for staff_id, role in session.exec(
        select(StaffRole.staff_id, StaffRole.role)
        .join(Staff, col(Staff.id) == col(StaffRole.staff_id))
        .where(Staff.authority_id == authority_id, col(Staff.active).is_(True))
    ).all():
        roles.setdefault(staff_id, set()).add(role)
    by_email = {m.email.lower(): m.id for m in members.values()}
    deputies: dict[int, list[int]] = {}
    for staff_id, held in roles.items():
        team = members[staff_id].team_id
        if "deputy_team_manager" in held and team is not None:
            deputies.setdefault(team, []).append(staff_id)
    heads_by_service = {
        service_id: by_email.get((email or "").lower())
        for service_id, email in session.exec(
            select(Service.id, Service.head_of_service_email)
            .where(Service.authority_id == authority_id)
        ).all()
    }
    view = OrgView(members=members, roles={k: frozenset(v) for k, v in roles.items()})
    for team_id, service_id, manager_email in session.exec(
        select(Team.id, Team.service_id, Team.team_manager_email)
        .where(Team.authority_id == authority_id)
    ).all():
        assert team_id is not None
        manager = by_email.get((manager_email or "").lower())
        managers = [manager] if manager is not None else []
        managers += [d for d in sorted(deputies.get(team_id, [])) if d not in managers]
        view.team_managers[team_id] = tuple(managers)
        head = heads_by_service.get(service_id)
        view.heads[team_id] = (head,) if head is not None else ()
    view.qa_leads = tuple(sorted(p for p, held in roles.items() if "qa_lead" in held))
    return view
