"""Actions: their life (open → done → closed, or back to open), snoozes and reviews.

Pure rules (PRODUCT.md section 5): an action is closed only when verified; a rejected one goes
back to open with the reason; a person may snooze a nudge to tomorrow or next week but never
past the day someone must be told it is overdue; audit actions are reviewed at one month and
again the month after (Greater Manchester).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.allocation.sampling import add_months
from bot.domain.working_time import WorkingCalendar


class ActionStatus(StrEnum):
    """Where an action is in its life."""

    OPEN = "open"
    DONE = "done"  # marked done by its owner, awaiting verification
    CLOSED = "closed"  # verified


class Snooze(StrEnum):
    """How long a nudge may be put off."""

    TOMORROW = "tomorrow"
    NEXT_WEEK = "next_week"


#: The months after creation at which an audit action's team manager is asked (Greater
#: Manchester: one month, and the month after).
REVIEW_MONTHS = (1, 2)


def snooze_until(calendar: WorkingCalendar, today: date, choice: Snooze, due: date,
                 escalate_after: Iterable[int]) -> tuple[date, bool]:
    """The day a snoozed nudge comes back, and whether an escalation cut the snooze short.

    Tomorrow is the next working day; next week is the same weekday a week on (or the working
    day after it). The owner is always reminded no later than the next day someone must be
    told: the (N+1)th working day after the due date, for each escalation's N.
    """
    if choice == Snooze.TOMORROW:
        wanted = calendar.next_working_day(today)
    else:
        wanted = calendar.working_day_on_or_after(today + timedelta(days=7))
    upcoming = [
        day for day in (calendar.add_working_days(due, n + 1) for n in escalate_after)
        if day > today
    ]
    if upcoming and min(upcoming) < wanted:
        return min(upcoming), True
    return wanted, False


def review_dates(calendar: WorkingCalendar, created_on: date) -> list[tuple[int, date]]:
    """An audit action's reviews: their number and the working day each falls on."""
    return [
        (number, calendar.working_day_on_or_after(add_months(created_on, months)))
        for number, months in enumerate(REVIEW_MONTHS, start=1)
    ]


def may_mark_done(owner_id: int, actor_id: int) -> bool:
    """Only the owner marks their action done."""
    return owner_id == actor_id


def may_verify(verifiers: Iterable[int], owner_id: int, actor_id: int) -> bool:
    """A verifier verifies or rejects; never the owner their own action."""
    return actor_id != owner_id and actor_id in set(verifiers)
