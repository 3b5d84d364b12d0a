"""Working-time clock: working days, working hours and deadlines (PRODUCT.md section 5).

Pure domain code: no I/O, and ``now`` is always passed in, never read here.

Rules, from "Working time, exactly":

* A working day is a weekday that is not an England and Wales bank holiday.
* Working hours are the half-open interval ``[day_start, day_end)`` of a working day, in the
  calendar's local wall-clock time (09:00-17:30 Europe/London by default). Days are handled in
  local wall-clock time, so a working day is always ``day_end - day_start`` long (8.5 h) on both
  sides of a clock change; instants are converted to UTC only at the end.
* "N working hours from T" is the first instant at which N hours of working time have passed
  since T. A deadline that lands exactly on ``day_end`` moves to ``day_start`` of the next working
  day, so a deadline (for a positive amount) is always inside working hours.
* For alert stages, "N working days" is N x (day_end - day_start) of working time.
* Due dates are dates; "more than N working days overdue" begins on the (N+1)th working day after
  the due date.

If ``elapsed`` is set (an authority setting), the *clocks* (``add_working_time``,
``working_time_between`` and their wrappers) measure plain elapsed time instead. Date arithmetic
and ``is_working_time``/``next_working_instant`` still follow the calendar, because nudges are
still only delivered on working days in working hours.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

__all__ = ["WorkingCalendar", "bank_holidays"]

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
# The length of a "working day" of elapsed time: a calendar day.
_ELAPSED_DAY = timedelta(hours=24)


@functools.lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """Return the England and Wales bank holidays of ``year`` (including substitute days)."""
    # Building a holidays object is slow (milliseconds); sweeps ask about the same few years
    # thousands of times, so each year is computed once and kept as a plain frozenset.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def _weekdays_through(d: date) -> int:
    """Return the number of Mondays-to-Fridays from 0001-01-01 up to and including ``d``."""
    # Ordinal 1 (0001-01-01) is a Monday, so every run of 7 ordinals from there is a full week
    # whose first five days are weekdays; this makes counting O(1) instead of a day-by-day loop.
    n = d.toordinal()
    weeks, rest = divmod(n, 7)
    return weeks * 5 + min(rest, 5)


def _require_aware(t: datetime, name: str) -> None:
    """Reject naive datetimes: a naive time has no defined place on the clock."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {t!r}")


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours of an authority, and clock arithmetic over them."""

    timezone: str = "Europe/London"
    day_start: time = time(9, 0)
    day_end: time = time(17, 30)
    elapsed: bool = False

    def __post_init__(self) -> None:
        """Validate the settings so that every later calculation can trust them."""
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValueError("day_start and day_end are local wall-clock times, without tzinfo")
        if self.day_start >= self.day_end:
            raise ValueError(
                f"day_start ({self.day_start}) must be before day_end ({self.day_end})"
            )
        ZoneInfo(self.timezone)  # raises ZoneInfoNotFoundError for an unknown zone

    # ----------------------------------------------------------------- basic properties

    @property
    def tz(self) -> ZoneInfo:
        """Return the calendar's time zone."""
        # ZoneInfo keeps its own cache, so this is cheap to call repeatedly.
        return ZoneInfo(self.timezone)

    @property
    def day_length(self) -> timedelta:
        """Return the working time in one working day (8.5 h by default)."""
        # Measured in wall-clock time on a fixed date, so it does not depend on clock changes.
        anchor = date(2000, 1, 3)
        return datetime.combine(anchor, self.day_end) - datetime.combine(anchor, self.day_start)

    @property
    def working_day_length(self) -> timedelta:
        """Return the clock time that one "working day" of an alert stage stands for.

        That is ``day_length`` normally and 24 hours when the calendar counts elapsed time.
        """
        # With elapsed time "2 working days to respond" means two days, not 17 hours.
        return _ELAPSED_DAY if self.elapsed else self.day_length

    # ----------------------------------------------------------------------- dates

    def is_working_day(self, d: date) -> bool:
        """Return whether ``d`` is a working day (a weekday that is not a bank holiday)."""
        return d.weekday() < 5 and d not in bank_holidays(d.year)

    def next_working_day(self, d: date) -> date:
        """Return the first working day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def working_day_on_or_after(self, d: date) -> date:
        """Return ``d`` if it is a working day, otherwise the next working day."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        """Return the ``n``th working day after ``d`` (``n >= 0``).

        ``n == 0`` gives ``working_day_on_or_after(d)``; for ``n >= 1`` days are counted strictly
        after ``d``, so from a Saturday both 0 and 1 give the Monday.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return self.working_day_on_or_after(d)
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Return the number of working days in ``(a, b]``, negated if ``b < a``.

        It is 0 when ``a == b``, and antisymmetric: ``between(a, b) == -between(b, a)``, so
        for ``b < a`` it is minus the number of working days in ``(b, a]``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = _weekdays_through(b) - _weekdays_through(a)
        for year in range(a.year, b.year + 1):
            count -= sum(1 for h in bank_holidays(year) if a < h <= b and h.weekday() < 5)
        return count

    def working_days_overdue(self, due: date, today: date) -> int:
        """Return how many working days ``today`` is past ``due`` (0 if not yet overdue).

        This counts the working days in ``(due, today]``, so "more than N working days overdue",
        i.e. ``working_days_overdue(due, today) > N``, starts exactly on the (N+1)th working day
        after the due date.
        """
        return max(0, self.working_days_between(due, today))

    # ----------------------------------------------------------------------- instants

    def _local(self, t: datetime, name: str = "t") -> datetime:
        """Return ``t`` as a naive local wall-clock datetime."""
        _require_aware(t, name)
        return t.astimezone(self.tz).replace(tzinfo=None)

    def _to_utc(self, wall: datetime) -> datetime:
        """Return the UTC instant of a naive local wall-clock datetime."""
        return wall.replace(tzinfo=self.tz).astimezone(UTC)

    def _next_working_wall(self, wall: datetime) -> datetime:
        """Return ``wall`` if in working hours, else the next ``day_start`` of a working day."""
        d = wall.date()
        if self.is_working_day(d):
            t = wall.time()
            if t < self.day_start:
                return datetime.combine(d, self.day_start)
            if t < self.day_end:
                return wall
        return datetime.combine(self.next_working_day(d), self.day_start)

    def is_working_time(self, t: datetime) -> bool:
        """Return whether instant ``t`` falls in working hours on a working day."""
        wall = self._local(t)
        return self.is_working_day(wall.date()) and self.day_start <= wall.time() < self.day_end

    def next_working_instant(self, t: datetime) -> datetime:
        """Return ``t`` (in UTC) if it is working time, else the next start of a working day."""
        return self._to_utc(self._next_working_wall(self._local(t)))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Return the first instant (UTC) at which ``amount`` of working time has passed.

        Counting starts at ``next_working_instant(start)``; an amount of zero returns that
        instant. A result on ``day_end`` is moved to ``day_start`` of the next working day. With
        ``elapsed`` set this is plain ``start + amount``.
        """
        _require_aware(start, "start")
        if amount < _ZERO:
            raise ValueError(f"amount must not be negative, got {amount}")
        if self.elapsed:
            # Add in UTC: aware arithmetic in a local zone would add wall-clock time instead.
            return start.astimezone(UTC) + amount
        cursor = self._next_working_wall(self._local(start, "start"))
        remaining = amount
        while True:
            available = datetime.combine(cursor.date(), self.day_end) - cursor
            # Strictly less: using up the rest of the day exactly lands on day_end, which belongs
            # to the next working day's start.
            if remaining < available:
                return self._to_utc(cursor + remaining)
            remaining -= available
            cursor = datetime.combine(self.next_working_day(cursor.date()), self.day_start)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """Return the deadline ``hours`` working hours after ``start`` (see add_working_time)."""
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_days_time(self, start: datetime, days: float) -> datetime:
        """Return the deadline ``days`` alert-stage working days after ``start``.

        One such day is ``working_day_length``: ``day_end - day_start`` of working time (8.5 h),
        or 24 hours with ``elapsed`` set.
        """
        return self.add_working_time(start, self.working_day_length * days)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the working time in ``[a, b)``; zero if ``b <= a``.

        With ``elapsed`` set this is plain ``b - a`` (but never negative).
        """
        _require_aware(a, "a")
        _require_aware(b, "b")
        # Compare and subtract in UTC: aware datetimes sharing a tzinfo compare by wall clock.
        a_utc, b_utc = a.astimezone(UTC), b.astimezone(UTC)
        if b_utc <= a_utc:
            return _ZERO
        if self.elapsed:
            return b_utc - a_utc
        wa, wb = self._local(a, "a"), self._local(b, "b")
        da, db = wa.date(), wb.date()
        if da == db:
            return self._working_part(da, wa, wb)
        # First and last days partially, every working day strictly in between in full; the
        # count of whole days is closed-form, so long spans cost no more than short ones.
        whole_days = self.working_days_between(da, db) - (1 if self.is_working_day(db) else 0)
        return (
            self._working_part(da, wa, datetime.combine(db, time(0)))
            + self.day_length * whole_days
            + self._working_part(db, datetime.combine(db, time(0)), wb)
        )

    def _working_part(self, d: date, lo: datetime, hi: datetime) -> timedelta:
        """Return the working time of day ``d`` that falls in wall-clock ``[lo, hi)``."""
        if not self.is_working_day(d):
            return _ZERO
        lo = max(lo, datetime.combine(d, self.day_start))
        hi = min(hi, datetime.combine(d, self.day_end))
        return max(hi - lo, _ZERO)
