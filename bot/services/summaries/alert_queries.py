"""The Practice Alert figures: counts by category and team, and median times, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal, union_all
from sqlmodel import Session, col, select

from bot.domain.summaries import Scope
from bot.services.summaries.scopes import scope_filter
from bot.services.summaries.sql import (
    Window,
    count_where,
    instant_bucket,
    instant_in_any,
    seconds_between,
)
from storage.alert_models import Alert
from storage.models import Team

ALL_CATEGORIES = "*"


@dataclass
class AlertCounts:
    """One window's alerts: raised, open, escalated, past the limit; by category and team.

    `by_category` and `by_team` hold (raised, open, escalated) each; escalated alerts are those
    that climbed beyond the team manager.
    """

    raised: int = 0
    open: int = 0
    escalated: int = 0
    past_limit: int = 0
    by_category: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    by_team: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    by_stage: dict[int, int] = field(default_factory=dict)


def _in_scope(authority_id: int, scope: Scope, windows: Sequence[Window]) -> list[Any]:
    return [col(Alert.authority_id) == authority_id, instant_in_any(col(Alert.raised_at), windows),
            *scope_filter(scope, col(Alert.team_id), col(Alert.raised_by_id))]


def alert_counts(session: Session, *, authority_id: int, scope: Scope,
                 windows: Sequence[Window]) -> dict[int, AlertCounts]:
    """Alerts raised in each window, grouped by category, team and stage reached."""
    bucket = instant_bucket(col(Alert.raised_at), windows)
    rows = session.execute(
        select(bucket.label("b"), col(Alert.category), Team.name, col(Alert.stage),
               func.count(), count_where(col(Alert.is_open).is_(True)),
               count_where(col(Alert.limit_notified_at).is_not(None)))
        .join(Team, col(Team.id) == col(Alert.team_id))
        .where(*_in_scope(authority_id, scope, windows))
        .group_by(bucket, col(Alert.category), Team.name, col(Alert.stage))
    ).all()
    out: dict[int, AlertCounts] = {}
    for b, category, team, stage, raised, still_open, past_limit in rows:
        counts = out.setdefault(int(b), AlertCounts())
        raised, still_open = int(raised), int(still_open)
        escalated = raised if stage > 0 else 0
        counts.raised += raised
        counts.open += still_open
        counts.escalated += escalated
        counts.past_limit += int(past_limit)
        counts.by_stage[int(stage)] = counts.by_stage.get(int(stage), 0) + raised
        for table, key in ((counts.by_category, category), (counts.by_team, team)):
            before = table.get(key, (0, 0, 0))
            table[key] = (before[0] + raised, before[1] + still_open, before[2] + escalated)
    return out


def alert_medians(session: Session, *, authority_id: int, scope: Scope,
                  windows: Sequence[Window]) -> dict[tuple[int, str, str], float]:
    """Median elapsed hours to acknowledge and to resolve, per window and category.

    Keyed (window, metric, category) with metric `ack` or `resolve`, and category `*` for all.
    The median is picked out by row numbers over each group (no MEDIAN in SQLite).
    """
    bucket = instant_bucket(col(Alert.raised_at), windows)
    where = _in_scope(authority_id, scope, windows)
    parts = []
    for metric, column in (("ack", Alert.acknowledged_at), ("resolve", Alert.resolved_at)):
        seconds = seconds_between(session, col(column), col(Alert.raised_at))
        for category in (col(Alert.category), literal(ALL_CATEGORIES)):
            parts.append(
                select(bucket.label("b"), literal(metric).label("metric"),
                       category.label("category"), seconds.label("seconds"))
                .where(*where, col(column).is_not(None))
            )
    durations = union_all(*parts).subquery()
    group = [durations.c.b, durations.c.metric, durations.c.category]
    ranked = select(
        *group, durations.c.seconds,
        func.row_number().over(partition_by=group, order_by=durations.c.seconds).label("rn"),
        func.count().over(partition_by=group).label("n"),
    ).subquery()
    middle = and_(ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2)
    rows = session.execute(
        select(ranked.c.b, ranked.c.metric, ranked.c.category, func.avg(ranked.c.seconds))
        .where(middle).group_by(ranked.c.b, ranked.c.metric, ranked.c.category)
    ).all()
    return {(int(b), metric, category): round(float(avg) / 3600.0, 1)
            for b, metric, category, avg in rows}
