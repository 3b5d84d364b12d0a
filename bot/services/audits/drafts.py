"""Opening the audit form and saving its draft: at each step, on Save draft, and on close."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.domain.audit_fields import KIND_LABELS
from bot.domain.audit_form import AuditAnswers, FormSpec, default_due, merge_step, step_errors
from bot.services.audits.common import (
    AUDITOR,
    AuditError,
    Loaded,
    Subject,
    check_editable,
    load_checked,
    read_form,
    start,
    subject_of,
    write_draft,
)
from storage.db import unit_of_work


@dataclass(frozen=True)
class FormContext:
    """What the audit modal shows: what is audited, what the form asks, and the draft."""

    audit_id: int
    spec: FormSpec
    kind_label: str
    subject: Subject
    cycle_name: str
    lookback_months: int
    audit_due: date
    today: date
    default_due: date
    answers: AuditAnswers
    saved_at: str | None = None  # local time of the draft just saved, to say so


@dataclass(frozen=True)
class StepResult:
    """A step saved as a draft, and what is wrong with it (empty: move on)."""

    context: FormContext
    errors: dict[str, str]


def context_of(session: Session, loaded: Loaded, answers: AuditAnswers, now: datetime,
               *, saved: bool = False) -> FormContext:
    """The modal's content for an audit and a set of answers."""
    audit, cycle, settings = loaded.audit, loaded.cycle, loaded.settings
    calendar = settings.calendar()
    today = loaded.today(now)
    spec = loaded.spec
    local = now.astimezone(calendar.tz).strftime("%H:%M")
    return FormContext(
        audit_id=audit.id or 0, spec=spec, kind_label=KIND_LABELS.get(cycle.kind, cycle.kind),
        subject=subject_of(session, audit), cycle_name=cycle.name,
        lookback_months=cycle.lookback_months, audit_due=audit.audit_due, today=today,
        default_due=default_due(calendar, today, spec.action_due_months), answers=answers,
        saved_at=local if saved else None,
    )


def open_audit(engine: Engine, *, authority_id: int, actor_slack_id: str, audit_id: int,
               now: datetime) -> FormContext:
    """The form of the person's own audit with its draft restored; it is now in progress."""
    with unit_of_work(engine) as session:
        loaded = load_checked(session, authority_id=authority_id, audit_id=audit_id,
                              actor_slack_id=actor_slack_id, role=AUDITOR, action="audit.open",
                              now=now)
        check_editable(loaded)
        start(session, loaded, actor=actor_slack_id, now=now)
        form = read_form(session, audit_id, AUDITOR)
        context = context_of(session, loaded, AuditAnswers.from_json(form.data if form else None),
                             now)
        session.commit()
        return context


def save_step(engine: Engine, *, authority_id: int, actor_slack_id: str, audit_id: int,
              step: str, typed: AuditAnswers, now: datetime, check: bool = True) -> StepResult:
    """Save what was typed in one step into the draft; with `check`, say what is wrong with it.

    A step with errors saves nothing: the modal stays open with everything typed in it, and
    closing it saves the draft (view_closed), so nothing typed is lost.
    """
    with unit_of_work(engine) as session:
        loaded = load_checked(session, authority_id=authority_id, audit_id=audit_id,
                              actor_slack_id=actor_slack_id, role=AUDITOR, action="audit.draft",
                              now=now)
        check_editable(loaded)
        spec = loaded.spec
        if step not in spec.steps():
            raise AuditError("This form is out of date: close it and start the audit again.")
        form = read_form(session, audit_id, AUDITOR)
        answers = merge_step(spec, AuditAnswers.from_json(form.data if form else None), step,
                             typed)
        errors = step_errors(spec, step, answers, loaded.today(now)) if check else {}
        context = context_of(session, loaded, answers, now, saved=not check)
        if errors:
            return StepResult(context=context, errors=errors)  # discarded: nothing written
        start(session, loaded, actor=actor_slack_id, now=now)
        write_draft(session, audit_id, AUDITOR, answers.model_dump_json(), now)
        session.commit()
        return StepResult(context=context, errors=errors)
