"""Scheduled reports: a cycle's audit findings when it closes, the quarterly escalations.

Each goes to the leadership channel (setting `leadership_channel`) and by direct message to the
holders of `report_roles`, once for its scope and period however often its job runs: the
`ReportSent` row is inserted in the transaction that queues the messages, so a second run (or
a second process) finds it and sends nothing. Reports go out in working time only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.domain.rule_settings import RuleSettings
from bot.domain.summaries import ALL, Period, Scope, previous_period, quarter_containing
from bot.domain.summary_figures import COUNT, HOURS
from bot.services.outbox import Message, enqueue
from bot.services.rule_settings import get_settings
from bot.services.summaries.alert_queries import ALL_CATEGORIES, alert_counts, alert_medians
from bot.services.summaries.periods import load_cycles
from bot.services.summaries.requesting import summarise
from bot.services.summaries.sql import windows_of
from storage.audit_models import Cycle, ReportSent
from storage.db import read_only, unit_of_work
from storage.models import Authority, Staff, StaffRole
from storage.sql import insert_ignore

#: A cycle closed longer ago than this gets no findings report (a new installation's history).
FINDINGS_WITHIN = timedelta(days=28)
TOP_TEAMS = 10
EVERYTHING = Scope(ALL, "all teams")
NOBODY = "nobody to send to (set leadership_channel or report_roles)"


@dataclass
class ReportRun:
    """What a report job did: lines for the operator, and the outbox keys to send now."""

    lines: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def authorities(engine: Engine) -> list[int]:
    """Every authority's id."""
    with read_only(engine) as session:
        return [a for a in session.exec(select(Authority.id).order_by(col(Authority.id))).all()
                if a is not None]


