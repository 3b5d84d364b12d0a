"""Tests for the working-time clock (PRODUCT.md section 5, "Working time, exactly")."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.working_time import WorkingCalendar, bank_holidays

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()
H = timedelta(hours=1)
DAY = timedelta(hours=8.5)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """Return an aware Europe/London datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


# ------------------------------------------------------------------------ calendar of days


def test_bank_holidays_2026_include_substitute_boxing_day() -> None:
    hols = bank_holidays(2026)
    assert date(2026, 8, 31) in hols  # summer bank holiday
    assert date(2026, 12, 25) in hols
    assert date(2026, 12, 28) in hols  # Boxing Day falls on a Saturday: substitute Monday


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 8, 28), True),  # Friday
        (date(2026, 8, 29), False),  # Saturday
        (date(2026, 8, 30), False),  # Sunday
        (date(2026, 8, 31), False),  # summer bank holiday
        (date(2026, 9, 1), True),
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), False),  # substitute Boxing Day
        (date(2026, 12, 29), True),
    ],
)
def test_is_working_day(d: date, expected: bool) -> None:
    assert CAL.is_working_day(d) is expected


def test_next_working_day_and_on_or_after() -> None:
    assert CAL.next_working_day(date(2026, 8, 27)) == date(2026, 8, 28)
    assert CAL.next_working_day(date(2026, 8, 28)) == date(2026, 9, 1)
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert CAL.working_day_on_or_after(date(2026, 8, 28)) == date(2026, 8, 28)
    assert CAL.working_day_on_or_after(date(2026, 8, 29)) == date(2026, 9, 1)


def test_add_working_days() -> None:
    assert CAL.add_working_days(date(2026, 8, 28), 0) == date(2026, 8, 28)
    assert CAL.add_working_days(date(2026, 8, 29), 0) == date(2026, 9, 1)
    assert CAL.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)
    assert CAL.add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    # 20 working days from Mon 3 Aug 2026, over the summer bank holiday.
    assert CAL.add_working_days(date(2026, 8, 3), 20) == date(2026, 9, 1)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 8, 3), -1)


def test_working_days_between_is_half_open_and_antisymmetric() -> None:
    assert CAL.working_days_between(date(2026, 8, 28), date(2026, 8, 28)) == 0
    assert CAL.working_days_between(date(2026, 8, 27), date(2026, 8, 28)) == 1
    # (Fri, Tue]: Sat, Sun, bank holiday Monday, Tuesday -> 1
    assert CAL.working_days_between(date(2026, 8, 28), date(2026, 9, 1)) == 1
    assert CAL.working_days_between(date(2026, 9, 1), date(2026, 8, 28)) == -1
    # Whole of 2026: 261 weekdays minus 8 bank holidays on weekdays.
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253


def test_more_than_five_working_days_overdue_begins_on_the_sixth_working_day() -> None:
    due = date(2026, 8, 25)  # Tuesday; Mon 31 Aug is a bank holiday
    # Working days after due: 26, 27, 28 Aug, 1, 2, 3 Sep -> the 6th is Thu 3 Sep.
    assert CAL.working_days_overdue(due, date(2026, 8, 25)) == 0
    assert CAL.working_days_overdue(due, date(2026, 8, 20)) == 0
    assert CAL.working_days_overdue(due, date(2026, 8, 31)) == 3
    assert CAL.working_days_overdue(due, date(2026, 9, 2)) == 5
    assert not CAL.working_days_overdue(due, date(2026, 9, 2)) > 5
    assert CAL.working_days_overdue(due, date(2026, 9, 3)) == 6
    assert CAL.working_days_overdue(due, date(2026, 9, 3)) > 5
    assert CAL.add_working_days(due, 6) == date(2026, 9, 3)


# ------------------------------------------------------------------------ instants


def test_friday_afternoon_plus_two_working_hours_is_monday_morning() -> None:
    # One hour on Friday (16:30-17:30), the second on Monday (09:00-10:00).
    start = local(2026, 6, 12, 16, 30)  # Friday
    assert CAL.add_working_hours(start, 2) == local(2026, 6, 15, 10, 0)
    assert CAL.add_working_hours(local(2026, 6, 12, 15, 0), 4) == local(2026, 6, 15, 10, 30)


