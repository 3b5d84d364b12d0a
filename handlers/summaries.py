"""`/qa-summary` and its downloads, `/good-practice`, and App Home's pages."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.container import Container
from bot.services.directory import authority_for_workspace
from bot.services.good_practice import GoodPracticeError, NotStaff, record_good_practice
from bot.services.summaries.downloads import prepare_download
from bot.services.summaries.errors import Stranger, SummaryError
from bot.services.summaries.requesting import delivered_channel, request_summary
from bot.slack import messages
from bot.slack.ids import Action, Command
from bot.slack.mentions import leading_mention
from bot.slack.summary_chart import summary_chart_png
from handlers.home import publish_home
from handlers.lazy import ack_only

log = logging.getLogger(__name__)

WORKING = "Working on your summary: it will arrive in your direct messages with qabot."
GOOD_PRACTICE_USAGE = (
    "Say whose good practice, and what was good: `/good-practice @person [case reference] "
    "what was good`. Case references only: never a child's or family's name."
)


def request_key(payload: dict[str, Any]) -> str:
    """A short key naming one request (its trigger id is unique to it)."""
    return hashlib.sha256(payload["trigger_id"].encode()).hexdigest()[:20]


def _authority(payload: dict[str, Any]) -> int:
    return authority_for_workspace(payload.get("team_id") or (payload.get("team") or {}).get("id"))


def _dm_channel(client: WebClient, user_id: str, known: str | None) -> str:
    """The direct message's conversation id (files are shared to a conversation, not a user)."""
    return known or client.conversations_open(users=user_id)["channel"]["id"]


def _not_done(respond: Respond, exc: SummaryError | GoodPracticeError) -> None:
    """Tell the asker alone why the request was not done; someone not on record is refused."""
    if isinstance(exc, Stranger | NotStaff):
        respond(response_type="ephemeral", replace_original=False, **messages.refusal())
    else:
        respond(response_type="ephemeral", replace_original=False, text=str(exc))


def register(app: App, container: Container) -> None:
    """Register the summary and good practice listeners."""
    engine, clock, sender = container.engine, container.clock, container.sender

    def ack_summary(ack: Ack) -> None:
        """Answer at once: the summary is worked out after the acknowledgement."""
        ack(text=WORKING)

    def handle_summary(command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        """Work the summary out, send it to the asker's DM, then upload its chart there."""
        user = command["user_id"]
        try:
            outcome = request_summary(
                engine, authority_id=_authority(command), slack_user_id=user,
                text=command.get("text") or "", request_key=request_key(command),
                now=clock.now())
        except SummaryError as exc:  # Stranger (refused) too
            _not_done(respond, exc)
            return
        sender.deliver_keys([outcome.key])
        if not outcome.fresh:
            return  # the same request delivered again: its chart went with the first
        data = outcome.data
        try:
            client.files_upload_v2(
                channel=_dm_channel(client, user, delivered_channel(engine, outcome.key)),
                content=summary_chart_png(data), filename="qa-summary.png",
                title=f"Grades: {data['scope_label']}, {data['period_label']}",
                alt_txt="Bar charts of the audits' final grades this period and the last, "
                        "and the share of each grade over recent periods.")
        except SlackApiError as exc:  # the summary itself has gone: say so in the log only
            log.warning("summary chart not uploaded: %s", exc.response.get("error"))

    app.command(Command.QA_SUMMARY)(ack=ack_summary, lazy=[handle_summary])

    def handle_download(body: dict[str, Any], action: dict[str, Any], respond: Respond,
                        client: WebClient) -> None:
        """A tracker of the summary's scope, uploaded to the conversation the button is in."""
        user = body["user"]["id"]
        try:
            download = prepare_download(engine, authority_id=_authority(body), slack_user_id=user,
                                        value=action.get("value") or "", now=clock.now())
        except SummaryError as exc:  # Stranger (refused) too
            _not_done(respond, exc)
            return
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id")
        client.files_upload_v2(channel=_dm_channel(client, user, channel),
                               content=download.content, filename=download.filename,
                               title=download.title)

    for button in (Action.SUMMARY_XLSX, Action.SUMMARY_CSV):
        app.action(button)(ack=ack_only, lazy=[handle_download])

    def handle_good_practice(command: dict[str, Any], respond: Respond) -> None:
        """Record the good practice, tell the three people, and thank the giver."""
        mention = leading_mention(command.get("text") or "")
        if mention is None:
            respond(response_type="ephemeral", replace_original=False, text=GOOD_PRACTICE_USAGE)
            return
        try:
            outcome = record_good_practice(
                engine, authority_id=_authority(command), giver_slack_id=command["user_id"],
                practitioner_slack_id=mention[0], words=mention[1],
                source_key=f"command:{request_key(command)}", now=clock.now())
        except GoodPracticeError as exc:  # NotStaff (refused) too
            _not_done(respond, exc)
            return
        sender.deliver_keys(outcome.keys)
        case = f" on {outcome.case_ref}" if outcome.case_ref else ""
        respond(response_type="ephemeral", replace_original=False,
                text=f"Thank you: good practice by {outcome.practitioner}{case} is recorded. "
                     "They, their line manager and the QA lead have been told.")

    app.command(Command.GOOD_PRACTICE)(ack=ack_only, lazy=[handle_good_practice])

    def handle_home_page(body: dict[str, Any], action: dict[str, Any],
                         client: WebClient) -> None:
        """Show another page of App Home's work items."""
        value = action.get("value") or "0"
        page = int(value) if value.isdigit() else 0
        publish_home(engine, client, body, page=page, clock=clock)

    for button in (Action.HOME_PAGE_NEXT, Action.HOME_PAGE_PREVIOUS):
        app.action(button)(ack=ack_only, lazy=[handle_home_page])
