"""Periods as the authority knows them: its cycles, and the quarter/month/range rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.summaries import (
    CYCLE,
    Period,
    PeriodError,
    parse_period,
    previous_period,
    quarter_containing,
    trend_periods,
)
from storage.audit_models import Cycle

TREND_PERIODS = 6
_CYCLE_ID = re.compile(r"^(?:cycle[: ]?|#)?(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class CycleInfo:
    """A cycle as a period: its id, name, kind and dates."""

    cycle_id: int
    name: str
    kind: str
    opens_on: date
    last_day: date  # the later of its audits' and moderation's due dates
    status: str

    def period(self) -> Period:
        """The cycle as a period."""
        return Period(CYCLE, self.name, self.opens_on, self.last_day, self.cycle_id)


def load_cycles(session: Session, authority_id: int) -> list[CycleInfo]:
    """The authority's cycles past their draft, oldest first (a handful a year)."""
    columns: list[Any] = [col(Cycle.id), Cycle.name, Cycle.kind, Cycle.opens_on,
                          Cycle.audit_due, Cycle.moderation_due, Cycle.status]
    rows = session.execute(
        select(*columns)
        .where(col(Cycle.authority_id) == authority_id, col(Cycle.status) != "draft")
        .order_by(col(Cycle.opens_on), col(Cycle.id))
    ).all()
    return [
        CycleInfo(cycle_id, name, kind, opens, max(due, moderation or due), status)
        for cycle_id, name, kind, opens, due, moderation, status in rows
    ]


def find_cycle(words: str, cycles: list[CycleInfo]) -> CycleInfo | None:
    """The cycle named by its name (any case) or id (`12`, `cycle 12`, `#12`)."""
    key = words.strip().lower()
    for cycle in cycles:
        if cycle.name.strip().lower() == key:
            return cycle
    found = _CYCLE_ID.match(key)
    if found:
        wanted = int(found[1])
        return next((c for c in cycles if c.cycle_id == wanted), None)
    return None


def is_period_words(words: str, cycles: list[CycleInfo], first_month: int) -> bool:
    """Whether words name a period: a cycle, a quarter, a month or a range."""
    if find_cycle(words, cycles) is not None:
        return True
    try:
        return parse_period(words, first_month) is not None
    except PeriodError:
        return False


def resolve_period(words: str, cycles: list[CycleInfo], first_month: int,
                   today: date) -> Period:
    """The period named (the current quarter when none is)."""
    if not words.strip():
        return quarter_containing(today, first_month)
    cycle = find_cycle(words, cycles)
    if cycle is not None:
        return cycle.period()
    period = parse_period(words, first_month)
    if period is None:
        raise PeriodError(f"`{words}` is not a period")
    return period


def periods_for(period: Period, cycles: list[CycleInfo], first_month: int,
                count: int = TREND_PERIODS) -> list[Period]:
    """The trend's periods, oldest first, ending with `period` (cycles: of the same kind)."""
    if period.kind != CYCLE:
        return trend_periods(period, first_month, count)
    current = next(c for c in cycles if c.cycle_id == period.cycle_id)
    earlier = [c for c in cycles if c.kind == current.kind
               and (c.opens_on, c.cycle_id) <= (current.opens_on, current.cycle_id)]
    return [c.period() for c in earlier[-count:]]


def previous_of(period: Period, trend: list[Period], first_month: int) -> Period | None:
    """The period before (a cycle's: the previous cycle of its kind, if there is one)."""
    if period.kind == CYCLE:
        return trend[-2] if len(trend) >= 2 else None
    return previous_period(period, first_month)
