"""Moderating a submitted audit: blind by default, then agree, or disagree with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.domain import moderation as rules
from bot.domain.audit_fields import KIND_LABELS, label
from bot.domain.grading_scale import GradingScale
from bot.domain.moderation import ModerationAnswers
from bot.services.audits import notices
from bot.services.audits.common import (
    MODERATOR,
    AuditError,
    FormInvalid,
    Loaded,
    Subject,
    load_checked,
    log_audit,
    read_form,
    snapshot,
    subject_of,
    write_draft,
    write_record,
)
from storage.claims import claim_once
from storage.db import unit_of_work
from storage.models import Claim, Staff


@dataclass(frozen=True)
class ModerationContext:
    """What the moderation modal shows (the auditor's grade only once it may be shown)."""

    audit_id: int
    subject: Subject
    kind_label: str
    auditor_name: str
    scale: GradingScale
    blind: bool
    overall_enabled: bool
    auditor_grade: str
    moderation_due: date | None
    answers: ModerationAnswers
    saved_at: str | None = None

    @property
    def steps(self) -> tuple[str, ...]:
        """The modal's steps."""
        return rules.steps(self.blind)


@dataclass
class ModerationOutcome:
    """What moderating did, and the messages to send now."""

    subject: str
    grade: str
    agreed: bool
    keys: list[str] = field(default_factory=list)
    duplicate: bool = False


def _load(session: Session, authority_id: int, actor: str, audit_id: int, action: str,
          now: datetime) -> Loaded:
    return load_checked(session, authority_id=authority_id, audit_id=audit_id,
                        actor_slack_id=actor, role=MODERATOR, action=action, now=now)


def _check_open(loaded: Loaded) -> None:
    if loaded.cycle.status == "closed":
        raise AuditError(f"The cycle {loaded.cycle.name} is closed: its audits can no longer "
                         "change.")
    if loaded.audit.status == "moderated":
        raise AuditError("This audit has been moderated already.")
    if loaded.audit.status != "submitted":
        raise AuditError("This audit has not been submitted yet: you will be asked to moderate "
                         "it when it is.")


def _context(session: Session, loaded: Loaded, answers: ModerationAnswers, now: datetime,
             saved: bool = False) -> ModerationContext:
    audit, settings = loaded.audit, loaded.settings
    auditor = session.get(Staff, audit.auditor_id)
    return ModerationContext(
        audit_id=audit.id or 0, subject=subject_of(session, audit),
        kind_label=KIND_LABELS.get(loaded.cycle.kind, loaded.cycle.kind),
        auditor_name=auditor.name if auditor else "", scale=settings.grading_scale,
        blind=settings.moderation_blind, overall_enabled=settings.overall_grade_enabled,
        auditor_grade=audit.auditor_grade or "", moderation_due=audit.moderation_due,
        answers=answers,
        saved_at=now.astimezone(settings.calendar().tz).strftime("%H:%M") if saved else None,
    )


def _draft(session: Session, audit_id: int) -> ModerationAnswers:
    form = read_form(session, audit_id, MODERATOR)
    return ModerationAnswers.from_json(form.data if form else None)


def open_moderation(engine: Engine, *, authority_id: int, actor_slack_id: str, audit_id: int,
                    now: datetime) -> ModerationContext:
    """The moderation form of an audit the person moderates, with their draft restored."""
    with unit_of_work(engine) as session:
        loaded = _load(session, authority_id, actor_slack_id, audit_id, "moderation.open", now)
        _check_open(loaded)
        return _context(session, loaded, _draft(session, audit_id), now)


def save_moderation_step(engine: Engine, *, authority_id: int, actor_slack_id: str,
                         audit_id: int, step: str, typed: ModerationAnswers, now: datetime,
                         check: bool = True) -> tuple[ModerationContext, dict[str, str]]:
    """Save one step into the moderator's draft; with `check`, what is wrong with it."""
    with unit_of_work(engine) as session:
        loaded = _load(session, authority_id, actor_slack_id, audit_id, "moderation.draft", now)
        _check_open(loaded)
        blind = loaded.settings.moderation_blind
        if step not in rules.steps(blind):
            raise AuditError("This form is out of date: close it and open it again.")
        answers = rules.merge_step(_draft(session, audit_id), step, typed)
        errors = (rules.step_errors(step, answers, loaded.settings.grading_scale,
                                    loaded.audit.auditor_grade or "") if check else {})
        if errors:
            return _context(session, loaded, answers, now), errors  # nothing written
        if check and step == rules.GRADE:
            answers = rules.reveal(answers)
        write_draft(session, audit_id, MODERATOR, answers.model_dump_json(), now)
        context = _context(session, loaded, answers, now, saved=not check)
        session.commit()
        return context, errors


def moderate_audit(engine: Engine, *, authority_id: int, actor_slack_id: str, audit_id: int,
                   typed: ModerationAnswers, source_key: str, now: datetime) -> ModerationOutcome:
    """Record the moderated grade (final), tell whom a disagreement or Inadequate concerns."""
    claim = f"moderation:{source_key}"
    with unit_of_work(engine) as session:
        loaded = _load(session, authority_id, actor_slack_id, audit_id, "moderation.submit", now)
        audit = loaded.audit
        subject = subject_of(session, audit)
        if audit.status == "moderated" and session.get(Claim, claim) is not None:
            return ModerationOutcome(subject=subject.title, grade=audit.moderated_grade or "",
                                     agreed=bool(audit.moderation_agreed), duplicate=True)
        _check_open(loaded)
        scale, auditor_grade = loaded.settings.grading_scale, audit.auditor_grade or ""
        answers = rules.merge_step(_draft(session, audit_id), rules.COMPARE, typed)
        errors = rules.form_errors(loaded.settings.moderation_blind, answers, scale,
                                   auditor_grade)
        if errors:  # nothing is written: the modal keeps what was typed (closing saves it)
            raise FormInvalid(rules.errors_for_step(rules.COMPARE, errors))
        claim_once(session, claim, now)
        grade, agreed = rules.outcome(answers, auditor_grade)
        before = snapshot(audit)
        audit.moderated_grade, audit.moderation_agreed = grade, agreed
        audit.moderated_at, audit.status = now, "moderated"
        audit.version += 1
        session.add(audit)
        write_record(session, audit_id, MODERATOR, answers.model_dump_json(), now)
        auditor = session.get(Staff, audit.auditor_id)
        assert auditor is not None
        base = notices.basics(audit, loaded.cycle, subject, auditor)
        keys: list[str] = []
        if not agreed:
            keys += notices.tell_disagreement(session, audit, base, {
                "moderator": loaded.actor.name, "auditor_grade": label(auditor_grade),
                "moderated_grade": label(grade), "reason": answers.reason.strip(),
            }, now)
        if scale.is_inadequate(grade):
            keys += notices.notify_inadequate(session, audit, base, grade, by="moderator",
                                              now=now)
        log_audit(session, audit, actor=actor_slack_id, action="audit.moderated", now=now,
                  before=before)
        session.commit()
        return ModerationOutcome(subject=subject.title, grade=grade, agreed=agreed, keys=keys)
