"""The database as the allocation engine sees it: the directory, cases and past audits.

Every id given to the engine is the row's id as a string; ``Directory`` keeps the way back to
e-mails, names and references, for reports and messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.domain.allocation import (
    Case,
    Organisation,
    Person,
    PersonSubject,
    Service,
    Team,
)
from bot.domain.cycles import CANCELLED
from storage.audit_models import Audit, Cycle
from storage.models import Case as CaseRow
from storage.models import CaseInvolvement, Staff, StaffRole
from storage.models import Service as ServiceRow
from storage.models import Team as TeamRow

PERSON_SUBJECT_ROLE = "practitioner"


@dataclass(frozen=True)
class Directory:
    """The authority's organisation for the engine, and who and what each id is."""

    organisation: Organisation
    emails: dict[str, str]
    names: dict[str, str]
    slack_ids: dict[str, str | None]
    active: dict[str, bool]
    team_names: dict[str, str]
    service_names: dict[str, str]
    service_of_team: dict[str, str]
    team_managers: dict[str, tuple[str, ...]]
    case_refs: dict[str, str] = field(default_factory=dict)

    def subject_label(self, subject_id: str, *, cases: bool) -> str:
        """A subject as people know it: the case reference, or the person's e-mail."""
        if cases:
            return self.case_refs.get(subject_id, f"case {subject_id}")
        return self.emails.get(subject_id, f"person {subject_id}")


def load_directory(session: Session, authority_id: int) -> Directory:
    """Everyone, every team and service of the authority, in the engine's terms."""
    staff = session.exec(select(Staff).where(Staff.authority_id == authority_id)).all()
    roles: dict[int, list[str]] = defaultdict(list)
    for staff_id, role in session.exec(
        select(StaffRole.staff_id, StaffRole.role)
        .join(Staff, col(Staff.id) == col(StaffRole.staff_id))
        .where(Staff.authority_id == authority_id)
    ).all():
        roles[staff_id].append(role)
    by_email = {s.email: s for s in staff}
    deputies: dict[int, list[str]] = defaultdict(list)
    for s in staff:
        if s.team_id is not None and "deputy_team_manager" in roles[s.id or 0]:
            deputies[s.team_id].append(str(s.id))
    teams = session.exec(select(TeamRow).where(TeamRow.authority_id == authority_id)).all()
    services = session.exec(
        select(ServiceRow).where(ServiceRow.authority_id == authority_id)
    ).all()
    managers: dict[str, tuple[str, ...]] = {}
    for team in teams:
        manager = by_email.get((team.team_manager_email or "").lower())
        ids = ([str(manager.id)] if manager is not None else []) + deputies[team.id or 0]
        managers[str(team.id)] = tuple(dict.fromkeys(ids))
    organisation = Organisation(
        people=tuple(
            Person(
                id=str(s.id),
                roles=tuple(roles[s.id or 0]),
                team_id=None if s.team_id is None else str(s.team_id),
                line_manager_id=None if s.line_manager_id is None else str(s.line_manager_id),
                active=s.active,
                auditor=s.is_auditor,
            )
            for s in staff
        ),
        teams=tuple(
            Team(id=str(t.id), service_id=str(t.service_id), manager_ids=managers[str(t.id)])
            for t in teams
        ),
        services=tuple(Service(id=str(s.id)) for s in services),
    )
    return Directory(
        organisation=organisation,
        emails={str(s.id): s.email for s in staff},
        names={str(s.id): s.name for s in staff},
        slack_ids={str(s.id): s.slack_user_id for s in staff},
        active={str(s.id): s.active for s in staff},
        team_names={str(t.id): t.name for t in teams},
        service_names={str(s.id): s.name for s in services},
        service_of_team={str(t.id): str(t.service_id) for t in teams},
        team_managers=managers,
    )


