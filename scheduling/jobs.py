"""The jobs, defined in code under explicit ids (`<feature>.<verb>`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from bot.container import Container
from bot.services.alerts.sweep import sweep_alerts
from bot.services.cycles import open_due_cycles
from bot.services.nudges.sweep import sweep_nudges
from bot.services.summaries.digest import send_team_digests
from bot.services.summaries.reports import (
    ReportRun,
    send_escalations_reports,
    send_findings_reports,
)
from storage.db import unit_of_work
from storage.models import OutboxMessage, ProcessedEvent

# A job reads what is due from the database at `now`; dry runs say what they would do.
JobBody = Callable[[Container, datetime, bool], list[str]]


@dataclass(frozen=True)
class Job:
    """A scheduled job: its id, how often it runs, and what it does."""

    id: str
    every_seconds: int
    description: str
    body: JobBody


def deliver_outbox(container: Container, now: datetime, dry_run: bool) -> list[str]:
    """Send what is pending in the outbox (after a restart, too)."""
    if dry_run:
        with unit_of_work(container.engine) as session:
            rows = session.exec(
                select(OutboxMessage.key, OutboxMessage.channel).where(
                    col(OutboxMessage.status).in_(("pending", "uncertain")),
                    col(OutboxMessage.not_before) <= now,
                )
            ).all()
        return [f"would send {key} to {channel}" for key, channel in rows]
    report = container.sender.deliver_due()
    return [f"sent {k}" for k in report.sent] + [f"failed {k}" for k in report.failed]


def escalate_alerts(container: Container, now: datetime, dry_run: bool) -> list[str]:
    """Climb Practice Alerts whose stage ran out of time; the 20-working-day notices."""
    report = sweep_alerts(container.engine, now=now, dry_run=dry_run)
    if not dry_run:
        container.sender.deliver_keys(report.keys)
    return report.lines


def open_cycles(container: Container, now: datetime, dry_run: bool) -> list[str]:
    """Open allocated cycles whose opening date has come (working hours of a working day)."""
    report = open_due_cycles(container.engine, now=now, dry_run=dry_run)
    if not dry_run:
        container.sender.deliver_keys(report.keys)
    return report.lines


def send_nudges(container: Container, now: datetime, dry_run: bool) -> list[str]:
    """One message a person a day: actions, supervision, EPDRs, audits and moderation due."""
    report = sweep_nudges(container.engine, now=now, dry_run=dry_run)
    if not dry_run:
        container.sender.deliver_keys(report.keys)
    return report.lines


def _report_job(send: Callable[..., ReportRun]) -> JobBody:
    """A scheduled report's job: each report once for its scope and period."""

    def body(container: Container, now: datetime, dry_run: bool) -> list[str]:
        run = send(container.engine, now=now, dry_run=dry_run)
        if not dry_run:
            container.sender.deliver_keys(run.keys)
        return run.lines

    body.__doc__ = send.__doc__
    return body


PROCESSED_EVENT_DAYS = 7


def prune_processed_events(container: Container, now: datetime, dry_run: bool) -> list[str]:
    """Forget inbound event ids older than Slack would ever redeliver."""
    cutoff = now - timedelta(days=PROCESSED_EVENT_DAYS)
    if dry_run:
        return [f"would forget event ids received before {cutoff.isoformat()}"]
    with unit_of_work(container.engine) as session:
        result = session.execute(
            delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < cutoff)
        )
        session.commit()
    return [f"forgot {result.rowcount} event ids"]  # type: ignore[attr-defined]


JOBS: dict[str, Job] = {
    job.id: job
    for job in [
        Job("outbox.deliver", 15, "send pending and retried messages", deliver_outbox),
        Job("alerts.escalate", 120, "escalate Practice Alerts that ran out of time",
            escalate_alerts),
        Job("events.prune", 3600, "forget old inbound event ids", prune_processed_events),
        Job("nudges.send", 300, "the day's nudges: actions, supervision, EPDR, audits",
            send_nudges),
        Job("cycles.open", 300, "open allocated audit cycles on their opening date", open_cycles),
        Job("reports.findings", 900, "each closed cycle's audit findings, once",
            _report_job(send_findings_reports)),
        Job("reports.escalations", 3600, "last quarter's Practice Alert escalations, once",
            _report_job(send_escalations_reports)),
        Job("reports.digest", 900, "the weekly digest of overdue items to each team manager",
            _report_job(send_team_digests)),
    ]
}
