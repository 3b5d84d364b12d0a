"""The QA lead's section of App Home: cycles, their buttons, and audits to reassign."""

from __future__ import annotations

from typing import Any

from bot.domain.cycles import KIND_LABELS
from bot.services.cycles.overview import CycleCard, QaLeadOverview
from bot.slack.ids import Action
from bot.slack.render import escape, section

#: The most blocks the section takes (App Home holds 100 in all).
QA_BLOCKS = 50


def _button(text: str, action: Action, value: str, style: str | None = None,
            confirm: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text},
                              "action_id": action, "value": value}
    if style:
        button["style"] = style
    if confirm:
        button["confirm"] = {
            "title": {"type": "plain_text", "text": "Are you sure?"},
            "text": {"type": "plain_text", "text": confirm},
            "confirm": {"type": "plain_text", "text": "Yes"},
            "deny": {"type": "plain_text", "text": "Not yet"},
        }
    return button


def _card(card: CycleCard) -> list[dict[str, Any]]:
    line = card.line
    value = str(line.cycle_id)
    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in line.audits.items())
    text = (f"*{escape(line.name)}* ({KIND_LABELS.get(line.kind, line.kind)}): "
            f"*{line.status}*; opens {line.opens_on}, audits due {line.audit_due}; "
            f"{line.sample_rule}" + (f"; {counts}" if counts else ""))
    buttons = []
    if card.can_preview:
        buttons.append(_button("Preview draw", Action.CYCLE_PREVIEW, value))
    if card.can_open:
        buttons.append(_button("Open", Action.CYCLE_OPEN, value, "primary",
                               confirm=f"Send {line.name}'s allocations and notices now?"))
    buttons.append(_button("Mark unavailable", Action.CYCLE_UNAVAILABLE, value))
    if card.can_close:
        buttons.append(_button("Close", Action.CYCLE_CLOSE, value, "danger",
                               confirm=f"Close {line.name}?"))
    blocks: list[dict[str, Any]] = [
        section(text),
        {"type": "actions", "block_id": f"cycle-{line.cycle_id}", "elements": buttons},
    ]
    for audit in card.audits:
        stuck = ":warning: auditor unavailable; " if audit.audit_id in card.stuck else ""
        blocks.append({
            **section(f"{stuck}{escape(audit.subject)} ({escape(audit.team)}): audited by "
                      f"{escape(audit.auditor)}, {audit.status.replace('_', ' ')}"),
            "accessory": _button("Reassign", Action.AUDIT_REASSIGN, str(audit.audit_id)),
        })
    if card.more_audits:
        blocks.append({"type": "context", "elements": [{
            "type": "mrkdwn",
            "text": f"…and {card.more_audits} more audits not yet submitted "
                    "(`qabot export allocations` lists them all).",
        }]})
    return blocks


def qa_lead_blocks(overview: QaLeadOverview) -> list[dict[str, Any]]:
    """The QA lead's section, within ``QA_BLOCKS`` blocks."""
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Audit cycles (QA lead)"}},
        {"type": "actions", "block_id": "cycles", "elements": [
            _button("Create cycle", Action.CYCLE_CREATE, "new", "primary")]},
    ]
    if not overview.cycles:
        blocks.append(section("No cycle is in progress."))
    for card in overview.cycles:
        card_blocks = _card(card)
        if len(blocks) + len(card_blocks) > QA_BLOCKS - 1:
            break
        blocks += card_blocks
    if overview.more_cycles:
        blocks.append(section(f"…and {overview.more_cycles} more cycles (`qabot cycle list`)."))
    return blocks[:QA_BLOCKS]
