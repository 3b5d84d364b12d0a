"""The receipt of a draw: what went in, what rules applied, who was left out, what came out.

A receipt carries the draw's whole input, so the QA lead can export it as JSON and anyone can
re-run it (``rerun``) and get the same draw; ``inputs_sha256`` shows that the input was not
changed in between.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pydantic import TypeAdapter

from bot.domain.allocation.model import (
    Assignment,
    CycleRecord,
    DrawRequest,
    Load,
    PersonExclusion,
    SubjectExclusion,
    Unplaced,
)


@dataclass(frozen=True)
class Receipt:
    """Everything needed to explain, defend and reproduce one draw."""

    algorithm: str
    seed: int
    inputs_sha256: str
    complete: bool
    rules: tuple[str, ...]
    cycles: tuple[CycleRecord, ...]
    excluded_people: tuple[PersonExclusion, ...]
    excluded_subjects: tuple[SubjectExclusion, ...]
    assignments: tuple[Assignment, ...]
    unplaced: tuple[Unplaced, ...]
    loads: tuple[Load, ...]
    inputs: DrawRequest

    def to_json(self, *, indent: int | None = 2) -> str:
        """The receipt as JSON (dates as ISO strings), for export."""
        return _RECEIPT.dump_json(self, indent=indent).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> Receipt:
        """Read a receipt exported by ``to_json``; raises pydantic's ValidationError if bad."""
        return _RECEIPT.validate_json(text)


@dataclass(frozen=True)
class DrawResult:
    """The outcome of a draw. When ``complete`` is false, nothing should be sent."""

    receipt: Receipt

    @property
    def assignments(self) -> tuple[Assignment, ...]:
        """Every audit placed, with its auditor and moderator."""
        return self.receipt.assignments

    @property
    def unplaced(self) -> tuple[Unplaced, ...]:
        """Everything that could not be placed, each with its reason."""
        return self.receipt.unplaced

    @property
    def complete(self) -> bool:
        """Whether every subject, auditor quota and moderation was placed."""
        return self.receipt.complete


_RECEIPT: TypeAdapter[Receipt] = TypeAdapter(Receipt)
_REQUEST: TypeAdapter[DrawRequest] = TypeAdapter(DrawRequest)


def inputs_sha256(request: DrawRequest) -> str:
    """A fingerprint of a request: SHA-256 of its compact JSON.

    The JSON follows the dataclasses' field order and the request's own order of items, so
    the fingerprint is canonical for the sorted form ``draw`` works on and records in the
    receipt (``validation.normalised``).
    """
    return hashlib.sha256(_REQUEST.dump_json(request)).hexdigest()
