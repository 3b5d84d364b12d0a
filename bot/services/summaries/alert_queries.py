"""The Practice Alert figures: counts by category and team, and median times, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, literal, union_all
from sqlmodel import Session, col, select

from bot.domain.summaries import Scope
from bot.services.summaries.scopes import scope_filter
from bot.services.summaries.sql import (
    Window,
    count_where,
    instant_within,
    median,
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


def _in_scope(authority_id: int, scope: Scope, window: Window) -> list[Any]:
    return [col(Alert.authority_id) == authority_id, instant_within(col(Alert.raised_at), window),
            *scope_filter(scope, col(Alert.team_id), col(Alert.raised_by_id))]


def alert_counts(session: Session, *, authority_id: int, scope: Scope,
                 windows: Sequence[Window]) -> dict[int, AlertCounts]:
    """Alerts raised in each window: in total by stage reached, by category, and by team.

    Three small groupings of the same index range per window, rather than one grouping by all
    three (which would return categories x teams x stages rows).
    """
    escalated = count_where(col(Alert.stage) > 0)

    def counts() -> list[Any]:
        return [func.count(), count_where(col(Alert.is_open).is_(True)), escalated,
                count_where(col(Alert.limit_notified_at).is_not(None))]

    def part(window: Window, b: Any) -> Any:
        where = _in_scope(authority_id, scope, window)
        stage = cast(col(Alert.stage), String)
        return union_all(
            select(b, literal("stage").label("kind"), stage.label("key"), *counts())
            .where(*where).group_by(col(Alert.stage)),
            select(b, literal("category"), col(Alert.category), *counts())
            .where(*where).group_by(col(Alert.category)),
            select(b, literal("team"), Team.name, *counts())
            .join(Team, col(Team.id) == col(Alert.team_id)).where(*where).group_by(Team.name),
        ).subquery().select()

    out: dict[int, AlertCounts] = {}
    for b, kind, key, raised, still_open, up, past_limit in session.execute(
            union_all(*[part(w, literal(w.index).label("b")) for w in windows])).all():
        found = out.setdefault(int(b), AlertCounts())
        row = (int(raised), int(still_open), int(up))
        if kind == "stage":
            found.raised += row[0]
            found.open += row[1]
            found.escalated += row[2]
            found.past_limit += int(past_limit)
            found.by_stage[int(key)] = row[0]
        elif kind == "category":
            found.by_category[key] = row
        else:
            found.by_team[key] = row
    return out


def alert_medians(session: Session, *, authority_id: int, scope: Scope,
                  windows: Sequence[Window]) -> dict[tuple[int, str, str], float]:
    """Median elapsed hours to acknowledge and to resolve, per window and category.

    Keyed (window, metric, category) with metric `ack` or `resolve`, and category `*` for all.
    """
    ack = seconds_between(session, col(Alert.acknowledged_at), col(Alert.raised_at))
    resolve = seconds_between(session, col(Alert.resolved_at), col(Alert.raised_at))

    def part(window: Window, b: Any) -> Any:
        where = _in_scope(authority_id, scope, window)
        return union_all(
            select(b, col(Alert.category).label("category"), median(session, ack),
                   median(session, resolve)).where(*where).group_by(col(Alert.category)),
            select(b, literal(ALL_CATEGORIES).label("category"), median(session, ack),
                   median(session, resolve)).where(*where),
        )

    statement = union_all(*[part(w, literal(w.index).label("b")).subquery().select()
                            for w in windows])
    out: dict[tuple[int, str, str], float] = {}
    for b, category, ack_s, resolve_s in session.execute(statement).all():
        for metric, seconds in (("ack", ack_s), ("resolve", resolve_s)):
            if seconds is not None:
                out[(int(b), metric, category)] = round(float(seconds) / 3600.0, 1)
    return out
