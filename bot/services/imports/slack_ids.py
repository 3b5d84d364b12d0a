"""Filling in Slack user ids found by e-mail (PRODUCT.md section 1: "found by e-mail")."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.services.imports.bulk import update_by_id
from storage import audit_log
from storage.directory_version import bump_directory_version
from storage.models import Staff


@dataclass(frozen=True)
class SlackIdLookup:
    """What a directory search found: Slack user ids by e-mail, and the e-mails not found."""

    found: dict[str, str] = field(default_factory=dict)
    not_found: list[str] = field(default_factory=list)


#: The port the Slack side implements: e-mails in, what Slack knows of them out.
FindSlackIds = Callable[[Collection[str]], SlackIdLookup]


def staff_without_slack_ids(session: Session, *, authority_id: int) -> list[str]:
    """The e-mails of active staff with no Slack user id yet, sorted."""
    return sorted(
        session.exec(
            select(Staff.email).where(
                Staff.authority_id == authority_id,
                Staff.slack_user_id == None,  # noqa: E711
                Staff.active == True,  # noqa: E712
            )
        ).all()
    )


def store_slack_ids(
    session: Session,
    *,
    authority_id: int,
    found: Mapping[str, str],
    actor: str,
    now: datetime,
) -> int:
    """Record the Slack ids found for people who had none; how many were stored.

    The caller commits.
    """
    bump_directory_version(session, authority_id)
    ids = {
        email: staff_id
        for staff_id, email in session.execute(
            select(Staff.id, Staff.email).where(
                Staff.authority_id == authority_id,
                Staff.slack_user_id == None,  # noqa: E711
            )
        ).all()
    }
    rows = [
        {"id": ids[email], "slack_user_id": slack_id}
        for email, slack_id in sorted(found.items())
        if email in ids
    ]
    update_by_id(session, Staff, rows)
    audit_log.record(
        session,
        authority_id=authority_id,
        at=now,
        actor=actor,
        action="import.slack_ids",
        record_type="import",
        record_id="staff",
        after={"found": len(rows)},
    )
    return len(rows)


def fill_slack_ids(
    session: Session, *, authority_id: int, find: FindSlackIds, actor: str, now: datetime
) -> SlackIdLookup:
    """Look up everyone without a Slack id and store what is found; the caller commits."""
    emails = staff_without_slack_ids(session, authority_id=authority_id)
    if not emails:
        return SlackIdLookup()
    lookup = find(emails)
    store_slack_ids(session, authority_id=authority_id, found=lookup.found, actor=actor, now=now)
    return lookup
