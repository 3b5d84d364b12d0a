"""Finding Slack user ids by e-mail, for staff imported without one.

The command line calls this (not a request thread), so waiting out a rate limit here is
right: a 429's Retry-After is slept and the call retried, a bounded number of times.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services.imports.slack_ids import SlackIdLookup

#: Above this many people one paged users.list beats a users.lookupByEmail each.
BULK_THRESHOLD = 20
PAGE_SIZE = 200
MAX_ATTEMPTS = 5  # per Web API call, counting the first


class SlackLookupError(Exception):
    """Slack could not be asked (bad token, missing scope, network); one line."""

    def __init__(self, message: str, error: str | None = None) -> None:
        super().__init__(message)
        self.error = error  # Slack's error code, when Slack answered one


def find_slack_ids(
    client: WebClient,
    emails: Collection[str],
    *,
    bulk_threshold: int = BULK_THRESHOLD,
    sleep: Callable[[float], None] = time.sleep,
) -> SlackIdLookup:
    """The Slack user ids of these e-mails (matched without regard to case), and who is absent.

    Many e-mails: users.list, paged 200 at a time. A few: users.lookupByEmail each.
    """
    wanted = sorted({email.lower() for email in emails})
    if len(wanted) > bulk_threshold:
        directory = _all_members(client, sleep)
        found = {email: directory[email] for email in wanted if email in directory}
    else:
        found = {}
        for email in wanted:
            user_id = _lookup(client, email, sleep)
            if user_id:
                found[email] = user_id
    return SlackIdLookup(found=found, not_found=[e for e in wanted if e not in found])


def _all_members(client: WebClient, sleep: Callable[[float], None]) -> dict[str, str]:
    members: dict[str, str] = {}
    cursor = ""
    while True:
        page = _call(client.users_list, sleep, limit=PAGE_SIZE, cursor=cursor or None)
        for member in page.get("members") or []:
            email = (member.get("profile") or {}).get("email")
            # Deactivated accounts and bots cannot receive the bot's messages.
            if email and not member.get("deleted") and not member.get("is_bot"):
                members[email.lower()] = member["id"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return members


def _lookup(client: WebClient, email: str, sleep: Callable[[float], None]) -> str | None:
    try:
        answer = _call(client.users_lookupByEmail, sleep, email=email)
    except SlackLookupError as exc:
        if exc.error == "users_not_found":
            return None
        raise
    user = answer.get("user") or {}
    return None if user.get("deleted") or user.get("is_bot") else user.get("id")


def _call(method: Callable[..., Any], sleep: Callable[[float], None], **params: Any) -> Any:
    """One Web API call, waiting out 429s; SlackLookupError for anything else."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return method(**params)
        except SlackApiError as exc:
            if exc.response.status_code == 429 and attempt < MAX_ATTEMPTS:
                sleep(_retry_after(exc.response.headers))
                continue
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            raise SlackLookupError(
                f"Slack answered {error or exc.response.status_code}", error
            ) from None
        except (SlackClientError, OSError) as exc:
            raise SlackLookupError(f"Slack could not be reached ({type(exc).__name__})") from None
    raise AssertionError("unreachable")  # the loop returns or raises


def _retry_after(headers: Any) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return 1.0
