"""What the audit use cases share: loading an audit, who may act on it, drafts, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from bot.domain.audit_form import FormSpec, form_spec
from bot.domain.rule_settings import RuleSettings
from bot.services.alerts.common import staff_by_slack_id
from bot.services.rule_settings import get_settings
from storage import audit_log
from storage.audit_models import Audit, AuditForm, Cycle
from storage.models import Case, Staff, Team

AUDITOR, MODERATOR = "auditor", "moderator"
EDITABLE = ("allocated", "in_progress")


class AuditError(Exception):
    """A request about an audit that cannot be done, phrased for the person who asked."""


class AuditRefused(AuditError):
    """Someone asked to act on an audit that is not theirs (written to the audit log)."""


class FormInvalid(AuditError):
    """The form has errors, keyed by field, to show in the modal."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Please check the form.")
        self.errors = errors


@dataclass
class Loaded:
    """An audit locked for this transaction, with its cycle, settings and the person acting."""

    audit: Audit
    cycle: Cycle
    actor: Staff
    settings: RuleSettings

    @property
    def spec(self) -> FormSpec:
        """The form this audit's cycle asks for."""
        return form_spec(self.cycle.kind, self.settings)

    def today(self, now: datetime) -> date:
        """The authority's date at `now`."""
        return now.astimezone(self.settings.calendar().tz).date()


def snapshot(audit: Audit) -> dict[str, Any]:
    """The parts of an audit the audit log keeps: status and grades, never the words."""
    return {"status": audit.status, "auditor_grade": audit.auditor_grade,
            "moderated_grade": audit.moderated_grade,
            "moderation_agreed": audit.moderation_agreed}


def log_audit(session: Session, audit: Audit, *, actor: str, action: str, now: datetime,
              before: dict[str, Any] | None) -> None:
    """Append a change of the audit's state to the audit log."""
    audit_log.record(session, authority_id=audit.authority_id, at=now, actor=actor,
                     action=action, record_type="audit", record_id=audit.id or 0,
                     before=before, after=snapshot(audit))


def load_checked(session: Session, *, authority_id: int, audit_id: int, actor_slack_id: str,
                 role: str, action: str, now: datetime) -> Loaded:
    """The audit, locked, if the person is its auditor (or moderator); refusals are logged.

    A refusal is committed at once (it is the only write) and raised as AuditRefused.
    """
    audit = session.exec(select(Audit).where(Audit.id == audit_id).with_for_update()).first()
    if audit is None or audit.authority_id != authority_id:
        raise AuditError("That audit does not exist.")
    actor = staff_by_slack_id(session, authority_id, actor_slack_id)
    allowed_id = audit.auditor_id if role == AUDITOR else audit.moderator_id
    if actor is None or actor.id is None or actor.id != allowed_id:
        audit_log.record(session, authority_id=authority_id, at=now, actor=actor_slack_id,
                         action=action, record_type="audit", record_id=audit_id,
                         outcome="refused")
        session.commit()
        who = "auditor allocated to" if role == AUDITOR else "moderator of"
        raise AuditRefused(f"Only the {who} this audit can do that.")
    cycle = session.get(Cycle, audit.cycle_id)
    assert cycle is not None
    return Loaded(audit=audit, cycle=cycle, actor=actor,
                  settings=get_settings(session, authority_id))


def check_editable(loaded: Loaded) -> None:
    """The auditor may still change the audit: not submitted, not reallocated, cycle open."""
    audit, cycle = loaded.audit, loaded.cycle
    if cycle.status == "closed":
        raise AuditError(f"The cycle {cycle.name} is closed: its audits can no longer change.")
    if audit.status in ("submitted", "moderated", "closed"):
        raise AuditError("This audit has been submitted already.")
    if audit.status not in EDITABLE:
        raise AuditError("This audit is no longer yours to complete: it was reallocated.")


def start(session: Session, loaded: Loaded, *, actor: str, now: datetime) -> None:
    """Mark an allocated audit in progress (the first time the auditor opens or saves it)."""
    audit = loaded.audit
    if audit.status == "allocated":
        before = snapshot(audit)
        audit.status = "in_progress"
        audit.version += 1
        session.add(audit)
        log_audit(session, audit, actor=actor, action="audit.started", now=now, before=before)


def read_form(session: Session, audit_id: int, role: str) -> AuditForm | None:
    """The stored form (draft or record) of an audit for a role."""
    return session.get(AuditForm, (audit_id, role))


def write_draft(session: Session, audit_id: int, role: str, data: str, now: datetime) -> bool:
    """Save a draft; a submitted form is never overwritten by one. True if saved."""
    form = read_form(session, audit_id, role)
    if form is None:
        session.add(AuditForm(audit_id=audit_id, role=role, data=data, is_draft=True,
                              updated_at=now))
        return True
    if not form.is_draft:
        return False
    form.data, form.updated_at = data, now
    session.add(form)
    return True


def write_record(session: Session, audit_id: int, role: str, data: str, now: datetime) -> None:
    """Store the submitted form: the record, no longer a draft."""
    form = read_form(session, audit_id, role)
    if form is None:
        form = AuditForm(audit_id=audit_id, role=role, data=data, updated_at=now)
    form.data, form.is_draft, form.updated_at = data, False, now
    session.add(form)


@dataclass(frozen=True)
class Subject:
    """What an audit is of, as messages and modals name it: a case reference, or a person."""

    case_ref: str | None
    title: str  # "C0001", or "Synthetic P (supervision file)"
    team: str
    worker_slack_id: str | None
    worker_name: str


def subject_of(session: Session, audit: Audit) -> Subject:
    """The audit's case (or person), team and allocated worker."""
    case = session.get(Case, audit.case_id) if audit.case_id else None
    team = session.get(Team, audit.team_id)
    worker = session.get(Staff, audit.worker_id) if audit.worker_id else None
    person = session.get(Staff, audit.subject_staff_id) if audit.subject_staff_id else None
    title = case.case_ref if case else (person.name if person else f"audit {audit.id}")
    return Subject(case_ref=case.case_ref if case else None, title=title,
                   team=team.name if team else "",
                   worker_slack_id=worker.slack_user_id if worker and worker.active else None,
                   worker_name=worker.name if worker else "")
