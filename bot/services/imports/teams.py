"""`qabot import teams FILE.csv`: teams and their services, upserted by name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy
from sqlmodel import Session, col, select

from bot.services.imports.bulk import insert_rows, update_by_id
from bot.services.imports.outcome import ImportResult, log_import
from bot.services.imports.table import Cells, Problems, read_table
from storage.models import Service, Team

TEAM_COLUMNS = (
    "team",
    "service",
    "team_manager_email",
    "service_manager_email",
    "head_of_service_email",
)


@dataclass(frozen=True)
class TeamRow:
    """A checked row of teams.csv."""

    line: int
    team: str
    service: str
    team_manager_email: str | None
    service_manager_email: str | None
    head_of_service_email: str | None


def check_teams(data: bytes) -> tuple[list[TeamRow], Problems]:
    """The rows of a teams file, and every problem in it (nothing is read from the database).

    Managers' e-mails are only checked for shape: teams come before staff, so the people
    they name may not be in the directory yet.
    """
    problems = Problems()
    rows, _ = read_table(data, required=TEAM_COLUMNS, problems=problems)
    checked: list[TeamRow] = []
    seen: dict[str, int] = {}
    head_of: dict[str, tuple[str | None, int]] = {}
    for row in rows:
        cells = Cells(row, problems)
        team, service = cells.text("team", required=True), cells.text("service", required=True)
        managers = [cells.email(c) for c in TEAM_COLUMNS[2:]]
        before = len(problems.items)
        if team and team.casefold() in seen:
            cells.problem(f"team {team!r} is also on line {seen[team.casefold()]}")
        seen.setdefault(team.casefold(), row.line)
        head = managers[2]
        head_readable = head is not None or not cells.text("head_of_service_email")
        if service and head_readable:
            first = head_of.setdefault(service.casefold(), (head, row.line))
            if first[0] != head:
                cells.problem(
                    f"head_of_service_email {head or '(none)'} conflicts with line {first[1]}"
                    f" ({first[0] or '(none)'}) for service {service!r}"
                )
        if len(problems.items) == before and team and service:
            checked.append(TeamRow(row.line, team, service, *managers))
    return checked, problems


def import_teams(
    session: Session, *, authority_id: int, data: bytes, actor: str, now: datetime
) -> ImportResult:
    """Check a teams file and, if every row is good, upsert its services and teams.

    Nothing is written when any row is bad. The caller commits.
    """
    rows, problems = check_teams(data)
    if problems:
        return ImportResult("teams", problems=problems.sorted())
    result = ImportResult("teams")
    service_ids = _upsert_services(session, authority_id, rows, result)
    existing = {
        name.casefold(): (team_id, name, service_id, tm, sm)
        for team_id, name, service_id, tm, sm in session.execute(
            # sqlalchemy.select: sqlmodel's select types at most four columns.
            sqlalchemy.select(
                col(Team.id),
                col(Team.name),
                col(Team.service_id),
                col(Team.team_manager_email),
                col(Team.service_manager_email),
            ).where(col(Team.authority_id) == authority_id)
        ).all()
    }
    inserts, updates = [], []
    for row in rows:
        wanted = {
            "name": row.team,
            "service_id": service_ids[row.service.casefold()],
            "team_manager_email": row.team_manager_email,
            "service_manager_email": row.service_manager_email,
        }
        current = existing.get(row.team.casefold())
        if current is None:
            inserts.append({"authority_id": authority_id, **wanted})
        elif tuple(wanted.values()) != current[1:]:
            updates.append({"id": current[0], **wanted})
        else:
            result.unchanged += 1
    insert_rows(session, Team, inserts)
    update_by_id(session, Team, updates)
    result.created, result.updated = len(inserts), len(updates)
    log_import(session, result, authority_id=authority_id, actor=actor, now=now)
    return result


def _upsert_services(
    session: Session, authority_id: int, rows: list[TeamRow], result: ImportResult
) -> dict[str, int]:
    """Create the services the file names, set their heads; their ids by folded name."""
    wanted: dict[str, tuple[str, str | None]] = {}
    for row in rows:
        wanted.setdefault(row.service.casefold(), (row.service, row.head_of_service_email))

    def load() -> dict[str, tuple[int, str, str | None]]:
        return {
            name.casefold(): (service_id, name, head)
            for service_id, name, head in session.execute(
                select(Service.id, Service.name, Service.head_of_service_email).where(
                    Service.authority_id == authority_id
                )
            ).all()
        }

    existing = load()
    inserts = [
        {"authority_id": authority_id, "name": name, "head_of_service_email": head}
        for key, (name, head) in wanted.items()
        if key not in existing
    ]
    updates = [
        {"id": existing[key][0], "name": name, "head_of_service_email": head}
        for key, (name, head) in wanted.items()
        if key in existing and existing[key][1:] != (name, head)
    ]
    insert_rows(session, Service, inserts)
    update_by_id(session, Service, updates)
    result.services_created = len(inserts)
    return {key: value[0] for key, value in (load() if inserts else existing).items()}
