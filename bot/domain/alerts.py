"""Practice Alerts: categories, the escalation ladder, stage clocks and who may act.

Pure rules (PRODUCT.md section 4): `now` is always a parameter; no SQL, no Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum

from bot.domain.working_time import WorkingCalendar

CATEGORIES: dict[str, str] = {
    "drift_or_delay": "Drift or delay",
    "plan_not_progressing": "Plan not progressing",
    "safeguarding_concern": "Safeguarding concern",
    "statutory_overdue": "Statutory visit or review overdue",
    "assessment_or_plan_quality": "Quality of assessment or plan",
    "management_decision": "Management decision",
    "other": "Other",
}
SEVERITIES: dict[str, str] = {"urgent": "Urgent", "standard": "Standard"}


class Level(IntEnum):
    """The rungs of the ladder, lowest first (Kent: escalation starts at the lowest level)."""

    TEAM_MANAGER = 0
    SERVICE_MANAGER = 1
    HEAD_OF_SERVICE = 2
    ABOVE_HEAD_OF_SERVICE = 3  # the head of service's line manager (assistant director)


LEVEL_NAMES = {
    Level.TEAM_MANAGER: "team manager",
    Level.SERVICE_MANAGER: "service manager",
    Level.HEAD_OF_SERVICE: "head of service",
    Level.ABOVE_HEAD_OF_SERVICE: "assistant director",
}


class Status(StrEnum):
    """Where an alert is in its life."""

    OPEN = "open"  # raised, not yet acknowledged at its current stage
    ACKNOWLEDGED = "acknowledged"
    RESPONDED = "responded"
    RESOLUTION_PROPOSED = "resolution_proposed"
    RESOLVED = "resolved"


CLOSED = frozenset({Status.RESOLVED})


def format_reference(year: int, number: int) -> str:
    """`PA-2026-0042`: the year the alert was raised and its number within that year."""
    return f"PA-{year}-{number:04d}"


@dataclass(frozen=True)
class AlertTimes:
    """How long each stage has, by severity (settings), and the overall limit."""

    urgent_ack: timedelta
    urgent_respond_days: int
    standard_ack_days: int
    standard_respond_days: int
    limit_days: int

    @classmethod
    def of(
        cls,
        *,
        urgent_ack_hours: int,
        urgent_respond_days: int,
        standard_ack_days: int,
        standard_respond_days: int,
        limit_days: int,
    ) -> AlertTimes:
        return cls(
            timedelta(hours=urgent_ack_hours),
            urgent_respond_days,
            standard_ack_days,
            standard_respond_days,
            limit_days,
        )


@dataclass(frozen=True)
class StageClock:
    """When the current stage must be acknowledged and responded to."""

    ack_due: datetime
    respond_due: datetime


def stage_clock(
    calendar: WorkingCalendar, times: AlertTimes, severity: str, reached_at: datetime
) -> StageClock:
    """A stage's deadlines, counted in working time from when the stage was reached."""
    if severity == "urgent":
        ack_due = calendar.add_working_time(reached_at, times.urgent_ack)
        respond_due = calendar.add_working_days_time(reached_at, times.urgent_respond_days)
    else:
        ack_due = calendar.add_working_days_time(reached_at, times.standard_ack_days)
        respond_due = calendar.add_working_days_time(reached_at, times.standard_respond_days)
    return StageClock(ack_due=ack_due, respond_due=respond_due)


def limit_due(calendar: WorkingCalendar, times: AlertTimes, raised_at: datetime) -> datetime:
    """When an alert still open must reach the top of the ladder (IRO Handbook: 20 days)."""
    return calendar.add_working_days_time(raised_at, times.limit_days)


@dataclass(frozen=True)
class AlertState:
    """What the sweep needs to know about one open alert."""

    severity: str
    status: Status
    stage: int
    stage_reached_at: datetime
    stage_acknowledged: bool
    stage_responded: bool
    raised_at: datetime
    limit_notified: bool
    top_stage: int  # the highest stage the ladder can reach for this alert


class Due(StrEnum):
    """Why the sweep must act on an alert now."""

    NOT_ACKNOWLEDGED = "not_acknowledged"
    NOT_RESPONDED = "not_responded"
    LIMIT = "limit"


def due_actions(
    calendar: WorkingCalendar, times: AlertTimes, state: AlertState, now: datetime
) -> list[Due]:
    """What is overdue on this alert at `now` (an escalation at most, and the limit notice)."""
    if state.status in CLOSED:
        return []
    actions: list[Due] = []
    awaiting_team = state.status in (Status.OPEN, Status.ACKNOWLEDGED)
    if awaiting_team and state.stage < state.top_stage:
        clock = stage_clock(calendar, times, state.severity, state.stage_reached_at)
        if not state.stage_acknowledged and now >= clock.ack_due:
            actions.append(Due.NOT_ACKNOWLEDGED)
        elif not state.stage_responded and now >= clock.respond_due:
            actions.append(Due.NOT_RESPONDED)
    if not state.limit_notified and now >= limit_due(calendar, times, state.raised_at):
        actions.append(Due.LIMIT)
    return actions


def next_check(calendar: WorkingCalendar, times: AlertTimes, state: AlertState) -> datetime | None:
    """The next instant at which `due_actions` can change: the sweep looks only then."""
    if state.status in CLOSED:
        return None
    candidates: list[datetime] = []
    if state.status in (Status.OPEN, Status.ACKNOWLEDGED) and state.stage < state.top_stage:
        clock = stage_clock(calendar, times, state.severity, state.stage_reached_at)
        if not state.stage_acknowledged:
            candidates.append(clock.ack_due)
        elif not state.stage_responded:
            candidates.append(clock.respond_due)
    if not state.limit_notified:
        candidates.append(limit_due(calendar, times, state.raised_at))
    return min(candidates) if candidates else None


def next_stage(levels: Sequence[Sequence[int]], current: int) -> int | None:
    """The next rung above `current` with anyone on it (vacant or inactive rungs are skipped).

    `levels[i]` holds the active people of rung i; an empty rung is vacant.
    """
    for index in range(current + 1, len(levels)):
        if levels[index]:
            return index
    return None


def first_stage(levels: Sequence[Sequence[int]]) -> int | None:
    """The lowest rung with anyone on it."""
    return next_stage(levels, -1)


def top_stage(levels: Sequence[Sequence[int]]) -> int:
    """The highest rung with anyone on it (where the limit notice goes)."""
    staffed = [i for i, people in enumerate(levels) if people]
    return staffed[-1] if staffed else 0


def may_act_as_recipient(reached: set[int], staff_id: int) -> bool:
    """Acknowledge, respond, propose resolution: anyone the alert has reached so far."""
    return staff_id in reached


def may_act_as_raiser(raiser_id: int, staff_id: int) -> bool:
    """Confirm, reopen, escalate at once: the raiser alone."""
    return raiser_id == staff_id


def acknowledgement_runs_overnight(
    calendar: WorkingCalendar, clock: StageClock, raised_at: datetime
) -> bool:
    """True when the acknowledgement deadline falls on a later day than raising (local time)."""
    tz = calendar.tz
    return clock.ack_due.astimezone(tz).date() > raised_at.astimezone(tz).date()


def validate_by_when(by_when: date | None, today: date) -> str | None:
    """An error for a 'by when' date in the past, else None."""
    if by_when is not None and by_when < today:
        return "The date must be today or later."
    return None
