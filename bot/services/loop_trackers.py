"""The `actions` and `supervision` trackers of `qabot export` (PRODUCT.md section 8 columns).

Each returns its header and its rows; `bot.services.exports` registers them. The actions
tracker streams in batches; the supervision tracker is one row per current pair (an active
supervisee with an active line manager), worked out as the nudges work it out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func

from bot.clock import Clock, SystemClock
from bot.domain.supervision import previous_quarter
from bot.services.org_view import load_org_view
from bot.services.rule_settings import get_settings
from bot.services.supervision.pairs import last_held_by_supervisee, pairs_of
from storage.audit_models import Action, SupervisionRecord
from storage.models import Case, Staff, Team

BATCH_ROWS = 1000
Row = tuple[str, ...]

ACTION_COLUMNS: Row = (
    "action_id", "source", "case_ref", "team", "description", "owner_email", "due", "status",
    "done_on", "verified_by_email", "verified_on",
)
SUPERVISION_COLUMNS: Row = (
    "supervisor_email", "supervisee_email", "last_held", "next_due", "status",
    "missed_last_quarter",
)


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def action_rows(connection: Connection, authority_id: int) -> tuple[Row, Iterator[Row]]:
    """Every action of the authority, oldest first: the actions tracker."""
    owner, verifier = aliased(Staff), aliased(Staff)
    query = (
        select(col(Action.id), col(Action.source), col(Case.case_ref), col(Team.name),
               col(Action.description), col(owner.email), col(Action.due), col(Action.status),
               col(Action.done_on), col(verifier.email), col(Action.verified_on))
        .outerjoin(Case, col(Case.id) == col(Action.case_id))
        .outerjoin(Team, col(Team.id) == col(Action.team_id))
        .join(owner, col(owner.id) == col(Action.owner_id))
        .outerjoin(verifier, col(verifier.id) == col(Action.verified_by_id))
        .where(col(Action.authority_id) == authority_id)
        .order_by(col(Action.id))
    )

    def rows() -> Iterator[Row]:
        result = connection.execute(query.execution_options(yield_per=BATCH_ROWS))
        for (action_id, source, case_ref, team, description, owner_email, due, status, done_on,
             verifier_email, verified_on) in result:
            yield (str(action_id), source, case_ref or "", team or "", description, owner_email,
                   _day(due), status, _day(done_on), verifier_email or "", _day(verified_on))

    return ACTION_COLUMNS, rows()


def supervision_rows(connection: Connection, authority_id: int,
                     clock: Clock | None = None) -> tuple[Row, Iterator[Row]]:
    """Each current supervisor–supervisee pair: last session, next due, missed last quarter.

    Statuses are as of today (the clock's date where the authority is); `missed_last_quarter`
    counts the supervisee's missed sessions in the last complete reporting quarter.
    """
    session = Session(bind=connection)
    settings = get_settings(session, authority_id)
    today = (clock or SystemClock()).now().astimezone(settings.calendar().tz).date()
    org = load_org_view(session, authority_id)
    pairs = pairs_of(org, settings, last_held_by_supervisee(session, authority_id), today)
    start, end = previous_quarter(today, settings.quarter_start_month)
    missed: dict[int, int] = dict(session.execute(  # type: ignore[arg-type]
        select(col(SupervisionRecord.supervisee_id), func.count())
        .where(col(SupervisionRecord.authority_id) == authority_id,
               col(SupervisionRecord.held).is_(False),
               col(SupervisionRecord.held_on) >= start, col(SupervisionRecord.held_on) <= end)
        .group_by(col(SupervisionRecord.supervisee_id))
    ).all())

    def rows() -> Iterator[Row]:
        for pair in pairs:
            yield (org.members[pair.supervisor_id].email, org.members[pair.supervisee_id].email,
                   _day(pair.last_held), _day(pair.next_due), pair.status.value,
                   str(missed.get(pair.supervisee_id, 0)))

    return SUPERVISION_COLUMNS, rows()
