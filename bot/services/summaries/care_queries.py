"""Supervision kept to frequency, and good practice records: one query each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, null
from sqlmodel import Session, col, select

from bot.domain.summaries import Scope
from bot.services.summaries.scopes import scope_filter
from bot.services.summaries.sql import (
    Window,
    count_where,
    date_bucket,
    date_in_any,
    days_between,
    instant_bucket,
    instant_in_any,
)
from storage.audit_models import GoodPractice, SupervisionRecord
from storage.models import Staff, StaffRole


def _weeks_by_role(frequencies: Mapping[str, int]) -> Any:
    """A subquery: each person's tightest role frequency (NULL when no role has one)."""
    roles = {role: weeks for role, weeks in frequencies.items() if role != "default"}
    weeks = (case(roles, value=col(StaffRole.role), else_=None) if roles
             else cast(null(), Integer))
    return (select(col(StaffRole.staff_id).label("staff_id"), func.min(weeks).label("weeks"))
            .group_by(col(StaffRole.staff_id)).subquery())


def supervision_counts(session: Session, *, authority_id: int, scope: Scope,
                       windows: Sequence[Window], frequencies: Mapping[str, int],
                       assessed_weeks: int) -> dict[int, dict[str, int]]:
    """Sessions held, held with a session before, held within frequency, and missed."""
    s = SupervisionRecord
    # The previous session held by the same supervisee, over their whole history.
    held = (
        select(col(s.supervisee_id).label("supervisee_id"), col(s.held_on).label("held_on"),
               func.lag(col(s.held_on)).over(partition_by=col(s.supervisee_id),
                                             order_by=(col(s.held_on), col(s.id)))
               .label("previous"))
        .where(col(s.authority_id) == authority_id, col(s.held).is_(True))
        .subquery()
    )
    by_role = _weeks_by_role(frequencies)
    weeks = func.coalesce(by_role.c.weeks, frequencies["default"])
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
        .outerjoin(by_role, by_role.c.staff_id == held.c.supervisee_id)
        .where(date_in_any(held.c.held_on, windows),
               *scope_filter(scope, col(Staff.team_id), held.c.supervisee_id))
        .group_by(bucket)
    ).all()
    out = {int(b): {"held": int(n), "with_previous": int(p), "on_time": int(t), "missed": 0}
           for b, n, p, t in rows}
    missed_bucket = date_bucket(col(s.held_on), windows)
    missed = session.execute(
        select(missed_bucket.label("b"), func.count())
        .join(Staff, col(Staff.id) == col(s.supervisee_id))
        .where(col(s.authority_id) == authority_id, col(s.held).is_(False),
               date_in_any(col(s.held_on), windows),
               *scope_filter(scope, col(Staff.team_id), col(s.supervisee_id)))
        .group_by(missed_bucket)
    ).all()
    for b, n in missed:
        out.setdefault(int(b), {"held": 0, "with_previous": 0, "on_time": 0})["missed"] = int(n)
    return out


def good_practice_counts(session: Session, *, authority_id: int, scope: Scope,
                         windows: Sequence[Window]) -> dict[int, int]:
    """Good practice records given in each window."""
    bucket = instant_bucket(col(GoodPractice.given_at), windows)
    rows = session.execute(
        select(bucket.label("b"), func.count())
        .where(col(GoodPractice.authority_id) == authority_id,
               instant_in_any(col(GoodPractice.given_at), windows),
               *scope_filter(scope, col(GoodPractice.team_id), col(GoodPractice.practitioner_id)))
        .group_by(bucket)
    ).all()
    return {int(b): int(n) for b, n in rows}
