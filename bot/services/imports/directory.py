"""The directory as it stands, loaded in a few queries so that checks never query per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from storage.models import Staff, Team


@dataclass(frozen=True)
class StaffRecord:
    """A stored person, as the imports compare them (attribute names are the columns)."""

    id: int
    email: str
    name: str
    team_id: int | None
    line_manager_id: int | None
    slack_user_id: str | None
    is_auditor: bool
    active: bool
    assessed_year_until: date | None
    epdr_due: date | None


@dataclass
class Directory:
    """An authority's teams (by folded name) and staff (by lower-case e-mail)."""

    team_ids: dict[str, int]
    staff: dict[str, StaffRecord]
    _emails: dict[int, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._emails = {person.id: email for email, person in self.staff.items()}

    def email_of(self, staff_id: int | None) -> str | None:
        """The e-mail of a stored person, by id."""
        return None if staff_id is None else self._emails.get(staff_id)

    def ids_by_email(self) -> dict[str, int]:
        """Stored people's ids by e-mail."""
        return {email: person.id for email, person in self.staff.items()}

    @staticmethod
    def staff_ids(session: Session, authority_id: int) -> dict[str, int]:
        """Every person's id by e-mail, read again (after rows were inserted)."""
        return {
            email: staff_id
            for staff_id, email in session.execute(
                select(Staff.id, Staff.email).where(Staff.authority_id == authority_id)
            ).all()
        }


def load_directory(session: Session, authority_id: int) -> Directory:
    """The authority's teams and staff, in two queries."""
    teams = {
        name.casefold(): team_id
        for team_id, name in session.execute(
            select(Team.id, Team.name).where(Team.authority_id == authority_id)
        ).all()
    }
    columns = [getattr(Staff, name) for name in StaffRecord.__dataclass_fields__]
    staff = {
        row.email: StaffRecord(*row)
        for row in session.execute(select(*columns).where(Staff.authority_id == authority_id))
    }
    return Directory(team_ids=teams, staff=staff)
