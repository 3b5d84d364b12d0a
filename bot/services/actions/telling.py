"""Who hears of an action's step: its verifiers when it is done, its owner when verified or not."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.domain.rule_settings import RuleSettings
from bot.services.nudges.content import TEMPLATE, action_item, action_rows, message_data
from bot.services.org_view import OrgView
from bot.services.outbox import Message, enqueue
from storage.audit_models import Action


def _case_ref(session: Session, action: Action) -> str | None:
    assert action.id is not None
    found = action_rows(session, {action.id}).get(action.id)
    return found[1] if found else None


def tell_verifiers(session: Session, action: Action, org: OrgView, verifiers: tuple[int, ...],
                   today: date, now: datetime, settings: RuleSettings,
                   source_key: str) -> list[str]:
    """Each verifier gets the done action with its evidence and Verify / Reject buttons."""
    case_ref = _case_ref(session, action)
    keys = []
    for person in org.only_reachable(verifiers):
        key = f"action:{action.id}:verify:{source_key}:{person}"
        item = action_item(action, case_ref, org.name(action.owner_id), role="verify", detail="",
                           today=today, calendar=settings.calendar(), evidence=True)
        data = message_data(key=key, purpose="verify", day=today, created=now, items=[item])
        if enqueue(session, Message(key, org.slack_id(person), TEMPLATE, data),
                   authority_id=action.authority_id, now=now):
            keys.append(key)
    return keys


def tell_owner(session: Session, action: Action, org: OrgView, what: str, today: date,
               now: datetime, settings: RuleSettings, source_key: str) -> list[str]:
    """The owner hears that their action was verified (closed) or not accepted (open again)."""
    if not org.reachable(action.owner_id):
        return []
    key = f"action:{action.id}:{what}:{source_key}"
    item = action_item(action, _case_ref(session, action), org.name(action.owner_id),
                       role="nudge", detail=what, today=today, calendar=settings.calendar())
    data = message_data(key=key, purpose=what, day=today, created=now, items=[item])
    queued = enqueue(session, Message(key, org.slack_id(action.owner_id), TEMPLATE, data),
                     authority_id=action.authority_id, now=now)
    return [key] if queued else []
