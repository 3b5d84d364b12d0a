"""The nudge rules on frozen-clock calendars: exact recipients and items, day by day.

The sweeps are simulated as the service runs them (several times a day, claims kept from one
run to the next), over Easter 2026 (Good Friday and Easter Monday), weekends and both changes
of the clocks (29 March and 25 October 2026), with the default working hours 09:00-17:30
Europe/London.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.actions import Snooze, review_dates, snooze_until
from bot.domain.nudges import (
    Escalation,
    Review,
    Role,
    Tracked,
    claims_to_check,
    day_key,
    entries_today,
    local_day,
    may_send_now,
    milestone,
    plan_day,
    working_days_before,
)
from bot.domain.supervision import (
    EpdrDue,
    epdr_dues,
    frequency_weeks,
    next_epdr_due,
    previous_quarter,
)
from bot.domain.working_time import WorkingCalendar

CALENDAR = WorkingCalendar()
OWNER, TM, HOS, ABOVE = 1, 10, 20, 30
#: Sweep times each day, UTC: in BST 08:30 UTC is 09:30 in London, in GMT it is too early.
SWEEP_TIMES = (time(7, 0), time(8, 30), time(12, 0), time(16, 45), time(17, 20))

Seen = dict[date, tuple[time, dict[int, list[tuple[str, str, str]]]]]


def action(due: date, *, snoozed: date | None = None, ref: str = "action:1") -> Tracked:
    """An open action of OWNER, escalated to TM after 5 and HOS after 20 working days."""
    return Tracked(kind="action", ref=ref, record_id=int(ref.split(":")[1]), due=due,
                   owner=OWNER, before_days=3, snoozed_until=snoozed,
                   escalations=(Escalation("tm", 5, (TM,)), Escalation("hos", 20, (HOS,))))


def supervision(due: date) -> Tracked:
    """OWNER supervises person 2; OWNER's line manager ABOVE is told after 10 days."""
    return Tracked(kind="supervision", ref=f"supervision:2:{due}", record_id=2, due=due,
                   owner=OWNER, before_days=3, escalations=(Escalation("lm", 10, (ABOVE,)),))


def sweep(items: list[Tracked], now: datetime,
          claimed: set[str]) -> dict[int, list[tuple[str, str, str]]]:
    """One sweep as the service runs it: plan, then take every claim the messages carry."""
    if not may_send_now(CALENDAR, now, hours_only=True):
        return {}
    today = local_day(CALENDAR, now)
    entries = entries_today(CALENDAR, items, today)
    known = claims_to_check(entries, today) & claimed
    plan = plan_day(entries, today, known)
    for recipient, planned in plan.items():
        claimed.add(day_key(recipient, today))
        claimed.update(entry.claim for entry in planned)
    return {r: [(e.ref, str(e.role), e.detail) for e in planned] for r, planned in plan.items()}


def run_days(items: list[Tracked], first: date, last: date,
             claimed: set[str] | None = None) -> Seen:
    """Every sweep of every day from `first` to `last`; what each day sent, and when."""
    claimed = set() if claimed is None else claimed
    seen: Seen = {}
    day = first
    while day <= last:
        for at in SWEEP_TIMES:
            sent = sweep(items, datetime.combine(day, at, tzinfo=UTC), claimed)
            if sent:
                assert day not in seen, f"a second message on {day} at {at}: {sent}"
                seen[day] = (at, sent)
        day += timedelta(days=1)
    return seen


