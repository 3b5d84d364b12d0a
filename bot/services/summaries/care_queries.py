"""Supervision kept to frequency, and good practice records: one query each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, case, func, literal
from sqlmodel import Session, col, select

from bot.domain.summaries import ME, Scope
from bot.services.summaries.scopes import scope_filter
from bot.services.summaries.sql import (
    Window,
    count_where,
    date_bucket,
    date_in_any,
    date_within,
    days_between,
    instant_within,
    per_window,
)
from storage.audit_models import GoodPractice, SupervisionRecord
from storage.models import Staff, StaffRole


def _role_weeks(frequencies: Mapping[str, int], supervisee: Any) -> Any:
    """A supervisee's tightest role frequency (NULL when none of their roles has one).

    A correlated subquery on the role table's key, so each session costs one index lookup;
    None when no role has a frequency of its own (the default applies to everyone).
    """
    roles = {role: weeks for role, weeks in frequencies.items() if role != "default"}
    if not roles:
        return None
    return (select(func.min(case(roles, value=col(StaffRole.role), else_=None)))
            .where(col(StaffRole.staff_id) == supervisee).scalar_subquery())


def _supervisees_in(scope: Scope, supervisee: Any) -> list[Any]:
    """Keep whole supervisees in scope (so each one's previous session is still theirs)."""
    if scope.kind == ME:
        return [supervisee == scope.staff_id]
    if scope.team_ids is None:
        return []
    return [supervisee.in_(select(col(Staff.id)).where(
        col(Staff.team_id).in_(sorted(scope.team_ids))))]


def supervision_counts(session: Session, *, authority_id: int, scope: Scope,
                       windows: Sequence[Window], frequencies: Mapping[str, int],
                       assessed_weeks: int) -> dict[int, dict[str, int]]:
    """Sessions held, held with a session before, held within frequency, and missed."""
    s = SupervisionRecord
    # The previous session held by the same supervisee, over their whole history (the
    # ix_supervision_summary index gives the rows in this order).
    held = (
        select(col(s.supervisee_id).label("supervisee_id"), col(s.held_on).label("held_on"),
               func.lag(col(s.held_on)).over(partition_by=col(s.supervisee_id),
                                             order_by=(col(s.held_on), col(s.id)))
               .label("previous"))
        .where(col(s.authority_id) == authority_id, col(s.held).is_(True),
               *_supervisees_in(scope, col(s.supervisee_id)))
        .subquery()
    )
    by_role = _role_weeks(frequencies, held.c.supervisee_id)
    default = frequencies["default"]
    weeks: Any = literal(default) if by_role is None else func.coalesce(by_role, default)
    in_assessed_year = and_(col(Staff.assessed_year_until).is_not(None),
                            held.c.held_on <= col(Staff.assessed_year_until))
    weeks = case((and_(in_assessed_year, weeks > assessed_weeks), assessed_weeks), else_=weeks)
    gap = days_between(session, held.c.held_on, held.c.previous)
    bucket = date_bucket(held.c.held_on, windows)
    rows = session.execute(
        select(bucket.label("b"), func.count(), count_where(held.c.previous.is_not(None)),
               count_where(and_(held.c.previous.is_not(None), gap <= weeks * 7)))
        .select_from(held)
        .join(Staff, col(Staff.id) == held.c.supervisee_id)
        .where(date_in_any(held.c.held_on, windows))
        .group_by(bucket)
    ).all()
    out = {int(b): {"held": int(n), "with_previous": int(p), "on_time": int(t), "missed": 0}
           for b, n, p, t in rows}

    def missed(window: Window, b: Any) -> Any:
        return (select(b, func.count()).select_from(s)
                .join(Staff, col(Staff.id) == col(s.supervisee_id))
                .where(col(s.authority_id) == authority_id, col(s.held).is_(False),
                       date_within(col(s.held_on), window),
                       *scope_filter(scope, col(Staff.team_id), col(s.supervisee_id))))

    for b, n in session.execute(per_window(windows, missed)).all():
        out.setdefault(int(b), {"held": 0, "with_previous": 0, "on_time": 0})["missed"] = int(n)
    return out


def good_practice_counts(session: Session, *, authority_id: int, scope: Scope,
                         windows: Sequence[Window]) -> dict[int, int]:
    """Good practice records given in each window."""
    def part(window: Window, b: Any) -> Any:
        return select(b, func.count()).where(
            col(GoodPractice.authority_id) == authority_id,
            instant_within(col(GoodPractice.given_at), window),
            *scope_filter(scope, col(GoodPractice.team_id), col(GoodPractice.practitioner_id)))

    return {int(b): int(n) for b, n in session.execute(per_window(windows, part)).all()}
