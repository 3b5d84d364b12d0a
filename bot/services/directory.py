"""Who is who: looking people up in the staff directory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

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


_PERSON_COLUMNS = (
    Staff.id, Staff.authority_id, Staff.email, Staff.name, Staff.slack_user_id, Staff.team_id,
    Staff.line_manager_id, Staff.is_auditor, StaffRole.role,
)


def find_active_person(session: Session, *, authority_id: int, slack_user_id: str) -> Person | None:
    """The active person with this Slack user id, or None (a stranger, or inactive).

    One query, a row per role: every request starts here, so it is kept to one round trip.
    """
    rows = session.execute(
        select(*_PERSON_COLUMNS)  # type: ignore[call-overload]
        .outerjoin(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
        .where(
            col(Staff.authority_id) == authority_id,
            col(Staff.slack_user_id) == slack_user_id,
            col(Staff.active).is_(True),
        )
        .order_by(col(Staff.id))
    ).all()
    if not rows:
        return None
    first = rows[0]
    return Person(
        staff_id=first[0], authority_id=first[1], email=first[2], name=first[3],
        slack_user_id=first[4], team_id=first[5], line_manager_id=first[6],
        is_auditor=first[7],
        roles=frozenset(r[8] for r in rows if r[0] == first[0] and r[8] is not None),
    )
