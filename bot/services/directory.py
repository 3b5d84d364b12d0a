"""Who is who: looking people up in the staff directory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from storage.models import DEFAULT_AUTHORITY_ID, Staff, StaffRole


@dataclass(frozen=True)
class Person:
    """An active member of staff, as the services see them."""

    staff_id: int
    authority_id: int
    email: str
    name: str
    slack_user_id: str | None
    roles: frozenset[str]
    team_id: int | None
    line_manager_id: int | None
    is_auditor: bool


def authority_for_workspace(team_id: str | None) -> int:
    """The authority a Slack workspace belongs to (one by default, until OAuth installs)."""
    return DEFAULT_AUTHORITY_ID


def _person(session: Session, staff: Staff) -> Person:
    roles = session.exec(select(StaffRole.role).where(StaffRole.staff_id == staff.id)).all()
    assert staff.id is not None
    return Person(
        staff_id=staff.id,
        authority_id=staff.authority_id,
        email=staff.email,
        name=staff.name,
        slack_user_id=staff.slack_user_id,
        roles=frozenset(roles),
        team_id=staff.team_id,
        line_manager_id=staff.line_manager_id,
        is_auditor=staff.is_auditor,
    )


def find_active_person(session: Session, *, authority_id: int, slack_user_id: str) -> Person | None:
    """The active person with this Slack user id, or None (a stranger, or inactive)."""
    staff = session.exec(
        select(Staff).where(
            Staff.authority_id == authority_id,
            Staff.slack_user_id == slack_user_id,
            Staff.active == True,  # noqa: E712
        )
    ).first()
    return None if staff is None else _person(session, staff)
