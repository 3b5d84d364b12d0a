"""Events API listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.container import Container
from bot.slack.ids import Event
from handlers.home import publish_home
from handlers.lazy import ack_only


def register(app: App, container: Container) -> None:
    """Register the event listeners."""

    def handle_app_home_opened(
        event: dict[str, Any], body: dict[str, Any], client: WebClient
    ) -> None:
        """Publish the person's App Home (a refusal for someone not in the directory)."""
        if event.get("tab", "home") == "home":
            publish_home(container.engine, client, body, clock=container.clock)

    app.event(Event.APP_HOME_OPENED)(ack=ack_only, lazy=[handle_app_home_opened])
