"""What an import did: its counts, or every problem that stopped it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.services.imports.table import Problem
from storage import audit_log
from storage.directory_version import bump_directory_version


@dataclass
class ImportResult:
    """The outcome of one import: nothing was written if there are problems."""

    kind: str  # "teams", "staff" or "cases"
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    services_created: int = 0

    @property
    def ok(self) -> bool:
        """Whether the file was accepted (and written)."""
        return not self.problems

    def counts(self) -> dict[str, int]:
        """The counts, for the audit log and the summary (never names or references)."""
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.kind == "cases":
            counts["closed"] = self.closed
        if self.kind == "teams":
            counts["services_created"] = self.services_created
        return counts

    def summary(self) -> str:
        """One line for the operator, e.g. `staff: 12 created, 3 updated, 85 unchanged`."""
        parts = [f"{value} {name.replace('_', ' ')}" for name, value in self.counts().items()]
        return f"{self.kind}: {', '.join(parts)}"


def log_import(
    session: Session, result: ImportResult, *, authority_id: int, actor: str, now: datetime
) -> None:
    """One audit-log entry per import, with its counts only; the directory has changed."""
    bump_directory_version(session, authority_id)
    audit_log.record(
        session,
        authority_id=authority_id,
        at=now,
        actor=actor,
        action=f"import.{result.kind}",
        record_type="import",
        record_id=result.kind,
        after=result.counts(),
    )
