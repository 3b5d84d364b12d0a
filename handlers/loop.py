"""Closing the loop: the buttons of nudges, App Home and `/qa` on actions, supervision, EPDRs.

Every button acknowledges at once; the work runs lazily. A press in a message of items updates
that message in place (through the outbox's chat.update); a press in App Home publishes it
again; a problem is answered to the presser alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.container import Container
from bot.services.actions.common import ActionError
from bot.services.actions.steps import act_on_action
from bot.services.directory import authority_for_workspace
from bot.services.rule_settings import get_settings
from bot.services.supervision.recording import SupervisionError, record_epdr, record_supervision
from bot.slack.ids import Action, View
from bot.slack.loop_views import (
    LoopMeta,
    done_modal,
    read_meta,
    read_supervision,
    read_text,
    read_value,
    reject_modal,
    supervision_modal,
)
from handlers.home import publish_home
from handlers.lazy import ack_only, queue_for_sending
from storage.db import read_only
from storage.models import Staff

BUTTON_STEPS = {
    Action.ACTION_VERIFY: ("verify", None),
    Action.ACTION_NOT_YET: ("not_yet", None),
    Action.ACTION_SNOOZE_TOMORROW: ("snooze", "tomorrow"),
    Action.ACTION_SNOOZE_WEEK: ("snooze", "next_week"),
}
HOME = "qabot_publish_home"


def _authority(body: dict[str, Any]) -> int:
    return authority_for_workspace(body.get("team_id") or (body.get("team") or {}).get("id"))


def _in_home(body: dict[str, Any]) -> bool:
    return (body.get("view") or {}).get("type") == "home"


def _tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    """Answer the presser where they pressed: in the conversation, or by DM from App Home."""
    if body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=text)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=text)


def register(app: App, container: Container) -> None:
    """Register the listeners of actions, supervision and EPDR buttons and modals."""
    engine, clock, sender = container.engine, container.clock, container.sender

    def _today(body: dict[str, Any]) -> date:
        with read_only(engine) as session:
            calendar = get_settings(session, _authority(body)).calendar()
        return clock.now().astimezone(calendar.tz).date()

    def _meta(body: dict[str, Any], action: dict[str, Any], held: bool = True) -> LoopMeta | None:
        value = read_value(action.get("value"))
        if value is None:
            return None
        return LoopMeta(id=value.id, m=value.m, held=held, home=_in_home(body))

    def _finish(body: dict[str, Any], client: WebClient, respond: Respond, keys: list[str],
                note: str | None = None) -> None:
        sender.deliver_keys(keys)
        if _in_home(body):
            publish_home(engine, client, body, clock=clock)
        if note:
            _tell(body, respond, client, note)

    def handle_action_button(body: dict[str, Any], action: dict[str, Any], respond: Respond,
                             client: WebClient) -> None:
        """Verify, not yet, snooze: one press, one step; the message shows the new state."""
        value = read_value(action.get("value"))
        step, snooze = BUTTON_STEPS[Action(action["action_id"])]
        if value is None:
            return
        try:
            outcome = act_on_action(
                engine, authority_id=_authority(body), actor_slack_id=body["user"]["id"],
                action_id=value.id, step=step, snooze=snooze, message_key=value.m,
                source_key=f"{body['user']['id']}:{action.get('action_ts')}", now=clock.now())
        except ActionError as exc:
            _tell(body, respond, client, str(exc))
            return
        note = None
        if outcome.capped and outcome.until is not None:
            note = (f"Snoozed until {outcome.until:%A %d %B}: that is the day someone must be "
                    "told it is overdue, so the reminder comes back then.")
        _finish(body, client, respond, outcome.keys, note)

    for button in BUTTON_STEPS:
        app.action(button)(ack=ack_only, lazy=[handle_action_button])

    def open_action_modal(body: dict[str, Any], action: dict[str, Any],
                          client: WebClient) -> None:
        """Done and Reject need words: a small modal (the service checks who may at submit)."""
        meta = _meta(body, action)
        if meta is not None:
            build = done_modal if action["action_id"] == Action.ACTION_DONE else reject_modal
            client.views_open(trigger_id=body["trigger_id"], view=build(meta))

    for button in (Action.ACTION_DONE, Action.ACTION_REJECT):
        app.action(button)(ack=ack_only, lazy=[open_action_modal])

    def _submit_action(step: str, block: str) -> Any:
        def handle_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                              context: BoltContext) -> None:
            """Check the words and do the step (database only) before answering the modal."""
            meta = read_meta(view.get("private_metadata"))
            if meta is None:
                ack(response_action="errors", errors={block: "This form has expired."})
                return
            text, errors = read_text(view["state"], block)
            if errors:
                ack(response_action="errors", errors=errors)
                return
            try:
                outcome = act_on_action(
                    engine, authority_id=_authority(body), actor_slack_id=body["user"]["id"],
                    action_id=meta.id, step=step, text=text, message_key=meta.m,
                    source_key=f"view:{view['id']}", now=clock.now())
            except ActionError as exc:
                ack(response_action="errors", errors={block: str(exc)})
                return
            queue_for_sending(context, outcome.keys)
            context[HOME] = meta.home
            ack()

        return handle_submission

    def after_submission(context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        """Send what the submission queued; publish App Home again if it came from there."""
        sender.deliver_keys(context.get("qabot_outbox_keys") or [])
        if context.get(HOME):
            publish_home(engine, client, body, clock=clock)

    app.view(View.ACTION_DONE)(ack=_submit_action("done", "evidence"), lazy=[after_submission])
    app.view(View.ACTION_REJECT)(ack=_submit_action("reject", "reason"),
                                 lazy=[after_submission])

    def open_supervision_modal(body: dict[str, Any], action: dict[str, Any],
                               client: WebClient) -> None:
        """Record a session held or missed: date, kind (and the reason when missed)."""
        meta = _meta(body, action, held=action["action_id"] == Action.SUPERVISION_RECORD)
        if meta is None:
            return
        with read_only(engine) as session:
            person = session.get(Staff, meta.id)
        name = person.name if person else "unknown"
        client.views_open(trigger_id=body["trigger_id"],
                          view=supervision_modal(meta, name, _today(body)))

    for button in (Action.SUPERVISION_RECORD, Action.SUPERVISION_MISSED):
        app.action(button)(ack=ack_only, lazy=[open_supervision_modal])

    def handle_supervision_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                                      context: BoltContext) -> None:
        """Check the form and record the session before answering the modal."""
        meta = read_meta(view.get("private_metadata"))
        if meta is None:
            ack(response_action="errors", errors={"on": "This form has expired."})
            return
        record, errors = read_supervision(view["state"], meta.held, _today(body))
        if record is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            outcome = record_supervision(
                engine, authority_id=_authority(body), actor_slack_id=body["user"]["id"],
                supervisee_id=meta.id, record=record, source_key=f"view:{view['id']}",
                message_key=meta.m, now=clock.now())
        except SupervisionError as exc:
            ack(response_action="errors", errors={"on": str(exc)})
            return
        queue_for_sending(context, outcome.keys)
        context[HOME] = meta.home
        ack()

    app.view(View.SUPERVISION)(ack=handle_supervision_submission, lazy=[after_submission])

    def handle_epdr_button(body: dict[str, Any], action: dict[str, Any], respond: Respond,
                           client: WebClient) -> None:
        """An EPDR (or its review) done today."""
        value = read_value(action.get("value"))
        if value is None:
            return
        try:
            outcome = record_epdr(
                engine, authority_id=_authority(body), actor_slack_id=body["user"]["id"],
                staff_id=value.id, kind=value.k or "annual", message_key=value.m,
                source_key=f"{body['user']['id']}:{action.get('action_ts')}", now=clock.now())
        except SupervisionError as exc:
            _tell(body, respond, client, str(exc))
            return
        _finish(body, client, respond, outcome.keys)

    app.action(Action.EPDR_DONE)(ack=ack_only, lazy=[handle_epdr_button])