def test_crossing_a_bank_holiday_monday() -> None:
    start = local(2026, 8, 28, 16, 30)  # Friday before the summer bank holiday
    assert CAL.add_working_hours(start, 2) == local(2026, 9, 1, 10, 0)
    assert CAL.working_time_between(start, local(2026, 9, 1, 10, 0)) == 2 * H
    assert CAL.add_working_days_time(start, 1) == local(2026, 9, 1, 16, 30)


def test_christmas_and_substitute_boxing_day() -> None:
    start = local(2026, 12, 24, 17, 0)  # Thursday
    # 25 (Fri), 26-27 (weekend), 28 (substitute Boxing Day) are skipped.
    assert CAL.add_working_hours(start, 1) == local(2026, 12, 29, 9, 30)
    assert CAL.add_working_days_time(start, 1) == local(2026, 12, 29, 17, 0)


def test_landing_on_day_end_moves_to_next_working_day_start() -> None:
    start = local(2026, 8, 28, 15, 30)
    result = CAL.add_working_hours(start, 2)
    assert result == local(2026, 9, 1, 9, 0)
    assert CAL.is_working_time(result)
    assert CAL.add_working_days_time(local(2026, 6, 15, 9, 0), 1) == local(2026, 6, 16, 9, 0)


def test_one_working_day_is_eight_and_a_half_hours() -> None:
    assert CAL.day_length == DAY
    assert CAL.working_day_length == DAY
    start = local(2026, 6, 15, 11, 0)  # Monday
    assert CAL.add_working_days_time(start, 1) == local(2026, 6, 16, 11, 0)
    assert CAL.add_working_days_time(start, 2) == local(2026, 6, 17, 11, 0)
    assert CAL.add_working_days_time(start, 0.5) == local(2026, 6, 15, 15, 15)
    assert CAL.working_time_between(local(2026, 6, 15), local(2026, 6, 16)) == DAY


def test_zero_amount_returns_next_working_instant() -> None:
    inside = local(2026, 6, 15, 11, 0)
    assert CAL.add_working_time(inside, timedelta(0)) == inside
    assert CAL.add_working_time(local(2026, 6, 13, 12), timedelta(0)) == local(2026, 6, 15, 9)
    assert CAL.next_working_instant(local(2026, 6, 15, 17, 30)) == local(2026, 6, 16, 9)
    assert CAL.next_working_instant(local(2026, 6, 15, 8, 59)) == local(2026, 6, 15, 9)


def test_working_hours_are_half_open() -> None:
    assert not CAL.is_working_time(local(2026, 6, 15, 8, 59))
    assert CAL.is_working_time(local(2026, 6, 15, 9, 0))
    assert CAL.is_working_time(local(2026, 6, 15, 17, 29))
    assert not CAL.is_working_time(local(2026, 6, 15, 17, 30))
    assert not CAL.is_working_time(local(2026, 8, 31, 12, 0))  # bank holiday


def test_results_are_utc() -> None:
    result = CAL.add_working_hours(local(2026, 6, 15, 11), 1)
    assert result.tzinfo is UTC
    assert CAL.next_working_instant(local(2026, 6, 15, 11)).tzinfo is UTC


def test_clock_changes_keep_local_working_hours() -> None:
    # Sun 29 Mar 2026 clocks go forward: Friday is GMT, Monday is BST.
    fri = utc(2026, 3, 27, 9, 0)
    assert CAL.is_working_time(fri) and not CAL.is_working_time(utc(2026, 3, 27, 8, 59))
    mon = CAL.add_working_days_time(utc(2026, 3, 27, 12, 0), 1)
    assert mon == utc(2026, 3, 30, 11, 0)  # 12:00 local on Monday is 11:00 UTC in summer
    assert CAL.next_working_instant(utc(2026, 3, 28, 12)) == utc(2026, 3, 30, 8, 0)
    assert CAL.is_working_time(utc(2026, 3, 30, 8, 0))
    assert not CAL.is_working_time(utc(2026, 3, 30, 7, 59))
    assert CAL.working_time_between(utc(2026, 3, 27, 0), utc(2026, 3, 31, 0)) == 2 * DAY
    # Sun 25 Oct 2026 clocks go back: Friday is BST, Monday is GMT.
    assert CAL.next_working_instant(utc(2026, 10, 23, 7, 59)) == utc(2026, 10, 23, 8, 0)
    assert CAL.next_working_instant(utc(2026, 10, 24, 12)) == utc(2026, 10, 26, 9, 0)
    assert not CAL.is_working_time(utc(2026, 10, 26, 8, 30))
    fri_end = utc(2026, 10, 23, 16, 29)  # 17:29 BST
    assert CAL.add_working_time(fri_end, timedelta(minutes=1)) == utc(2026, 10, 26, 9, 0)
    assert CAL.working_time_between(utc(2026, 10, 23, 0), utc(2026, 10, 27, 0)) == 2 * DAY


