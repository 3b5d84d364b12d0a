"""Every id the app registers with Slack: commands, actions, views."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    """Slash commands (each must be declared in manifest.yml too)."""

    QA = "/qa"
    PRACTICE_ALERT = "/practice-alert"
    QA_SUMMARY = "/qa-summary"
    GOOD_PRACTICE = "/good-practice"


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
    ACTION_DONE = "action.done"  # opens the evidence modal
    ACTION_VERIFY = "action.verify"
    ACTION_REJECT = "action.reject"  # opens the reason modal
    ACTION_SNOOZE_TOMORROW = "action.snooze_tomorrow"
    ACTION_SNOOZE_WEEK = "action.snooze_week"
    ACTION_NOT_YET = "action.not_yet"  # a review's answer: not done yet
    SUPERVISION_RECORD = "supervision.record"  # opens the session modal
    SUPERVISION_MISSED = "supervision.missed"  # opens the missed-session modal
    EPDR_DONE = "epdr.done"
    AUDIT_START = "audit.start"  # value: the audit id (allocation DM, App Home, /qa)
    AUDIT_SAVE_DRAFT = "audit.save_draft"  # inside the audit form
    MODERATION_START = "moderation.start"  # value: the audit id
    MODERATION_SAVE_DRAFT = "moderation.save_draft"  # inside the moderation form
    CYCLE_CREATE = "cycle.create"  # App Home (QA lead): opens the create-cycle modal
    CYCLE_PREVIEW = "cycle.preview"  # value: the cycle id; draws and shows the receipt
    CYCLE_OPEN = "cycle.open"  # value: the cycle id; sends the allocations
    CYCLE_CLOSE = "cycle.close"  # value: the cycle id
    CYCLE_UNAVAILABLE = "cycle.unavailable"  # value: the cycle id; opens the modal
    AUDIT_REASSIGN = "audit.reassign"  # value: the audit id; opens the modal
    SUMMARY_XLSX = "summary.download_xlsx"  # value: the download request (JSON)
    SUMMARY_CSV = "summary.download_csv"  # value: the download request (JSON)
    HOME_PAGE_NEXT = "home.page_next"  # value: the App Home page to show
    HOME_PAGE_PREVIOUS = "home.page_previous"  # value: the App Home page to show


class View(StrEnum):
    """Modal callback ids."""

    ALERT_RAISE = "alert.raise"
    ALERT_TEXT = "alert.text"  # respond, propose, reopen or escalate: one text field
    ACTION_DONE = "action.done_form"  # the evidence of an action done
    ACTION_REJECT = "action.reject_form"  # why a done action is not accepted
    SUPERVISION = "supervision.form"  # a session held or missed
    AUDIT_FORM = "audit.form"  # every step of the audit form (the step is in the metadata)
    MODERATION_FORM = "moderation.form"
    CYCLE_CREATE = "cycle.create"
    CYCLE_REASSIGN = "cycle.reassign"  # metadata: the audit id
    CYCLE_UNAVAILABLE = "cycle.unavailable"  # metadata: the cycle id


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
    # client.files_upload_v2 (the summary's chart, tracker downloads) calls these two.
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
COMMAND_SCOPE = "commands"


def required_scopes() -> set[str]:
    """Every bot scope the app needs, for the manifest."""
    scopes = {scope for scope in METHOD_SCOPES.values() if scope}
    if list(Command):
        scopes.add(COMMAND_SCOPE)
    return scopes
