"""Global middleware: acting once per delivered event."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse

from bot.container import Container
from storage.claims import first_time_seen
from storage.db import unit_of_work

log = logging.getLogger(__name__)


def register(app: App, container: Container) -> None:
    """Add the middleware to the app."""

    @app.middleware
    def handle_duplicate_events(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Slack redelivers events it thinks were missed: the first delivery wins."""
        event_id = req.body.get("event_id") if req.body.get("type") == "event_callback" else None
        if event_id:
            with unit_of_work(container.engine) as session:
                fresh = first_time_seen(session, f"event:{event_id}", container.clock.now())
                session.commit()
            if not fresh:
                log.info("event %s already processed; acknowledging only", event_id)
                return BoltResponse(status=200, body="")
        return next()

    @app.error
    def handle_errors(error: Exception) -> None:
        """Log the failure's type and place, never the payload (it may hold case details)."""
        log.error("listener failed: %s", type(error).__name__, exc_info=error)
