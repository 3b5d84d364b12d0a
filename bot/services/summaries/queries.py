"""The audit and action figures: one GROUP BY query each, whatever the size of the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import JSON, and_, case, cast, func, literal, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.domain.cycles import CANCELLED
from bot.domain.summaries import CYCLE, Scope
from bot.services.summaries.scopes import scope_filter
from bot.services.summaries.sql import (
    Window,
    count_where,
    date_bucket,
    date_in_any,
    dialect,
)
from storage.audit_models import Action, Audit, AuditForm

Counts = dict[int, dict[str, int]]


def _audit_bucket(windows: Sequence[Window]) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """The window of an audit, and the filter: by cycle for cycles, else by due date."""
    if windows and windows[0].period.kind == CYCLE:
        ids = {w.period.cycle_id: w.index for w in windows}
        return (case(ids, value=col(Audit.cycle_id), else_=None),
                col(Audit.cycle_id).in_(list(ids)))
    return date_bucket(col(Audit.audit_due), windows), date_in_any(col(Audit.audit_due), windows)


def _audits_in(scope: Scope, authority_id: int, windows: Sequence[Window]) -> list[Any]:
    _, within = _audit_bucket(windows)
    return [col(Audit.authority_id) == authority_id, col(Audit.status) != CANCELLED, within,
            *scope_filter(scope, col(Audit.team_id), col(Audit.worker_id),
                          col(Audit.subject_staff_id))]


def audit_counts(session: Session, *, authority_id: int, scope: Scope,
                 windows: Sequence[Window], today: date) -> Counts:
    """Audits allocated, submitted, overdue, moderated, and moderations agreed, per window."""
    bucket, _ = _audit_bucket(windows)
    submitted = col(Audit.submitted_at).is_not(None)
    rows = session.execute(
        select(
            bucket.label("b"), func.count(),
            count_where(submitted),
            count_where(and_(~submitted, col(Audit.audit_due) < today)),
            count_where(col(Audit.moderated_at).is_not(None)),
            count_where(col(Audit.moderation_agreed).is_(True)),
            count_where(col(Audit.moderation_agreed).is_not(None)),
        ).where(*_audits_in(scope, authority_id, windows)).group_by(bucket)
    ).all()
    names = ("allocated", "submitted", "overdue", "moderated", "agreed", "judged")
    return {int(b): dict(zip(names, map(int, rest), strict=True)) for b, *rest in rows}


def grade_counts(session: Session, *, authority_id: int, scope: Scope,
                 windows: Sequence[Window]) -> dict[int, dict[str | None, int]]:
    """Submitted audits by final grade (the moderated grade when present), per window."""
    bucket, _ = _audit_bucket(windows)
    final = func.coalesce(col(Audit.moderated_grade), col(Audit.auditor_grade))
    rows = session.execute(
        select(bucket.label("b"), final.label("g"), func.count())
        .where(*_audits_in(scope, authority_id, windows), col(Audit.submitted_at).is_not(None))
        .group_by(bucket, final)
    ).all()
    out: dict[int, dict[str | None, int]] = {}
    for b, grade, n in rows:
        out.setdefault(int(b), {})[grade] = int(n)
    return out


def domain_counts(session: Session, *, authority_id: int, scope: Scope,
                  window: Window) -> dict[str, dict[str, int]]:
    """The submitted forms' domain grades in one window: domain -> grade -> count.

    The auditor's record is JSON `{"domains": {key: {"grade": g, ...}}, ...}`
    (`bot.domain.audit_form.AuditAnswers`); the grades are counted inside the database.
    """
    if dialect(session) == "postgresql":
        entries = func.json_each(cast(col(AuditForm.data), JSON)["domains"]).table_valued(
            "key", "value", joins_implicitly=True)
        grade = entries.c.value.op("->>")(literal("grade"))
    else:
        entries = func.json_each(col(AuditForm.data), "$.domains").table_valued(
            "key", "value", joins_implicitly=True)
        grade = func.json_extract(entries.c.value, "$.grade")
    rows = session.execute(
        select(entries.c.key, grade, func.count())
        .select_from(Audit)
        .join(AuditForm, and_(col(AuditForm.audit_id) == col(Audit.id),
                              col(AuditForm.role) == "auditor",
                              col(AuditForm.is_draft).is_(False)))
        .join(entries, true())
        .where(*_audits_in(scope, authority_id, [window]), col(Audit.submitted_at).is_not(None))
        .group_by(entries.c.key, grade)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for domain, graded, n in rows:
        if graded is not None:
            out.setdefault(str(domain), {})[str(graded)] = int(n)
    return out


def action_counts(session: Session, *, authority_id: int, scope: Scope,
                  windows: Sequence[Window], today: date) -> Counts:
    """Actions due, open, overdue and closed on time, per window of their due date."""
    bucket = date_bucket(col(Action.due), windows)
    status = col(Action.status)
    done = func.coalesce(col(Action.done_on), col(Action.verified_on))
    rows = session.execute(
        select(
            bucket.label("b"), func.count(),
            count_where(status != "closed"),
            count_where(and_(status == "open", col(Action.due) < today)),
            count_where(and_(status == "closed", done <= col(Action.due))),
        ).where(
            col(Action.authority_id) == authority_id, date_in_any(col(Action.due), windows),
            *scope_filter(scope, col(Action.team_id), col(Action.owner_id)),
        ).group_by(bucket)
    ).all()
    names = ("due", "open", "overdue", "closed_on_time")
    return {int(b): dict(zip(names, map(int, rest), strict=True)) for b, *rest in rows}
