"""Everything that can be nudged, read from the database as the domain's `Tracked` items.

A fixed number of set-based queries for a whole authority, each reading only what is open
or due through an index (`ix_action_open_due`, `ix_audit_due`), so the cost does not grow
with the history of closed actions or past audits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy
from sqlmodel import Session, col, select

from bot.domain.actions import ActionStatus, review_dates
from bot.domain.nudges import QA_LEAD_AFTER_DAYS, Escalation, Review, Tracked, local_day
from bot.domain.rule_settings import RuleSettings
from bot.services.actions.verifiers import audit_people, needs_audit_people, verifiers_for
from bot.services.org_view import OrgView, load_org_view
from bot.services.supervision.pairs import (
    epdrs_of,
    last_held_by_supervisee,
    last_reviews,
    pairs_of,
)
from storage.audit_models import Action, Audit

LIVE_ACTIONS = (ActionStatus.OPEN.value, ActionStatus.DONE.value)
AUDITS_TO_SUBMIT = ("allocated", "in_progress")


@dataclass
class Snapshot:
    """The directory and every tracked item of an authority on a day."""

    org: OrgView
    items: list[Tracked]


def load_snapshot(session: Session, authority_id: int, settings: RuleSettings,
                  today: date) -> Snapshot:
    """Every tracked item of the authority as things stand."""
    org = load_org_view(session, authority_id)
    items = [
        *_actions(session, authority_id, settings, org),
        *_supervision(session, authority_id, settings, org, today),
        *_epdrs(session, authority_id, settings, org),
        *_audits(session, authority_id, org, settings),
    ]
    return Snapshot(org=org, items=items)


def _actions(session: Session, authority_id: int, settings: RuleSettings,
             org: OrgView) -> list[Tracked]:
    calendar = settings.calendar()
    # sqlalchemy.select: sqlmodel's select types at most four columns.
    rows = session.execute(
        sqlalchemy.select(col(Action.id), col(Action.owner_id), col(Action.due),
                          col(Action.status), col(Action.snoozed_until), col(Action.source),
                          col(Action.source_id), col(Action.created_at))
        # Status first: the (status, due) index reads open and done actions only.
        .where(col(Action.status).in_(LIVE_ACTIONS), col(Action.authority_id) == authority_id)
    ).all()
    audits = (audit_people(session, {r[6] for r in rows if r[5] in ("audit", "moderation")})
              if needs_audit_people(settings) else {})
    items = []
    ladders: dict[int, tuple[Escalation, ...]] = {}  # per owner: many own several actions
    reviewers: dict[tuple[int, str, int], tuple[int, ...]] = {}
    review_days: dict[date, list[tuple[int, date]]] = {}
    for action_id, owner, due, status, snoozed, source, source_id, created_at in rows:
        assert action_id is not None
        reviews: tuple[Review, ...] = ()
        if source == "audit":
            key = (owner, source, source_id if audits else 0)
            if key not in reviewers:
                reviewers[key] = org.only_reachable(verifiers_for(
                    settings, org, owner_id=owner, source=source, source_id=source_id,
                    audits=audits))
            created_on = local_day(calendar, created_at)
            if created_on not in review_days:
                review_days[created_on] = review_dates(calendar, created_on)
            reviews = tuple(Review(n, on, reviewers[key]) for n, on in review_days[created_on])
        is_open = status == ActionStatus.OPEN
        if is_open and owner not in ladders:
            ladders[owner] = (
                Escalation("tm", settings.action_escalate_tm_days,
                           org.only_reachable(org.managers_of(owner))),
                Escalation("hos", settings.action_escalate_hos_days,
                           org.only_reachable(org.heads_of(owner))),
            )
        escalations = ladders[owner] if is_open else ()
        items.append(Tracked(
            kind="action", ref=f"action:{action_id}", record_id=action_id, due=due,
            owner=owner if is_open and org.reachable(owner) else None,
            before_days=settings.action_nudge_before_days, escalations=escalations,
            reviews=reviews, snoozed_until=snoozed if is_open else None,
        ))
    return items


def _supervision(session: Session, authority_id: int, settings: RuleSettings, org: OrgView,
                 today: date) -> list[Tracked]:
    last_held = last_held_by_supervisee(session, authority_id)
    items = []
    for pair in pairs_of(org, settings, last_held, today):
        if pair.next_due is None:
            continue  # no session ever recorded: nothing to count from
        above = org.line_manager(pair.supervisor_id)
        items.append(Tracked(
            kind="supervision", ref=f"supervision:{pair.supervisee_id}:{pair.next_due}",
            record_id=pair.supervisee_id, due=pair.next_due,
            owner=pair.supervisor_id if org.reachable(pair.supervisor_id) else None,
            before_days=settings.supervision_nudge_before_days,
            escalations=(Escalation("lm", settings.supervision_escalate_days,
                                    org.only_reachable((above,) if above else ())),),
        ))
    return items


def _epdrs(session: Session, authority_id: int, settings: RuleSettings,
           org: OrgView) -> list[Tracked]:
    items = []
    for manager, staff_id, due in epdrs_of(org, settings, last_reviews(session, authority_id)):
        above = org.line_manager(manager)
        kind = "epdr_annual" if due.kind == "annual" else "epdr_review"
        items.append(Tracked(
            kind=kind, ref=f"{kind}:{staff_id}:{due.due}", record_id=staff_id, due=due.due,
            owner=manager if org.reachable(manager) else None,
            before_days=settings.supervision_nudge_before_days,
            escalations=(Escalation("lm", settings.supervision_escalate_days,
                                    org.only_reachable((above,) if above else ())),),
        ))
    return items


def _audits(session: Session, authority_id: int, org: OrgView,
            settings: RuleSettings) -> list[Tracked]:
    to_submit = session.exec(
        select(col(Audit.id), col(Audit.auditor_id), col(Audit.audit_due))
        .where(col(Audit.status).in_(AUDITS_TO_SUBMIT), Audit.authority_id == authority_id)
    ).all()
    to_moderate = session.exec(
        select(col(Audit.id), col(Audit.moderator_id), col(Audit.moderation_due))
        .where(Audit.status == "submitted", Audit.authority_id == authority_id,
               col(Audit.moderator_id).is_not(None), col(Audit.moderation_due).is_not(None))
    ).all()
    items = []
    for kind, rows in (("audit", to_submit), ("moderation", to_moderate)):
        for audit_id, person, due in rows:
            assert audit_id is not None and due is not None
            leads = org.only_reachable(tuple(p for p in org.qa_leads if p != person))
            items.append(Tracked(
                kind=kind, ref=f"{kind}:{audit_id}", record_id=audit_id, due=due,
                owner=person if org.reachable(person) else None,
                before_days=settings.action_nudge_before_days,
                escalations=(Escalation("qa", QA_LEAD_AFTER_DAYS, leads),),
            ))
    return items
