"""Every id the app registers with Slack: commands, actions, views."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    """Slash commands (each must be declared in manifest.yml too)."""

    QA = "/qa"


class Event(StrEnum):
    """Events API events the app subscribes to (manifest.yml's bot_events)."""

    APP_HOME_OPENED = "app_home_opened"