def load_cases(
    session: Session, authority_id: int, *, exclude_cycle: int | None,
    case_ids: Collection[int] | None = None,
) -> tuple[Case, ...]:
    """Open cases (or just ``case_ids``), with involved staff and when each was last audited.

    ``last_audited`` is the opening date of the case's latest audit in any cycle but
    ``exclude_cycle`` (the one being drawn again); a cancelled audit does not count.
    """
    columns: list[Any] = [
        CaseRow.id, CaseRow.case_ref, CaseRow.team_id, CaseRow.worker_id, CaseRow.case_type
    ]
    query = sa_select(*columns).where(col(CaseRow.authority_id) == authority_id)
    query = query.where(col(CaseRow.is_open).is_(True)) if case_ids is None else query.where(
        col(CaseRow.id).in_(list(case_ids))
    )
    rows = session.execute(query).all()
    involved: dict[int, list[str]] = defaultdict(list)
    inv_query = select(CaseInvolvement.case_id, CaseInvolvement.staff_id).join(
        CaseRow, col(CaseRow.id) == col(CaseInvolvement.case_id)
    ).where(CaseRow.authority_id == authority_id)
    if case_ids is not None:
        inv_query = inv_query.where(col(CaseRow.id).in_(list(case_ids)))
    for case_id, staff_id in session.exec(inv_query).all():
        involved[case_id].append(str(staff_id))
    last = _last_audited(session, authority_id, col(Audit.case_id), exclude_cycle, None)
    return tuple(
        Case(
            id=str(case_id), ref=ref, team_id=str(team_id),
            worker_id=None if worker_id is None else str(worker_id), case_type=case_type,
            involved_ids=tuple(involved[case_id]), last_audited=last.get(case_id),
        )
        for case_id, ref, team_id, worker_id, case_type in rows
    )


def involved_staff(session: Session, case_ids: Collection[int]) -> dict[int, tuple[str, ...]]:
    """The named involved staff of each of these cases."""
    involved: dict[int, list[str]] = defaultdict(list)
    if case_ids:
        for case_id, staff_id in session.exec(
            select(CaseInvolvement.case_id, CaseInvolvement.staff_id).where(
                col(CaseInvolvement.case_id).in_(list(case_ids))
            )
        ).all():
            involved[case_id].append(str(staff_id))
    return {k: tuple(v) for k, v in involved.items()}


def case_refs(session: Session, case_ids: Collection[int]) -> dict[str, str]:
    """The references of these cases, by id as the engine knows them."""
    if not case_ids:
        return {}
    rows = session.exec(
        select(CaseRow.id, CaseRow.case_ref).where(col(CaseRow.id).in_(list(case_ids)))
    ).all()
    return {str(case_id): ref for case_id, ref in rows}


def load_people_to_audit(
    session: Session, authority_id: int, kind: str, *, exclude_cycle: int | None,
    person_ids: Collection[int] | None = None,
) -> tuple[PersonSubject, ...]:
    """Practitioners (or just ``person_ids``) a person-kind cycle may audit, with last audits."""
    if person_ids is None:
        ids = session.exec(
            select(Staff.id).join(StaffRole, col(StaffRole.staff_id) == col(Staff.id)).where(
                Staff.authority_id == authority_id, StaffRole.role == PERSON_SUBJECT_ROLE
            )
        ).all()
    else:
        ids = list(person_ids)
    last = _last_audited(session, authority_id, col(Audit.subject_staff_id), exclude_cycle, kind)
    return tuple(
        PersonSubject(person_id=str(i), kind=kind, last_audited=last.get(i))  # type: ignore[arg-type]
        for i in sorted({i for i in ids if i is not None})
    )


def _last_audited(
    session: Session, authority_id: int, subject: Any, exclude_cycle: int | None,
    kind: str | None,
) -> dict[int, date]:
    query = (
        sa_select(subject, func.max(Cycle.opens_on))
        .join(Cycle, col(Cycle.id) == col(Audit.cycle_id))
        .where(col(Audit.authority_id) == authority_id, col(Audit.status) != CANCELLED,
               subject.isnot(None))
        .group_by(subject)
    )
    if exclude_cycle is not None:
        query = query.where(col(Audit.cycle_id) != exclude_cycle)
    if kind is not None:
        query = query.where(col(Cycle.kind) == kind)
    return {k: v for k, v in session.execute(query).all()}
