"""Audit cycles' own rules: their settings, dates, statuses, and one-audit conflict checks.

Pure domain code (PRODUCT.md section 2): no SQL, no Slack. The draw itself is the allocation
engine's (``bot.domain.allocation``); this module checks what the QA lead asks for a cycle,
works out its default dates, and explains why one person may not take one audit.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.allocation import CASE_KINDS, PERSON_KINDS, Organisation
from bot.domain.allocation.conflicts import ConflictIndex
from bot.domain.allocation.sampling import add_months
from bot.domain.directory import CASE_TYPES
from bot.domain.working_time import WorkingCalendar

KINDS: tuple[str, ...] = CASE_KINDS + PERSON_KINDS
KIND_LABELS: dict[str, str] = {
    "case_file": "Case file audit",
    "thematic": "Thematic audit",
    "supervision_file": "Supervision file audit",
    "practice_observation": "Practice observation",
}
LOOKBACK_MONTHS: tuple[int, ...] = (6, 12)
#: Working days from the audits' due date to moderation's, when the QA lead names none.
MODERATION_WORKING_DAYS = 10
#: Why someone is unavailable for a cycle: keys, never free text (they go to the audit log).
UNAVAILABLE_REASONS: dict[str, str] = {
    "unavailable": "unavailable",
    "leave": "on leave",
    "practice_week": "in the Practice Week team",
    "sickness": "off sick",
}
MAX_NAME = 120
MAX_SEED = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL


class CycleStatus(StrEnum):
    """Where a cycle is: drawn or not, announced or not."""

    DRAFT = "draft"
    ALLOCATED = "allocated"
    OPEN = "open"
    CLOSED = "closed"


#: Audit statuses of work not yet handed in: these can move to another auditor.
NOT_SUBMITTED: tuple[str, ...] = ("allocated", "in_progress")
#: Audit statuses awaiting moderation (or not yet there): these can move to another moderator.
NOT_MODERATED: tuple[str, ...] = ("allocated", "in_progress", "submitted")
CANCELLED = "cancelled"


def audits_cases(kind: str) -> bool:
    """Whether a cycle of ``kind`` audits cases (else people)."""
    return kind in CASE_KINDS


def cadence_due(opens_on: date, cadence: str) -> date:
    """The audits' default due date: one cadence period after opening."""
    if cadence == "6-weekly":
        return opens_on + timedelta(weeks=6)
    months = {"monthly": 1, "quarterly": 3, "6-monthly": 6}[cadence]
    return add_months(opens_on, months)


def default_moderation_due(audit_due: date, calendar: WorkingCalendar) -> date:
    """Moderation's default due date: two working weeks after the audits are due."""
    return calendar.add_working_days(audit_due, MODERATION_WORKING_DAYS)


def lookback_start(opens_on: date, months: int) -> date:
    """The first day of the look-back window the auditor reviews."""
    return add_months(opens_on, -months)


@dataclass(frozen=True)
class CycleValues:
    """A cycle's settings once defaults are filled in (names already resolved to ids)."""

    name: str
    kind: str
    opens_on: date | None
    audit_due: date | None
    moderation_due: date | None
    lookback_months: int
    per_auditor: int | None
    sample: int | None
    moderation_fraction: float
    case_types: tuple[str, ...]
    seed: int


def check_cycle(values: CycleValues) -> dict[str, list[str]]:
    """Every problem with a cycle's settings, by field (empty when it can be created).

    Fields: name, kind, opens, due, moderation_due, lookback, sample_rule,
    moderation_fraction, case_types, seed.
    """
    problems: dict[str, list[str]] = {}

    def add(field: str, text: str) -> None:
        problems.setdefault(field, []).append(text)

    if not values.name.strip():
        add("name", "give the cycle a name")
    elif len(values.name) > MAX_NAME:
        add("name", f"keep the name under {MAX_NAME} characters")
    if values.kind not in KINDS:
        add("kind", f"choose one of {', '.join(KINDS)}")
    if values.opens_on is None:
        add("opens", "give the opening date")
    if values.audit_due is None:
        add("due", "give the date audits are due")
    elif values.opens_on is not None and values.audit_due <= values.opens_on:
        add("due", "audits must be due after the opening date")
    if (
        values.moderation_due is not None
        and values.audit_due is not None
        and values.moderation_due < values.audit_due
    ):
        add("moderation_due", "moderation cannot be due before the audits are")
    if values.lookback_months not in LOOKBACK_MONTHS:
        add("lookback", "the look-back window is 6 or 12 months")
    if (values.per_auditor is None) == (values.sample is None):
        add("sample_rule", "give either a number per auditor or a total sample, not both")
    for count in (values.per_auditor, values.sample):
        if count is not None and not 1 <= count <= 10_000:
            add("sample_rule", "the number of audits must be a whole number from 1 to 10000")
    if not 0.0 <= values.moderation_fraction <= 1.0:
        add("moderation_fraction", "the share moderated is a number from 0 to 1")
    unknown = [t for t in values.case_types if t not in CASE_TYPES]
    if unknown:
        add("case_types", f"unknown case type {', '.join(unknown)}: use {', '.join(CASE_TYPES)}")
    if values.case_types and values.kind in PERSON_KINDS:
        add("case_types", "a case-type theme needs a case-file or thematic cycle")
    if not 0 <= values.seed <= MAX_SEED:
        add("seed", f"the seed is a whole number from 0 to {MAX_SEED}")
    return problems


def conflict_reason(
    organisation: Organisation,
    index: ConflictIndex,
    person_id: str,
    *,
    team_id: str,
    worker_id: str | None,
    involved_ids: Iterable[str],
) -> str | None:
    """Why ``person_id`` must not audit (or moderate) this subject, or None if they may.

    The same rules as the draw's (``bot.domain.allocation.conflicts``), each in words.
    """
    people = {p.id: p for p in organisation.people}
    team = next((t for t in organisation.teams if t.id == team_id), None)
    person = people.get(person_id)
    if worker_id is not None:
        if person_id == worker_id:
            return "they are the case worker or the person audited"
        if person_id in index.above(worker_id):
            return "they are above the worker in the line-management chain"
        if worker_id in index.above(person_id):
            return "the worker is above them in their line-management chain"
    if person_id in set(involved_ids):
        return "they are named as involved in the case"
    if person is not None and person.team_id == team_id:
        return "they are in the subject's team"
    if team is not None:
        if person_id in team.manager_ids:
            return "they manage the subject's team"
        if any(person_id in index.above(m) for m in team.manager_ids):
            return "they are above the team's manager (oversight of the team)"
    return None


def pick_moderator(
    pool: Iterable[str],
    blocked: frozenset[str],
    auditor_id: str,
    load: Mapping[str, int],
    rng: random.Random,
) -> str | None:
    """The least-loaded eligible moderator (ties broken by ``rng``), or None if nobody may."""
    eligible = sorted(m for m in pool if m not in blocked and m != auditor_id)
    if not eligible:
        return None
    rng.shuffle(eligible)
    return min(eligible, key=lambda m: load.get(m, 0))
