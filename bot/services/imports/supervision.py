"""`qabot import supervision FILE.csv`: supervision sessions held or missed, upserted.

A session is known by its supervisor, supervisee, date and kind; importing it again updates
whether it was held and the reason it was missed. Every bad row is reported with its line
number and nothing of the file is written (as the other imports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.domain.supervision import KINDS
from bot.services.imports.bulk import insert_rows, update_by_id
from bot.services.imports.directory import load_directory
from bot.services.imports.outcome import ImportResult, log_import
from bot.services.imports.table import Cells, Problems, read_table
from bot.services.rule_settings import get_settings
from storage.audit_models import SupervisionRecord

SUPERVISION_COLUMNS = ("supervisor_email", "supervisee_email", "date", "kind", "held",
                       "missed_reason")
_KINDS = {kind.casefold(): kind for kind in KINDS}

Key = tuple[int, int, date, str]  # supervisor, supervisee, date, kind


@dataclass(frozen=True)
class SessionRow:
    """A checked row of supervision.csv, its people resolved to ids."""

    line: int
    supervisor_id: int
    supervisee_id: int
    held_on: date
    kind: str
    held: bool
    missed_reason: str | None

    @property
    def key(self) -> Key:
        """What identifies the session."""
        return (self.supervisor_id, self.supervisee_id, self.held_on, self.kind)


def check_supervision(session: Session, *, authority_id: int, data: bytes,
                      today: date) -> tuple[list[SessionRow], Problems]:
    """The rows of a supervision file and every problem in it; both people must be known."""
    problems = Problems()
    rows, _ = read_table(data, required=SUPERVISION_COLUMNS, problems=problems)
    staff_ids = load_directory(session, authority_id).ids_by_email()
    checked: list[SessionRow] = []
    seen: dict[Key, int] = {}
    for row in rows:
        cells = Cells(row, problems)
        before = len(problems.items)
        supervisor = _person(cells, "supervisor_email", staff_ids)
        supervisee = _person(cells, "supervisee_email", staff_ids)
        if supervisor is not None and supervisor == supervisee:
            cells.problem("supervisor_email and supervisee_email are the same person")
        held_on = cells.date("date")
        if not cells.text("date"):
            cells.problem("date is empty")
        elif held_on is not None and held_on > today:
            cells.problem(f"date {held_on.isoformat()} is in the future")
        raw_kind = cells.text("kind", required=True)
        kind = _KINDS.get(raw_kind.casefold())
        if raw_kind and kind is None:
            cells.problem(f"unknown kind {raw_kind!r}; one of {', '.join(KINDS)}")
        held = cells.yes_no("held")
        reason = cells.text("missed_reason") or None
        if held is False and reason is None:
            cells.problem("missed_reason is empty: say why the session was missed")
        if held is True and reason is not None:
            cells.problem("missed_reason is given for a session held: leave it empty")
        if (len(problems.items) == before and supervisor is not None and supervisee is not None
                and held_on is not None and kind is not None and held is not None):
            found = SessionRow(row.line, supervisor, supervisee, held_on, kind, held, reason)
            if found.key in seen:
                cells.problem(f"the same session is also on line {seen[found.key]}")
                continue
            seen[found.key] = row.line
            checked.append(found)
    return checked, problems


def _person(cells: Cells, column: str, staff_ids: dict[str, int]) -> int | None:
    email = cells.email(column, required=True)
    if email is not None and email not in staff_ids:
        cells.problem(f"unknown {column.removesuffix('_email')} {email}")
        return None
    return staff_ids.get(email or "")


def import_supervision(session: Session, *, authority_id: int, data: bytes, actor: str,
                       now: datetime) -> ImportResult:
    """Check a supervision file and, if every row is good, upsert its sessions.

    Nothing is written when any row is bad. The caller commits.
    """
    today = now.astimezone(ZoneInfo(get_settings(session, authority_id).timezone)).date()
    rows, problems = check_supervision(session, authority_id=authority_id, data=data,
                                       today=today)
    if problems:
        return ImportResult("supervision", problems=problems.sorted())
    supervisees = sorted({row.supervisee_id for row in rows})
    existing: dict[Key, tuple[int, bool, str | None]] = {}
    if supervisees:
        for record in session.exec(select(SupervisionRecord).where(
            SupervisionRecord.authority_id == authority_id,
            col(SupervisionRecord.supervisee_id).in_(supervisees),
        )).all():
            key = (record.supervisor_id, record.supervisee_id, record.held_on, record.kind)
            existing[key] = (record.id or 0, record.held, record.missed_reason)
    inserts, updates = [], []
    for row in rows:
        current = existing.get(row.key)
        if current is None:
            inserts.append({
                "authority_id": authority_id, "supervisor_id": row.supervisor_id,
                "supervisee_id": row.supervisee_id, "held_on": row.held_on, "kind": row.kind,
                "held": row.held, "missed_reason": row.missed_reason, "recorded_at": now,
                "source": "import",
            })
        elif (current[1], current[2]) != (row.held, row.missed_reason):
            updates.append({"id": current[0], "held": row.held,
                            "missed_reason": row.missed_reason})
    insert_rows(session, SupervisionRecord, inserts)
    update_by_id(session, SupervisionRecord, updates)
    result = ImportResult("supervision", created=len(inserts), updated=len(updates))
    result.unchanged = len(rows) - result.created - result.updated
    log_import(session, result, authority_id=authority_id, actor=actor, now=now)
    return result
