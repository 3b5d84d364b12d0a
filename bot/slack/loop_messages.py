"""Messages of items: the daily nudge, an action to verify, an action verified or not accepted.

One template (`loop.items`) renders them all from the data the services queue, so that a
message updated in place after a button press is rendered exactly as it was first sent, with
its items' new state. A message stays within Slack's 50 blocks: what does not fit is counted.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.slack.ids import Action
from bot.slack.render import Rendered, escape, section, template

MAX_BLOCKS = 50  # Slack's limit for a message
HEADINGS = {
    "daily": "Your QA reminders for {day}",
    "verify": "An action is ready for you to verify",
    "verified": "Your action is verified and closed",
    "rejected": "Your action was not accepted: it is open again",
}
KIND_NAMES = {"epdr_annual": "EPDR", "epdr_review": "EPDR half-year review"}
OWNER_LABELS = {"action": "Owner", "audit": "Auditor", "moderation": "Moderator",
                "supervision": "Supervisor"}
PRIVACY = "qabot holds case references only: never type a child's or family's name."


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%a %d %b") if value else ""


def _days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def _button(text: str, action: Action, value: str, style: str | None = None) -> dict[str, Any]:
    button = {"type": "button", "text": {"type": "plain_text", "text": text},
              "action_id": action, "value": value}
    if style:
        button["style"] = style
    return button


def _value(key: str, item: dict[str, Any], **extra: Any) -> str:
    """A button's value: the record, and the message to update in place."""
    return json.dumps({"id": item["id"], "m": key, **extra}, separators=(",", ":"))


def _timing(item: dict[str, Any], day: str) -> str:
    if item["overdue_days"]:
        return f"Due {_day(item['due'])}: {_days(item['overdue_days'])} overdue"
    if item["due"] == day:
        return "Due today"
    if item["days_left"]:
        return f"Due {_day(item['due'])} (in {_days(item['days_left'])})"
    return f"Due {_day(item['due'])}"


def _title(item: dict[str, Any]) -> str:
    kind = item["kind"]
    if kind == "action":
        where = f" on {escape(item['case_ref'])}" if item.get("case_ref") else ""
        return f"*Action {item['id']}*{where}: {escape(item['what'])}"
    if kind in ("audit", "moderation"):
        what = escape(item.get("case_ref") or item.get("subject") or "")
        cycle = f" ({escape(item['cycle'])})" if item.get("cycle") else ""
        return f"*{kind.capitalize()} {item['id']}* of {what}{cycle}"
    name = KIND_NAMES.get(kind, "Supervision")
    return f"*{name} for {escape(item.get('subject'))}*"


def _why(item: dict[str, Any], day: str) -> str:
    role, who = item["role"], escape(item.get("owner"))
    if role == "escalation":
        told = {"qa": "the QA lead", "hos": "head of service"}.get(item["detail"], "their manager")
        return (f"{OWNER_LABELS.get(item['kind'], 'Line manager')} {who}: "
                f"{_days(item['overdue_days'])} overdue (due {_day(item['due'])}). "
                f"You are told as {told}.")
    if role == "review":
        return f"Review {item['detail']}: is this done? Owner {who}, {_timing(item, day).lower()}"
    if role == "verify":
        evidence = escape(item.get("evidence"))
        return f"Marked done by {who}. Evidence: {evidence}"
    return _timing(item, day)


def _state(item: dict[str, Any]) -> str:
    state, on = item.get("state"), _day(item.get("state_on"))
    if item.get("answer") == "not_yet":
        return ":hourglass: You answered: not done yet."
    if state == "done":
        if item["kind"] == "action":
            return f":white_check_mark: Marked done on {on}: awaiting verification."
        return f":white_check_mark: Recorded as done on {on}." if on else ":white_check_mark: Done."
    texts = {
        "snoozed": f":zzz: Snoozed until {on}.",
        "closed": f":white_check_mark: Verified and closed on {on}.",
        "recorded": f":white_check_mark: Session on {on} recorded.",
        "missed": f":memo: Missed session on {on} recorded: a session is still due.",
    }
    if state in texts:
        return texts[state]
    return f"Not accepted: {escape(item['reason'])}" if item.get("reason") else ""


def _buttons(key: str, item: dict[str, Any]) -> list[dict[str, Any]]:
    kind, role, state = item["kind"], item["role"], item.get("state")
    value = _value(key, item)
    if kind == "action" and role == "nudge" and state in ("open", "snoozed"):
        return [_button("Done", Action.ACTION_DONE, value, "primary"),
                _button("Snooze: tomorrow", Action.ACTION_SNOOZE_TOMORROW, value),
                _button("Snooze: next week", Action.ACTION_SNOOZE_WEEK, value)]
    if kind == "action" and role == "verify" and state == "done":
        return [_button("Verify", Action.ACTION_VERIFY, value, "primary"),
                _button("Reject", Action.ACTION_REJECT, value, "danger")]
    if kind == "action" and role == "review" and state in ("open", "done", "snoozed") \
            and not item.get("answer"):
        return [_button("Yes, done", Action.ACTION_VERIFY, value, "primary"),
                _button("Not yet", Action.ACTION_NOT_YET, value)]
    if kind == "supervision" and role == "nudge" and state in ("due", "missed"):
        return [_button("Record session", Action.SUPERVISION_RECORD, value, "primary"),
                _button("Record missed", Action.SUPERVISION_MISSED, value)]
    if kind in KIND_NAMES and role == "nudge" and state == "due":
        epdr = "annual" if kind == "epdr_annual" else "half_year"
        return [_button("Done today", Action.EPDR_DONE, _value(key, item, k=epdr), "primary")]
    if kind in ("audit", "moderation") and role == "nudge" and state == "due":
        start = Action.AUDIT_START if kind == "audit" else Action.MODERATION_START
        return [_button(f"Start {kind}", start, str(item["id"]), "primary")]
    return []


def item_blocks(key: str, item: dict[str, Any], day: str) -> list[dict[str, Any]]:
    """One item: its words, and the buttons that act on it in its current state."""
    lines = [_title(item), _why(item, day)]
    state = _state(item)
    if state:
        lines.append(state)
    blocks = [section("\n".join(lines))]
    buttons = _buttons(key, item)
    if buttons:
        blocks.append({"type": "actions", "block_id": f"{item['kind']}-{item['id']}-"
                       f"{item['role']}", "elements": buttons})
    return blocks


@template("loop.items")
def render_items(d: dict[str, Any]) -> Rendered:
    """A message of items, each with its buttons; what does not fit is counted."""
    heading = HEADINGS[d["purpose"]].format(day=_day(d["day"]))
    count = len(d["items"])
    text = f"{heading} ({count} item{'s' if count != 1 else ''})" if d["purpose"] == "daily" \
        else heading
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": heading[:150]}}]
    room = MAX_BLOCKS - len(blocks) - 2  # the footer, and the line counting the rest
    shown = 0
    for item in d["items"]:
        more = item_blocks(d["key"], item, d["day"])
        if len(blocks) - 1 + len(more) > room:
            break
        blocks += more
        shown += 1
    if shown < count:
        blocks.append(section(f"…and {count - shown} more — see App Home."))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": PRIVACY}]})
    return text, blocks
