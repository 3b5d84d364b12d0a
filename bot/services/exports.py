"""The trackers `qabot export` writes: each one a query streaming its header and rows.

PRODUCT.md section 8 fixes the columns. A tracker never carries free text (an alert's concern,
what was asked, the timeline's notes): only references, keys, e-mails, dates and statuses, so an
export can be handed round a QA team as the section 7 privacy rules allow. The one exception is
the actions tracker's `description` (what must be done), a column section 8 names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from bot.domain.alerts import LEVEL_NAMES
from bot.services.cycles.tracker import ALLOCATION_COLUMNS, allocation_rows, cycle_exists
from bot.services.loop_trackers import action_rows, supervision_rows
from storage.alert_models import Alert
from storage.db import READ_ONLY
from storage.models import Authority, Case, Staff, Team

#: Rows are fetched in batches of this many, never all at once.
BATCH_ROWS = 1000

Row = tuple[str, ...]


class ExportError(Exception):
    """An export that cannot be made as asked, phrased for the operator."""


@dataclass(frozen=True)
class TrackerTable:
    """A tracker's header and its rows; the rows are read while they are consumed."""

    header: Row
    rows: Iterator[Row]


#: Builds one tracker from an open connection (`cycle_id` only for trackers that take one).
TrackerBuilder = Callable[[Connection, int, int | None], TrackerTable]


@dataclass(frozen=True)
class Tracker:
    """A tracker as registered: how it is built, and whether `--cycle` applies to it."""

    build: TrackerBuilder
    takes_cycle: bool = False


def iso_utc(value: datetime | None) -> str:
    """An instant as ISO 8601 in UTC to the second, or empty when there is none."""
    # Seconds are enough for a tracker, and a fixed width sorts as text in a spreadsheet.
    return "" if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def yes_no(value: bool) -> str:
    """A flag as the CSV files write it."""
    return "yes" if value else "no"


ALERT_COLUMNS: Row = (
    "reference", "case_ref", "team", "category", "severity", "management_decision",
    "raised_by_email", "raised_at", "stage", "acknowledged_at", "responded_at", "resolved_at",
    "status",
)
_STAGE_NAMES = {int(level): name for level, name in LEVEL_NAMES.items()}


def alert_tracker(connection: Connection, authority_id: int, cycle_id: int | None) -> TrackerTable:
    """Every Practice Alert of the authority, oldest first, without its words."""
    # Columns are named one by one so that the free-text ones can never come along.
    columns: list[Any] = [
        Alert.reference, Case.case_ref, Team.name, Alert.category, Alert.severity,
        Alert.management_decision, Staff.email, Alert.raised_at, Alert.stage,
        Alert.acknowledged_at, Alert.responded_at, Alert.resolved_at, Alert.status,
    ]
    query = (
        select(*columns)
        .join(Case, col(Case.id) == col(Alert.case_id))
        .join(Team, col(Team.id) == col(Alert.team_id))
        .join(Staff, col(Staff.id) == col(Alert.raised_by_id))
        .where(col(Alert.authority_id) == authority_id)
        .order_by(col(Alert.raised_at), col(Alert.id))
    )

    def rows() -> Iterator[Row]:
        # yield_per streams (a server-side cursor on PostgreSQL) instead of loading every row.
        result = connection.execute(query.execution_options(yield_per=BATCH_ROWS))
        for (reference, case_ref, team, category, severity, management, raiser, raised_at,
             stage, acknowledged_at, responded_at, resolved_at, status) in result:
            yield (
                reference, case_ref, team, category, severity, yes_no(management), raiser,
                iso_utc(raised_at), _STAGE_NAMES.get(stage, str(stage)),
                iso_utc(acknowledged_at), iso_utc(responded_at), iso_utc(resolved_at), status,
            )

    return TrackerTable(header=ALERT_COLUMNS, rows=rows())


def allocation_tracker(
    connection: Connection, authority_id: int, cycle_id: int | None
) -> TrackerTable:
    """Every audit allocated (of one cycle, or all), never cancelled ones."""
    if cycle_id is not None and not cycle_exists(connection, authority_id, cycle_id):
        raise ExportError(f"no cycle {cycle_id}; `qabot cycle list` shows them")
    return TrackerTable(ALLOCATION_COLUMNS, allocation_rows(connection, authority_id, cycle_id))


