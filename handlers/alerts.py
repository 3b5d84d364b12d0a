"""Practice Alerts: the slash command, its modal, the type-ahead, and the alert buttons."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond
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
from storage.db import unit_of_work

BUTTON_STEPS = {
    Action.ALERT_ACKNOWLEDGE: "acknowledge",
    Action.ALERT_CONFIRM: "confirm",
}
MODAL_STEPS = {
    Action.ALERT_RESPOND: "respond",
    Action.ALERT_PROPOSE: "propose",
    Action.ALERT_REOPEN: "reopen",
    Action.ALERT_ESCALATE: "escalate",
}


def register(app: App, container: Container) -> None:
    """Register the Practice Alert listeners."""
    engine, clock, sender = container.engine, container.clock, container.sender

    @app.command(Command.PRACTICE_ALERT)
    def handle_practice_alert(
        ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        """`/practice-alert [case reference]`: open the modal at once."""
        ack()
        authority_id = authority_for_workspace(command.get("team_id"))
        typed = (command.get("text") or "").strip().split()
        with unit_of_work(engine) as session:
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

    @app.options(Action.ALERT_CASE)
    def handle_case_search(ack: Ack, body: dict[str, Any]) -> None:
        """Type-ahead over the known open cases."""
        authority_id = authority_for_workspace(body.get("team", {}).get("id"))
        with unit_of_work(engine) as session:
            person = find_active_person(
                session, authority_id=authority_id, slack_user_id=body["user"]["id"]
            )
        refs = (
            []
            if person is None
            else search_cases(engine, authority_id=authority_id, text=body.get("value", ""))
        )
        ack(options=[{"text": {"type": "plain_text", "text": r}, "value": r} for r in refs])

    @app.view(View.ALERT_RAISE)
    def handle_raise_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Check the form, raise the alert (database only), then answer and send."""
        now = clock.now()
        authority_id = authority_for_workspace(body.get("team", {}).get("id"))
        with unit_of_work(engine) as session:
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
        ack(
            response_action="update",
            view=confirmation_view(
                "Practice Alert",
                f"*{outcome.reference}* has been raised. You will be told of "
                "every step in a direct message.",
            ),
        )
        sender.deliver_keys(outcome.keys)

    def _step(
        body: dict[str, Any], alert_id: int, step: str, text: str | None, source_key: str
    ) -> list[str]:
        outcome = act_on_alert(
            engine,
            authority_id=authority_for_workspace(body.get("team", {}).get("id")),
            actor_slack_id=body["user"]["id"],
            alert_id=alert_id,
            action=step,
            text=text,
            source_key=source_key,
            now=clock.now(),
        )
        return outcome.keys

    @app.action(Action.ALERT_ACKNOWLEDGE)
    @app.action(Action.ALERT_CONFIRM)
    def handle_alert_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
        client: WebClient,
    ) -> None:
        """Acknowledge or confirm: one press, one step, whoever presses twice."""
        ack()
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

    @app.action(Action.ALERT_RESPOND)
    @app.action(Action.ALERT_PROPOSE)
    @app.action(Action.ALERT_REOPEN)
    @app.action(Action.ALERT_ESCALATE)
    def handle_alert_text_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        """Steps that need words open a small modal; the service checks who may at submit."""
        ack()
        alert_id = int(action["value"])
        reference = _reference(body)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=text_modal(MODAL_STEPS[Action(action["action_id"])], alert_id, reference),
        )

    @app.view(View.ALERT_TEXT)
    def handle_alert_text_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
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
        ack()
        sender.deliver_keys(keys)


def _tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    """Answer the person where they pressed: in the message, or by DM from App Home."""
    if body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=text)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=text)


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
