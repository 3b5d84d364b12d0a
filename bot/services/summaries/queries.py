"""The audit and action figures: one GROUP BY query each, whatever the size of the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import JSON, and_, cast, func, literal, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.domain.cycles import CANCELLED
from bot.domain.summaries import CYCLE, Scope
from bot.services.summaries.scopes import scope_filter
from bot.services.summaries.sql import (
    Window,
    count_where,
    date_within,
    dialect,
    per_window,
)
from storage.audit_models import Action, Audit, AuditForm

Counts = dict[int, dict[str, int]]


def _audit_within(window: Window) -> ColumnElement[bool]:
    """An audit is in a window: of its cycle for a cycle, else due in it."""
    if window.period.kind == CYCLE:
        return col(Audit.cycle_id) == window.period.cycle_id
    return date_within(col(Audit.audit_due), window)


def _audits_in(scope: Scope, authority_id: int, window: Window) -> list[Any]:
    return [col(Audit.authority_id) == authority_id, _audit_within(window),
            col(Audit.status) != CANCELLED,
            *scope_filter(scope, col(Audit.team_id), col(Audit.worker_id),
                          col(Audit.subject_staff_id))]


def audit_counts(session: Session, *, authority_id: int, scope: Scope,
                 windows: Sequence[Window], today: date) -> Counts:
    """Audits allocated, submitted, overdue, moderated, and moderations agreed, per window."""
    submitted = col(Audit.submitted_at).is_not(None)

    def part(window: Window, b: Any) -> Any:
        columns: list[Any] = [
            b, func.count(),
            count_where(submitted),
            count_where(and_(~submitted, col(Audit.audit_due) < today)),
            count_where(col(Audit.moderated_at).is_not(None)),
            count_where(col(Audit.moderation_agreed).is_(True)),
            count_where(col(Audit.moderation_agreed).is_not(None)),
        ]
        return select(*columns).where(*_audits_in(scope, authority_id, window))

    rows = session.execute(per_window(windows, part)).all()
    names = ("allocated", "submitted", "overdue", "moderated", "agreed", "judged")
    return {int(b): dict(zip(names, map(int, rest), strict=True)) for b, *rest in rows}


def grade_counts(session: Session, *, authority_id: int, scope: Scope,
                 windows: Sequence[Window]) -> dict[int, dict[str | None, int]]:
    """Submitted audits by final grade (the moderated grade when present), per window."""
    final = func.coalesce(col(Audit.moderated_grade), col(Audit.auditor_grade))

    def part(window: Window, b: Any) -> Any:
        return (select(b, final.label("g"), func.count())
                .where(*_audits_in(scope, authority_id, window),
                       col(Audit.submitted_at).is_not(None))
                .group_by(final))

    out: dict[int, dict[str | None, int]] = {}
    for b, grade, n in session.execute(per_window(windows, part)).all():
        out.setdefault(int(b), {})[grade] = int(n)
    return out


def domain_counts(session: Session, *, authority_id: int, scope: Scope,
                  window: Window) -> dict[str, dict[str, int]]:
    """The submitted forms' domain grades in one window: domain -> grade -> count.

    The auditor's record is JSON `{"domains": {key: {"grade": g, ...}}, ...}`
    (`bot.domain.audit_form.AuditAnswers`); the grades are counted inside the database.
    """
    grade: Any
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
        .where(*_audits_in(scope, authority_id, window), col(Audit.submitted_at).is_not(None))
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
    status = col(Action.status)
    done = func.coalesce(col(Action.done_on), col(Action.verified_on))

    def part(window: Window, b: Any) -> Any:
        columns: list[Any] = [
            b, func.count(),
            count_where(status != "closed"),
            count_where(and_(status == "open", col(Action.due) < today)),
            count_where(and_(status == "closed", done <= col(Action.due))),
        ]
        return select(*columns).where(
            col(Action.authority_id) == authority_id, date_within(col(Action.due), window),
            *scope_filter(scope, col(Action.team_id), col(Action.owner_id)))

    rows = session.execute(per_window(windows, part)).all()
    names = ("due", "open", "overdue", "closed_on_time")
    return {int(b): dict(zip(names, map(int, rest), strict=True)) for b, *rest in rows}
