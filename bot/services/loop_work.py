"""App Home and `/qa` items for closing the loop: actions, verifications, supervisees.

A person sees their open actions (**Done**), the done actions awaiting their verification
(**Verify** / **Reject**), and their supervisees whose next session is due soon or overdue
(**Record session** / **Record missed**); `/qa supervision` lists every supervisee.
`bot.services.my_work` adds these to the rest of their work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bot.domain.actions import ActionStatus
from bot.domain.supervision import PairStatus
from bot.services.actions.verifiers import audit_people, verifiers_for
from bot.services.directory import Person, find_active_person
from bot.services.org_view import OrgView, load_org_view
from bot.services.rule_settings import get_settings
from bot.services.supervision.pairs import Pair, last_held_by_supervisee, pairs_of
from storage.audit_models import Action
from storage.db import read_only
from storage.models import Case

if TYPE_CHECKING:
    from bot.services.my_work import WorkItem

SHOWN = 20  # each list; the rest are counted
SUMMARY_CHARS = 120


DUE = (PairStatus.DUE_SOON, PairStatus.DUE, PairStatus.OVERDUE)


def loop_items(session: Session, person: Person, now: datetime) -> tuple[list[WorkItem], int]:
    """The person's actions, verifications and supervisees due, and how many more there are."""
    # my_work imports this module: its item types are taken at call time, not import time.
    from bot.services.my_work import Button, WorkItem

    org = load_org_view(session, person.authority_id)
    items: list[WorkItem] = []
    more = 0
    own = session.exec(
        select(Action, Case.case_ref).outerjoin(Case, col(Case.id) == col(Action.case_id))
        .where(Action.owner_id == person.staff_id,
               col(Action.status).in_((ActionStatus.OPEN.value, ActionStatus.DONE.value)))
        .order_by(col(Action.due), col(Action.id)).limit(SHOWN + 1)
    ).all()
    for action, case_ref in own[:SHOWN]:
        waiting = action.status == ActionStatus.DONE
        items.append(WorkItem(
            kind="action", reference=f"Action {action.id}",
            summary=_summary(action, case_ref)
            + (" (marked done: awaiting verification)" if waiting else ""),
            due=action.due.isoformat(),
            buttons=() if waiting else (Button("Done", "action.done", str(action.id)),),
        ))
    more += max(0, len(own) - SHOWN)
    to_verify = _awaiting_verification(session, person, org)
    for action, ref in to_verify[:SHOWN]:
        items.append(WorkItem(
            kind="action_verify", reference=f"Action {action.id}",
            summary=f"{org.name(action.owner_id)} marked this done: {_summary(action, ref)}",
            due=action.due.isoformat(),
            buttons=(Button("Verify", "action.verify", str(action.id)),
                     Button("Reject", "action.reject", str(action.id))),
        ))
    more += max(0, len(to_verify) - SHOWN)
    today = now.astimezone(get_settings(session, person.authority_id).calendar().tz).date()
    due = [pair for pair in supervisees_of(session, person, org, today) if pair.status in DUE]
    for pair in due[:SHOWN]:
        items.append(WorkItem(
            kind="supervision", reference=f"Supervision: {org.name(pair.supervisee_id)}",
            summary=f"{pair.status.value.replace('_', ' ')}; last session "
                    f"{pair.last_held.isoformat() if pair.last_held else 'not recorded'}",
            due=pair.next_due.isoformat() if pair.next_due else None,
            buttons=(Button("Record session", "supervision.record", str(pair.supervisee_id)),
                     Button("Record missed", "supervision.missed", str(pair.supervisee_id))),
        ))
    more += max(0, len(due) - SHOWN)
    return items, more


def supervisees_of(session: Session, person: Person, org: OrgView, today: date) -> list[Pair]:
    """The person's supervisees (they are their line manager), soonest due first."""
    reports = org.reports_of(person.staff_id)
    if not reports:
        return []
    settings = get_settings(session, person.authority_id)
    last = last_held_by_supervisee(session, person.authority_id, reports)
    pairs = pairs_of(org, settings, last, today, supervisor_id=person.staff_id)
    return sorted(pairs, key=lambda p: (p.next_due is None, p.next_due or today,
                                        org.name(p.supervisee_id)))


def _summary(action: Action, case_ref: str | None) -> str:
    text = action.description if len(action.description) <= SUMMARY_CHARS \
        else action.description[:SUMMARY_CHARS - 1] + "…"
    return f"on {case_ref}: {text}" if case_ref else text


def _awaiting_verification(session: Session, person: Person,
                           org: OrgView) -> list[tuple[Action, str | None]]:
    """Done actions this person verifies: those of the people they manage, or audit."""
    settings = get_settings(session, person.authority_id)
    by_auditor = settings.action_verifier == "auditor"
    managed = org.managed_by(person.staff_id)
    whose = col(Action.owner_id).in_(managed)
    rows: list[tuple[Action, str | None]] = session.exec(  # type: ignore[assignment]
        select(Action, Case.case_ref).outerjoin(Case, col(Case.id) == col(Action.case_id))
        .where(Action.authority_id == person.authority_id,
               Action.status == ActionStatus.DONE.value,
               or_(whose, col(Action.source).in_(("audit", "moderation"))) if by_auditor
               else whose)
        .order_by(col(Action.done_on), col(Action.id))
    ).all()
    audits = audit_people(session, {a.source_id for a, _ in rows
                                    if a.source in ("audit", "moderation")}) if by_auditor else {}
    return [
        (action, case_ref) for action, case_ref in rows
        if person.staff_id in verifiers_for(settings, org, owner_id=action.owner_id,
                                            source=action.source, source_id=action.source_id,
                                            audits=audits)
    ][:SHOWN + 1]


@dataclass(frozen=True)
class Supervisee:
    """One of a supervisor's supervisees, for `/qa supervision`."""

    staff_id: int
    name: str
    last_held: date | None
    next_due: date | None
    status: str


def load_supervisees(engine: Engine, *, authority_id: int, slack_user_id: str,
                     now: datetime) -> list[Supervisee] | None:
    """Every supervisee of the caller; None when the caller is not an active member of staff."""
    with read_only(engine) as session:
        person = find_active_person(session, authority_id=authority_id,
                                    slack_user_id=slack_user_id)
        if person is None:
            return None
        org = load_org_view(session, authority_id)
        today = now.astimezone(get_settings(session, authority_id).calendar().tz).date()
        return [Supervisee(p.supervisee_id, org.name(p.supervisee_id), p.last_held, p.next_due,
                           p.status.value)
                for p in supervisees_of(session, person, org, today)]
