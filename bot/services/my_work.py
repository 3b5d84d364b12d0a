"""A person's own open work: what `/qa` and App Home show them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import SystemClock
from bot.domain.alerts import CATEGORIES, LEVEL_NAMES, SEVERITIES, Level
from bot.services.cycles.overview import (
    QaLeadOverview,
    audits_to_do,
    moderations_to_do,
    qa_lead_overview,
)
from bot.services.directory import Person, find_active_person
from bot.services.loop_work import loop_items
from storage.alert_models import Alert, AlertRecipient
from storage.db import read_only
from storage.models import Case

ALERTS_SHOWN = 20  # each list; the oldest beyond it are counted, not listed


@dataclass(frozen=True)
class Button:
    """A button on a work item: its label, action id and value."""

    label: str
    action_id: str
    value: str


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for the person, with the buttons that act on it."""

    kind: str
    reference: str
    summary: str
    due: str | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class MyWork:
    """The person and everything open for them."""

    person: Person
    items: list[WorkItem] = field(default_factory=list)
    more: int = 0  # items not listed
    cycles: QaLeadOverview | None = None  # the QA lead's cycles (App Home)


def load_my_work(
    engine: Engine, *, authority_id: int, slack_user_id: str, with_cycles: bool = False,
    now: datetime | None = None,
) -> MyWork | None:
    """The caller's open work, or None when they are not an active member of staff.

    ``with_cycles`` adds a QA lead's cycles (App Home shows them; `/qa` does not). ``now`` (the
    clock's time; the system's if not given) decides which supervisees are due.
    """
    with read_only(engine) as session:
        person = find_active_person(session, authority_id=authority_id, slack_user_id=slack_user_id)
        if person is None:
            return None
        items, more = _alert_items(session, person)
        # Actions, verifications, supervisees due.
        loop, loop_more = loop_items(session, person, now or SystemClock().now())
        items = [*_audit_items(session, person), *loop, *items]
        more += loop_more
        cycles = (qa_lead_overview(session, authority_id)
                  if with_cycles and "qa_lead" in person.roles else None)
        return MyWork(person=person, items=items, more=more, cycles=cycles)


def _audit_items(session: Session, person: Person) -> list[WorkItem]:
    """Audits to do in open cycles (**Start audit**), and audits awaiting moderation."""
    items = []
    for audit in audits_to_do(session, person.staff_id, ALERTS_SHOWN):
        what = f"worker {audit.worker}" if audit.is_case else "person audited"
        label = "Continue audit" if audit.status == "in_progress" else "Start audit"
        items.append(WorkItem(
            kind="audit", reference=audit.subject, due=audit.due.isoformat(),
            summary=f"audit in {audit.cycle} ({audit.team}, {what})",
            buttons=(Button(label, "audit.start", str(audit.audit_id)),),
        ))
    for audit in moderations_to_do(session, person.staff_id, ALERTS_SHOWN):
        due = audit.moderation_due or audit.due
        items.append(WorkItem(
            kind="moderation", reference=audit.subject, due=due.isoformat(),
            summary=f"audit by {audit.auditor} in {audit.cycle} awaits your moderation",
            buttons=(Button("Moderate", "moderation.start", str(audit.audit_id)),),
        ))
    return items


def _alert_items(session: Session, person: Person) -> tuple[list[WorkItem], int]:
    received = session.exec(
        select(Alert, Case.case_ref).join(Case, col(Case.id) == col(Alert.case_id))
        .join(AlertRecipient, col(AlertRecipient.alert_id) == col(Alert.id))
        .where(AlertRecipient.staff_id == person.staff_id, col(Alert.is_open).is_(True))
        .order_by(col(Alert.raised_at)).limit(ALERTS_SHOWN + 1)
    ).all()
    raised = session.exec(
        select(Alert, Case.case_ref).join(Case, col(Case.id) == col(Alert.case_id))
        .where(Alert.raised_by_id == person.staff_id, col(Alert.is_open).is_(True))
        .order_by(col(Alert.raised_at)).limit(ALERTS_SHOWN + 1)
    ).all()
    items = []
    for alert, case_ref in received[:ALERTS_SHOWN]:
        items.append(WorkItem(
            kind="alert_received", reference=alert.reference,
            summary=f"{SEVERITIES[alert.severity]} alert on {case_ref}: "
                    f"{CATEGORIES.get(alert.category, alert.category)} "
                    f"({alert.status.replace('_', ' ')}, with the "
                    f"{LEVEL_NAMES[Level(alert.stage)]})",
            buttons=(Button("Acknowledge", "alert.acknowledge", str(alert.id)),
                     Button("Respond", "alert.respond", str(alert.id)),
                     Button("Propose resolution", "alert.propose", str(alert.id))),
        ))
    for alert, case_ref in raised[:ALERTS_SHOWN]:
        buttons = [Button("Escalate now", "alert.escalate", str(alert.id))]
        if alert.status == "resolution_proposed":
            buttons[:0] = [Button("Confirm resolved", "alert.confirm", str(alert.id)),
                           Button("Reopen", "alert.reopen", str(alert.id))]
        items.append(WorkItem(
            kind="alert_raised", reference=alert.reference,
            summary=f"you raised this on {case_ref} ({alert.status.replace('_', ' ')}, with "
                    f"the {LEVEL_NAMES[Level(alert.stage)]})",
            buttons=tuple(buttons),
        ))
    more = max(0, len(received) - ALERTS_SHOWN) + max(0, len(raised) - ALERTS_SHOWN)
    return items, more
