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
