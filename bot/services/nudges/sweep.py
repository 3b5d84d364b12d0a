"""The nudge sweep (`nudges.send`): one message a person a day with everything due for them.

It works out from the database what is due at `now`, so a restart or an outage misses nothing:
the first sweep in working hours after it catches up, once. Exactly-once comes from claims taken
in the transaction that queues the messages: one per person and day, one per item milestone,
escalation and review. Two sweeps at once claim the same keys in the same order; the second
finds them taken and sends nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.domain.nudges import (
    Entry,
    Role,
    claims_to_check,
    day_key,
    entries_today,
    local_day,
    may_send_now,
    plan_day,
)
from bot.domain.rule_settings import RuleSettings
from bot.services.nudges.content import TEMPLATE, action_rows, audit_rows, items_for, message_data
from bot.services.nudges.tracked import load_snapshot
from bot.services.org_view import OrgView
from bot.services.rule_settings import get_settings
from storage import audit_log
from storage.bulk_claims import claim_many, claimed_among, insert_ignore_many
from storage.db import read_only, unit_of_work
from storage.models import Authority, OutboxMessage


@dataclass
class NudgeReport:
    """What a sweep did (or, dry, would do): outbox keys to send, and lines for the operator."""

    keys: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass
class _Planned:
    """One authority's plan for the day, with each message's items."""

    authority_id: int
    today: date
    org: OrgView
    plan: dict[int, list[Entry]]
    items: dict[int, list[dict[str, Any]]]


def sweep_nudges(engine: Engine, *, now: datetime, dry_run: bool = False) -> NudgeReport:
    """Queue today's nudges for every authority (nothing outside working time)."""
    report = NudgeReport()
    with read_only(engine) as session:
        authorities = [a for a in session.exec(select(Authority.id).order_by(col(Authority.id)))
                       if a is not None]
    for authority_id in authorities:
        planned = _plan(engine, authority_id, now, report)
        if planned is None or not planned.plan:
            continue
        if dry_run:
            report.lines += [f"would nudge {planned.org.members[r].email}: {_summary(entries)}"
                             for r, entries in planned.plan.items()]
        else:
            _queue(engine, planned, now, report)
    return report


def _plan(engine: Engine, authority_id: int, now: datetime,
          report: NudgeReport) -> _Planned | None:
    with read_only(engine) as session:
        settings = get_settings(session, authority_id)
        calendar = settings.calendar()
        if not may_send_now(calendar, now, hours_only=settings.nudge_hours_only):
            report.lines.append(f"authority {authority_id}: outside working time, nothing sent")
            return None
        today = local_day(calendar, now)
        snapshot = load_snapshot(session, authority_id, settings, today)
        entries = entries_today(calendar, snapshot.items, today)
        claimed = claimed_among(session, claims_to_check(entries, today))
        plan = plan_day(entries, today, claimed)
        items = _items(session, plan, snapshot.org, settings, today)
    return _Planned(authority_id, today, snapshot.org, plan, items)


def _items(session: Session, plan: dict[int, list[Entry]], org: OrgView, settings: RuleSettings,
           today: date) -> dict[int, list[dict[str, Any]]]:
    """Every message's items, with the details of all of them read in two queries."""
    planned = [entry for entries in plan.values() for entry in entries]
    actions = action_rows(session, {e.record_id for e in planned if e.kind == "action"})
    audits = audit_rows(session, {e.record_id for e in planned
                                  if e.kind in ("audit", "moderation")})
    calendar = settings.calendar()
    return {recipient: items_for(session, entries, org, calendar, today, actions, audits)
            for recipient, entries in plan.items()}


def _queue(engine: Engine, planned: _Planned, now: datetime, report: NudgeReport) -> None:
    today, org = planned.today, planned.org
    with unit_of_work(engine) as session:
        won = claim_many(session, [day_key(r, today) for r in planned.plan], now)
        winners = [r for r in planned.plan if day_key(r, today) in won]
        taken = claim_many(session, {e.claim for r in winners for e in planned.plan[r]}, now)
        rows, sent = [], []
        for recipient in winners:
            key = day_key(recipient, today)
            pairs = [(entry, item) for entry, item in
                     zip(planned.plan[recipient], planned.items[recipient], strict=True)
                     if entry.claim in taken]  # a concurrent sweep may have taken one
            if not pairs:
                continue
            data = message_data(key=key, purpose="daily", day=today, created=now,
                                items=[item for _, item in pairs])
            rows.append(_outbox_row(planned.authority_id, key, org.slack_id(recipient), data, now))
            sent.append((recipient, [entry for entry, _ in pairs]))
        queued = insert_ignore_many(session, OutboxMessage, rows, "key")
        audit_log.record(
            session, authority_id=planned.authority_id, at=now, actor="system",
            action="nudges.sent", record_type="nudge_day", record_id=today.isoformat(),
            after={"messages": len(queued), "escalations": sum(
                1 for _, entries in sent for e in entries if e.role == Role.ESCALATION)},
        )
        session.commit()
    report.keys += sorted(queued)
    report.lines += [f"nudged {org.members[r].email}: {_summary(entries)}" for r, entries in sent]


def _outbox_row(authority_id: int, key: str, to: str, data: dict[str, Any],
                now: datetime) -> dict[str, Any]:
    """An outbox row as `bot.services.outbox.enqueue` writes it, for a many-row insert."""
    return {
        "authority_id": authority_id, "key": key, "kind": "post", "target_key": None,
        "channel": to, "template": TEMPLATE,
        "data": json.dumps(data, sort_keys=True, default=str), "status": "pending",
        "attempts": 0, "not_before": now, "created_at": now, "reported": False,
    }


def _summary(entries: list[Entry]) -> str:
    """`action:12 (due), supervision:34:2026-11-20 (escalation lm)`: refs, never words."""
    parts = []
    for entry in entries:
        why = entry.detail if entry.role == Role.NUDGE else f"{entry.role} {entry.detail}"
        parts.append(f"{entry.ref} ({why})")
    return ", ".join(parts)
