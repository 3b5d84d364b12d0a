"""Audit messages (direct messages only): actions, summaries, moderation, Inadequate grades."""

from __future__ import annotations

from typing import Any

from bot.slack.ids import Action
from bot.slack.render import Rendered, escape, section, template

SECTION_TEXT = 2900  # Slack's section limit is 3,000 characters, after escaping


def _clip(text: str) -> str:
    escaped = escape(text)
    return escaped if len(escaped) <= SECTION_TEXT else escaped[: SECTION_TEXT - 1] + "…"


def _facts(d: dict[str, Any]) -> str:
    return (f"*{d['subject']}* ({d['team']}) · {d['kind']} · {d['cycle']} · "
            f"audited by {d['auditor']}")


@template("audit.action_assigned")
def render_action_assigned(d: dict[str, Any]) -> Rendered:
    """An action from an audit, to its owner."""
    text = f"New action from the audit of {d['subject']}, due {d['due']}"
    good = "\nThis action is needed to reach Good." if d.get("needed_for_good") else ""
    return text, [section(f"*{text}*\n{_facts(d)}{good}"), section(_clip(d["what"]))]


@template("audit.summary")
def render_summary(d: dict[str, Any]) -> Rendered:
    """The submitted audit's summary, to the team manager (and deputies)."""
    text = f"Audit of {d['subject']} submitted" + (f": {d['grade']}" if d["grade"] else "")
    lines = [f"*{label}:* {grade}" for label, grade in d["domains"]]
    if d.get("overall"):
        lines.append(f"*Overall grade:* {d['overall']}")
    lines.append("Done with the practitioner." if d["with_practitioner"]
                 else "Not done with the practitioner.")
    if d["urgent_concern"]:
        lines.append(":rotating_light: The auditor raised an urgent concern: "
                     + ("it comes to you as a Practice Alert." if d.get("case_ref")
                        else "the QA lead has been told."))
    blocks = [section(f"*{text}*\n{_facts(d)}"), section("\n".join(lines))]
    for number, action in enumerate(d["actions"][:10], start=1):
        blocks.append(section(_clip(f"Action {number} (owner {action['owner']}, due "
                                    f"{action['due']}): {action['what']}")))
    return text, blocks


@template("audit.moderation_request")
def render_moderation_request(d: dict[str, Any]) -> Rendered:
    """Asking the moderator to moderate: a Moderate button, blind unless the setting says."""
    text = f"Please moderate the audit of {d['subject']}"
    lines = [f"*{text}*", _facts(d)]
    if d.get("grade"):
        lines.append(f"The auditor's grade: *{d['grade']}*.")
    else:
        lines.append("You grade it first; the auditor's grade is shown after.")
    if d.get("moderation_due"):
        lines.append(f"Moderation due {d['moderation_due']}.")
    return text, [section("\n".join(lines)), {
        "type": "actions", "block_id": f"moderate-{d['audit_id']}",
        "elements": [{"type": "button", "style": "primary",
                      "text": {"type": "plain_text", "text": "Moderate"},
                      "action_id": Action.MODERATION_START, "value": str(d["audit_id"])}],
    }]


@template("audit.inadequate")
def render_inadequate(d: dict[str, Any]) -> Rendered:
    """An Inadequate grade: at once, to the head of service and the team manager."""
    text = f"Inadequate grade: audit of {d['subject']} ({d['team']})"
    return text, [section(
        f":rotating_light: *{text}*\n{_facts(d)}\nGraded *{d['grade']}* by the {d['by']}. "
        "It needs immediate attention.")]


@template("audit.moderation_disagreed")
def render_disagreed(d: dict[str, Any]) -> Rendered:
    """A moderator's disagreement, to the auditor and the moderator: please discuss."""
    text = f"Moderation of the audit of {d['subject']}: the moderator disagrees"
    other = d["moderator"] if d["you_are"] == "auditor" else d["auditor"]
    return text, [
        section(f"*{text}*\n{_facts(d)}\nAuditor's grade: *{d['auditor_grade']}*; moderated "
                f"grade (final): *{d['moderated_grade']}*, by {d['moderator']}."),
        section(_clip(f"Why: {d['reason']}")),
        section(f"Please discuss the difference with {other}."),
    ]


@template("audit.urgent_concern")
def render_urgent_concern(d: dict[str, Any]) -> Rendered:
    """An urgent concern from an audit of a person (no case to raise a Practice Alert on)."""
    text = f"Urgent concern from the audit of {d['subject']}"
    return text, [section(f":rotating_light: *{text}*\n{_facts(d)}"), section(_clip(d["concern"]))]
