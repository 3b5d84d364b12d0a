"""Slash commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond

from bot.container import Container
from bot.services.directory import authority_for_workspace
from bot.services.loop_work import load_supervisees
from bot.services.my_work import load_my_work
from bot.slack import messages
from bot.slack.ids import Command
from bot.slack.loop_answers import supervision_answer
from handlers.lazy import ack_only


def register(app: App, container: Container) -> None:
    """Register the slash command listeners."""

    def handle_qa(command: dict[str, Any], respond: Respond) -> None:
        """`/qa`: the caller's own open work, and help; `/qa supervision`: their supervisees."""
        authority_id = authority_for_workspace(command.get("team_id"))
        if (command.get("text") or "").strip().lower().startswith("supervision"):
            supervisees = load_supervisees(container.engine, authority_id=authority_id,
                                           slack_user_id=command["user_id"],
                                           now=container.clock.now())
            answer = (messages.refusal() if supervisees is None
                      else supervision_answer(supervisees))
            respond(response_type="ephemeral", replace_original=False, **answer)
            return
        work = load_my_work(
            container.engine,
            authority_id=authority_id,
            slack_user_id=command["user_id"],
            now=container.clock.now(),
        )
        answer = messages.refusal() if work is None else messages.qa_answer(work)
        respond(response_type="ephemeral", replace_original=False, **answer)

    app.command(Command.QA)(ack=ack_only, lazy=[handle_qa])
