"""Supervision and EPDR: how often, when next due, and what the trackers call each state.

Pure rules (PRODUCT.md section 5): a supervisor–supervisee pair comes from the line-management
tree (the line manager supervises); its frequency is a setting by role with a tighter one for
newly qualified workers in their assessed first year. The EPDR is annual (the staff file's
`epdr_due`), with a half-year review `epdr_review_months` after the previous one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.allocation.sampling import add_months

KINDS: dict[str, str] = {
    "one_to_one": "One-to-one",
    "group": "Group",
    "reflective": "Reflective",
}
EPDR_KINDS: dict[str, str] = {"annual": "EPDR", "half_year": "EPDR half-year review"}


class PairStatus(StrEnum):
    """A pair's state, as the supervision tracker shows it."""

    NO_RECORD = "no_record"  # no session held is recorded: nothing to count from
    OK = "ok"
    DUE_SOON = "due_soon"  # within the nudge window
    DUE = "due"  # due today
    OVERDUE = "overdue"


def frequency_weeks(roles: Iterable[str], frequencies: Mapping[str, int],
                    assessed_year_until: date | None, assessed_weeks: int, today: date) -> int:
    """Weeks between a supervisee's sessions: the tightest of their roles' settings.

    A role without its own entry takes the default; in the assessed first year (until
    `assessed_year_until`, inclusive) the assessed-year frequency applies if it is tighter.
    """
    matching = [frequencies[role] for role in roles if role in frequencies]
    weeks = min(matching) if matching else frequencies["default"]
    if assessed_year_until is not None and today <= assessed_year_until:
        weeks = min(weeks, assessed_weeks)
    return weeks


def next_supervision(last_held: date | None, weeks: int) -> date | None:
    """When the next session is due; None when none was ever held (nothing to count from)."""
    return None if last_held is None else last_held + timedelta(weeks=weeks)


def pair_status(next_due: date | None, today: date, window_start: date | None) -> PairStatus:
    """The tracker's status of a pair; `window_start` is when its nudges begin."""
    if next_due is None:
        return PairStatus.NO_RECORD
    if next_due < today:
        return PairStatus.OVERDUE
    if next_due == today:
        return PairStatus.DUE
    if window_start is not None and today >= window_start:
        return PairStatus.DUE_SOON
    return PairStatus.OK


@dataclass(frozen=True)
class EpdrDue:
    """An EPDR or its review, still to do, and when."""

    kind: str  # annual or half_year
    due: date


def epdr_dues(epdr_due: date | None, review_months: int,
              last_review_done: date | None) -> list[EpdrDue]:
    """The EPDR due on `epdr_due`, and its half-year review if not done this year.

    The EPDR year runs from a year before `epdr_due`; the review falls `review_months` into it
    and counts as done when one is recorded inside the year. Recording the annual EPDR moves
    `epdr_due` a year on from the day it was done, which starts the next year.
    """
    if epdr_due is None:
        return []
    dues = [EpdrDue("annual", epdr_due)]
    year_start = add_months(epdr_due, -12)
    review_due = add_months(year_start, review_months)
    done = last_review_done is not None and last_review_done > year_start
    if review_due < epdr_due and not done:
        dues.insert(0, EpdrDue("half_year", review_due))
    return dues


def next_epdr_due(done_on: date) -> date:
    """The next annual EPDR, a year after the one just done."""
    return add_months(done_on, 12)


def previous_quarter(today: date, first_month: int) -> tuple[date, date]:
    """The last complete reporting quarter before `today`: its first and last day.

    `first_month` is the setting `quarter_start_month` (4: financial quarters, April–June
    first).
    """
    offset = (today.month - first_month) % 3
    this_start = date(today.year, today.month, 1)
    this_start = add_months(this_start, -offset)
    start = add_months(this_start, -3)
    return start, this_start - timedelta(days=1)
