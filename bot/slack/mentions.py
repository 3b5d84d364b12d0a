"""Reading a user mention from a command's text (`should_escape: true` sends `<@U123|name>`)."""

from __future__ import annotations

import re

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def leading_mention(text: str) -> tuple[str, str] | None:
    """The Slack user id mentioned first in `text`, and the words after it; None if none is."""
    words = text.strip()
    found = _MENTION.match(words)
    if found is None:
        return None
    return found[1], words[found.end():].strip()
