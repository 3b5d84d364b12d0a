"""Practice Alert messages: every one carries the alert's reference."""

from __future__ import annotations

from typing import Any

from bot.slack.ids import Action
from bot.slack.render import Rendered, escape, section, template

OUT_OF_HOURS = (
    "The acknowledgement time runs into the next working day. If a child may be at risk "
    "now, use the out-of-hours route (the Emergency Duty Team) as well."
)


def _button(text: str, action: Action, alert_id: int, style: str | None = None) -> dict[str, Any]:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action,
        "value": str(alert_id),
    }
    if style:
        button["style"] = style
    return button


def _facts(d: dict[str, Any]) -> str:
    lines = [
        f"*Case:* {d['case_ref']} ({d['team']})",
        f"*Category:* {d['category']}",
        f"*Severity:* {d['severity']}",
    ]
    if d.get("management_decision"):
        lines.append("*About a management decision*")
    if d.get("by_when"):
        lines.append(f"*By:* {d['by_when']}")
    lines.append(f"*Raised by:* {d['raised_by']}")
    return "\n".join(lines)


def recipient_buttons(alert_id: int) -> dict[str, Any]:
    """Acknowledge, Respond, Propose resolution."""
    return {
        "type": "actions",
        "block_id": f"alert-{alert_id}",
        "elements": [
            _button("Acknowledge", Action.ALERT_ACKNOWLEDGE, alert_id, "primary"),
            _button("Respond", Action.ALERT_RESPOND, alert_id),
            _button("Propose resolution", Action.ALERT_PROPOSE, alert_id),
        ],
    }


def raiser_buttons(alert_id: int, *, decide: bool) -> dict[str, Any]:
    """Confirm or reopen a proposed resolution; escalate at once."""
    elements = []
    if decide:
        elements += [
            _button("Confirm resolved", Action.ALERT_CONFIRM, alert_id, "primary"),
            _button("Reopen", Action.ALERT_REOPEN, alert_id),
        ]
    elements.append(_button("Escalate now", Action.ALERT_ESCALATE, alert_id, "danger"))
    return {"type": "actions", "block_id": f"alert-raiser-{alert_id}", "elements": elements}


@template("alert.received")
def render_received(d: dict[str, Any]) -> Rendered:
    """A Practice Alert reaching someone on the ladder."""
    text = f"{d['severity']} Practice Alert {d['reference']} on case {d['case_ref']}"
    return text, [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"Practice Alert {d['reference']}"},
        },
        section(f"You are receiving this as the {d['stage']}.\n{_facts(d)}"),
        section(f"*What is wrong*\n{escape(d['concern'])}"),
        section(f"*What is asked for*\n{escape(d['asked'])}"),
        recipient_buttons(d["alert_id"]),
    ]


@template("alert.raised")
def render_raised(d: dict[str, Any]) -> Rendered:
    """The raiser's confirmation."""
    text = f"Practice Alert {d['reference']} raised on case {d['case_ref']}"
    blocks = [
        section(
            f"*{text}*. The {d['stage']} has been told; acknowledgement is due by "
            f"{d['ack_due']}.\n{_facts(d)}"
        )
    ]
    if d.get("out_of_hours"):
        blocks.append(section(f":warning: {OUT_OF_HOURS}"))
    blocks.append(raiser_buttons(d["alert_id"], decide=False))
    return text, blocks


@template("alert.raiser_update")
def render_raiser_update(d: dict[str, Any]) -> Rendered:
    """A step on the raiser's alert."""
    text = f"Practice Alert {d['reference']}: {d['what']}"
    blocks = [section(f"*{text}.*")]
    if d.get("note"):
        blocks.append(section(f">{escape(d['note'])}"))
    if d.get("status") != "resolved":
        blocks.append(raiser_buttons(d["alert_id"], decide=bool(d.get("decide"))))
    return text, blocks


@template("alert.oversight")
def render_oversight(d: dict[str, Any]) -> Rendered:
    """The oversight channel's line: reference, team, category, severity, nothing more."""
    text = f"Practice Alert {d['reference']}: {d['team']}, {d['category']}, {d['severity']}"
    return text, [section(text)]


@template("alert.limit")
def render_limit(d: dict[str, Any]) -> Rendered:
    """The notice that an alert is still open at the overall limit."""
    text = f"Practice Alert {d['reference']} is still open at the 20-working-day limit"
    return text, [
        section(f"*{text}.*\n{_facts(d)}"),
        section(f"*What is wrong*\n{escape(d['concern'])}"),
        section(f"*What is asked for*\n{escape(d['asked'])}"),
        recipient_buttons(d["alert_id"]),
    ]


@template("alert.resolved")
def render_resolved(d: dict[str, Any]) -> Rendered:
    """The raiser confirmed the resolution."""
    text = f"Practice Alert {d['reference']} is resolved: the raiser confirmed it"
    return text, [section(f"*{text}.*")]


@template("alert.reopened")
def render_reopened(d: dict[str, Any]) -> Rendered:
    """The raiser reopened the alert."""
    text = f"Practice Alert {d['reference']} was reopened by the raiser"
    blocks = [section(f"*{text}.*\n{_facts(d)}")]
    if d.get("note"):
        blocks.append(section(f"*Why*\n>{escape(d['note'])}"))
    return text, [*blocks, recipient_buttons(d["alert_id"])]
