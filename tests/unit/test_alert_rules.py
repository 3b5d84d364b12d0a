"""The Practice Alert ladder's rules, on the working-time clock."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.alerts import (
    AlertState,
    AlertTimes,
    Due,
    Status,
    due_actions,
    first_stage,
    format_reference,
    next_check,
    next_stage,
    stage_clock,
    top_stage,
)
from bot.domain.working_time import WorkingCalendar

CAL = WorkingCalendar()
TIMES = AlertTimes.of(urgent_ack_hours=2, urgent_respond_days=2, standard_ack_days=1,
                      standard_respond_days=5, limit_days=20)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def state(**changes: object) -> AlertState:
    base = {
        "severity": "urgent", "status": Status.OPEN, "stage": 0,
        "stage_reached_at": at(2026, 11, 27, 16, 30),  # a Friday, 16:30 GMT
        "stage_acknowledged": False, "stage_responded": False,
        "raised_at": at(2026, 11, 27, 16, 30), "limit_notified": False, "top_stage": 3,
    }
    base.update(changes)
    return AlertState(**base)  # type: ignore[arg-type]


def test_reference_is_year_and_four_digit_number() -> None:
    assert format_reference(2026, 42) == "PA-2026-0042"
    assert format_reference(2026, 12345) == "PA-2026-12345"


def test_urgent_ack_deadline_crosses_the_weekend_in_working_hours() -> None:
    clock = stage_clock(CAL, TIMES, "urgent", at(2026, 11, 27, 16, 30))
    assert clock.ack_due == at(2026, 11, 30, 10, 0)  # Monday 10:00: 1 h Friday + 1 h Monday
    assert clock.respond_due == at(2026, 12, 1, 16, 30)  # 17 working hours on


def test_standard_stage_days_are_eight_and_a_half_working_hours() -> None:
    clock = stage_clock(CAL, TIMES, "standard", at(2026, 11, 23, 9, 0))
    assert clock.ack_due == at(2026, 11, 24, 9, 0)
    assert clock.respond_due == at(2026, 11, 30, 9, 0)


def test_escalates_exactly_at_the_ack_deadline_not_before() -> None:
    s = state()
    assert due_actions(CAL, TIMES, s, at(2026, 11, 30, 9, 59, 59)) == []
    assert due_actions(CAL, TIMES, s, at(2026, 11, 30, 10, 0)) == [Due.NOT_ACKNOWLEDGED]
    assert next_check(CAL, TIMES, s) == at(2026, 11, 30, 10, 0)


def test_an_acknowledged_stage_climbs_only_when_the_response_is_late() -> None:
    s = state(stage_acknowledged=True, status=Status.ACKNOWLEDGED)
    assert due_actions(CAL, TIMES, s, at(2026, 11, 30, 12, 0)) == []
    assert due_actions(CAL, TIMES, s, at(2026, 12, 1, 16, 30)) == [Due.NOT_RESPONDED]


def test_a_responded_alert_does_not_climb_but_the_limit_still_applies() -> None:
    s = state(stage_acknowledged=True, stage_responded=True, status=Status.RESPONDED)
    assert due_actions(CAL, TIMES, s, at(2026, 12, 10, 12, 0)) == []
    limit = next_check(CAL, TIMES, s)
    assert limit is not None and due_actions(CAL, TIMES, s, limit) == [Due.LIMIT]


def test_the_top_stage_does_not_climb_further() -> None:
    assert due_actions(CAL, TIMES, state(stage=3), at(2026, 12, 2, 12, 0)) == []


def test_a_resolved_alert_needs_nothing() -> None:
    s = state(status=Status.RESOLVED)
    assert due_actions(CAL, TIMES, s, at(2027, 6, 1, 12, 0)) == []
    assert next_check(CAL, TIMES, s) is None


def test_vacant_and_inactive_levels_are_skipped() -> None:
    levels = [[], [7], [], [9]]
    assert first_stage(levels) == 1
    assert next_stage(levels, 1) == 3
    assert next_stage(levels, 3) is None
    assert top_stage(levels) == 3
