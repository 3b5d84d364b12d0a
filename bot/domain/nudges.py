"""Nudges: which reminder each person gets today, and who is told that something is overdue.

Pure rules (PRODUCT.md section 5): no SQL, no Slack; `today` and `now` are parameters.

Everything nudged is a `Tracked` item: a thing with a due date and the person who must do it
(an action's owner, a supervisor, a line manager for an EPDR, an auditor, a moderator), and
the people told when it is overdue by more than so many working days.

An item's nudges follow *milestones*, each starting on a date:

* ``before``: the Nth working day before the due date (N a setting, 3 by default);
* ``due``: the due date itself (or, when that is not a working day, the first sweep after it);
* ``overdue:K``: the day it is 5K working days overdue ("weekly while overdue");
* ``snoozed``: the day a snooze ends (a snooze hides the item from its owner until then).

On a given day the item's milestone is the one that started last on or before that day; the
owner gets it once, whatever the day it is first seen on, through a claim on its key. So a
sweep after an outage sends the newest milestone once, not one per day missed. Escalations
("more than N working days overdue", from the (N+1)th working day after the due date) and
reviews (an audit action's check at one month and the month after) are claimed the same way.

Every person gets at most one message a day with all their entries (`plan_day`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.working_time import WorkingCalendar

#: "Weekly while overdue", in working days.
OVERDUE_EVERY = 5
#: An audit not submitted, or a moderation not done, is escalated to the QA lead (every active
#: `qa_lead`) when more than this many working days overdue: PRODUCT.md names no number, so
#: the actions' team-manager step (5, "a working week") is used, as a fixed rule.
QA_LEAD_AFTER_DAYS = 5
_ONE_DAY = timedelta(days=1)


class Role(StrEnum):
    """Why an entry is in someone's message."""

    NUDGE = "nudge"  # it is theirs to do
    REVIEW = "review"  # they are asked whether it is done (an audit action's review)
    ESCALATION = "escalation"  # someone else's item is overdue and they must know


#: The order entries are listed in, within a message.
ROLE_ORDER = {Role.NUDGE: 0, Role.REVIEW: 1, Role.ESCALATION: 2}
KIND_ORDER = {"action": 0, "audit": 1, "moderation": 2, "supervision": 3, "epdr_annual": 4,
              "epdr_review": 5}


@dataclass(frozen=True)
class Escalation:
    """Who is told when the item is more than `after_days` working days overdue."""

    level: str  # tm, hos, lm (line manager), qa (QA leads)
    after_days: int
    people: tuple[int, ...]


@dataclass(frozen=True)
class Review:
    """A check, on a date, of whether the item is done (asked of `people`)."""

    number: int
    on: date
    people: tuple[int, ...]


@dataclass(frozen=True)
class Tracked:
    """One thing with a due date that someone must do."""

    kind: str  # action, supervision, epdr_annual, epdr_review, audit, moderation
    ref: str  # unique, and new for each period of a recurring item: "supervision:34:2026-11-20"
    record_id: int  # the action, supervisee, staff member or audit it is about
    due: date
    owner: int | None  # who is nudged (None: nobody can be)
    before_days: int
    escalations: tuple[Escalation, ...] = ()
    reviews: tuple[Review, ...] = ()
    snoozed_until: date | None = None


@dataclass(frozen=True)
class Entry:
    """One line of someone's message today, and the claim that makes it happen once."""

    recipient: int
    kind: str
    ref: str
    record_id: int
    role: Role
    detail: str  # the milestone (before, due, overdue:2, snoozed), the level, or the review
    claim: str
    due: date
    overdue_days: int


def day_key(staff_id: int, today: date) -> str:
    """The claim (and outbox key) of a person's one message of the day."""
    return f"nudge:{staff_id}:{today.isoformat()}"


def local_day(calendar: WorkingCalendar, now: datetime) -> date:
    """The date of `now` where the authority is (the day a sweep's nudges belong to)."""
    return now.astimezone(calendar.tz).date()


def may_send_now(calendar: WorkingCalendar, now: datetime, *, hours_only: bool) -> bool:
    """Nudges go on working days, and (unless the setting says otherwise) in working hours."""
    if hours_only:
        return calendar.is_working_time(now)
    return calendar.is_working_day(local_day(calendar, now))


def working_days_before(calendar: WorkingCalendar, due: date, n: int) -> date:
    """The Nth working day before `due` (`due` itself for 0)."""
    day = due
    for _ in range(n):
        day -= _ONE_DAY
        while not calendar.is_working_day(day):
            day -= _ONE_DAY
    return day


