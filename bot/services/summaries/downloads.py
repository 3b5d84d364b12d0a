"""The trackers a summary offers, as a file of the asker's scope: CSV, or XLSX (openpyxl).

Whatever `bot.services.exports.TRACKERS` holds is offered; each file keeps only the rows of the
summary's scope (`exports.TrackerScope`), and a per-cycle tracker only the cycle's rows when the
summary was of a cycle. The permission is checked again here: a button's value can be forged.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook  # type: ignore[import-untyped]
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.domain.summaries import ME, Scope
from bot.services.exports import TRACKERS, TrackerScope, TrackerTable, open_tracker
from bot.services.summaries.access import Asker, load_asker, refuse
from bot.services.summaries.errors import SummaryError
from bot.services.tracker_files import csv_cell, tracker_sheet, xlsx_value
from storage.claims import claim_once
from storage.db import read_only, unit_of_work
from storage.models import Staff

FORMATS = ("csv", "xlsx")


class DownloadRequest(BaseModel):
    """What a download button carries: the summary request, tracker, format, scope, cycle."""

    r: str
    t: str
    f: str
    s: str
    c: int | None = None


def button_value(request_key: str, tracker: str, file_format: str, scope_key: str,
                 cycle_id: int | None) -> str:
    """A download button's value (well under Slack's 2,000 characters)."""
    return DownloadRequest(r=request_key, t=tracker, f=file_format, s=scope_key,
                           c=cycle_id).model_dump_json(exclude_none=True)


def offered_trackers() -> list[str]:
    """The trackers a summary offers: every one registered."""
    return sorted(TRACKERS)


@dataclass(frozen=True)
class Download:
    """A file ready to upload."""

    filename: str
    title: str
    content: bytes
    rows: int


def _tracker_scope(engine: Engine, asker: Asker, scope: Scope) -> TrackerScope | None:
    if scope.kind == ME:
        return TrackerScope(own_email=asker.person.email)
    if scope.team_ids is None:
        return None
    names = frozenset(t.name for t in asker.names.by_team_id.values()
                      if t.team_id in scope.team_ids)
    with read_only(engine) as session:
        people = session.execute(
            select(Staff.email).where(col(Staff.team_id).in_(sorted(scope.team_ids)))
        ).scalars().all()
    return TrackerScope(teams=names, people=frozenset(e.lower() for e in people))


def prepare_download(engine: Engine, *, authority_id: int, slack_user_id: str, value: str,
                     now: datetime) -> Download:
    """The file a download button asks for, once per summary, tracker and format."""
    try:
        wanted = DownloadRequest.model_validate_json(value)
    except ValidationError:
        raise SummaryError("That button has expired: ask `/qa-summary` again.") from None
    if wanted.t not in TRACKERS or wanted.f not in FORMATS:
        raise SummaryError("That file is no longer offered: ask `/qa-summary` again.")
    asker = load_asker(engine, authority_id=authority_id, slack_user_id=slack_user_id)
    scope = asker.scope_from_key(wanted.s)
    if scope is None:
        raise SummaryError("That team or service no longer exists: ask `/qa-summary` again.")
    if not asker.may_see(scope):
        refuse(engine, asker, scope, now, action="summary.download")
    cycle_id = wanted.c if TRACKERS[wanted.t].takes_cycle else None
    with open_tracker(engine, tracker=wanted.t, authority_id=authority_id, cycle_id=cycle_id,
                      scope=_tracker_scope(engine, asker, scope)) as table:
        content, rows = (_csv_bytes(table) if wanted.f == "csv"
                         else _xlsx_bytes(table, wanted.t, scope, now))
    with unit_of_work(engine) as session:
        fresh = claim_once(session, f"download:{wanted.r}:{wanted.t}:{wanted.f}", now)
        session.commit()
    if not fresh:
        raise SummaryError("That file is already in your messages with qabot.")
    stamp = now.strftime("%Y%m%d")
    return Download(filename=f"{wanted.t}-{_slug(scope.label)}-{stamp}.{wanted.f}",
                    title=f"{wanted.t.capitalize()} tracker: {scope.label}",
                    content=content, rows=rows)


def _slug(text: str) -> str:
    kept = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in kept.split("-") if part)[:40] or "scope"


def _csv_bytes(table: TrackerTable) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    rows = 0
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
        rows += 1
    return out.getvalue().encode("utf-8"), rows


def _xlsx_bytes(table: TrackerTable, tracker: str, scope: Scope,
                now: datetime) -> tuple[bytes, int]:
    """The tracker as the first sheet (header bold and frozen), then a sheet saying what it is."""
    book = Workbook(write_only=True)
    sheet = tracker_sheet(book, tracker, table.header)
    rows = 0
    for row in table.rows:
        sheet.append([xlsx_value(sheet, v) for v in row])
        rows += 1
    about = book.create_sheet(title="about")
    for line in (("tracker", tracker), ("scope", scope.label), ("rows", str(rows)),
                 ("made_at", now.isoformat(timespec="seconds"))):
        about.append(list(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows
