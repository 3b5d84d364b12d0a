"""Supervision pairs and EPDRs as the directory and records stand: what is due, and when.

Read for a whole authority in a fixed number of set-based queries (the nudge sweep, the
supervision tracker, App Home all use it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from bot.domain.nudges import working_days_before
from bot.domain.rule_settings import RuleSettings
from bot.domain.supervision import (
    EpdrDue,
    PairStatus,
    epdr_dues,
    frequency_weeks,
    next_supervision,
    pair_status,
)
from bot.services.org_view import OrgView
from storage.audit_models import EpdrRecord, SupervisionRecord


@dataclass(frozen=True)
class Pair:
    """A supervisor (the line manager) and their supervisee, and when the next session is due."""

    supervisor_id: int
    supervisee_id: int
    weeks: int
    last_held: date | None
    next_due: date | None
    status: PairStatus


def last_held_by_supervisee(session: Session, authority_id: int,
                            supervisee_ids: list[int] | None = None) -> dict[int, date]:
    """Each supervisee's last session held (with anyone), in one grouped query."""
    query = (
        select(SupervisionRecord.supervisee_id, func.max(SupervisionRecord.held_on))
        .where(SupervisionRecord.authority_id == authority_id,
               col(SupervisionRecord.held).is_(True))
        .group_by(col(SupervisionRecord.supervisee_id))
    )
    if supervisee_ids is not None:
        query = query.where(col(SupervisionRecord.supervisee_id).in_(supervisee_ids))
    return {staff_id: held_on for staff_id, held_on in session.exec(query).all()}


def pairs_of(org: OrgView, settings: RuleSettings, last_held: dict[int, date], today: date,
             supervisor_id: int | None = None) -> list[Pair]:
    """Every active supervisee with an active line manager (or only this supervisor's)."""
    calendar = settings.calendar()
    pairs = []
    for member in org.members.values():
        manager = org.line_manager(member.id)
        if manager is None or (supervisor_id is not None and manager != supervisor_id):
            continue
        weeks = frequency_weeks(
            org.roles.get(member.id, frozenset()), settings.supervision_frequency_weeks,
            member.assessed_year_until, settings.supervision_frequency_weeks_assessed_year, today,
        )
        last = last_held.get(member.id)
        due = next_supervision(last, weeks)
        window = (working_days_before(calendar, due, settings.supervision_nudge_before_days)
                  if due else None)
        pairs.append(Pair(manager, member.id, weeks, last, due, pair_status(due, today, window)))
    return sorted(pairs, key=lambda p: (p.supervisor_id, p.supervisee_id))


def last_reviews(session: Session, authority_id: int) -> dict[int, date]:
    """Each person's last EPDR half-year review, in one grouped query."""
    return {
        staff_id: done_on
        for staff_id, done_on in session.exec(
            select(EpdrRecord.staff_id, func.max(EpdrRecord.done_on))
            .where(EpdrRecord.authority_id == authority_id, EpdrRecord.kind == "half_year")
            .group_by(col(EpdrRecord.staff_id))
        ).all()
    }


def epdrs_of(org: OrgView, settings: RuleSettings,
             reviews: dict[int, date]) -> list[tuple[int, int, EpdrDue]]:
    """(line manager, person, what is due) for everyone with an EPDR date and a line manager."""
    found = []
    for member in org.members.values():
        manager = org.line_manager(member.id)
        if manager is None or member.epdr_due is None:
            continue
        for due in epdr_dues(member.epdr_due, settings.epdr_review_months,
                             reviews.get(member.id)):
            found.append((manager, member.id, due))
    return found
