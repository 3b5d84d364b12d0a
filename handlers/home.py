"""App Home: publishing a person's own work."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.services.directory import authority_for_workspace
from bot.services.my_work import load_my_work
from bot.services.summaries.headline import leader_headline
from bot.slack import messages


def publish_home(engine: Engine, client: WebClient, body: dict[str, Any], *, page: int = 0,
                 clock: Clock | None = None) -> None:
    """Publish a page of the App Home of the person in `body` (a refusal for a stranger);
    leaders see the headline figures of their scope as at the clock's time."""
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    user = (body.get("event") or {}).get("user") or body["user"]["id"]
    now = (clock or SystemClock()).now()
    work = load_my_work(
        engine, authority_id=authority_for_workspace(team), slack_user_id=user, with_cycles=True,
        now=now,
    )
    headline = None if work is None else leader_headline(
        engine, authority_id=authority_for_workspace(team), slack_user_id=user, now=now)
    client.views_publish(user_id=user,
                         view=messages.home_view(work, page=page, headline=headline))