def test_working_time_between_basics() -> None:
    a = local(2026, 6, 15, 10)
    assert CAL.working_time_between(a, a) == timedelta(0)
    assert CAL.working_time_between(a, local(2026, 6, 15, 9)) == timedelta(0)
    assert CAL.working_time_between(local(2026, 6, 12, 17), local(2026, 6, 15, 9, 30)) == H
    assert CAL.working_time_between(local(2026, 8, 31), local(2026, 9, 1)) == timedelta(0)
    # Mixed zones are fine.
    assert CAL.working_time_between(utc(2026, 6, 15, 8), local(2026, 6, 15, 10)) == H


def test_naive_datetimes_and_negative_amounts_are_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_hours(datetime(2026, 6, 15, 10), 1)
    with pytest.raises(ValueError):
        CAL.is_working_time(datetime(2026, 6, 15, 10))
    with pytest.raises(ValueError):
        CAL.add_working_hours(local(2026, 6, 15, 10), -1)


def test_invalid_calendar_settings_are_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(day_start=time(17, 0), day_end=time(9, 0))


def test_custom_hours() -> None:
    cal = WorkingCalendar(day_start=time(8, 0), day_end=time(16, 0))
    assert cal.day_length == 8 * H
    assert cal.add_working_days_time(local(2026, 6, 15, 8), 1) == local(2026, 6, 16, 8)


def test_elapsed_calendar_counts_plain_time() -> None:
    cal = WorkingCalendar(elapsed=True)
    start = local(2026, 8, 28, 16, 30)
    assert cal.add_working_hours(start, 2) == local(2026, 8, 28, 18, 30)
    assert cal.add_working_days_time(start, 2) == start + timedelta(days=2)
    assert cal.working_time_between(start, local(2026, 8, 31, 16, 30)) == timedelta(hours=72)
    # Across the October clock change elapsed time is real time, not wall-clock time.
    assert cal.working_time_between(local(2026, 10, 24), local(2026, 10, 26)) == 49 * H
    # Delivery windows still follow the calendar.
    assert not cal.is_working_time(local(2026, 8, 31, 12))


def test_long_spans_are_fast() -> None:
    # One year of working time from one instant: loops by day at most (about 300 iterations).
    start = local(2024, 1, 2, 9)
    end = CAL.add_working_days_time(start, 250)
    assert CAL.working_time_between(start, end) == 250 * DAY
    assert CAL.working_time_between(utc(2024, 1, 1), utc(2030, 12, 31)) > 1500 * DAY


# ------------------------------------------------------------------------ properties

instants = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([LONDON, UTC]),
)
dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200))
# Bank holidays in the bounded range, to aim examples straight at them.
holiday_dates = st.sampled_from(
    sorted(h for y in range(2024, 2031) for h in bank_holidays(y) if h.weekday() < 5)
)

FAST = settings(max_examples=150, deadline=None)


@FAST
@given(start=instants, amount=amounts)
def test_add_then_measure_gives_back_the_amount(start: datetime, amount: timedelta) -> None:
    end = CAL.add_working_time(start, amount)
    # Time outside working hours counts for nothing, so measuring from the raw start and from
    # the first working instant after it must both give back the amount.
    assert CAL.working_time_between(CAL.next_working_instant(start), end) == amount
    assert CAL.working_time_between(start, end) == amount
    if CAL.is_working_time(start):
        assert CAL.next_working_instant(start) == start


