"""`qabot import cases [--close-missing] FILE.csv`: open cases, upserted by reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy
from sqlmodel import Session, col, select

from bot.domain.directory import CASE_TYPES
from bot.services.imports.bulk import delete_pairs, insert_rows, update_by_id
from bot.services.imports.directory import load_directory
from bot.services.imports.outcome import ImportResult, log_import
from bot.services.imports.table import Cells, Problems, read_table
from bot.services.rule_settings import get_settings
from storage.models import Case, CaseInvolvement

CASE_COLUMNS = ("case_ref", "team", "worker_email", "case_type", "opened_on", "involved_emails")
_TYPES = {case_type.casefold(): case_type for case_type in CASE_TYPES}
#: The stored columns an import row decides, compared to tell updated from unchanged.
_COMPARED = ("team_id", "worker_id", "case_type", "opened_on", "is_open", "closed_on")


@dataclass(frozen=True)
class CaseRow:
    """A checked row of cases.csv, its references resolved to ids."""

    line: int
    case_ref: str
    team_id: int
    worker_id: int | None
    case_type: str
    opened_on: date | None
    involved_ids: frozenset[int]


def check_cases(
    session: Session, *, authority_id: int, data: bytes
) -> tuple[list[CaseRow], Problems]:
    """The rows of a cases file and every problem in it; every reference must resolve."""
    problems = Problems()
    rows, _ = read_table(data, required=CASE_COLUMNS, problems=problems)
    directory = load_directory(session, authority_id)
    staff_ids = directory.ids_by_email()
    checked: list[CaseRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        cells = Cells(row, problems)
        before = len(problems.items)
        ref = cells.text("case_ref", required=True)
        if ref in seen:
            cells.problem(f"case_ref {ref} is also on line {seen[ref]}")
        seen.setdefault(ref, row.line)
        team = cells.text("team", required=True)
        team_id = directory.team_ids.get(team.casefold())
        if team and team_id is None:
            cells.problem(f"unknown team {team!r}")
        worker = cells.email("worker_email")
        if worker and worker not in staff_ids:
            cells.problem(f"unknown worker {worker}")
        raw_type = cells.text("case_type", required=True)
        case_type = _TYPES.get(raw_type.casefold())
        if raw_type and case_type is None:
            cells.problem(f"unknown case_type {raw_type!r}; one of {', '.join(CASE_TYPES)}")
        opened_on = cells.date("opened_on")
        involved = cells.emails("involved_emails")
        for email in involved:
            if email not in staff_ids:
                cells.problem(f"unknown involved e-mail {email}")
        if len(problems.items) == before and team_id is not None and case_type is not None:
            checked.append(
                CaseRow(
                    row.line,
                    ref,
                    team_id,
                    staff_ids[worker] if worker else None,
                    case_type,
                    opened_on,
                    frozenset(staff_ids[email] for email in involved),
                )
            )
    return checked, problems


def import_cases(
    session: Session,
    *,
    authority_id: int,
    data: bytes,
    actor: str,
    now: datetime,
    close_missing: bool = False,
) -> ImportResult:
    """Check a cases file and, if every row is good, upsert the cases and who is involved.

    A closed case listed again is reopened. With ``close_missing``, open cases absent from
    the file are closed as of today in the authority's timezone. The caller commits.
    """
    rows, problems = check_cases(session, authority_id=authority_id, data=data)
    if problems:
        return ImportResult("cases", problems=problems.sorted())
    result = ImportResult("cases")
    # The stored cases by reference: (id, then the columns a row sets, in _COMPARED order).
    existing: dict[str, tuple[int, tuple[object, ...]]] = {
        ref: (case_id, tuple(rest))
        for case_id, ref, *rest in session.execute(
            # sqlalchemy.select: sqlmodel's select types at most four columns.
            sqlalchemy.select(
                col(Case.id), col(Case.case_ref), *(col(getattr(Case, c)) for c in _COMPARED)
            ).where(col(Case.authority_id) == authority_id)
        ).all()
    }
    inserts, updates = [], []
    for row in rows:
        wanted = {
            "team_id": row.team_id,
            "worker_id": row.worker_id,
            "case_type": row.case_type,
            "opened_on": row.opened_on,
            "is_open": True,
            "closed_on": None,
        }
        current = existing.get(row.case_ref)
        if current is None:
            inserts.append({"authority_id": authority_id, "case_ref": row.case_ref, **wanted})
        elif tuple(wanted[c] for c in _COMPARED) != current[1]:
            updates.append({"id": current[0], **wanted})
    insert_rows(session, Case, inserts)
    update_by_id(session, Case, updates)
    ids = {ref: value[0] for ref, value in existing.items()}
    if inserts:
        ids = dict(
            session.execute(
                select(Case.case_ref, Case.id).where(Case.authority_id == authority_id)
            ).all()
        )
    involvement_changed = _sync_involvement(session, authority_id, rows, ids)
    changed = {u["id"] for u in updates} | involvement_changed
    new_ids = {ids[row.case_ref] for row in rows if row.case_ref not in existing}
    result.created = len(inserts)
    result.updated = len(changed - new_ids)
    result.unchanged = len(rows) - result.created - result.updated
    if close_missing:
        listed = {row.case_ref for row in rows}
        today = now.astimezone(ZoneInfo(get_settings(session, authority_id).timezone)).date()
        is_open = _COMPARED.index("is_open")
        closing = [
            {"id": case_id, "is_open": False, "closed_on": today}
            for ref, (case_id, stored) in existing.items()
            if stored[is_open] and ref not in listed
        ]
        update_by_id(session, Case, closing)
        result.closed = len(closing)
    log_import(session, result, authority_id=authority_id, actor=actor, now=now)
    return result


def _sync_involvement(
    session: Session, authority_id: int, rows: list[CaseRow], ids: dict[str, int]
) -> set[int]:
    """Make each listed case's involved people those of its row; the case ids changed."""
    held: dict[int, set[int]] = {}
    for case_id, staff_id in session.execute(
        select(CaseInvolvement.case_id, CaseInvolvement.staff_id)
        .join(Case, Case.id == CaseInvolvement.case_id)  # type: ignore[arg-type]
        .where(Case.authority_id == authority_id)
    ).all():
        held.setdefault(case_id, set()).add(staff_id)
    adds, removes, changed = [], [], set()
    for row in rows:
        case_id = ids[row.case_ref]
        current = held.get(case_id, set())
        if current != row.involved_ids:
            changed.add(case_id)
            adds += [{"case_id": case_id, "staff_id": s} for s in row.involved_ids - current]
            removes += [(case_id, s) for s in sorted(current - row.involved_ids)]
    delete_pairs(session, CaseInvolvement, ("case_id", "staff_id"), removes)
    insert_rows(session, CaseInvolvement, adds)
    return changed
