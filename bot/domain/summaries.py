"""Summaries' rules: periods, scopes, who may see what, and reading `/qa-summary`'s words.

Pure (PRODUCT.md section 6): no SQL, no Slack; `today` is always a parameter.

Periods are inclusive ranges of local dates. A quarter is named by the year its reporting year
starts in: with financial quarters (`quarter_start_month` 4), `2026-Q1` is April–June 2026 and
`2026-Q4` is January–March 2027; with calendar quarters (1), `2026-Q3` is July–September 2026.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.allocation.sampling import add_months

CYCLE, QUARTER, MONTH, RANGE = "cycle", "quarter", "month", "range"
ME, TEAM, SERVICE, ALL = "me", "team", "service", "all"

#: Roles that see everything (senior leaders, the PSW and the QA lead).
SEE_EVERYTHING = frozenset({"assistant_director", "director", "principal_social_worker", "qa_lead"})
#: Roles that see their service; roles that see their team.
SEE_SERVICE = frozenset({"service_manager", "head_of_service"})
SEE_TEAM = frozenset({"team_manager", "deputy_team_manager"})

PERIOD_FORMS = (
    "a cycle's name or id, a quarter like `2026-Q3`, a month like `2026-11`, "
    "or dates like `2026-01-01..2026-03-31`"
)
SCOPE_FORMS = "`me`, a team's name, a service's name, or `all`"

_QUARTER = re.compile(r"^(\d{4})-?q(\d+)$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_LONGEST_RANGE_DAYS = 3 * 366


class PeriodError(ValueError):
    """Words that look like a period but are not one, with the reason, for the person."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of local dates; a cycle's period also names the cycle."""

    kind: str
    label: str
    start: date
    end: date
    cycle_id: int | None = None

    def contains(self, day: date) -> bool:
        """Whether a date falls in the period."""
        return self.start <= day <= self.end


def quarter(year: int, number: int, first_month: int) -> Period:
    """Quarter `number` (1-4) of the reporting year that starts in `year`."""
    start = add_months(date(year, first_month, 1), 3 * (number - 1))
    end = add_months(start, 3) - timedelta(days=1)
    return Period(QUARTER, f"{year}-Q{number}", start, end)


