"""Events API listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.container import Container
from bot.services.directory import authority_for_workspace
from bot.services.my_work import load_my_work
from bot.slack import messages
from bot.slack.ids import Event


def register(app: App, container: Container) -> None:
    """Register the event listeners."""

    @app.event(Event.APP_HOME_OPENED)
    def handle_app_home_opened(
        event: dict[str, Any], body: dict[str, Any], client: WebClient
    ) -> None:
        """Publish the person's App Home (a refusal for someone not in the directory)."""
        if event.get("tab", "home") != "home":
            return
        work = load_my_work(
            container.engine,
            authority_id=authority_for_workspace(body.get("team_id")),
            slack_user_id=event["user"],
        )
        client.views_publish(user_id=event["user"], view=messages.home_view(work))
