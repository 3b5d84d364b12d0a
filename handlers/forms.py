"""What the audit and moderation form listeners share: opening fast, updating in place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.services.audits.common import AuditError, FormInvalid
from bot.services.directory import authority_for_workspace
from bot.slack.form_blocks import loading_view, notice_view
from handlers.home import publish_home

log = logging.getLogger(__name__)

NEXT_VIEW = "qabot_next_view"  # a view built by the acknowledgement, shown by a lazy function
REFRESH_HOME = "qabot_refresh_home"


def authority(body: dict[str, Any]) -> int:
    """The authority the request's workspace belongs to."""
    return authority_for_workspace(body.get("team_id") or (body.get("team") or {}).get("id"))


def audit_id_of(action: dict[str, Any]) -> int:
    """The audit a button names (its value); a crafted value is simply an unknown audit."""
    try:
        return int(str(action.get("value")))
    except ValueError:
        raise AuditError("That audit does not exist.") from None


def open_in_two_steps(client: WebClient, body: dict[str, Any], title: str,
                      build: Callable[[], dict[str, Any]]) -> None:
    """Open a loading view at once (the trigger id lasts 3 s), then fill it with views.update."""
    opened = client.views_open(trigger_id=body["trigger_id"], view=loading_view(title))
    view = opened["view"]
    try:
        content = build()
    except AuditError as exc:
        content = notice_view(title, str(exc))
    client.views_update(view_id=view["id"], hash=view["hash"], view=content)


def ack_not_done(ack: Ack, title: str, exc: AuditError) -> None:
    """Answer a step that could not be done: errors at their fields, else a notice instead."""
    if isinstance(exc, FormInvalid):
        ack(response_action="errors", errors=exc.errors)
    else:
        ack(response_action="update", view=notice_view(title, str(exc)))


def show_next_view(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Replace the modal with the view the acknowledgement built, unless it changed since."""
    view, current = context.get(NEXT_VIEW), body.get("view") or {}
    if not view or not current.get("id"):
        return
    try:
        client.views_update(view_id=current["id"], hash=current.get("hash"), view=view)
    except SlackApiError as exc:
        # hash_conflict: the person moved on (Next, or closed): the draft is saved anyway.
        log.info("form view not updated: %s", exc.response.get("error"))


def refresh_home(engine: Engine) -> Callable[[dict[str, Any], BoltContext, WebClient], None]:
    """A lazy function republishing App Home when a form opened from it is done."""

    def refresh(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if context.get(REFRESH_HOME):
            publish_home(engine, client, body)

    return refresh
