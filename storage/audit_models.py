"""Audit cycles, audits (the allocation tracker), their forms, and the actions they create."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _utc(nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Cycle(SQLModel, table=True):
    """An audit cycle: what is audited, when, and how the sample is drawn."""

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    name: str
    kind: str  # case_file, thematic, supervision_file, practice_observation
    theme: str | None = None
    opens_on: date
    audit_due: date
    moderation_due: date | None = None
    lookback_months: int = 6
    per_auditor: int | None = None  # one sample rule or the other
    sample: int | None = None
    moderation_fraction: float = 1.0
    filters: str = Field(default="{}", sa_type=Text)  # JSON: case_types, team_ids, service_ids
    seed: int
    status: str = Field(default="draft", index=True)  # draft, allocated, open, closed
    receipt: str | None = Field(default=None, sa_type=Text)  # the draw's receipt, JSON
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    allocated_at: datetime | None = Field(default=None, sa_column=_utc())
    opened_at: datetime | None = Field(default=None, sa_column=_utc())
    closed_at: datetime | None = Field(default=None, sa_column=_utc())


class CycleUnavailable(SQLModel, table=True):
    """Someone who gets nothing in a cycle (leave, Practice Week team)."""

    __tablename__ = "cycle_unavailable"
    cycle_id: int = Field(foreign_key="cycle.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    reason: str = "unavailable"
    marked_at: datetime = Field(sa_column=_utc(nullable=False))


class Audit(SQLModel, table=True):
    """One allocated audit: a row of the allocation tracker."""

    __table_args__ = (
        Index("ix_audit_cycle_status", "cycle_id", "status"),
        Index("ix_audit_due", "status", "audit_due"),
        # The nudge sweep reads an authority's audits to submit or moderate (migration 0005).
        Index("ix_audit_authority_status", "authority_id", "status", "audit_due"),
    )
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    subject_staff_id: int | None = Field(default=None, foreign_key="staff.id")  # person audits
    team_id: int = Field(foreign_key="team.id", index=True)
    worker_id: int | None = Field(default=None, foreign_key="staff.id")
    auditor_id: int = Field(foreign_key="staff.id", index=True)
    moderator_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    audit_due: date
    moderation_due: date | None = None
    # allocated, in_progress, submitted, moderated, closed (and cancelled when reallocated)
    status: str = "allocated"
    auditor_grade: str | None = None
    moderated_grade: str | None = None  # the moderator's grade: the final one when present
    moderation_agreed: bool | None = None
    submitted_at: datetime | None = Field(default=None, sa_column=_utc())
    moderated_at: datetime | None = Field(default=None, sa_column=_utc())
    inadequate_notified_at: datetime | None = Field(default=None, sa_column=_utc())
    source_view_id: str | None = Field(default=None, unique=True)  # the submitted form acts once
    version: int = 0


class AuditForm(SQLModel, table=True):
    """What the auditor typed: a draft until submitted, then the record (JSON)."""

    __tablename__ = "audit_form"
    audit_id: int = Field(foreign_key="audit.id", primary_key=True)
    role: str = Field(default="auditor", primary_key=True)  # auditor or moderator
    data: str = Field(sa_type=Text)
    is_draft: bool = True
    updated_at: datetime = Field(sa_column=_utc(nullable=False))


class Action(SQLModel, table=True):
    """An action from an audit, a moderation or an alert: open until verified."""

    __table_args__ = (
        Index("ix_action_open_due", "status", "due"),
        # Summaries count a period's actions from this index alone (migration 0004).
        Index("ix_action_summary", "authority_id", "due", "status", "team_id", "owner_id",
              "done_on", "verified_on"),
        # The nudge sweep reads an authority's open actions alone (migration 0005).
        Index("ix_action_authority_live", "authority_id", "status", "due"),
        UniqueConstraint("source", "source_id", "position"),
    )
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    source: str  # audit, moderation, alert
    source_id: int  # the audit's or alert's id
    position: int = 0  # its place in the form, so a resubmission cannot duplicate it
    case_id: int | None = Field(default=None, foreign_key="case.id")
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    description: str = Field(sa_type=Text)
    owner_id: int = Field(foreign_key="staff.id", index=True)
    due: date
    needed_for_good: bool = False
    status: str = "open"  # open, done (awaiting verification), closed
    done_on: date | None = None
    evidence: str | None = Field(default=None, sa_type=Text)
    verified_by_id: int | None = Field(default=None, foreign_key="staff.id")
    verified_on: date | None = None
    rejected_reason: str | None = Field(default=None, sa_type=Text)
    snoozed_until: date | None = None
    created_at: datetime = Field(sa_column=_utc(nullable=False))


class SupervisionRecord(SQLModel, table=True):
    """A supervision session held, or missed with a reason."""

    __tablename__ = "supervision_record"
    __table_args__ = (
        Index("ix_supervision_pair", "supervisor_id", "supervisee_id", "held_on"),
        # Each supervisee's sessions held in date order, for summaries (migration 0004).
        Index("ix_supervision_summary", "authority_id", "held", "supervisee_id", "held_on"),
        UniqueConstraint("supervisor_id", "supervisee_id", "held_on", "kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    supervisor_id: int = Field(foreign_key="staff.id")
    supervisee_id: int = Field(foreign_key="staff.id", index=True)
    held_on: date
    kind: str  # one_to_one, group, reflective
    held: bool = True
    missed_reason: str | None = Field(default=None, sa_type=Text)
    recorded_at: datetime = Field(sa_column=_utc(nullable=False))
    source: str = "slack"  # slack or import


class EpdrRecord(SQLModel, table=True):
    """An EPDR (annual appraisal) or its half-year review, done on a date."""

    __tablename__ = "epdr_record"
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: str  # annual or half_year
    done_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="staff.id")
    recorded_at: datetime = Field(sa_column=_utc(nullable=False))


class GoodPractice(SQLModel, table=True):
    """A Good Practice Evidence Record: thanks, counted in summaries."""

    __tablename__ = "good_practice"
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    practitioner_id: int = Field(foreign_key="staff.id", index=True)
    given_by_id: int = Field(foreign_key="staff.id")
    case_id: int | None = Field(default=None, foreign_key="case.id")
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    what: str = Field(sa_type=Text)
    given_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    source_key: str | None = Field(default=None, unique=True)


class ReportSent(SQLModel, table=True):
    """A scheduled report sent for a scope and period: sent once, however often its job runs."""

    __tablename__ = "report_sent"
    key: str = Field(primary_key=True)  # e.g. "findings:cycle:12", "digest:team:4:2026-W48"
    sent_at: datetime = Field(sa_column=_utc(nullable=False))