def test_spring_a_combined_message_a_day_across_the_clock_change_and_easter() -> None:
    # The supervision is due on the Monday after the clocks go forward; the action on the
    # Wednesday after Easter Monday, so both fall on the same weekday from then on.
    a1, s1 = "action:1", "supervision:2:2026-03-30"
    seen = run_days([action(date(2026, 4, 8)), supervision(date(2026, 3, 30))],
                    date(2026, 3, 20), date(2026, 5, 15))
    gmt, bst = time(12, 0), time(8, 30)  # the first sweep in working hours that day
    assert seen == {
        date(2026, 3, 25): (gmt, {OWNER: [(s1, "nudge", "before")]}),
        date(2026, 3, 30): (bst, {OWNER: [(s1, "nudge", "due")]}),
        date(2026, 4, 1): (bst, {OWNER: [(a1, "nudge", "before")]}),
        date(2026, 4, 8): (bst, {OWNER: [(a1, "nudge", "due"), (s1, "nudge", "overdue:1")]}),
        date(2026, 4, 15): (bst, {OWNER: [(a1, "nudge", "overdue:1"),
                                          (s1, "nudge", "overdue:2")]}),
        # More than 5 (and 10) working days overdue: from the 6th (11th) working day after.
        date(2026, 4, 16): (bst, {TM: [(a1, "escalation", "tm")],
                                  ABOVE: [(s1, "escalation", "lm")]}),
        date(2026, 4, 22): (bst, {OWNER: [(a1, "nudge", "overdue:2"),
                                          (s1, "nudge", "overdue:3")]}),
        date(2026, 4, 29): (bst, {OWNER: [(a1, "nudge", "overdue:3"),
                                          (s1, "nudge", "overdue:4")]}),
        # Monday 4 May is a bank holiday: the fourth week ends on Thursday.
        date(2026, 5, 7): (bst, {OWNER: [(a1, "nudge", "overdue:4"),
                                         (s1, "nudge", "overdue:5")]}),
        date(2026, 5, 8): (bst, {HOS: [(a1, "escalation", "hos")]}),
        date(2026, 5, 14): (bst, {OWNER: [(a1, "nudge", "overdue:5"),
                                          (s1, "nudge", "overdue:6")]}),
    }


def test_autumn_clock_change_moves_the_first_sweep_that_may_send() -> None:
    seen = run_days([action(date(2026, 10, 26))], date(2026, 10, 19), date(2026, 11, 4))
    assert seen == {
        # Wednesday 21 October is in BST: 08:30 UTC is 09:30 in London.
        date(2026, 10, 21): (time(8, 30), {OWNER: [("action:1", "nudge", "before")]}),
        # Monday 26 October is in GMT: 08:30 UTC is too early, noon is the first.
        date(2026, 10, 26): (time(12, 0), {OWNER: [("action:1", "nudge", "due")]}),
        date(2026, 11, 2): (time(12, 0), {OWNER: [("action:1", "nudge", "overdue:1")]}),
        date(2026, 11, 3): (time(12, 0), {TM: [("action:1", "escalation", "tm")]}),
    }


@pytest.mark.parametrize(("at", "sends"), [
    (datetime(2026, 3, 27, 8, 30, tzinfo=UTC), False),  # GMT: 08:30 in London
    (datetime(2026, 3, 27, 17, 20, tzinfo=UTC), True),  # GMT: 17:20
    (datetime(2026, 3, 28, 12, 0, tzinfo=UTC), False),  # a Saturday
    (datetime(2026, 3, 30, 8, 0, tzinfo=UTC), True),  # BST: 09:00, the start is inside
    (datetime(2026, 3, 30, 16, 30, tzinfo=UTC), False),  # BST: 17:30, the end is outside
    (datetime(2026, 4, 3, 12, 0, tzinfo=UTC), False),  # Good Friday
    (datetime(2026, 10, 23, 16, 29, tzinfo=UTC), True),  # BST: 17:29
    (datetime(2026, 10, 26, 17, 29, tzinfo=UTC), True),  # GMT: 17:29
    (datetime(2026, 10, 26, 8, 59, tzinfo=UTC), False),  # GMT: 08:59
])
def test_nudges_go_only_in_working_hours_of_working_days(at: datetime, sends: bool) -> None:
    assert may_send_now(CALENDAR, at, hours_only=True) is sends


def test_without_the_hours_rule_a_working_day_is_enough_but_a_holiday_is_not() -> None:
    assert may_send_now(CALENDAR, datetime(2026, 3, 27, 20, 0, tzinfo=UTC), hours_only=False)
    assert not may_send_now(CALENDAR, datetime(2026, 4, 6, 12, 0, tzinfo=UTC), hours_only=False)


