"""Block Kit for `/qa` answers and App Home: pure functions of service results."""

from __future__ import annotations

from typing import Any

from bot.services.my_work import MyWork
from bot.slack.cycle_home import qa_lead_blocks
from bot.slack.ids import Action
from bot.slack.render import escape, section
from bot.slack.summary_messages import headline_blocks

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
    "• `/qa supervision`: your supervisees, to record a session held or missed\n"
    "• `/qa-summary [scope] [period]`: QA figures, e.g. `/qa-summary all 2026-Q3`\n"
    "• `/good-practice @person [case reference] what was good`: thank someone\n"
    "• `/qa help`: this help\n"
    "• Open the *Home* tab of qabot to see the same with buttons"
)


def _work_blocks(work: MyWork, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Up to `limit` items, two blocks each, and a count of the rest."""
    if not work.items:
        return [section("You have no open work at the moment.")]
    blocks = [section(f"*Your open work* ({len(work.items) + work.more})")]
    for item in work.items[offset:offset + limit]:
        # Escaped: an action's summary is words someone typed.
        line = f"*{escape(item.reference)}*: {escape(item.summary)}" + (
            f" (due {item.due})" if item.due else "")
        blocks.append(section(line))
        if item.buttons:
            blocks.append({"type": "actions", "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": b.label},
                 "action_id": b.action_id, "value": b.value}
                for b in item.buttons
            ]})
    rest = work.more + max(0, len(work.items) - offset - limit)
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


def _pager(page: int, pages: int) -> list[dict[str, Any]]:
    """Buttons to the previous and next pages of work items (none when one page holds all)."""
    if pages <= 1:
        return []
    buttons = []
    if page > 0:
        buttons.append({"type": "button", "text": {"type": "plain_text", "text": "Previous"},
                        "action_id": Action.HOME_PAGE_PREVIOUS, "value": str(page - 1)})
    if page < pages - 1:
        buttons.append({"type": "button", "text": {"type": "plain_text", "text": "More"},
                        "action_id": Action.HOME_PAGE_NEXT, "value": str(page + 1)})
    return [{"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"Page {page + 1} of {pages}"}]},
            {"type": "actions", "block_id": "home.pages", "elements": buttons}]


def home_view(work: MyWork | None, *, page: int = 0,
              headline: dict[str, Any] | None = None) -> dict[str, Any]:
    """The App Home tab: a page of the person's work, and a leader's headline figures."""
    if work is None:
        return {"type": "home", "blocks": [section(REFUSAL)]}
    qa = qa_lead_blocks(work.cycles) if work.cycles is not None else []
    top = headline_blocks(headline) if headline else []
    # Two blocks an item: the QA lead's section, the headline and the pager take their share
    # of the 100 first; the rest of the items are on further pages.
    items = min(HOME_ITEMS, (MAX_BLOCKS - len(qa) - len(top) - 8) // 2)
    pages = max(1, -(-len(work.items) // items))
    page = min(max(page, 0), pages - 1)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your QA work"}},
        *top,
        *_work_blocks(work, items, page * items),
        *_pager(page, pages),
        *qa,
        {"type": "divider"},
        section(HELP),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": PRIVACY_NOTE}]},
    ]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
