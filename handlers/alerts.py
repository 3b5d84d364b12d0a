"""Practice Alerts: the slash command, its modal, the type-ahead, and the alert buttons."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.container import Container
from bot.services.alerts.common import AlertError
from bot.services.alerts.progress import act_on_alert
from bot.services.alerts.raising import find_open_case, raise_alert, search_cases
from bot.services.directory import authority_for_workspace, find_active_person
from bot.services.rule_settings import get_settings
from bot.slack import messages
from bot.slack.alert_views import (
    TextModalMeta,
    confirmation_view,
    raise_modal,
    read_raise_form,
    text_modal,
)
from bot.slack.ids import Action, Command, View
from handlers.home import publish_home
from handlers.lazy import ack_only, queue_for_sending, sender_of
from storage.db import read_only

BUTTON_STEPS = {Action.ALERT_ACKNOWLEDGE: "acknowledge", Action.ALERT_CONFIRM: "confirm"}
MODAL_STEPS = {
    Action.ALERT_RESPOND: "respond",
    Action.ALERT_PROPOSE: "propose",
    Action.ALERT_REOPEN: "reopen",
    Action.ALERT_ESCALATE: "escalate",
}


def _authority(body: dict[str, Any]) -> int:
    return authority_for_workspace(body.get("team_id") or (body.get("team") or {}).get("id"))


def register(app: App, container: Container) -> None:
    """Register the Practice Alert listeners."""
    engine, clock, sender = container.engine, container.clock, container.sender
    send_queued = sender_of(sender)

    def open_raise_modal(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """`/practice-alert [case reference]`: the modal, with the case if it was named."""
        authority_id = _authority(command)
        typed = (command.get("text") or "").strip().split()
        with read_only(engine) as session:
            person = find_active_person(
                session, authority_id=authority_id, slack_user_id=command["user_id"]
            )
            case = find_open_case(session, authority_id, typed[0]) if typed else None
        if person is None:
            respond(response_type="ephemeral", **messages.refusal())
            return
        client.views_open(
            trigger_id=command["trigger_id"], view=raise_modal(case.case_ref if case else None)
        )

    app.command(Command.PRACTICE_ALERT)(ack=ack_only, lazy=[open_raise_modal])

    @app.options(Action.ALERT_CASE)
    def handle_case_search(ack: Ack, body: dict[str, Any]) -> None:
        """Type-ahead over the known open cases (a database read, then the answer)."""
        authority_id = _authority(body)
        with read_only(engine) as session:
            person = find_active_person(
                session, authority_id=authority_id, slack_user_id=body["user"]["id"]
            )
        refs = (
            []
            if person is None
            else search_cases(engine, authority_id=authority_id, text=body.get("value", ""))
        )
        ack(options=[{"text": {"type": "plain_text", "text": r}, "value": r} for r in refs])

    def handle_raise_submission(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        """Check the form and raise the alert (database only) before answering the modal."""
        now = clock.now()
        authority_id = _authority(body)
        with read_only(engine) as session:
            calendar = get_settings(session, authority_id).calendar()
        new, errors = read_raise_form(view["state"], now.astimezone(calendar.tz).date())
        if new is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            outcome = raise_alert(
                engine,
                authority_id=authority_id,
                raiser_slack_id=body["user"]["id"],
                alert=new,
                source_key=f"view:{view['id']}",
                now=now,
            )
        except AlertError as exc:
            ack(response_action="errors", errors={"case": str(exc)})
            return
        queue_for_sending(context, outcome.keys)
        ack(
            response_action="update",
            view=confirmation_view(
                "Practice Alert",
                f"*{outcome.reference}* has been raised. You will be told of every step in a "
                "direct message.",
            ),
        )

    app.view(View.ALERT_RAISE)(ack=handle_raise_submission, lazy=[send_queued])

    def _step(
        body: dict[str, Any], alert_id: int, step: str, text: str | None, source_key: str
    ) -> list[str]:
        return act_on_alert(
            engine,
            authority_id=_authority(body),
            actor_slack_id=body["user"]["id"],
            alert_id=alert_id,
            action=step,
            text=text,
            source_key=source_key,
            now=clock.now(),
        ).keys

    def handle_alert_button(
        body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """Acknowledge or confirm: one press, one step, whoever presses twice."""
        try:
            keys = _step(
                body,
                int(action["value"]),
                BUTTON_STEPS[Action(action["action_id"])],
                None,
                f"{body['user']['id']}:{action.get('action_ts')}",
            )
        except (AlertError, ValueError) as exc:
            _tell(body, respond, client, str(exc))
            return
        sender.deliver_keys(keys)
        if (body.get("view") or {}).get("type") == "home":  # show the new state in place
            publish_home(engine, client, body)

    for button in BUTTON_STEPS:
        app.action(button)(ack=ack_only, lazy=[handle_alert_button])

    def open_text_modal(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Steps that need words open a small modal; the service checks who may at submit."""
        client.views_open(
            trigger_id=body["trigger_id"],
            view=text_modal(
                MODAL_STEPS[Action(action["action_id"])], int(action["value"]), _reference(body)
            ),
        )

    for button in MODAL_STEPS:
        app.action(button)(ack=ack_only, lazy=[open_text_modal])

    def handle_alert_text_submission(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        """Respond, propose, reopen or escalate, with the words typed."""
        try:
            meta = TextModalMeta.model_validate_json(view.get("private_metadata") or "")
        except ValidationError:
            ack(response_action="errors", errors={"text": "This form has expired: start again."})
            return
        text = (view["state"]["values"].get("text", {}).get("text", {}).get("value") or "").strip()
        try:
            keys = _step(body, meta.alert_id, meta.action, text, f"view:{view['id']}")
        except AlertError as exc:
            ack(response_action="errors", errors={"text": str(exc)})
            return
        queue_for_sending(context, keys)
        ack()

    app.view(View.ALERT_TEXT)(ack=handle_alert_text_submission, lazy=[send_queued])


def _tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    """Answer the person where they pressed: in the message, or by DM from App Home."""
    if body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=text)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=text)


def _reference(body: dict[str, Any]) -> str:
    """The alert's reference as shown in the message pressed (for the modal's heading)."""
    text = (body.get("message") or {}).get("text") or ""
    words = [w for w in text.split() if w.startswith("PA-")]
    return words[0].rstrip(":.,") if words else "Practice Alert"