@FAST
@given(start=instants, amount=amounts)
def test_deadlines_are_in_working_hours(start: datetime, amount: timedelta) -> None:
    end = CAL.add_working_time(start, amount)
    assert CAL.is_working_time(end)
    assert end >= start
    assert end.tzinfo is UTC


@FAST
@given(start=instants, a=amounts, b=amounts)
def test_more_amount_never_gives_an_earlier_deadline(
    start: datetime, a: timedelta, b: timedelta
) -> None:
    lo, hi = sorted((a, b))
    assert CAL.add_working_time(start, lo) <= CAL.add_working_time(start, hi)


@FAST
@given(t=instants)
def test_next_working_instant_is_working_time_and_not_before(t: datetime) -> None:
    n = CAL.next_working_instant(t)
    assert CAL.is_working_time(n)
    assert n >= t
    # Nothing between t and n is working time.
    assert CAL.working_time_between(t, n) == timedelta(0)


@FAST
@given(h=holiday_dates)
def test_a_bank_holiday_is_never_counted(h: date) -> None:
    assert not CAL.is_working_day(h)
    whole_day = CAL.working_time_between(local(h.year, h.month, h.day), local(*_next(h)))
    assert whole_day == timedelta(0)
    assert CAL.working_days_between(h - timedelta(days=1), h) == 0
    assert not CAL.is_working_time(local(h.year, h.month, h.day, 12))


@FAST
@given(d=dates)
def test_a_weekend_day_is_never_counted(d: date) -> None:
    sat = d + timedelta(days=(5 - d.weekday()) % 7)
    for day in (sat, sat + timedelta(days=1)):
        assert not CAL.is_working_day(day)
        start = local(day.year, day.month, day.day)
        assert CAL.working_time_between(start, local(*_next(day))) == timedelta(0)
        assert not CAL.is_working_time(local(day.year, day.month, day.day, 12))


def _next(d: date) -> tuple[int, int, int]:
    n = d + timedelta(days=1)
    return n.year, n.month, n.day


@FAST
@given(d=dates, n=st.integers(min_value=0, max_value=40))
def test_add_working_days_never_returns_a_holiday_or_weekend(d: date, n: int) -> None:
    result = CAL.add_working_days(d, n)
    assert result.weekday() < 5
    assert result not in bank_holidays(result.year)
    assert result >= d
    if n == 0:
        assert result == CAL.working_day_on_or_after(d)


@FAST
@given(d=dates, n=st.integers(min_value=1, max_value=40))
def test_add_working_days_matches_working_days_between(d: date, n: int) -> None:
    result = CAL.add_working_days(d, n)
    assert CAL.working_days_between(d, result) == n
    assert CAL.working_days_between(d, result - timedelta(days=1)) == n - 1


@FAST
@given(a=dates, b=dates)
def test_working_days_between_matches_a_day_by_day_count(a: date, b: date) -> None:
    lo, hi = sorted((a, b))
    hi = min(hi, lo + timedelta(days=120))
    naive = sum(
        1 for k in range(1, (hi - lo).days + 1) if CAL.is_working_day(lo + timedelta(days=k))
    )
    assert CAL.working_days_between(lo, hi) == naive
    assert CAL.working_days_between(hi, lo) == -naive


@FAST
@given(due=dates, n=st.integers(min_value=0, max_value=25))
def test_overdue_by_more_than_n_starts_on_the_n_plus_first_working_day(due: date, n: int) -> None:
    first = CAL.add_working_days(due, n + 1)
    assert CAL.working_days_overdue(due, first) > n
    assert not CAL.working_days_overdue(due, first - timedelta(days=1)) > n


@FAST
@given(a=instants, b=instants, c=instants)
def test_working_time_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    # Sort in UTC: aware datetimes sharing a tzinfo compare by wall clock, not by instant.
    a, b, c = sorted(t.astimezone(UTC) for t in (a, b, c))
    assert CAL.working_time_between(a, c) == (
        CAL.working_time_between(a, b) + CAL.working_time_between(b, c)
    )
