"""The weekly digest: each team manager (and deputy) told of their team's overdue items.

Sent on the first working day of each week (or, after an outage, the first working time after
it that week), once per team and week. Read for a whole authority in a fixed number of queries:
the ten oldest items of each kind per team are picked out by row numbers, the rest counted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.domain.supervision import PairStatus
from bot.services.org_view import OrgView, load_org_view
from bot.services.rule_settings import get_settings
from bot.services.summaries.reports import ReportRun, already_sent, authorities, send_once
from bot.services.supervision.pairs import last_held_by_supervisee, pairs_of
from storage.alert_models import Alert
from storage.audit_models import Action, Audit, Cycle
from storage.db import read_only
from storage.models import Case, Staff, Team

SHOWN = 10  # items listed per kind; the rest are counted


def week_label(day: date) -> str:
    """The ISO week a day is in: `2026-W48`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _top(session: Session, query: Any, team: Any, order: Any) -> dict[int, tuple[list, int]]:
    """Per team: the first SHOWN rows of `query` in `order`, and how many there are."""
    ranked = query.add_columns(
        func.row_number().over(partition_by=team, order_by=order).label("rn"),
        func.count().over(partition_by=team).label("n"),
    ).subquery()
    rows = session.execute(select(ranked).where(ranked.c.rn <= SHOWN)).all()
    out: dict[int, tuple[list, int]] = {}
    for row in rows:
        shown, _ = out.get(row.team_id, ([], 0))
        shown.append(row)
        out[row.team_id] = (shown, int(row.n))
    return out


def _overdue_actions(session: Session, authority_id: int, today: date) -> dict[int, Any]:
    columns: list[Any] = [col(Action.team_id).label("team_id"), col(Action.id).label("id"),
                          Case.case_ref, col(Action.owner_id).label("owner"), Action.due]
    query = (select(*columns)
             .outerjoin(Case, col(Case.id) == col(Action.case_id))
             .where(col(Action.authority_id) == authority_id, col(Action.status) == "open",
                    col(Action.due) < today, col(Action.team_id).is_not(None)))
    return _top(session, query, col(Action.team_id), (col(Action.due), col(Action.id)))


def _overdue_audits(session: Session, authority_id: int, today: date) -> dict[int, Any]:
    """Audits the team's own auditors have not handed in by their due date (open cycles)."""
    columns: list[Any] = [col(Staff.team_id).label("team_id"), col(Audit.id).label("id"),
                          col(Audit.auditor_id).label("auditor"), Audit.audit_due, Cycle.name]
    query = (select(*columns)
             .join(Staff, col(Staff.id) == col(Audit.auditor_id))
             .join(Cycle, col(Cycle.id) == col(Audit.cycle_id))
             .where(col(Audit.authority_id) == authority_id, col(Cycle.status) == "open",
                    col(Audit.submitted_at).is_(None), col(Audit.status) != "cancelled",
                    col(Audit.audit_due) < today, col(Staff.team_id).is_not(None)))
    return _top(session, query, col(Staff.team_id), (col(Audit.audit_due), col(Audit.id)))


def _open_alerts(session: Session, authority_id: int) -> dict[int, int]:
    rows = session.execute(
        select(col(Alert.team_id), func.count())
        .where(and_(col(Alert.authority_id) == authority_id, col(Alert.is_open).is_(True)))
        .group_by(col(Alert.team_id))
    ).all()
    return {team: int(n) for team, n in rows}


def digest_data(session: Session, *, authority_id: int, org: OrgView, today: date,
                team_names: dict[int, str]) -> dict[int, dict[str, Any]]:
    """Every team's digest: overdue actions, supervision and audits, and open alerts."""
    settings = get_settings(session, authority_id)
    actions = _overdue_actions(session, authority_id, today)
    audits = _overdue_audits(session, authority_id, today)
    alerts = _open_alerts(session, authority_id)
    overdue_pairs: dict[int, list[str]] = {}
    for pair in pairs_of(org, settings, last_held_by_supervisee(session, authority_id), today):
        member = org.members[pair.supervisee_id]
        if pair.status == PairStatus.OVERDUE and member.team_id is not None:
            overdue_pairs.setdefault(member.team_id, []).append(
                f"{member.name}: due {pair.next_due}, with {org.name(pair.supervisor_id)}")
    out = {}
    for team_id, name in team_names.items():
        shown_actions, n_actions = actions.get(team_id, ([], 0))
        shown_audits, n_audits = audits.get(team_id, ([], 0))
        pairs = overdue_pairs.get(team_id, [])
        out[team_id] = {
            "team": name, "week": week_label(today),
            "actions": [f"Action {r.id}{f' on {r.case_ref}' if r.case_ref else ''}: "
                        f"{org.name(r.owner) or 'former staff'}, due {r.due}"
                        for r in shown_actions],
            "actions_more": n_actions - len(shown_actions),
            "supervision": pairs[:SHOWN], "supervision_more": max(0, len(pairs) - SHOWN),
            "audits": [f"{r.name}: {org.name(r.auditor)}, due {r.audit_due}"
                       for r in shown_audits],
            "audits_more": n_audits - len(shown_audits),
            "alerts_open": alerts.get(team_id, 0),
        }
    return out


def send_team_digests(engine: Engine, *, now: datetime, dry_run: bool = False) -> ReportRun:
    """This week's digest to every team's managers, once per team and week."""
    run = ReportRun()
    for authority_id in authorities(engine):
        with read_only(engine) as session:
            calendar = get_settings(session, authority_id).calendar()
            today = now.astimezone(calendar.tz).date()
            if not calendar.is_working_time(now):
                continue
            week = week_label(today)
            teams = {t: n for t, n in session.exec(
                select(Team.id, Team.name).where(col(Team.authority_id) == authority_id)).all()
                if t is not None}
            keys = {t: f"digest:team:{t}:{week}" for t in teams}
            sent = already_sent(session, list(keys.values()))
            org = load_org_view(session, authority_id)
            due = {t: n for t, n in teams.items() if keys[t] not in sent
                   and org.only_reachable(org.team_managers.get(t, ()))}
            if not due:
                continue
            data = digest_data(session, authority_id=authority_id, org=org, today=today,
                               team_names=due)
        for team_id in sorted(due):
            managers = org.only_reachable(org.team_managers[team_id])
            if dry_run:
                run.lines.append(f"would send {keys[team_id]} to {len(managers)} manager(s)")
                continue
            queued = send_once(engine, authority_id=authority_id, report_key=keys[team_id],
                               template="summary.digest", data=data[team_id],
                               to=[org.slack_id(m) for m in managers], now=now)
            run.keys += queued
            run.lines.append(f"{keys[team_id]}: sent to {len(queued)}" if queued
                             else f"{keys[team_id]}: already sent")
    return run
