"""The tables. Every row belongs to an authority (one by default)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

DEFAULT_AUTHORITY_ID = 1


def _utc(nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Authority(SQLModel, table=True):
    """A local authority (or trust) whose QA work the bot runs."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    # Bumped by every change to staff, roles or teams: caches of the directory check it.
    directory_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Service(SQLModel, table=True):
    """A service: several teams under one head of service."""

    __table_args__ = (UniqueConstraint("authority_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    name: str
    head_of_service_email: str | None = None


class Team(SQLModel, table=True):
    """A team; its managers are named by e-mail so teams can be imported before staff."""

    __table_args__ = (UniqueConstraint("authority_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    name: str
    service_id: int = Field(foreign_key="service.id", index=True)
    team_manager_email: str | None = None
    service_manager_email: str | None = None


class Staff(SQLModel, table=True):
    """A person in the staff directory."""

    __table_args__ = (
        UniqueConstraint("authority_id", "email"),
        Index("ix_staff_slack", "authority_id", "slack_user_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    email: str  # always lower case
    name: str
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    line_manager_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    slack_user_id: str | None = None
    is_auditor: bool = False
    active: bool = True
    assessed_year_until: date | None = None
    epdr_due: date | None = None


class StaffRole(SQLModel, table=True):
    """One role key held by a person (a person may hold several)."""

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    role: str = Field(primary_key=True, index=True)


class Case(SQLModel, table=True):
    """A child's case, known only by its reference: the bot never holds names."""

    __table_args__ = (UniqueConstraint("authority_id", "case_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    case_ref: str
    team_id: int = Field(foreign_key="team.id", index=True)
    worker_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    case_type: str
    opened_on: date | None = None
    is_open: bool = Field(default=True, index=True)
    closed_on: date | None = None


class CaseInvolvement(SQLModel, table=True):
    """A person named as involved in a case (IRO, CP chair, previous worker)."""

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", primary_key=True, index=True)


class AuditLogEntry(SQLModel, table=True):
    """One change of state or refusal; append-only, never free text."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    actor: str  # a Slack user id, a staff e-mail, or "system"
    action: str
    record_type: str
    record_id: str
    outcome: str = "ok"  # "ok" or "refused"
    before: str | None = Field(default=None, sa_type=Text)  # JSON of status, grades, dates
    after: str | None = Field(default=None, sa_type=Text)


class OutboxMessage(SQLModel, table=True):
    """A message to send, or an update to one sent: sent once, never lost."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    key: str = Field(unique=True)  # the record and the change it announces
    kind: str = "post"  # "post" a new message, or "update" the one sent under target_key
    target_key: str | None = None
    channel: str  # a user id for direct messages, or a channel id
    # What to say, as a template name and its data: rendered for Slack only when sent, so
    # services never build Block Kit.
    template: str
    data: str = Field(sa_type=Text)  # JSON
    status: str = "pending"  # pending, sending, uncertain, sent, failed
    attempts: int = 0
    not_before: datetime = Field(sa_column=_utc(nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=_utc())
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_utc())
    ts: str | None = None
    sent_channel: str | None = None  # the conversation Slack put it in (a DM's D… id)
    error: str | None = None
    reported: bool = False


class ProcessedEvent(SQLModel, table=True):
    """An inbound event id (or interaction key) already acted on."""

    __tablename__ = "processed_event"
    event_id: str = Field(primary_key=True)
    received_at: datetime = Field(sa_column=_utc(nullable=False, index=True))


class RuleSetting(SQLModel, table=True):
    """One of the rules' settings of an authority, as JSON; absent means the default."""

    __tablename__ = "rule_setting"
    authority_id: int = Field(foreign_key="authority.id", primary_key=True)
    key: str = Field(primary_key=True)
    value: str = Field(sa_type=Text)


class Lease(SQLModel, table=True):
    """A leader lease: who runs the sweeps until when."""

    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime = Field(sa_column=_utc(nullable=False))


class Claim(SQLModel, table=True):
    """A sweep's claim on one item for one period: inserting it twice fails."""

    key: str = Field(primary_key=True)
    claimed_at: datetime = Field(sa_column=_utc(nullable=False))