def recipients(session: Session, authority_id: int, settings: RuleSettings) -> list[str]:
    """The leadership channel, then the report roles' holders (active, on Slack)."""
    found = [settings.leadership_channel] if settings.leadership_channel else []
    if settings.report_roles:
        found += sorted({user for user in session.exec(
            select(Staff.slack_user_id).join(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
            .where(col(Staff.authority_id) == authority_id, col(Staff.active).is_(True),
                   col(Staff.slack_user_id).is_not(None),
                   col(StaffRole.role).in_(settings.report_roles))
        ).all() if user})
    return found


def already_sent(session: Session, keys: list[str]) -> set[str]:
    """Which of these report keys were sent before."""
    return set(session.exec(select(ReportSent.key).where(col(ReportSent.key).in_(keys))).all())


def send_once(engine: Engine, *, authority_id: int, report_key: str, template: str,
              data: dict[str, Any], to: list[str], now: datetime) -> list[str]:
    """Queue a report to everyone in `to`, unless it was sent before: its outbox keys."""
    with unit_of_work(engine) as session:
        if not insert_ignore(session, ReportSent, {"key": report_key, "sent_at": now}):
            return []
        keys = []
        for recipient in to:
            key = f"report:{report_key}:to:{recipient}"
            if enqueue(session, Message(key, recipient, template, data),
                       authority_id=authority_id, now=now):
                keys.append(key)
        session.commit()
        return keys


def _send(run: ReportRun, engine: Engine, *, authority_id: int, report_key: str,
          template: str, data: dict[str, Any], to: list[str], now: datetime,
          dry_run: bool) -> None:
    """Send a report once (or, on a dry run, say it would), noting the outcome in `run`."""
    if dry_run:
        run.lines.append(f"would send {report_key} to {len(to)} recipient(s)")
        return
    sent = send_once(engine, authority_id=authority_id, report_key=report_key,
                     template=template, data=data, to=to, now=now)
    run.keys += sent
    run.lines.append(f"{report_key}: sent to {len(sent)}" if sent
                     else f"{report_key}: already sent")


def send_findings_reports(engine: Engine, *, now: datetime, dry_run: bool = False) -> ReportRun:
    """Each cycle closed lately: its audit findings, once."""
    run = ReportRun()
    for authority_id in authorities(engine):
        with read_only(engine) as session:
            settings = get_settings(session, authority_id)
            closed = session.exec(select(Cycle.id, Cycle.name).where(
                col(Cycle.authority_id) == authority_id, col(Cycle.status) == "closed",
                col(Cycle.closed_at) >= now - FINDINGS_WITHIN).order_by(col(Cycle.id))).all()
            keys = {f"findings:cycle:{cid}": (cid, name) for cid, name in closed}
            due = [k for k in keys if k not in already_sent(session, list(keys))]
            if not due or not settings.calendar().is_working_time(now):
                run.lines += [f"{k}: waits for working time" for k in due]
                continue
            to = recipients(session, authority_id, settings)
            if not to:
                run.lines += [f"{k}: {NOBODY}" for k in due]
                continue
            cycles = load_cycles(session, authority_id)
            reports = {}
            for key in due:
                cycle = next(c for c in cycles if c.cycle_id == keys[key][0])
                reports[key] = summarise(session, authority_id=authority_id, settings=settings,
                                         cycles=cycles, scope=EVERYTHING,
                                         period=cycle.period(), now=now).to_data()
        for key, data in reports.items():
            _send(run, engine, authority_id=authority_id, report_key=key,
                  template="summary.findings", data=data, to=to, now=now, dry_run=dry_run)
    return run


def _figure(key: str, label: str, unit: str, value: float | None,
            previous: float | None) -> dict[str, Any]:
    change = None if value is None or previous is None else value - previous
    return {"key": key, "label": label, "unit": unit, "value": value, "previous": previous,
            "change": change}


def escalations_data(session: Session, *, authority_id: int, settings: RuleSettings,
                     quarter: Period) -> dict[str, Any]:
    """A quarter's Practice Alerts and how far they climbed, against the quarter before."""
    before = previous_period(quarter, settings.quarter_start_month)
    windows = windows_of([before, quarter], settings.calendar().tz)
    counts = alert_counts(session, authority_id=authority_id, scope=EVERYTHING, windows=windows)
    medians = alert_medians(session, authority_id=authority_id, scope=EVERYTHING,
                            windows=windows)
    now_, then = counts.get(1), counts.get(0)

    def pair(attr: str) -> tuple[float, float]:
        return (getattr(now_, attr) if now_ else 0, getattr(then, attr) if then else 0)

    figures = [
        _figure("alerts_raised", "Practice Alerts raised", COUNT, *pair("raised")),
        _figure("alerts_escalated", "Escalated beyond the team manager", COUNT,
                *pair("escalated")),
        _figure("alerts_past_limit", "Reached the assistant director at the limit", COUNT,
                *pair("past_limit")),
        _figure("alerts_open", "Still open", COUNT, *pair("open")),
        _figure("alert_ack_hours", "Median time to acknowledge (hours)", HOURS,
                medians.get((1, "ack", ALL_CATEGORIES)), medians.get((0, "ack", ALL_CATEGORIES))),
        _figure("alert_resolve_hours", "Median time to resolve (hours)", HOURS,
                medians.get((1, "resolve", ALL_CATEGORIES)),
                medians.get((0, "resolve", ALL_CATEGORIES))),
    ]
    categories = now_.by_category if now_ else {}
    teams = now_.by_team if now_ else {}
    return {
        "period_label": quarter.label, "period_start": quarter.start.isoformat(),
        "period_end": quarter.end.isoformat(), "previous_label": before.label,
        "figures": figures, "by_stage": {str(k): v for k, v in (now_.by_stage if now_ else {})
                                         .items()},
        "by_category": sorted(((c, r, e) for c, (r, _, e) in categories.items()),
                              key=lambda x: (-x[2], -x[1], x[0])),
        "by_team": sorted(((t, r, e) for t, (r, _, e) in teams.items() if e),
                          key=lambda x: (-x[2], -x[1], x[0]))[:TOP_TEAMS],
    }


def send_escalations_reports(engine: Engine, *, now: datetime,
                             dry_run: bool = False) -> ReportRun:
    """The last complete quarter's escalations report, once per authority and quarter."""
    run = ReportRun()
    for authority_id in authorities(engine):
        with read_only(engine) as session:
            settings = get_settings(session, authority_id)
            today = now.astimezone(settings.calendar().tz).date()
            quarter = previous_period(quarter_containing(today, settings.quarter_start_month),
                                      settings.quarter_start_month)
            key = f"escalations:{authority_id}:{quarter.label}"
            if already_sent(session, [key]):
                continue
            if not settings.calendar().is_working_time(now):
                run.lines.append(f"{key}: waits for working time")
                continue
            to = recipients(session, authority_id, settings)
            if not to:
                run.lines.append(f"{key}: {NOBODY}")
                continue
            data = escalations_data(session, authority_id=authority_id, settings=settings,
                                    quarter=quarter)
        _send(run, engine, authority_id=authority_id, report_key=key,
              template="summary.escalations", data=data, to=to, now=now, dry_run=dry_run)
    return run
