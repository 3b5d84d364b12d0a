"""Socket Mode: the same Bolt app over Slack's WebSocket instead of HTTP."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config import SettingsError
from bot.container import Container


def build_socket_handler(app: App, container: Container) -> SocketModeHandler:
    """The handler that connects with SLACK_APP_TOKEN (apps.connections.open, then a WebSocket)."""
    token = container.settings.slack_app_token
    if not token:
        raise SettingsError("qabot: bad setting: SLACK_APP_TOKEN is missing (Socket Mode needs it)")
    return SocketModeHandler(
        app,
        token,
        web_client=container.client,
        # Envelopes are acked after dispatch; dispatch only queues slow work on Bolt's pool.
        concurrency=container.settings.qabot_listener_threads,
    )
