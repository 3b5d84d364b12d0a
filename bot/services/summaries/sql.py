"""SQL pieces the summary queries share: period buckets and the few dialect differences."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from bot.domain.summaries import Period


@dataclass(frozen=True)
class Window:
    """A period as the queries bound it: dates [first, after), instants [start, end)."""

    index: int
    period: Period
    first: date
    after: date  # the day after the period's last
    start: datetime  # UTC instant of the first day's local midnight
    end: datetime  # UTC instant of the day after's local midnight


def windows_of(periods: Sequence[Period], tz: ZoneInfo) -> list[Window]:
    """The periods as query windows, numbered in the order given."""
    def instant(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)

    out = []
    for index, period in enumerate(periods):
        after = period.end + timedelta(days=1)
        out.append(Window(index, period, period.start, after, instant(period.start),
                          instant(after)))
    return out


def date_within(column: Any, window: Window) -> ColumnElement[bool]:
    """The date column falls in the window (a range an index can serve)."""
    return and_(column >= window.first, column < window.after)


def instant_within(column: Any, window: Window) -> ColumnElement[bool]:
    """The instant column falls in the window."""
    return and_(column >= window.start, column < window.end)


def per_window(windows: Sequence[Window],
               part: Callable[[Window, ColumnElement[Any]], Select[Any]]) -> CompoundSelect:
    """One statement of one part per window, each labelled `b` with the window's number.

    Each part reads only its own window's range (an index range scan), which is cheaper than
    one scan of all windows sorting every row into a bucket.
    """
    return union_all(*[part(w, literal(w.index).label("b")) for w in windows])


def date_bucket(column: Any, windows: Sequence[Window]) -> ColumnElement[Any]:
    """Which window a date column falls in (the first that holds it), else NULL."""
    return case(*[(and_(column >= w.first, column < w.after), literal(w.index))
                  for w in windows], else_=None)


def date_in_any(column: Any, windows: Sequence[Window]) -> ColumnElement[bool]:
    """The date column falls in some window (one range test per window: index-friendly)."""
    return or_(*[and_(column >= w.first, column < w.after) for w in windows])


def instant_bucket(column: Any, windows: Sequence[Window]) -> ColumnElement[Any]:
    """Which window an instant column falls in, else NULL."""
    return case(*[(and_(column >= w.start, column < w.end), literal(w.index))
                  for w in windows], else_=None)


def instant_in_any(column: Any, windows: Sequence[Window]) -> ColumnElement[bool]:
    """The instant column falls in some window."""
    return or_(*[and_(column >= w.start, column < w.end) for w in windows])


def flag(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 where the condition holds, else 0 (to SUM)."""
    return case((condition, 1), else_=0)


def count_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """How many rows of the group meet the condition (COUNT skips the NULLs of the others)."""
    return func.count(case((condition, 1), else_=None))


def dialect(session: Session) -> str:
    """`sqlite` or `postgresql`."""
    return session.get_bind().dialect.name


def seconds_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Elapsed seconds from one timestamp column to another."""
    if dialect(session) == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Whole days from one date column to another."""
    if dialect(session) == "postgresql":
        return cast(later - earlier, Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


class _Median:
    """SQLite's missing MEDIAN aggregate: the middle value (the mean of the two middle ones)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def median(session: Session, value: Any) -> ColumnElement[Any]:
    """The median of a column over the group, NULLs left out, computed by the database.

    PostgreSQL's `percentile_cont(0.5)`; on SQLite an aggregate registered on the session's
    connection (SQLite has none built in, and ranking rows with window functions costs far
    more).
    """
    if dialect(session) == "postgresql":
        return func.percentile_cont(0.5).within_group(value)
    connection = session.connection().connection.driver_connection
    connection.create_aggregate("qabot_median", 1, _Median)  # type: ignore[union-attr]
    return func.qabot_median(value)
