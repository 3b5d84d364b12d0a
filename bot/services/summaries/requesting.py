"""`/qa-summary [scope] [period]`: read the words, check the scope, work it out, queue it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.domain.rule_settings import RuleSettings
from bot.domain.summaries import Period, PeriodError, Scope, split_words, words_problem
from bot.services.outbox import Message, enqueue
from bot.services.summaries.access import Asker, asker_in, refuse
from bot.services.summaries.compute import Summary, compute_summary
from bot.services.summaries.downloads import button_value, offered_trackers
from bot.services.summaries.errors import SummaryError
from bot.services.summaries.periods import (
    CycleInfo,
    is_period_words,
    periods_for,
    previous_of,
    resolve_period,
)
from bot.services.summaries.scopes import default_scope, named_scope
from storage.db import read_only, unit_of_work
from storage.models import OutboxMessage

TEMPLATE = "summary.report"


@dataclass(frozen=True)
class SummaryOutcome:
    """A summary queued for its asker: the summary, its message's key, and whom it went to."""

    summary: Summary
    key: str
    to: str
    data: dict[str, Any]
    fresh: bool  # False when the same request was already queued (a repeated delivery)


def _scope_and_period(asker: Asker, text: str, today: date) -> tuple[Scope, Period]:
    first_month = asker.settings.quarter_start_month
    words = split_words(
        text,
        is_scope=lambda w: named_scope(w, asker.person, asker.names) is not None,
        is_period=lambda w: is_period_words(w, asker.cycles, first_month),
    )
    if words is None:
        raise SummaryError(words_problem(text, first_month))
    scope = (named_scope(words.scope, asker.person, asker.names) if words.scope
             else default_scope(asker.person, asker.viewer, asker.names))
    assert scope is not None
    try:
        period = resolve_period(words.period, asker.cycles, first_month, today)
    except PeriodError as exc:
        raise SummaryError(str(exc)) from None
    return scope, period


def summarise(session: Session, *, authority_id: int, settings: RuleSettings,
              cycles: list[CycleInfo], scope: Scope, period: Period, now: datetime) -> Summary:
    """The summary of a scope and period, as at `now` (the scope already allowed)."""
    first_month = settings.quarter_start_month
    trend = periods_for(period, cycles, first_month)
    previous = previous_of(period, trend, first_month)
    today = now.astimezone(settings.calendar().tz).date()
    return compute_summary(session, authority_id=authority_id, settings=settings, scope=scope,
                           trend=trend, has_previous=previous is not None, today=today)


def summarise_for(session: Session, asker: Asker, scope: Scope, period: Period,
                  now: datetime) -> Summary:
    """The summary an asker asked for."""
    return summarise(session, authority_id=asker.authority_id, settings=asker.settings,
                     cycles=asker.cycles, scope=scope, period=period, now=now)


def request_summary(engine: Engine, *, authority_id: int, slack_user_id: str, text: str,
                    request_key: str, now: datetime) -> SummaryOutcome:
    """Work out the summary asked for and queue it to the asker's direct messages.

    Raises SummaryError (in words) for words that name no scope or period, and for a scope the
    asker may not see (written to the audit log); Stranger for someone not in the directory.
    """
    with read_only(engine) as session:
        asker = asker_in(session, authority_id=authority_id, slack_user_id=slack_user_id)
        today = now.astimezone(asker.settings.calendar().tz).date()
        scope, period = _scope_and_period(asker, text, today)
        if not asker.may_see(scope):
            session.close()
            refuse(engine, asker, scope, now)
        summary = summarise_for(session, asker, scope, period, now)
    data = summary.to_data()
    data["downloads"] = [
        {"tracker": tracker, "format": fmt,
         "value": button_value(request_key, tracker, fmt, scope.key, summary.cycle_id)}
        for tracker in offered_trackers() for fmt in ("xlsx", "csv")
    ]
    key = f"summary:{request_key}"
    with unit_of_work(engine) as session:
        fresh = enqueue(session, Message(key, slack_user_id, TEMPLATE, data),
                        authority_id=authority_id, now=now)
        session.commit()
    return SummaryOutcome(summary=summary, key=key, to=slack_user_id, data=data, fresh=fresh)


def delivered_channel(engine: Engine, key: str) -> str | None:
    """The conversation Slack put a sent message in (a DM's `D…` id), if it has been sent."""
    with read_only(engine) as session:
        row = session.exec(
            select(OutboxMessage.sent_channel).where(OutboxMessage.key == key)
        ).first()
    return row or None
