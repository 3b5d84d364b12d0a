"""Submitting an audit: the grade, the record, the actions, and everyone who must be told."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain.audit_fields import ACTIONS, action_field
from bot.domain.audit_form import (
    AuditAnswers,
    errors_for_step,
    form_errors,
    headline_grade,
    merge_step,
)
from bot.services.alerts.common import AlertError
from bot.services.alerts.raising import NewAlert, raise_alert
from bot.services.audits import notices
from bot.services.audits.common import (
    AUDITOR,
    AuditError,
    FormInvalid,
    Loaded,
    check_editable,
    load_checked,
    log_audit,
    read_form,
    snapshot,
    subject_of,
    write_record,
)
from storage.audit_models import Action
from storage.db import unit_of_work
from storage.models import Staff
from storage.sql import insert_ignore

URGENT_ASK = ("Please review the case now and respond with a plan: this urgent concern was "
              "raised by the auditor during a QA audit.")


@dataclass
class SubmitOutcome:
    """What submitting did: the messages to send now, and what to tell the auditor."""

    subject: str
    grade: str | None
    actions: int
    moderated: bool
    keys: list[str] = field(default_factory=list)
    duplicate: bool = False
    alert_reference: str | None = None
    alert_problem: str | None = None


@dataclass
class _Recorded:
    outcome: SubmitOutcome
    case_ref: str | None
    answers: AuditAnswers


def submit_audit(engine: Engine, *, authority_id: int, actor_slack_id: str, audit_id: int,
                 typed: AuditAnswers, source_key: str, now: datetime) -> SubmitOutcome:
    """Submit the auditor's form (its last step typed now, the rest from the draft).

    Raises FormInvalid (errors by field; nothing is written), AuditRefused (not the
    auditor: logged) or AuditError. `source_key` names the submitted view: submitting the
    same view again acts once. An urgent concern then opens a Practice Alert, once.
    """
    try:
        recorded = _record(engine, authority_id, actor_slack_id, audit_id, typed, source_key,
                           now)
    except IntegrityError:
        # A concurrent submission of the same view won the race and did everything.
        with unit_of_work(engine) as session:
            loaded = load_checked(session, authority_id=authority_id, audit_id=audit_id,
                                  actor_slack_id=actor_slack_id, role=AUDITOR,
                                  action="audit.submit", now=now)
            if loaded.audit.source_view_id != source_key:
                raise AuditError("The audit could not be saved. Please try again.") from None
            recorded = _duplicate(session, loaded)
    outcome, answers = recorded.outcome, recorded.answers
    if answers.urgent_concern and recorded.case_ref:
        # After the commit: raising takes its own transaction, and its source key makes a
        # second call (a duplicate submission, or a retry after a crash) change nothing.
        try:
            alert = raise_alert(engine, authority_id=authority_id, raiser_slack_id=actor_slack_id,
                                alert=NewAlert(case_ref=recorded.case_ref,
                                               category="safeguarding_concern", severity="urgent",
                                               management_decision=False,
                                               concern=answers.concern, asked=URGENT_ASK,
                                               by_when=None),
                                source_key=f"audit:{audit_id}:urgent", now=now)
        except AlertError as exc:
            outcome.alert_problem = str(exc)
        else:
            outcome.alert_reference = alert.reference
            outcome.keys += alert.keys
    return outcome


def _duplicate(session: Session, loaded: Loaded) -> _Recorded:
    audit = loaded.audit
    form = read_form(session, audit.id or 0, AUDITOR)
    answers = AuditAnswers.from_json(form.data if form else None)
    subject = subject_of(session, audit)
    return _Recorded(SubmitOutcome(subject=subject.title, grade=audit.auditor_grade,
                                   actions=len(answers.used_actions()),
                                   moderated=audit.moderator_id is not None, duplicate=True),
                     subject.case_ref, answers)


def _owners(session: Session, authority_id: int, answers: AuditAnswers
            ) -> tuple[dict[str, Staff], dict[str, str]]:
    wanted = {a.owner for a in answers.used_actions() if a.owner}
    found = {s.slack_user_id or "": s for s in session.exec(select(Staff).where(
        Staff.authority_id == authority_id, col(Staff.slack_user_id).in_(wanted),
        col(Staff.active).is_(True))).all()} if wanted else {}
    errors = {action_field(slot, "owner"): "That person is not in the QA directory as active "
              "staff: choose someone who is."
              for slot, a in enumerate(answers.actions, start=1)
              if a.is_used() and a.owner and a.owner not in found}
    return found, errors


def _record(engine: Engine, authority_id: int, actor_slack_id: str, audit_id: int,
            typed: AuditAnswers, source_key: str, now: datetime) -> _Recorded:
    with unit_of_work(engine) as session:
        loaded = load_checked(session, authority_id=authority_id, audit_id=audit_id,
                              actor_slack_id=actor_slack_id, role=AUDITOR,
                              action="audit.submit", now=now)
        audit, spec = loaded.audit, loaded.spec
        if audit.source_view_id == source_key:  # this very view was submitted already
            return _duplicate(session, loaded)
        check_editable(loaded)
        form = read_form(session, audit_id, AUDITOR)
        answers = merge_step(spec, AuditAnswers.from_json(form.data if form else None), ACTIONS,
                             typed)
        owners, owner_errors = _owners(session, authority_id, answers)
        errors = {**form_errors(spec, answers, loaded.today(now)), **owner_errors}
        if errors:  # nothing is written: the modal keeps what was typed (closing saves it)
            raise FormInvalid(errors_for_step(spec, ACTIONS, errors))
        before = snapshot(audit)
        grade = headline_grade(spec, answers)
        audit.auditor_grade, audit.status = grade, "submitted"
        audit.submitted_at, audit.source_view_id = now, source_key
        audit.version += 1
        session.add(audit)
        write_record(session, audit_id, AUDITOR, answers.model_dump_json(), now)
        subject = subject_of(session, audit)
        base = notices.basics(audit, loaded.cycle, subject, loaded.actor)
        keys = _create_actions(session, loaded, answers, owners, base, now)
        ladder = notices.ladder_of(session, audit)
        names = {slack_id: staff.name for slack_id, staff in owners.items()}
        keys += notices.tell_team_managers(
            session, audit, ladder, notices.summary_data(spec, answers, base, names), now)
        keys += notices.ask_moderator(session, audit, base, blind=loaded.settings.moderation_blind,
                                      grade=grade, now=now)
        if grade is not None and spec.scale.is_inadequate(grade):
            keys += notices.notify_inadequate(session, audit, base, grade, by="auditor", now=now)
        if answers.urgent_concern and subject.case_ref is None:
            keys += notices.tell_qa_leads(session, audit, base, answers.concern, now)
        log_audit(session, audit, actor=actor_slack_id, action="audit.submitted", now=now,
                  before=before)
        session.commit()
        return _Recorded(SubmitOutcome(subject=subject.title, grade=grade,
                                       actions=len(answers.used_actions()),
                                       moderated=audit.moderator_id is not None, keys=keys),
                         subject.case_ref, answers)


def _create_actions(session: Session, loaded: Loaded, answers: AuditAnswers,
                    owners: dict[str, Staff], base: dict[str, object],
                    now: datetime) -> list[str]:
    """The actions tracker's rows: one per used slot, keyed by position so none is doubled."""
    audit = loaded.audit
    told = []
    for position, action in enumerate(answers.used_actions()):
        owner = owners[action.owner or ""]
        assert owner.id is not None and action.due is not None
        insert_ignore(session, Action, {
            "authority_id": audit.authority_id, "source": "audit", "source_id": audit.id,
            "position": position, "case_id": audit.case_id, "team_id": audit.team_id,
            "description": action.what.strip(), "owner_id": owner.id, "due": action.due,
            "needed_for_good": action.needed_for_good, "status": "open", "created_at": now,
        })
        told.append((position, action.what.strip(), owner, action.due.isoformat(),
                     action.needed_for_good))
    return notices.tell_action_owners(session, audit, dict(base), told, now)


__all__ = ["AuditError", "FormInvalid", "SubmitOutcome", "submit_audit"]
