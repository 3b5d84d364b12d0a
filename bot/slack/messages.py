"""Block Kit for `/qa` answers and App Home: pure functions of service results."""

from __future__ import annotations

from typing import Any

from bot.services.my_work import MyWork
from bot.slack.render import section

REFUSAL = (
    "Sorry, qabot is only for staff in your service's QA directory, and I can't find you "
    "there as an active member of staff. If you think you should have access, please ask "
    "your QA lead."
)
MAX_BLOCKS = 100  # Slack's limit for a view (a message's is 50)
MESSAGE_ITEMS, HOME_ITEMS = 20, 45
PRIVACY_NOTE = "qabot holds case references only: never type a child's or family's name."
HELP = (
    "*What you can do*\n"
    "• `/qa`: your open work (audits, moderation, actions, supervision, alerts)\n"
    "• `/qa help`: this help\n"
    "• Open the *Home* tab of qabot to see the same with buttons"
)


def _work_blocks(work: MyWork, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` items, two blocks each, and a count of the rest."""
    if not work.items:
        return [section("You have no open work at the moment.")]
    blocks = [section(f"*Your open work* ({len(work.items) + work.more})")]
    for item in work.items[:limit]:
        line = f"*{item.reference}*: {item.summary}" + (f" (due {item.due})" if item.due else "")
        blocks.append(section(line))
        if item.buttons:
            blocks.append({"type": "actions", "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": b.label},
                 "action_id": b.action_id, "value": b.value}
                for b in item.buttons
            ]})
    rest = work.more + max(0, len(work.items) - limit)
    if rest:
        blocks.append(section(f"…and {rest} more."))
    return blocks


def qa_answer(work: MyWork) -> dict[str, Any]:
    """The ephemeral answer to `/qa`."""
    blocks = [
        *_work_blocks(work, MESSAGE_ITEMS),
        {"type": "divider"},
        section(HELP),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": PRIVACY_NOTE}]},
    ]
    count = len(work.items) + work.more
    return {"text": f"You have {count} open item{'s' if count != 1 else ''}.", "blocks": blocks}


def refusal() -> dict[str, Any]:
    """The polite refusal for someone not in the directory, or inactive."""
    return {"text": REFUSAL, "blocks": [section(REFUSAL)]}


def home_view(work: MyWork | None) -> dict[str, Any]:
    """The App Home tab."""
    if work is None:
        return {"type": "home", "blocks": [section(REFUSAL)]}
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your QA work"}},
        *_work_blocks(work, HOME_ITEMS),
        {"type": "divider"},
        section(HELP),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": PRIVACY_NOTE}]},
    ]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
