"""What a summary request can come to instead of a summary."""

from __future__ import annotations


class SummaryError(Exception):
    """A request that cannot be answered as asked, phrased for the person who asked."""


class Stranger(SummaryError):
    """The person is not an active member of staff: they get the polite refusal only."""
