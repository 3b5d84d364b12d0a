"""The clock: injected everywhere so that tests move time without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time (freezegun moves it in tests)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant: `qabot jobs run --now`, and tests that move it by hand."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to `at`."""
        if at.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        """Move the clock on by a timedelta's keyword arguments; returns the new time."""
        from datetime import timedelta

        self._at += timedelta(**delta)
        return self._at