def test_after_an_outage_one_sweep_sends_the_latest_of_each_once() -> None:
    items = [action(date(2026, 4, 8)), supervision(date(2026, 3, 30))]
    claimed: set[str] = set()
    run_days(items, date(2026, 3, 20), date(2026, 4, 8), claimed)  # then nothing runs
    after = sweep(items, datetime(2026, 4, 20, 10, 0, tzinfo=UTC), claimed)
    assert after == {
        OWNER: [("action:1", "nudge", "overdue:1"), ("supervision:2:2026-03-30", "nudge",
                                                     "overdue:2")],
        TM: [("action:1", "escalation", "tm")],
        ABOVE: [("supervision:2:2026-03-30", "escalation", "lm")],
    }
    assert sweep(items, datetime(2026, 4, 20, 14, 0, tzinfo=UTC), claimed) == {}
    assert run_days(items, date(2026, 4, 21), date(2026, 4, 21), claimed) == {}
    # The next milestones come when they are due, as if nothing had happened.
    assert run_days(items, date(2026, 4, 22), date(2026, 4, 22), claimed)[date(2026, 4, 22)][1] \
        == {OWNER: [("action:1", "nudge", "overdue:2"),
                    ("supervision:2:2026-03-30", "nudge", "overdue:3")]}


def test_a_snooze_hides_the_nudge_until_it_ends_but_not_the_escalation() -> None:
    due = date(2026, 4, 8)
    claimed: set[str] = set()
    run_days([action(due)], date(2026, 4, 1), date(2026, 4, 13), claimed)
    # Monday 13 April, three working days overdue: "next week" would be Monday 20, but the
    # team manager must be told on Thursday 16 (the 6th working day after): capped there.
    until, capped = snooze_until(CALENDAR, date(2026, 4, 13), Snooze.NEXT_WEEK, due, (5, 20))
    assert (until, capped) == (date(2026, 4, 16), True)
    seen = run_days([action(due, snoozed=until)], date(2026, 4, 14), date(2026, 4, 22), claimed)
    assert seen == {
        # Wednesday 15 (a week overdue) is hidden by the snooze; it comes back on Thursday 16
        # with the day the team manager is told.
        date(2026, 4, 16): (time(8, 30), {OWNER: [("action:1", "nudge", "snoozed")],
                                          TM: [("action:1", "escalation", "tm")]}),
        date(2026, 4, 22): (time(8, 30), {OWNER: [("action:1", "nudge", "overdue:2")]}),
    }


@pytest.mark.parametrize(("today", "choice", "expected"), [
    (date(2026, 4, 2), Snooze.TOMORROW, (date(2026, 4, 7), False)),  # over Easter
    (date(2026, 4, 2), Snooze.NEXT_WEEK, (date(2026, 4, 9), False)),
    (date(2026, 4, 15), Snooze.NEXT_WEEK, (date(2026, 4, 16), True)),  # the TM's day
    (date(2026, 4, 16), Snooze.NEXT_WEEK, (date(2026, 4, 23), False)),  # the TM was told
    (date(2026, 5, 1), Snooze.NEXT_WEEK, (date(2026, 5, 8), False)),  # the HoS's day is 8 May
    (date(2026, 5, 5), Snooze.NEXT_WEEK, (date(2026, 5, 8), True)),
    (date(2026, 5, 8), Snooze.TOMORROW, (date(2026, 5, 11), False)),  # nothing left to cap
])
def test_snooze_tomorrow_or_next_week_never_past_an_escalation(
    today: date, choice: Snooze, expected: tuple[date, bool]
) -> None:
    assert snooze_until(CALENDAR, today, choice, date(2026, 4, 8), (5, 20)) == expected


def test_a_person_with_todays_message_gets_the_rest_tomorrow_and_shared_claims_wait() -> None:
    items = [action(date(2026, 4, 8)),
             Tracked(kind="audit", ref="audit:7", record_id=7, due=date(2026, 4, 1), owner=40,
                     before_days=3, escalations=(Escalation("qa", 5, (TM, 50)),))]
    today = date(2026, 4, 16)
    entries = entries_today(CALENDAR, items, today)
    # TM has had a message today already: the audit's escalation to the QA leads (TM and 50)
    # waits for both of them, and the action's escalation to TM waits too.
    plan = plan_day(entries, today, {day_key(TM, today)})
    assert {r: [(e.ref, e.role) for e in es] for r, es in plan.items()} == {
        OWNER: [("action:1", Role.NUDGE)], 40: [("audit:7", Role.NUDGE)]}


