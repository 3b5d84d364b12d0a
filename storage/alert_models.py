"""Practice Alert tables: the alert, whom it reached, its timeline, and the yearly counter."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _utc(nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Alert(SQLModel, table=True):
    """A Practice Alert raised on a case."""

    __table_args__ = (
        UniqueConstraint("authority_id", "reference"),
        # The sweep reads only open alerts whose next check has come: never the history.
        Index("ix_alert_due", "is_open", "next_check_at"),
        # Summaries count a period's alerts from this index alone (migration 0004).
        Index("ix_alert_summary", "authority_id", "raised_at", "category", "team_id", "stage",
              "is_open", "acknowledged_at", "resolved_at", "limit_notified_at", "raised_by_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    reference: str
    case_id: int = Field(foreign_key="case.id", index=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    raised_by_id: int = Field(foreign_key="staff.id", index=True)
    source_view_id: str | None = Field(default=None, unique=True)  # a submitted view acts once
    category: str
    severity: str
    management_decision: bool = False
    # Free text: shown only to the people the alert reaches, never logged or sent to channels.
    concern: str = Field(sa_type=Text)
    asked: str = Field(sa_type=Text)
    by_when: date | None = None
    status: str = "open"
    is_open: bool = True
    stage: int = 0
    stage_reached_at: datetime = Field(sa_column=_utc(nullable=False))
    stage_acknowledged_at: datetime | None = Field(default=None, sa_column=_utc())
    stage_responded_at: datetime | None = Field(default=None, sa_column=_utc())
    raised_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=_utc())
    responded_at: datetime | None = Field(default=None, sa_column=_utc())
    resolution_proposed_at: datetime | None = Field(default=None, sa_column=_utc())
    resolved_at: datetime | None = Field(default=None, sa_column=_utc())
    limit_notified_at: datetime | None = Field(default=None, sa_column=_utc())
    next_check_at: datetime | None = Field(default=None, sa_column=_utc())
    version: int = 0  # bumped on every change: two writers cannot both move the alert


class AlertRecipient(SQLModel, table=True):
    """Someone the alert has reached (the set only grows as it climbs)."""

    __tablename__ = "alert_recipient"
    alert_id: int = Field(foreign_key="alert.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", primary_key=True, index=True)
    stage: int
    reached_at: datetime = Field(sa_column=_utc(nullable=False))


class AlertEvent(SQLModel, table=True):
    """One step on an alert's timeline."""

    __tablename__ = "alert_event"
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    at: datetime = Field(sa_column=_utc(nullable=False))
    kind: str  # raised, delivered_to, acknowledged, responded, escalated, limit, ...
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    stage: int
    note: str | None = Field(default=None, sa_type=Text)  # the person's words, for the timeline


class AlertCounter(SQLModel, table=True):
    """The last alert number used in a year: incremented under a row lock."""

    __tablename__ = "alert_counter"
    authority_id: int = Field(foreign_key="authority.id", primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0
