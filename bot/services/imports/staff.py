"""`qabot import staff FILE.csv`: the staff directory, upserted by e-mail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from bot.domain.directory import ROLE_KEYS, line_manager_cycles
from bot.services.imports.bulk import delete_pairs, insert_rows, update_by_id
from bot.services.imports.directory import Directory, load_directory
from bot.services.imports.outcome import ImportResult, log_import
from bot.services.imports.table import Cells, Problems, read_table
from storage.models import Staff, StaffRole

STAFF_COLUMNS = (
    "email",
    "name",
    "roles",
    "team",
    "line_manager_email",
    "slack_user_id",
    "auditor",
)
STAFF_OPTIONAL = ("active", "assessed_year_until", "epdr_due")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class StaffRow:
    """A checked row of staff.csv (e-mails lower case; team as a folded name)."""

    line: int
    email: str
    name: str
    roles: frozenset[str]
    team: str | None
    line_manager_email: str | None
    slack_user_id: str | None
    is_auditor: bool
    active: bool
    assessed_year_until: date | None
    epdr_due: date | None


def check_staff(
    session: Session, *, authority_id: int, data: bytes
) -> tuple[list[StaffRow], Problems, Directory, set[str]]:
    """The rows of a staff file, every problem in it, the directory as it stands, the columns.

    A row's team must be in the database; its line manager in the database or in the file.
    """
    problems = Problems()
    rows, columns = read_table(
        data, required=STAFF_COLUMNS, optional=STAFF_OPTIONAL, problems=problems
    )
    directory = load_directory(session, authority_id)
    checked: dict[str, StaffRow] = {}
    listed: dict[str, int] = {}  # every e-mail in the file, good row or not: its first line
    for row in rows:
        before = len(problems.items)
        staff_row = _check_row(Cells(row, problems), directory, listed)
        if staff_row is not None and len(problems.items) == before:
            checked[staff_row.email] = staff_row
    _check_references(checked, listed, directory, problems)
    return list(checked.values()), problems, directory, set(columns)


def _check_row(cells: Cells, directory: Directory, listed: dict[str, int]) -> StaffRow | None:
    email = cells.email("email", required=True)
    if email is not None:
        if email in listed:
            cells.problem(f"e-mail {email} is also on line {listed[email]}")
        listed.setdefault(email, cells.line)
    name = cells.text("name", required=True)
    roles = _roles(cells)
    team = cells.text("team")
    if team and team.casefold() not in directory.team_ids:
        cells.problem(f"unknown team {team!r} (import teams first)")
    line_manager = cells.email("line_manager_email")
    slack = cells.text("slack_user_id").upper() or None
    if slack and not _SLACK_USER.match(slack):
        cells.problem(f"slack_user_id {slack!r} is not a Slack user id like U0123ABCD")
    auditor = cells.yes_no("auditor")
    active = cells.yes_no("active", default=True)
    assessed, epdr = cells.date("assessed_year_until"), cells.date("epdr_due")
    if email is None or auditor is None or active is None:
        return None
    return StaffRow(
        cells.line,
        email,
        name,
        roles,
        team.casefold() or None,
        line_manager,
        slack,
        auditor,
        active,
        assessed,
        epdr,
    )


def _roles(cells: Cells) -> frozenset[str]:
    roles = [part.strip().lower() for part in cells.text("roles").split(";") if part.strip()]
    if not roles:
        cells.problem(f"roles is empty; give one or more of {', '.join(ROLE_KEYS)}")
    unknown = [role for role in roles if role not in ROLE_KEYS]
    if "auditor" in unknown:
        cells.problem("auditor is not a role: say yes in the auditor column")
        unknown.remove("auditor")
    if unknown:
        cells.problem(f"unknown role(s) {', '.join(unknown)}; the roles are {', '.join(ROLE_KEYS)}")
    return frozenset(roles)


def _check_references(
    rows: dict[str, StaffRow], listed: dict[str, int], directory: Directory, problems: Problems
) -> None:
    """Line managers that resolve, Slack ids held once, and a line-management tree.

    A manager on a bad row of the file still counts as known, so one bad row is reported
    once rather than again on every row it manages.
    """
    for row in rows.values():
        manager = row.line_manager_email
        if manager and manager not in listed and manager not in directory.staff:
            problems.add(row.line, f"unknown line manager {manager}")
    # The directory as it would be after the import, so clashes with people not in the
    # file count too.
    slack_of = {email: person.slack_user_id for email, person in directory.staff.items()}
    manager_of = {
        email: directory.email_of(person.line_manager_id)
        for email, person in directory.staff.items()
    }
    for row in rows.values():
        if row.slack_user_id:
            slack_of[row.email] = row.slack_user_id
        manager_of[row.email] = row.line_manager_email
    holders: dict[str, list[str]] = {}
    for email, slack in slack_of.items():
        if slack:
            holders.setdefault(slack, []).append(email)
    for row in rows.values():
        others = [e for e in holders.get(row.slack_user_id or "", []) if e != row.email]
        if others:
            where = [f"line {rows[e].line}" if e in rows else e for e in others]
            problems.add(
                row.line, f"slack_user_id {row.slack_user_id} is also given to {', '.join(where)}"
            )
    for cycle in line_manager_cycles(manager_of):
        path = " -> ".join([*cycle, cycle[0]])
        for email in cycle:
            if email in rows:
                problems.add(rows[email].line, f"line-manager cycle: {path}")


def import_staff(
    session: Session, *, authority_id: int, data: bytes, actor: str, now: datetime
) -> ImportResult:
    """Check a staff file and, if every row is good, upsert the people and their roles.

    Nothing is written when any row is bad. The caller commits. An empty slack_user_id keeps
    the id already known; optional columns absent from the file keep their stored values
    (except `active`, which defaults to yes).
    """
    rows, problems, directory, columns = check_staff(session, authority_id=authority_id, data=data)
    if problems:
        return ImportResult("staff", problems=problems.sorted())
    result = ImportResult("staff")
    new_rows = [row for row in rows if row.email not in directory.staff]
    insert_rows(
        session,
        Staff,
        [
            {"authority_id": authority_id, "line_manager_id": None, **_fields(row, directory)}
            for row in new_rows
        ],
    )
    # Ids of the people just created, so that line managers and roles can point at them.
    ids = Directory.staff_ids(session, authority_id) if new_rows else directory.ids_by_email()
    updates, links = [], []
    changed: set[str] = set()
    for row in rows:
        manager_id = ids[row.line_manager_email] if row.line_manager_email else None
        current = directory.staff.get(row.email)
        if current is None:
            if manager_id is not None:
                links.append({"id": ids[row.email], "line_manager_id": manager_id})
            continue
        wanted = {**_fields(row, directory, current, columns), "line_manager_id": manager_id}
        if any(getattr(current, k) != v for k, v in wanted.items()):
            updates.append({"id": current.id, **wanted})
            changed.add(row.email)
    update_by_id(session, Staff, updates)
    update_by_id(session, Staff, links)
    changed |= _sync_roles(session, authority_id, rows, ids)
    result.created = len(new_rows)
    result.updated = len(changed - {row.email for row in new_rows})
    result.unchanged = len(rows) - result.created - result.updated
    log_import(session, result, authority_id=authority_id, actor=actor, now=now)
    return result


def _fields(
    row: StaffRow, directory: Directory, current: object = None, columns: set[str] | None = None
) -> dict[str, object]:
    """The stored columns a row sets (not the line manager, which may be created later)."""
    fields: dict[str, object] = {
        "email": row.email,
        "name": row.name,
        "team_id": directory.team_ids[row.team] if row.team else None,
        "slack_user_id": row.slack_user_id or getattr(current, "slack_user_id", None),
        "is_auditor": row.is_auditor,
        "active": row.active,
    }
    for column in ("assessed_year_until", "epdr_due"):
        if current is None or columns is None or column in columns:
            fields[column] = getattr(row, column)
    return fields


def _sync_roles(
    session: Session, authority_id: int, rows: list[StaffRow], ids: dict[str, int]
) -> set[str]:
    """Make each person's roles those of their row; the e-mails whose roles changed."""
    held: dict[int, set[str]] = {}
    for staff_id, role in session.execute(
        select(StaffRole.staff_id, StaffRole.role)
        .join(Staff, Staff.id == StaffRole.staff_id)  # type: ignore[arg-type]
        .where(Staff.authority_id == authority_id)
    ).all():
        held.setdefault(staff_id, set()).add(role)
    adds, removes, changed = [], [], set()
    for row in rows:
        staff_id = ids[row.email]
        current = held.get(staff_id, set())
        if current != row.roles:
            changed.add(row.email)
            adds += [{"staff_id": staff_id, "role": r} for r in sorted(row.roles - current)]
            removes += [(staff_id, r) for r in sorted(current - row.roles)]
    delete_pairs(session, StaffRole, ("staff_id", "role"), removes)
    insert_rows(session, StaffRole, adds)
    return changed
