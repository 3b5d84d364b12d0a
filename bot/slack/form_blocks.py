"""Block Kit pieces the multi-step forms share: inputs with restored values, and reading them.

Each input's block id is the field's key, so the domain's errors (keyed by field) land at their
field, and reading a view's state needs no knowledge of the action ids inside.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_TEXT = 3000
PRIVACY_HINT = "Case references only: never a child's or family's name."


class FormMeta(BaseModel):
    """A form modal's private_metadata: which audit, which step, and where it was opened."""

    model_config = ConfigDict(extra="forbid")
    audit_id: int = Field(ge=1)
    step: str = Field(max_length=40, pattern=r"^[a-z0-9-]+$")
    home: bool = False  # opened from App Home: republish it when the form is done


def read_meta(view: dict[str, Any]) -> FormMeta | None:
    """The view's metadata, or None when it is missing or not ours (crafted, or stale)."""
    try:
        return FormMeta.model_validate_json(view.get("private_metadata") or "")
    except ValidationError:
        return None


def text(value: str, limit: int = 150) -> dict[str, Any]:
    """A plain_text object, cut to Slack's limit for where it goes (150 unless said)."""
    return {"type": "plain_text", "text": value if len(value) <= limit else value[: limit - 1]
            + "…"}


def option(value: str, label: str) -> dict[str, Any]:
    """An option of a select, radio or checkbox group (its text: 75 characters at most)."""
    return {"text": text(label, 75), "value": value}


def context(line: str) -> dict[str, Any]:
    """A small mrkdwn context line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": line[:3000]}]}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool,
           hint: str | None) -> dict[str, Any]:
    element["action_id"] = "value"
    block = {"type": "input", "block_id": block_id, "optional": optional, "element": element,
             "label": text(label, 2000)}
    if hint:
        block["hint"] = text(hint, 2000)
    return block


def text_block(block_id: str, label: str, value: str, *, optional: bool = True,
               hint: str | None = PRIVACY_HINT, multiline: bool = True) -> dict[str, Any]:
    """A text input with what was typed before."""
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline,
                               "max_length": MAX_TEXT}
    if value:
        element["initial_value"] = value[:MAX_TEXT]
    return _input(block_id, label, element, optional=optional, hint=hint)


def select_block(block_id: str, label: str, options: list[tuple[str, str]], value: str | None,
                 *, optional: bool = False, hint: str | None = None) -> dict[str, Any]:
    """A static select of (value, label) options, with the chosen one restored."""
    element: dict[str, Any] = {"type": "static_select", "placeholder": text("Choose"),
                               "options": [option(v, lbl) for v, lbl in options]}
    chosen = dict(options)
    if value is not None and value in chosen:
        element["initial_option"] = option(value, chosen[value])
    return _input(block_id, label, element, optional=optional, hint=hint)


def radio_block(block_id: str, label: str, options: list[tuple[str, str]], value: str | None,
                *, optional: bool = False, hint: str | None = None) -> dict[str, Any]:
    """Radio buttons of (value, label) options, with the chosen one restored."""
    element: dict[str, Any] = {"type": "radio_buttons",
                               "options": [option(v, lbl) for v, lbl in options]}
    chosen = dict(options)
    if value is not None and value in chosen:
        element["initial_option"] = option(value, chosen[value])
    return _input(block_id, label, element, optional=optional, hint=hint)


def user_block(block_id: str, label: str, user: str | None, *, hint: str | None = None
               ) -> dict[str, Any]:
    """A person picker, with the person restored (optional: the service checks it)."""
    element: dict[str, Any] = {"type": "users_select", "placeholder": text("Choose someone")}
    if user:
        element["initial_user"] = user
    return _input(block_id, label, element, optional=True, hint=hint)


def date_block(block_id: str, label: str, day: date | None) -> dict[str, Any]:
    """A date picker, with the date restored."""
    element: dict[str, Any] = {"type": "datepicker"}
    if day:
        element["initial_date"] = day.isoformat()
    return _input(block_id, label, element, optional=True, hint=None)


def tick_block(block_id: str, label: str, option_label: str, ticked: bool) -> dict[str, Any]:
    """One checkbox."""
    box = option("yes", option_label)
    element: dict[str, Any] = {"type": "checkboxes", "options": [box]}
    if ticked:
        element["initial_options"] = [box]
    return _input(block_id, label, element, optional=True, hint=None)


def button_row(block_id: str, buttons: list[tuple[str, str, str]]) -> dict[str, Any]:
    """An actions block of (label, action id, value) buttons."""
    return {"type": "actions", "block_id": block_id, "elements": [
        {"type": "button", "text": text(lbl, 75), "action_id": aid, "value": value}
        for lbl, aid, value in buttons]}


def modal(callback_id: str, title: str, meta: FormMeta, blocks: list[dict[str, Any]],
          submit: str) -> dict[str, Any]:
    """A form step: closing it tells us (notify_on_close) so the draft is kept."""
    return {"type": "modal", "callback_id": callback_id, "title": text(title, 24),
            "submit": text(submit, 24), "close": text("Close", 24), "notify_on_close": True,
            "private_metadata": meta.model_dump_json(), "blocks": blocks[:100]}


def notice_view(title: str, message: str) -> dict[str, Any]:
    """A modal that only says something (a refusal, or that the work is done)."""
    return {"type": "modal", "title": text(title, 24), "close": text("Close", 24),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": message[:3000]}}]}


def loading_view(title: str) -> dict[str, Any]:
    """What opens at once, while the form is read: a trigger id lasts only 3 seconds."""
    return notice_view(title, ":hourglass_flowing_sand: Loading…")


# ----------------------------------------------------------------------------- reading state
def element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The state of the one element of an input block (empty when absent)."""
    actions = values.get(block_id)
    if not isinstance(actions, dict) or not actions:
        return {}
    first = next(iter(actions.values()))
    return first if isinstance(first, dict) else {}


def read_text(values: dict[str, Any], block_id: str) -> str:
    """What was typed (a little over the limit is kept, so that the error can say so)."""
    value = element(values, block_id).get("value")
    return value[: MAX_TEXT + 1] if isinstance(value, str) else ""


def read_choice(values: dict[str, Any], block_id: str) -> str | None:
    """The value chosen in a select or radio group."""
    chosen = element(values, block_id).get("selected_option") or {}
    value = chosen.get("value") if isinstance(chosen, dict) else None
    return value[:100] if isinstance(value, str) else None


def read_yes_no(values: dict[str, Any], block_id: str) -> bool | None:
    """A yes/no radio group: True, False, or None when unanswered."""
    return {"yes": True, "no": False}.get(read_choice(values, block_id) or "")


def read_user(values: dict[str, Any], block_id: str) -> str | None:
    """The Slack user id picked."""
    user = element(values, block_id).get("selected_user")
    return user[:32] if isinstance(user, str) and user else None


def read_date(values: dict[str, Any], block_id: str) -> date | None:
    """The date picked (a malformed one is treated as none picked)."""
    raw = element(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def read_ticked(values: dict[str, Any], block_id: str) -> bool:
    """Whether the checkbox is ticked."""
    return bool(element(values, block_id).get("selected_options"))