#: Every tracker by the name the operator types. `allocations`, `actions` and `supervision`
#: join when their records exist (PRODUCT.md section 8).
TRACKERS: dict[str, Tracker] = {
    "alerts": Tracker(alert_tracker),
    "allocations": Tracker(allocation_tracker, takes_cycle=True),
    "actions": Tracker(lambda connection, authority_id, _: TrackerTable(
        *action_rows(connection, authority_id))),
    "supervision": Tracker(lambda connection, authority_id, _: TrackerTable(
        *supervision_rows(connection, authority_id))),
}


@dataclass(frozen=True)
class TrackerScope:
    """Whose rows an export may hold (a summary's scope, PRODUCT.md section 6).

    Every tracker is scoped the same way, by its columns, so a tracker added to TRACKERS is
    scoped without knowing about scopes: a team's or service's rows are those whose `team` is
    one of `teams` (or, in a tracker without a `team` column, whose member column names one of
    `people`); a person's own rows are those naming `own_email` in an own column. A tracker
    with no column to tell by yields no rows rather than too many.
    """

    teams: frozenset[str] | None = None  # team names
    people: frozenset[str] | None = None  # lower-case e-mails of those teams' members
    own_email: str | None = None  # one person's own rows only


#: The columns that make a row someone's own: the worker audited, the action's owner, the
#: supervisee, the alert's raiser.
OWN_COLUMNS: Row = ("worker_email", "owner_email", "supervisee_email", "raised_by_email")
#: In a tracker without a `team` column, the columns naming the member a row belongs to.
MEMBER_COLUMNS: Row = ("supervisee_email", "worker_email", "owner_email")


def scoped(table: TrackerTable, scope: TrackerScope | None) -> TrackerTable:
    """The tracker with only the rows in `scope` (all of them for None)."""
    if scope is None or (scope.teams is None and scope.own_email is None):
        return table
    header = [name.lower() for name in table.header]

    def at(names: Row) -> list[int]:
        return [header.index(name) for name in names if name in header]

    if scope.own_email is not None:
        columns, allowed = at(OWN_COLUMNS), frozenset({scope.own_email.lower()})
    elif "team" in header:
        columns, allowed = [header.index("team")], scope.teams or frozenset()
    else:
        columns, allowed = at(MEMBER_COLUMNS)[:1], scope.people or frozenset()
    by_email = scope.own_email is not None or "team" not in header

    def keep(row: Row) -> bool:
        return any((row[i].lower() if by_email else row[i]) in allowed for i in columns)

    return TrackerTable(header=table.header, rows=(row for row in table.rows if keep(row)))


def request_problems(tracker: str, *, with_cycle: bool) -> list[str]:
    """What is wrong with asking for `tracker` (with a cycle or not), before any reading."""
    found = TRACKERS.get(tracker)
    if found is None:
        return [f"no tracker {tracker!r}; the trackers are: {', '.join(sorted(TRACKERS))}"]
    if with_cycle and not found.takes_cycle:
        return [f"the {tracker} tracker is not per cycle: leave out --cycle"]
    return []


@contextmanager
def open_tracker(engine: Engine, *, tracker: str, authority_id: int,
                 cycle_id: int | None = None,
                 scope: TrackerScope | None = None) -> Iterator[TrackerTable]:
    """The tracker's header and rows (only those in `scope`, when one is given), read in one
    transaction that lasts while they are used."""
    problems = request_problems(tracker, with_cycle=cycle_id is not None)
    if problems:
        raise ExportError(problems[0])
    # Read-only: on SQLite it begins deferred, so it neither waits for nor blocks writers.
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        exists = connection.execute(
            select(col(Authority.id)).where(col(Authority.id) == authority_id)
        ).first()
        if exists is None:
            raise ExportError(f"no authority {authority_id}")
        yield scoped(TRACKERS[tracker].build(connection, authority_id, cycle_id), scope)
