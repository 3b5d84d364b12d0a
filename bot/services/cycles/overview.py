"""What App Home shows about cycles: the QA lead's cycles, and each person's audits to do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.domain.cycles import NOT_SUBMITTED, CycleStatus
from bot.services.cycles.audit_lines import AuditLine, audit_lines
from bot.services.cycles.listing import CycleLine, cycle_lines
from storage.audit_models import CycleUnavailable

CYCLES_SHOWN = 5
AUDITS_SHOWN = 5  # per cycle; the rest are counted
AWAITING_MODERATION = ("submitted",)


@dataclass(frozen=True)
class CycleCard:
    """A cycle in the QA lead's App Home, with the audits that can still be moved."""

    line: CycleLine
    audits: tuple[AuditLine, ...]
    more_audits: int
    stuck: frozenset[int]  # audits held by someone marked unavailable

    @property
    def can_preview(self) -> bool:
        """Whether it can be drawn (again)."""
        return self.line.status in (CycleStatus.DRAFT, CycleStatus.ALLOCATED)

    @property
    def can_open(self) -> bool:
        """Whether it is drawn and waiting to be opened."""
        return self.line.status == CycleStatus.ALLOCATED

    @property
    def can_close(self) -> bool:
        """Whether it is open."""
        return self.line.status == CycleStatus.OPEN


@dataclass(frozen=True)
class QaLeadOverview:
    """The cycles not yet closed, latest first, and how many more there are."""

    cycles: tuple[CycleCard, ...]
    more_cycles: int


def qa_lead_overview(session: Session, authority_id: int) -> QaLeadOverview:
    """The QA lead's section of App Home."""
    lines = cycle_lines(session, authority_id, include_closed=False, limit=CYCLES_SHOWN + 1)
    cards = []
    for line in lines[:CYCLES_SHOWN]:
        audits: list[AuditLine] = []
        stuck: set[int] = set()
        if line.status != CycleStatus.DRAFT:
            audits = audit_lines(session, cycle_ids=[line.cycle_id], statuses=NOT_SUBMITTED)
            away = set(session.exec(
                select(CycleUnavailable.staff_id).where(
                    CycleUnavailable.cycle_id == line.cycle_id
                )
            ).all())
            stuck = {a.audit_id for a in audits if a.auditor_id in away}
            # Audits left with someone unavailable come first: they need the QA lead.
            audits.sort(key=lambda a: a.audit_id not in stuck)
        cards.append(CycleCard(line, tuple(audits[:AUDITS_SHOWN]),
                               max(0, len(audits) - AUDITS_SHOWN), frozenset(stuck)))
    return QaLeadOverview(tuple(cards), max(0, len(lines) - CYCLES_SHOWN))


def audits_to_do(session: Session, staff_id: int, limit: int) -> list[AuditLine]:
    """The person's audits in open cycles, not yet submitted, soonest due first."""
    lines = audit_lines(session, auditor_id=staff_id, statuses=NOT_SUBMITTED,
                        cycle_statuses=(CycleStatus.OPEN,), limit=None)
    return sorted(lines, key=lambda a: (a.due, a.audit_id))[:limit]


def moderations_to_do(session: Session, staff_id: int, limit: int) -> list[AuditLine]:
    """Audits submitted and waiting for the person's moderation, soonest due first."""
    lines = audit_lines(session, moderator_id=staff_id, statuses=AWAITING_MODERATION)
    return sorted(lines, key=lambda a: (a.moderation_due or a.due, a.audit_id))[:limit]

