"""The `/qa supervision` answer: every supervisee, with Record session / Record missed."""

from __future__ import annotations

from typing import Any

from bot.services.loop_work import Supervisee
from bot.slack.ids import Action
from bot.slack.render import escape, section

MAX_BLOCKS = 50  # a message's limit (an ephemeral answer is a message)
STATUS = {"no_record": "no session recorded yet", "ok": "on track", "due_soon": "due soon",
          "due": "due today", "overdue": "overdue"}


def supervision_answer(supervisees: list[Supervisee]) -> dict[str, Any]:
    """Each supervisee's last session and next due date, with buttons to record one."""
    if not supervisees:
        text = "You have no supervisees in the directory (nobody has you as line manager)."
        return {"text": text, "blocks": [section(text)]}
    text = f"Your supervisees ({len(supervisees)})"
    blocks: list[dict[str, Any]] = [section(f"*{text}*")]
    shown = 0
    for person in supervisees:
        if len(blocks) + 2 > MAX_BLOCKS - 1:
            break
        last = person.last_held.strftime("%a %d %b %Y") if person.last_held else "none recorded"
        due = f", next due {person.next_due:%a %d %b %Y}" if person.next_due else ""
        blocks.append(section(f"*{escape(person.name)}*: last session {last}{due} "
                              f"({STATUS.get(person.status, person.status)})"))
        value = str(person.staff_id)
        blocks.append({"type": "actions", "block_id": f"supervisee-{person.staff_id}",
                       "elements": [
                           {"type": "button", "text": {"type": "plain_text",
                                                       "text": "Record session"},
                            "action_id": Action.SUPERVISION_RECORD, "value": value,
                            "style": "primary"},
                           {"type": "button", "text": {"type": "plain_text",
                                                       "text": "Record missed"},
                            "action_id": Action.SUPERVISION_MISSED, "value": value},
                       ]})
        shown += 1
    if shown < len(supervisees):
        blocks.append(section(f"…and {len(supervisees) - shown} more — see App Home."))
    return {"text": text, "blocks": blocks}
