"""Every id the app registers with Slack: commands, actions, views."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    """Slash commands (each must be declared in manifest.yml too)."""

    QA = "/qa"
    PRACTICE_ALERT = "/practice-alert"


class Event(StrEnum):
    """Events API events the app subscribes to (manifest.yml's bot_events)."""

    APP_HOME_OPENED = "app_home_opened"


class Action(StrEnum):
    """Block action ids (buttons, selects) the app handles."""

    ALERT_ACKNOWLEDGE = "alert.acknowledge"
    ALERT_RESPOND = "alert.respond"
    ALERT_PROPOSE = "alert.propose"
    ALERT_CONFIRM = "alert.confirm"
    ALERT_REOPEN = "alert.reopen"
    ALERT_ESCALATE = "alert.escalate"
    ALERT_CASE = "alert.case"  # the case reference's type-ahead (block_suggestion)


class View(StrEnum):
    """Modal callback ids."""

    ALERT_RAISE = "alert.raise"
    ALERT_TEXT = "alert.text"  # respond, propose, reopen or escalate: one text field


# The Web API methods the app calls and the bot scope each needs (manifest.yml's scopes).
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "conversations.open": "im:write",
    "conversations.history": "im:history",
    "users.list": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.publish": None,
    "views.open": None,
    "views.update": None,
    "views.push": None,
}
COMMAND_SCOPE = "commands"


def required_scopes() -> set[str]:
    """Every bot scope the app needs, for the manifest."""
    scopes = {scope for scope in METHOD_SCOPES.values() if scope}
    if list(Command):
        scopes.add(COMMAND_SCOPE)
    return scopes