def test_an_audit_action_is_reviewed_at_one_month_and_the_month_after() -> None:
    assert review_dates(CALENDAR, date(2026, 1, 15)) == [(1, date(2026, 2, 16)),
                                                         (2, date(2026, 3, 16))]
    item = Tracked(kind="action", ref="action:9", record_id=9, due=date(2026, 6, 1), owner=None,
                   before_days=3,
                   reviews=tuple(Review(n, on, (TM,)) for n, on in
                                 review_dates(CALENDAR, date(2026, 1, 15))))
    claimed: set[str] = set()
    assert run_days([item], date(2026, 2, 10), date(2026, 3, 20), claimed) == {
        date(2026, 2, 16): (time(12, 0), {TM: [("action:9", "review", "1")]}),
        date(2026, 3, 16): (time(12, 0), {TM: [("action:9", "review", "2")]}),
    }
    # After an outage over both, the latest is asked once.
    late = sweep([item], datetime(2026, 3, 20, 12, 0, tzinfo=UTC), set())
    assert late == {TM: [("action:9", "review", "2")]}


def test_milestones_and_the_working_days_before_a_weekend_due_date() -> None:
    # Due on a Saturday: three working days before is Wednesday; Monday is the first sweep
    # on or after it, and Monday is already one working day overdue.
    saturday = date(2026, 11, 28)
    assert working_days_before(CALENDAR, saturday, 3) == date(2026, 11, 25)
    item = action(saturday)
    assert milestone(CALENDAR, item, date(2026, 11, 24)) is None
    assert milestone(CALENDAR, item, date(2026, 11, 25)) == ("before", date(2026, 11, 25))
    assert milestone(CALENDAR, item, date(2026, 11, 30)) == ("due", saturday)
    assert milestone(CALENDAR, item, date(2026, 12, 4)) == ("overdue:1", date(2026, 12, 4))


def test_supervision_frequency_by_role_and_in_the_assessed_year() -> None:
    frequencies = {"default": 4, "team_manager": 6, "practitioner": 4}
    today = date(2026, 11, 23)
    assert frequency_weeks({"team_manager"}, frequencies, None, 2, today) == 6
    assert frequency_weeks({"iro"}, frequencies, None, 2, today) == 4  # the default
    assert frequency_weeks({"practitioner", "team_manager"}, frequencies, None, 2, today) == 4
    assert frequency_weeks({"practitioner"}, frequencies, date(2026, 11, 23), 2, today) == 2
    assert frequency_weeks({"practitioner"}, frequencies, date(2026, 11, 22), 2, today) == 4


def test_epdr_is_annual_with_a_half_year_review() -> None:
    due = date(2027, 3, 1)
    assert epdr_dues(due, 6, None) == [EpdrDue("half_year", date(2026, 9, 1)),
                                       EpdrDue("annual", due)]
    assert epdr_dues(due, 6, date(2026, 9, 3)) == [EpdrDue("annual", due)]
    assert epdr_dues(due, 6, date(2026, 2, 27)) == [EpdrDue("half_year", date(2026, 9, 1)),
                                                    EpdrDue("annual", due)]  # last year's
    assert epdr_dues(None, 6, None) == []
    assert next_epdr_due(date(2027, 3, 4)) == date(2028, 3, 4)


def test_the_previous_reporting_quarter() -> None:
    assert previous_quarter(date(2026, 11, 23), 4) == (date(2026, 7, 1), date(2026, 9, 30))
    assert previous_quarter(date(2026, 4, 1), 4) == (date(2026, 1, 1), date(2026, 3, 31))
    assert previous_quarter(date(2026, 2, 10), 1) == (date(2025, 10, 1), date(2025, 12, 31))
