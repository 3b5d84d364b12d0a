"""What people do with an action: mark it done, verify or reject it, snooze it, answer a review.

Permissions are checked here (a crafted payload for someone else's action is refused and the
refusal written to the audit log); a repeated request (same source key) acts once; a button
pressed in a message of items updates that message in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.domain.actions import ActionStatus, Snooze, may_mark_done, may_verify, snooze_until
from bot.domain.nudges import local_day
from bot.domain.rule_settings import RuleSettings
from bot.services.actions.common import (
    ActionError,
    StepOutcome,
    active_staff,
    lock_action,
    log_step,
    refuse,
    snapshot,
)
from bot.services.actions.telling import tell_owner, tell_verifiers
from bot.services.actions.verifiers import audit_people, needs_audit_people, verifiers_for
from bot.services.nudges.in_place import update_in_place
from bot.services.org_view import OrgView, load_org_view
from bot.services.rule_settings import get_settings
from storage.audit_models import Action
from storage.claims import claim_once
from storage.db import unit_of_work
from storage.models import Staff

OWNER_STEPS = {"done", "snooze"}
VERIFIER_STEPS = {"verify", "reject", "not_yet"}
NEEDS_TEXT = {"done": "the evidence", "reject": "the reason"}


@dataclass
class Context:
    """Everything a step needs."""

    session: Session
    action: Action
    actor: Staff
    org: OrgView
    verifiers: tuple[int, ...]
    settings: RuleSettings
    today: date
    now: datetime
    source_key: str
    text: str | None
    snooze: Snooze | None


def act_on_action(engine: Engine, *, authority_id: int, actor_slack_id: str, action_id: int,
                  step: str, source_key: str, now: datetime, text: str | None = None,
                  snooze: str | None = None, message_key: str | None = None) -> StepOutcome:
    """Do `step` on the action for the person if they may; a repeated request acts once."""
    if step not in OWNER_STEPS | VERIFIER_STEPS:
        raise ActionError("That is not something qabot can do with an action.")
    if step in NEEDS_TEXT and not (text or "").strip():
        raise ActionError(f"Please give {NEEDS_TEXT[step]}.")
    choice = _snooze_choice(step, snooze)
    with unit_of_work(engine) as session:
        actor = active_staff(session, authority_id, actor_slack_id)
        action = lock_action(session, action_id)
        if action is None or action.authority_id != authority_id:
            raise ActionError("That action does not exist.")
        settings = get_settings(session, authority_id)
        org = load_org_view(session, authority_id)
        audits = (audit_people(session, {action.source_id})
                  if needs_audit_people(settings) else {})
        verifiers = verifiers_for(settings, org, owner_id=action.owner_id, source=action.source,
                                  source_id=action.source_id, audits=audits)
        allowed = actor is not None and actor.id is not None and (
            may_mark_done(action.owner_id, actor.id) if step in OWNER_STEPS
            else may_verify(verifiers, action.owner_id, actor.id)
        )
        if allowed:
            assert actor is not None
            context = Context(session, action, actor, org, verifiers, settings,
                              local_day(settings.calendar(), now), now, source_key,
                              (text or "").strip() or None, choice)
            return _do(context, step, actor_slack_id, message_key)
    refuse(engine, authority_id=authority_id, actor=actor_slack_id, step=step,
           record_type="action", record_id=action_id, now=now)
    who = "its owner" if step in OWNER_STEPS else "whoever verifies it"
    raise ActionError(f"Only {who} can do that with action {action_id}.")


def _snooze_choice(step: str, snooze: str | None) -> Snooze | None:
    if step != "snooze":
        return None
    try:
        return Snooze(snooze or "")
    except ValueError:
        raise ActionError("Snooze until tomorrow or next week.") from None


def _do(context: Context, step: str, actor_slack_id: str,
        message_key: str | None) -> StepOutcome:
    session, action = context.session, context.action
    if not claim_once(session, f"action-step:{context.source_key}", context.now):
        return StepOutcome(duplicate=True)
    before = snapshot(action)
    outcome = STEPS[step](context)
    session.add(action)
    session.flush()
    if step == "not_yet":
        log_step(session, action, actor=actor_slack_id, step="review", now=context.now,
                 before=before, after={**before, "answer": "not_yet"})
    else:
        log_step(session, action, actor=actor_slack_id, step=step, now=context.now,
                 before=before)
    assert action.id is not None
    outcome.keys += update_in_place(
        session, message_key=message_key, actor_slack_id=actor_slack_id,
        tag=context.source_key, today=context.today, now=context.now,
        answer=("action", action.id, "not_yet") if step == "not_yet" else None,
    )
    session.commit()
    return outcome


def _done(c: Context) -> StepOutcome:
    if c.action.status != ActionStatus.OPEN:
        raise ActionError(_not_open(c.action))
    c.action.status = ActionStatus.DONE
    c.action.done_on = c.today
    c.action.evidence = c.text
    c.action.snoozed_until = None
    c.action.rejected_reason = None
    return StepOutcome(keys=tell_verifiers(c.session, c.action, c.org, c.verifiers, c.today,
                                           c.now, c.settings, c.source_key))


def _verify(c: Context) -> StepOutcome:
    if c.action.status == ActionStatus.CLOSED:
        raise ActionError(f"Action {c.action.id} is verified and closed already.")
    # From open too: a team manager answering a review "yes, it is done" verifies it.
    c.action.status = ActionStatus.CLOSED
    c.action.done_on = c.action.done_on or c.today
    c.action.verified_by_id = c.actor.id
    c.action.verified_on = c.today
    c.action.snoozed_until = None
    return StepOutcome(keys=tell_owner(c.session, c.action, c.org, "verified", c.today, c.now,
                                       c.settings, c.source_key))


def _reject(c: Context) -> StepOutcome:
    if c.action.status != ActionStatus.DONE:
        raise ActionError(f"Action {c.action.id} is not awaiting verification.")
    c.action.status = ActionStatus.OPEN
    c.action.done_on = None
    c.action.rejected_reason = c.text
    return StepOutcome(keys=tell_owner(c.session, c.action, c.org, "rejected", c.today, c.now,
                                       c.settings, c.source_key))


def _snooze(c: Context) -> StepOutcome:
    if c.action.status != ActionStatus.OPEN:
        raise ActionError(_not_open(c.action))
    assert c.snooze is not None
    until, capped = snooze_until(
        c.settings.calendar(), c.today, c.snooze, c.action.due,
        (c.settings.action_escalate_tm_days, c.settings.action_escalate_hos_days),
    )
    c.action.snoozed_until = until
    return StepOutcome(until=until, capped=capped)


def _not_yet(c: Context) -> StepOutcome:
    if c.action.status == ActionStatus.CLOSED:
        raise ActionError(f"Action {c.action.id} is verified and closed already.")
    return StepOutcome()


def _not_open(action: Action) -> str:
    if action.status == ActionStatus.DONE:
        return f"Action {action.id} is marked done already and awaits verification."
    return f"Action {action.id} is verified and closed already."


STEPS: dict[str, Callable[[Context], StepOutcome]] = {
    "done": _done,
    "verify": _verify,
    "reject": _reject,
    "snooze": _snooze,
    "not_yet": _not_yet,
}