def milestone(calendar: WorkingCalendar, item: Tracked, today: date) -> tuple[str, date] | None:
    """The item's current milestone and the day it started; None when nothing is due."""
    if item.snoozed_until is not None and today < item.snoozed_until:
        return None
    overdue = calendar.working_days_overdue(item.due, today)
    regular: tuple[str, date] | None
    if overdue >= OVERDUE_EVERY:
        weeks = overdue // OVERDUE_EVERY
        regular = (f"overdue:{weeks}", calendar.add_working_days(item.due, weeks * OVERDUE_EVERY))
    elif today >= item.due:
        regular = ("due", item.due)
    else:
        start = working_days_before(calendar, item.due, item.before_days)
        regular = ("before", start) if item.before_days > 0 and today >= start else None
    if regular is None:
        return None
    if item.snoozed_until is not None and item.snoozed_until > regular[1]:
        # The snooze ended after the milestone began: remind again, once, when it ends.
        return (f"snoozed:{item.snoozed_until.isoformat()}", item.snoozed_until)
    return regular


def entries_for(calendar: WorkingCalendar, item: Tracked, today: date) -> list[Entry]:
    """Everything the item asks for today, claimed or not."""
    # Most items are weeks from due: N working days never span more than 2N + 10 calendar
    # days (weekends and any run of bank holidays included), so those need no counting.
    far = (item.due - today).days > 2 * item.before_days + 10
    overdue = 0 if far else calendar.working_days_overdue(item.due, today)
    entries: list[Entry] = []

    def add(recipient: int, role: Role, detail: str, claim: str) -> None:
        entries.append(Entry(recipient, item.kind, item.ref, item.record_id, role, detail, claim,
                             item.due, overdue))

    current = None if far else milestone(calendar, item, today)
    if current is not None and item.owner is not None:
        name = current[0]
        add(item.owner, Role.NUDGE, name.split(":")[0] if name.startswith("snoozed") else name,
            f"nudge-item:{item.ref}:{item.due.isoformat()}:{name}")
    for escalation in item.escalations:
        if overdue > escalation.after_days:
            claim = f"escalate:{item.ref}:{escalation.level}"
            for person in escalation.people:
                add(person, Role.ESCALATION, escalation.level, claim)
    reached = [review for review in item.reviews if review.on <= today]
    if reached:
        # After an outage only the latest review is asked, once.
        review = max(reached, key=lambda r: r.number)
        for person in review.people:
            add(person, Role.REVIEW, str(review.number), f"review:{item.ref}:{review.number}")
    return entries


def entries_today(calendar: WorkingCalendar, items: Iterable[Tracked], today: date) -> list[Entry]:
    """Every item's entries for today, before claims are looked at."""
    return [entry for item in items for entry in entries_for(calendar, item, today)]


def claims_to_check(entries: Iterable[Entry], today: date) -> set[str]:
    """The claims that decide what is still to send: the entries' and each person's day."""
    keys: set[str] = set()
    for entry in entries:
        keys.add(entry.claim)
        keys.add(day_key(entry.recipient, today))
    return keys


def plan_day(entries: Iterable[Entry], today: date,
             claimed: Collection[str]) -> dict[int, list[Entry]]:
    """Who gets a message today and what is in it, given the claims already taken.

    An entry already claimed was sent before. A person who had today's message already gets
    nothing more today; their entries wait for tomorrow (still unclaimed, so still due). An
    escalation or review shared by several people waits until all of them are free, so that
    none of them misses it.
    """
    fresh = [entry for entry in entries if entry.claim not in claimed]
    busy = {entry.claim for entry in fresh if day_key(entry.recipient, today) in claimed}
    plan: dict[int, dict[tuple[str, str, str], Entry]] = {}
    for entry in fresh:
        if entry.claim in busy:
            continue
        # One line per item and role: someone can be both owner and escalation recipient.
        plan.setdefault(entry.recipient, {}).setdefault(
            (entry.ref, entry.role, entry.detail), entry)
    return {
        recipient: sorted(found.values(), key=_order)
        for recipient, found in sorted(plan.items())
    }


def _order(entry: Entry) -> tuple[int, int, int, str]:
    return (ROLE_ORDER[entry.role], KIND_ORDER.get(entry.kind, 9), -entry.overdue_days, entry.ref)
