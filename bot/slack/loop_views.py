"""Modals for actions and supervision: building them, and reading what was typed into them."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.domain.supervision import KINDS
from bot.services.supervision.recording import NewSession
from bot.slack.ids import View

PRIVACY_HINT = "Case references only: never a child's or family's name."
MAX_TEXT = 3000


class LoopMeta(BaseModel):
    """A modal's private_metadata: the record, and where the button was pressed."""

    id: int
    m: str | None = None  # the message to update in place
    held: bool = True  # supervision: a session held, or missed
    home: bool = False  # pressed in App Home: publish it again afterwards


class ButtonValue(BaseModel):
    """A button's value: the record, the message it sits in, and for an EPDR which one."""

    id: int
    m: str | None = None
    k: str | None = None


def read_value(raw: str | None) -> ButtonValue | None:
    """A button's value (JSON, or a bare id from App Home), or None if it is not ours."""
    text = (raw or "").strip()
    try:
        if text.isdigit():
            return ButtonValue(id=int(text))
        return ButtonValue.model_validate_json(text)
    except (ValidationError, ValueError):
        return None


def read_meta(raw: str | None) -> LoopMeta | None:
    """A modal's private_metadata, or None when it is not ours (or has expired)."""
    try:
        return LoopMeta.model_validate_json(raw or "")
    except ValidationError:
        return None


def _text_input(block_id: str, label: str, hint: str) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id,
            "element": {"type": "plain_text_input", "action_id": block_id, "multiline": True,
                        "max_length": MAX_TEXT},
            "label": {"type": "plain_text", "text": label},
            "hint": {"type": "plain_text", "text": hint}}


def _modal(callback: View, title: str, submit: str, meta: LoopMeta,
           blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback,
            "private_metadata": meta.model_dump_json(),
            "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": submit},
            "close": {"type": "plain_text", "text": "Cancel"}, "blocks": blocks}


def done_modal(meta: LoopMeta) -> dict[str, Any]:
    """Mark an action done: the evidence is required."""
    return _modal(View.ACTION_DONE, "Action done", "Mark done", meta, [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*Action {meta.id}*"}]},
        _text_input("evidence", "Evidence that it is done",
                    f"Where it is recorded, what changed. {PRIVACY_HINT}"),
    ])


def reject_modal(meta: LoopMeta) -> dict[str, Any]:
    """Reject a done action: the reason is required and goes to the owner."""
    return _modal(View.ACTION_REJECT, "Not accepted", "Send back", meta, [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*Action {meta.id}*"}]},
        _text_input("reason", "Why it is not done yet", f"The owner is told. {PRIVACY_HINT}"),
    ])


def supervision_modal(meta: LoopMeta, name: str, today: date) -> dict[str, Any]:
    """Record a session held (date, kind) or missed (date, kind, reason)."""
    options = [{"text": {"type": "plain_text", "text": label}, "value": key}
               for key, label in KINDS.items()]
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*Supervision: {name}*"}]},
        {"type": "input", "block_id": "on",
         "element": {"type": "datepicker", "action_id": "on", "initial_date": today.isoformat()},
         "label": {"type": "plain_text", "text": "Date"}},
        {"type": "input", "block_id": "kind",
         "element": {"type": "static_select", "action_id": "kind", "options": options,
                     "initial_option": options[0]},
         "label": {"type": "plain_text", "text": "Kind of session"}},
    ]
    if not meta.held:
        blocks.append(_text_input("reason", "Why it was missed", PRIVACY_HINT))
    title = "Session held" if meta.held else "Session missed"
    return _modal(View.SUPERVISION, title, "Record", meta, blocks)


def read_text(state: dict[str, Any], block: str) -> tuple[str | None, dict[str, str]]:
    """A required text field, or the error to show at it."""
    value = (state.get("values", {}).get(block, {}).get(block, {}).get("value") or "").strip()
    if not value:
        return None, {block: "Please fill this in."}
    if len(value) > MAX_TEXT:
        return None, {block: f"Please keep this under {MAX_TEXT} characters."}
    return value, {}


def read_supervision(state: dict[str, Any], held: bool,
                     today: date) -> tuple[NewSession | None, dict[str, str]]:
    """The session recorded, or the errors to show at each field."""
    values = state.get("values", {})
    errors: dict[str, str] = {}
    raw_date = values.get("on", {}).get("on", {}).get("selected_date")
    kind = (values.get("kind", {}).get("kind", {}).get("selected_option") or {}).get("value")
    on = None
    with contextlib.suppress(ValueError):  # not a date: the same error as none chosen
        on = date.fromisoformat(raw_date) if raw_date else None
    if on is None:
        errors["on"] = "Choose the date of the session."
    elif on > today:
        errors["on"] = "The date cannot be in the future."
    if kind not in KINDS:
        errors["kind"] = "Choose one-to-one, group or reflective."
    reason = None
    if not held:
        reason, problem = read_text(state, "reason")
        errors.update(problem)
    if errors or on is None or kind is None:
        return None, errors
    return NewSession(on=on, kind=kind, held=held, missed_reason=reason), {}

