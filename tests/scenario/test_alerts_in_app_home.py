"""Alerts raised and received appear in App Home, with buttons that act."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FixedClock
from tests.fakes.slack_requests import app_home_opened, event_callback
from tests.harness import Bot
from tests.scenario.alert_support import IRO, TM, alert_form, dm_texts, seed_alert_org


def home_of(bot: Bot, user: str, event_id: str) -> dict:
    before = len(bot.slack.calls_to("views.publish"))
    bot.http.event(event_callback(app_home_opened(user_id=user), event_id=event_id))
    calls = bot.slack.wait_for(lambda c: c.method == "views.publish", count=before + 1)
    return [c for c in calls if c.params["user_id"] == user][-1].params["view"]


def buttons(view: dict) -> list[str]:
    """The alert buttons in a view (other work has buttons of its own)."""
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions"
            for e in b["elements"] if e["action_id"].startswith("alert.")]


def test_app_home_lists_alerts_received_and_raised_with_their_buttons(
    bot: Bot, clock: FixedClock
) -> None:
    seed_alert_org(bot.engine, bot.slack)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    bot.http.submit_view("alert.raise", alert_form(), user_id=IRO, view_id="VH1")
    bot.slack.wait_for(lambda c: c.params.get("channel") == TM)

    tm_home = home_of(bot, TM, "EvH1")
    assert "PA-2026-0001" in str(tm_home["blocks"])
    assert buttons(tm_home) == ["alert.acknowledge", "alert.respond", "alert.propose"]
    iro_home = home_of(bot, IRO, "EvH2")
    assert "you raised this on C0001" in str(iro_home["blocks"])
    assert buttons(iro_home) == ["alert.escalate"]

    # Acknowledging from App Home acts, and the home shows the new state in place.
    alert_id = next(e["value"] for b in tm_home["blocks"] if b["type"] == "actions"
                    for e in b["elements"] if e["action_id"] == "alert.acknowledge")
    publishes = len(bot.slack.calls_to("views.publish"))
    bot.http.action("alert.acknowledge", alert_id, user_id=TM,
                    view={"id": "VHOME", "type": "home"})
    bot.slack.wait_for("views.publish", count=publishes + 1)
    assert "acknowledged" in str(bot.slack.calls_to("views.publish")[-1].params["view"])
    assert "acknowledged by" in dm_texts(bot.slack, IRO)[-1]
