"""build_app(): the Bolt app with every surface registered."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError

from bot.container import Container, make_web_client
from handlers import (
    alerts,
    audits,
    commands,
    cycles,
    events,
    loop,
    middleware,
    moderation,
    summaries,
)

log = logging.getLogger(__name__)


class _Identity:
    """The bot's own ids from auth.test, fetched once off the request path."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._result: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def fetch(self) -> None:
        try:
            response = self._container.client.auth_test()
        except (SlackApiError, OSError) as exc:
            log.warning("auth.test failed at start (%s): the bot will retry on use", exc)
            return
        with self._lock:
            self._result = dict(response.data)  # type: ignore[arg-type]

    def authorize_function(self) -> Callable[..., AuthorizeResult]:
        """Bolt's `authorize`: it passes arguments by name, so a plain function."""

        def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            with self._lock:
                result = self._result or {}
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id or result.get("team_id"),
                bot_token=self._container.settings.slack_bot_token,
                bot_id=result.get("bot_id"),
                bot_user_id=result.get("user_id"),
            )

        return authorize


def build_app(container: Container, *, identify_in_background: bool = True) -> App:
    """The Bolt app. Signatures are verified by the HTTP adapter, before dispatch."""
    identity = _Identity(container)
    if identify_in_background:
        threading.Thread(target=identity.fetch, name="qabot-auth-test", daemon=True).start()
    app = App(
        # Tokenless: Bolt gives each request a client with the token `authorize` returns.
        client=make_web_client(container.settings, with_token=False),
        authorize=identity.authorize_function(),
        # The HTTP adapter verifies signatures itself so that a refused body is never logged;
        # Socket Mode needs none.
        request_verification_enabled=False,
        token_verification_enabled=False,
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(
            max_workers=container.settings.qabot_listener_threads,
            thread_name_prefix="qabot-listener",
        ),
        logger=logging.getLogger("qabot.bolt"),
    )
    middleware.register(app, container)
    commands.register(app, container)
    events.register(app, container)
    alerts.register(app, container)
    loop.register(app, container)
    audits.register(app, container)
    moderation.register(app, container)
    cycles.register(app, container)
    summaries.register(app, container)
    return app
