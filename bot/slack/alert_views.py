"""Practice Alert modals: building them, and reading what was typed into them."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from bot.domain.alerts import CATEGORIES, SEVERITIES
from bot.services.alerts.raising import NewAlert
from bot.slack.ids import Action, View

PRIVACY_HINT = "Case references only: never a child's or family's name."
MAX_TEXT = 3000


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def _text_input(block_id: str, label: str, hint: str, *, optional: bool = False,
                initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": block_id,
                               "multiline": True, "max_length": MAX_TEXT}
    if initial:
        element["initial_value"] = initial
    return {"type": "input", "block_id": block_id, "optional": optional, "element": element,
            "label": {"type": "plain_text", "text": label},
            "hint": {"type": "plain_text", "text": hint}}


def raise_modal(case_ref: str | None) -> dict[str, Any]:
    """The modal `/practice-alert` opens; the case is filled in when the command named it."""
    case: dict[str, Any] = {"type": "external_select", "action_id": Action.ALERT_CASE,
                            "min_query_length": 1,
                            "placeholder": {"type": "plain_text", "text": "Type a case reference"}}
    if case_ref:
        case["initial_option"] = _option(case_ref, case_ref)
    return {
        "type": "modal",
        "callback_id": View.ALERT_RAISE,
        "title": {"type": "plain_text", "text": "Practice Alert"},
        "submit": {"type": "plain_text", "text": "Raise alert"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": "case", "element": case,
             "label": {"type": "plain_text", "text": "Case reference"},
             "hint": {"type": "plain_text", "text": PRIVACY_HINT}},
            {"type": "input", "block_id": "category",
             "element": {"type": "static_select", "action_id": "category",
                         "options": [_option(k, v) for k, v in CATEGORIES.items()]},
             "label": {"type": "plain_text", "text": "Category"}},
            {"type": "input", "block_id": "severity",
             "element": {"type": "radio_buttons", "action_id": "severity",
                         "options": [_option(k, v) for k, v in SEVERITIES.items()]},
             "label": {"type": "plain_text", "text": "Severity"}},
            {"type": "input", "block_id": "management", "optional": True,
             "element": {"type": "checkboxes", "action_id": "management",
                         "options": [_option("yes", "The concern is about a management "
                                                    "decision")]},
             "label": {"type": "plain_text", "text": "Management decision"}},
            _text_input("concern", "What is wrong", PRIVACY_HINT),
            _text_input("asked", "What is asked for", PRIVACY_HINT),
            {"type": "input", "block_id": "by_when", "optional": True,
             "element": {"type": "datepicker", "action_id": "by_when"},
             "label": {"type": "plain_text", "text": "By when"}},
        ],
    }


class AlertForm(BaseModel):
    """The raise modal's values, as Slack sends them in view.state.values."""

    case_ref: str | None
    category: str | None
    severity: str | None
    management_decision: bool
    concern: str
    asked: str
    by_when: date | None


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return values.get(block, {}).get(block if block != "case" else Action.ALERT_CASE, {}) or {}


def read_raise_form(state: dict[str, Any], today: date) -> tuple[NewAlert | None, dict[str, str]]:
    """The new alert, or the errors to show at each field (`response_action: errors`)."""
    values = state.get("values", {})
    errors: dict[str, str] = {}
    case = (_value(values, "case").get("selected_option") or {}).get("value")
    category = (_value(values, "category").get("selected_option") or {}).get("value")
    severity = (_value(values, "severity").get("selected_option") or {}).get("value")
    management = bool(_value(values, "management").get("selected_options"))
    concern = (_value(values, "concern").get("value") or "").strip()
    asked = (_value(values, "asked").get("value") or "").strip()
    raw_date = _value(values, "by_when").get("selected_date")
    if not case:
        errors["case"] = "Choose the case the alert is about."
    if category not in CATEGORIES:
        errors["category"] = "Choose a category."
    if severity not in SEVERITIES:
        errors["severity"] = "Choose urgent or standard."
    for block, text, what in (("concern", concern, "what is wrong"),
                              ("asked", asked, "what is asked for")):
        if not text:
            errors[block] = f"Please say {what}."
        elif len(text) > MAX_TEXT:
            errors[block] = f"Please keep this under {MAX_TEXT} characters."
    by_when = None
    if raw_date:
        try:
            by_when = date.fromisoformat(raw_date)
        except ValueError:
            errors["by_when"] = "That is not a date."
        else:
            if by_when < today:
                errors["by_when"] = "The date must be today or later."
    if errors:
        return None, errors
    assert case and category and severity
    return NewAlert(case_ref=case, category=category, severity=severity,
                    management_decision=management, concern=concern, asked=asked,
                    by_when=by_when), {}


TEXT_MODALS = {
    "respond": ("Respond", "The plan", "What will be done, by whom and when."),
    "propose": ("Propose resolution", "How it was resolved", "What has changed on the case."),
    "reopen": ("Reopen alert", "Why it is not resolved", "What is still needed."),
    "escalate": ("Escalate now", "Why it needs the next level", "What the response lacks."),
}


class TextModalMeta(BaseModel):
    """The text modal's private_metadata: which alert, which step."""

    alert_id: int
    action: str


def text_modal(action: str, alert_id: int, reference: str) -> dict[str, Any]:
    """A one-field modal for the steps that need words."""
    title, label, hint = TEXT_MODALS[action]
    return {
        "type": "modal",
        "callback_id": View.ALERT_TEXT,
        "private_metadata": TextModalMeta(alert_id=alert_id, action=action).model_dump_json(),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*{reference}*"}]},
            _text_input("text", label, f"{hint} {PRIVACY_HINT}"),
        ],
    }


def confirmation_view(title: str, text: str) -> dict[str, Any]:
    """What the modal shows once its work is done."""
    return {"type": "modal", "title": {"type": "plain_text", "text": title},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