def quarter_containing(day: date, first_month: int) -> Period:
    """The reporting quarter a date falls in."""
    months_in = (day.month - first_month) % 12
    year = day.year if day.month >= first_month else day.year - 1
    return quarter(year, months_in // 3 + 1, first_month)


def month(year: int, number: int) -> Period:
    """A calendar month."""
    start = date(year, number, 1)
    return Period(MONTH, f"{year}-{number:02d}", start, add_months(start, 1) - timedelta(days=1))


def date_range(start: date, end: date) -> Period:
    """From one date to another, both included."""
    return Period(RANGE, f"{start.isoformat()}..{end.isoformat()}", start, end)


def parse_period(text: str, first_month: int) -> Period | None:
    """A quarter, month or date range from its words; None for words of no such shape.

    Raises PeriodError for words of a period's shape that name no period (`2026-Q5`).
    """
    words = text.strip()
    if found := _QUARTER.match(words):
        number = int(found[2])
        if not 1 <= number <= 4:
            raise PeriodError(f"`{words}`: a quarter is Q1 to Q4")
        return quarter(int(found[1]), number, first_month)
    if found := _MONTH.match(words):
        number = int(found[2])
        if not 1 <= number <= 12:
            raise PeriodError(f"`{words}`: a month is 01 to 12")
        return month(int(found[1]), number)
    if found := _RANGE.match(words):
        try:
            start, end = date.fromisoformat(found[1]), date.fromisoformat(found[2])
        except ValueError:
            raise PeriodError(f"`{words}`: not a real date (YYYY-MM-DD)") from None
        if end < start:
            raise PeriodError(f"`{words}`: the end comes before the start")
        if (end - start).days > _LONGEST_RANGE_DAYS:
            raise PeriodError(f"`{words}`: ask for three years at most")
        return date_range(start, end)
    return None


def previous_period(period: Period, first_month: int) -> Period:
    """The period just before a quarter, month or range (a cycle's is the previous cycle)."""
    if period.kind == QUARTER:
        return quarter_containing(period.start - timedelta(days=1), first_month)
    if period.kind == MONTH:
        before = period.start - timedelta(days=1)
        return month(before.year, before.month)
    if period.kind == RANGE:
        length = period.end - period.start
        end = period.start - timedelta(days=1)
        return date_range(end - length, end)
    raise ValueError("a cycle's previous period is the previous cycle: ask the service")


def trend_periods(period: Period, first_month: int, count: int) -> list[Period]:
    """`count` periods of the same kind ending with `period`, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(previous_period(periods[-1], first_month))
    return periods[::-1]


# ------------------------------------------------------------------------------ scopes


@dataclass(frozen=True)
class Scope:
    """Whose figures: one person's own, a team, a service, or everything."""

    kind: str
    label: str
    staff_id: int | None = None  # me
    team_ids: frozenset[int] | None = None  # team: {its id}; service: its teams; else None
    service_id: int | None = None  # team: its service; service: itself

    @property
    def key(self) -> str:
        """A short stable name for the scope: `me:12`, `team:4`, `service:2`, `all`."""
        if self.kind == ME:
            return f"me:{self.staff_id}"
        if self.kind == TEAM:
            return f"team:{min(self.team_ids or {0})}"
        if self.kind == SERVICE:
            return f"service:{self.service_id}"
        return ALL


@dataclass(frozen=True)
class Viewer:
    """Who asks: their roles, the teams they manage and the services they run."""

    staff_id: int
    roles: frozenset[str]
    team_ids: frozenset[int] = frozenset()
    service_ids: frozenset[int] = frozenset()


def widest_kind(viewer: Viewer) -> str:
    """The widest scope a person may see: all, their service, their team, or their own."""
    if viewer.roles & SEE_EVERYTHING:
        return ALL
    if viewer.roles & SEE_SERVICE and viewer.service_ids:
        return SERVICE
    if viewer.roles & SEE_TEAM and viewer.team_ids:
        return TEAM
    return ME


def may_see(viewer: Viewer, scope: Scope) -> bool:
    """Whether the person may see a scope's figures (PRODUCT.md section 6)."""
    if viewer.roles & SEE_EVERYTHING:
        return True
    if scope.kind == ME:
        return scope.staff_id == viewer.staff_id
    services = viewer.service_ids if viewer.roles & SEE_SERVICE else frozenset()
    teams = viewer.team_ids if viewer.roles & SEE_TEAM else frozenset()
    if scope.kind == SERVICE:
        return scope.service_id in services
    if scope.kind == TEAM:
        return scope.service_id in services or bool(scope.team_ids and scope.team_ids <= teams)
    return False


def refusal(viewer: Viewer, scope: Scope) -> str:
    """Why a scope is refused, and what the person may ask for instead."""
    widest = widest_kind(viewer)
    allowed = {
        SERVICE: "your own service's summaries (and its teams')",
        TEAM: "your own team's summaries",
        ME: "your own summary",
    }[widest]
    return (
        f"Sorry, you can't see the summary for {scope.label}: you can see {allowed}. "
        "Try `/qa-summary` on its own for yours."
    )


# ------------------------------------------------------------------------------ the words


@dataclass(frozen=True)
class SummaryWords:
    """`/qa-summary [scope] [period]` split into its two parts (empty: the default)."""

    scope: str
    period: str


def split_words(text: str, is_scope: Callable[[str], bool],
                is_period: Callable[[str], bool]) -> SummaryWords | None:
    """Split the command's words into a scope and a period, in either order.

    Scope and period names may have spaces ("Team 001", "Cycle 3"), so every split is tried,
    longest scope first; None when no split reads as a scope and a period.
    """
    words = text.split()
    for k in range(len(words), -1, -1):
        head, tail = " ".join(words[:k]), " ".join(words[k:])
        if (not head or is_scope(head)) and (not tail or is_period(tail)):
            return SummaryWords(head, tail)
        if head and tail and is_period(head) and is_scope(tail):
            return SummaryWords(tail, head)
    return None


def words_problem(text: str, first_month: int) -> str:
    """What to tell someone whose words read as no scope and period."""
    reasons = []
    for word in text.split():
        try:
            parse_period(word, first_month)
        except PeriodError as exc:
            reasons.append(str(exc))
    reason = f" ({'; '.join(reasons)})" if reasons else ""
    return (
        f"I can't read `{text.strip()}`{reason}. Ask `/qa-summary [scope] [period]`: scope is "
        f"{SCOPE_FORMS}; period is {PERIOD_FORMS}."
    )
