"""Audit cycle messages: allocations to auditors, notices to team managers and practitioners.

Direct messages only; they carry case references, team and staff names, never a child's name.
"""

from __future__ import annotations

from typing import Any

from bot.slack.ids import Action
from bot.slack.render import Rendered, escape, section, template

MAX_MESSAGE_BLOCKS = 50  # Slack's limit for a message
AUDITS_LISTED = 40  # per message; the rest are counted and found in App Home
SECTION_CHARS = 2900  # under Slack's 3,000 per section text


def _window(d: dict[str, Any]) -> str:
    return (f"look-back {d['lookback_months']} months (from {d['lookback_from']}); "
            f"audits due {d['audit_due']}")


def _subject(audit: dict[str, Any]) -> str:
    return audit["subject"] if audit["is_case"] else f"{audit['subject']} (person audited)"


def audit_block(audit: dict[str, Any]) -> dict[str, Any]:
    """One allocated audit, with its **Start audit** button."""
    worker = f"worker {audit['worker']}" if audit["is_case"] else f"team {audit['team']}"
    text = f"*{_subject(audit)}*: {audit['team']}, {worker}; due {audit['due']}"
    return {
        **section(text),
        "block_id": f"audit-{audit['audit_id']}",
        "accessory": {
            "type": "button",
            "text": {"type": "plain_text", "text": "Start audit"},
            "action_id": Action.AUDIT_START,
            "value": str(audit["audit_id"]),
            "style": "primary",
        },
    }


def _intro(d: dict[str, Any], first: str) -> list[dict[str, Any]]:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{d['cycle']}"[:150]}},
        section(f"{first}\n{d['kind']}: {_window(d)}."),
    ]
    if d.get("theme"):
        blocks.append(section(f"*Theme:* {escape(d['theme'])}"))
    return blocks


def _lines(lines: list[str]) -> list[dict[str, Any]]:
    """Lines in as few sections as their length allows."""
    blocks: list[dict[str, Any]] = []
    chunk = ""
    for line in lines:
        if chunk and len(chunk) + len(line) + 1 > SECTION_CHARS:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return blocks


def _more(total: int) -> list[dict[str, Any]]:
    rest = total - AUDITS_LISTED
    if rest <= 0:
        return []
    return [section(f"…and {rest} more: the *Home* tab of qabot lists them all.")]


@template("cycle.auditor_allocations")
def render_auditor_allocations(d: dict[str, Any]) -> Rendered:
    """An auditor's allocations when a cycle opens: one button per audit."""
    audits = d["audits"]
    count = len(audits)
    text = (f"You have {count} audit{'s' if count != 1 else ''} to do in {d['cycle']}, "
            f"due {d['audit_due']}")
    blocks = _intro(d, f"*{text}.* Press *Start audit* when you are ready; a draft is kept.")
    blocks += [audit_block(a) for a in audits[:AUDITS_LISTED]]
    return text, [*blocks, *_more(count)][:MAX_MESSAGE_BLOCKS]


@template("cycle.audit_reallocated")
def render_audit_reallocated(d: dict[str, Any]) -> Rendered:
    """An audit moved to someone once the cycle was open."""
    text = f"An audit in {d['cycle']} has been allocated to you, due {d['audit_due']}"
    blocks = _intro(d, f"*{text}.* It was reallocated from another auditor.")
    return text, [*blocks, *(audit_block(a) for a in d["audits"][:AUDITS_LISTED])]


@template("cycle.team_audits")
def render_team_audits(d: dict[str, Any]) -> Rendered:
    """A team manager's notice of which of their team's cases (or people) are audited."""
    audits = d["audits"]
    noun = "cases" if all(a["is_case"] for a in audits) else "audits"
    text = f"{len(audits)} of your team's {noun} are being audited in {d['cycle']}"
    lines = [
        f"• *{_subject(a)}* ({a['team']}): "
        + (f"worker {a['worker']}, " if a["is_case"] else "")
        + f"audited by {a['auditor']}, due {a['due']}"
        for a in audits[:AUDITS_LISTED]
    ]
    blocks = _intro(d, f"*{text}.*")
    return text, [*blocks, *_lines(lines), *_more(len(audits))][:MAX_MESSAGE_BLOCKS]


@template("cycle.practitioner_notice")
def render_practitioner_notice(d: dict[str, Any]) -> Rendered:
    """A practitioner told that their case (or their file, or their practice) is audited."""
    audits = d["audits"]
    if all(a["is_case"] for a in audits):
        refs = ", ".join(a["subject"] for a in audits[:AUDITS_LISTED])
        text = f"Your case{'s' if len(audits) != 1 else ''} {refs} will be audited in {d['cycle']}"
    else:
        text = f"Your {d['kind'].lower()} is part of {d['cycle']}"
    lines = [f"• *{_subject(a)}*: audited by {a['auditor']}, due {a['due']}"
             for a in audits[:AUDITS_LISTED]]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{d['cycle']}"[:150]}},
        section(f"*{text}.* The audit can be done with you: your auditor will be in touch, "
                "so that your knowledge of the work is part of it."),
        *_lines(lines),
    ]
    return text, blocks[:MAX_MESSAGE_BLOCKS]
