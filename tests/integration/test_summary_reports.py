"""Scheduled reports: each sent once for its scope and period, however often its job runs."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.services.rule_settings import set_setting
from bot.services.summaries.digest import send_team_digests
from bot.services.summaries.reports import (
    ReportRun,
    send_escalations_reports,
    send_findings_reports,
)
from storage.audit_models import Cycle, ReportSent
from storage.db import read_only, unit_of_work
from storage.models import OutboxMessage
from tests.integration.summary_support import NOW, TODAY, Seeded, seed_summary_org

CHANNEL = "C0LEAD0001"


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    found = seed_summary_org(engine)
    with unit_of_work(engine) as session:
        set_setting(session, authority_id=1, key="leadership_channel", raw_value=CHANNEL,
                    actor="test", now=NOW)
        session.commit()
    return found


def queued(engine: Engine, prefix: str) -> list[OutboxMessage]:
    with read_only(engine) as session:
        return list(session.exec(select(OutboxMessage).where(
            col(OutboxMessage.key).startswith(prefix)).order_by(col(OutboxMessage.key))).all())


def close_cycle(engine: Engine, cycle_id: int, days_ago: int = 1) -> None:
    with unit_of_work(engine) as session:
        session.execute(update(Cycle).where(col(Cycle.id) == cycle_id).values(
            status="closed", closed_at=NOW - timedelta(days=days_ago)))
        session.commit()


def twice_at_once(send: Any, **kwargs: Any) -> list[ReportRun]:
    """The same job run by two processes at the same moment (threads on one database)."""
    runs: list[ReportRun] = []
    threads = [threading.Thread(target=lambda: runs.append(send(**kwargs))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs


def test_a_closed_cycles_findings_go_once_to_the_channel_and_the_qa_lead(
        engine: Engine, seeded: Seeded) -> None:
    cycle = seeded.data.cycles[6]
    close_cycle(engine, cycle["id"])
    close_cycle(engine, seeded.data.cycles[0]["id"], days_ago=200)  # long ago: no report
    dry = send_findings_reports(engine, now=NOW, dry_run=True)
    assert dry.lines == [f"would send findings:cycle:{cycle['id']} to 2 recipient(s)"]
    assert queued(engine, "report:") == []
    first = send_findings_reports(engine, now=NOW)
    again = send_findings_reports(engine, now=NOW + timedelta(minutes=15))
    assert len(first.keys) == 2 and again.keys == []
    rows = queued(engine, "report:findings:")
    assert sorted(r.channel for r in rows) == sorted([CHANNEL, seeded.slack_id("qa_lead")])
    data = json.loads(rows[0].data)
    assert data["period_label"] == cycle["name"]
    allocated = sum(1 for a in seeded.data.audits
                    if a["cycle_id"] == cycle["id"] and a["status"] != "cancelled")
    assert next(f for f in data["figures"] if f["key"] == "audits_allocated")["value"] == allocated
    assert "Synthetic" not in json.dumps(data["weakest"])  # labels and counts, never words


def test_two_runs_at_the_same_moment_send_one_report(engine: Engine, seeded: Seeded) -> None:
    close_cycle(engine, seeded.data.cycles[5]["id"])
    runs = twice_at_once(send_findings_reports, engine=engine, now=NOW)
    assert sorted(len(r.keys) for r in runs) == [0, 2]
    assert len(queued(engine, "report:findings:")) == 2


def test_the_quarterly_escalations_report_goes_once(engine: Engine, seeded: Seeded) -> None:
    runs = twice_at_once(send_escalations_reports, engine=engine, now=NOW)
    assert sorted(len(r.keys) for r in runs) == [0, 2]
    assert send_escalations_reports(engine, now=NOW + timedelta(days=20)).keys == []
    [row, _] = queued(engine, "report:escalations:1:2026-Q2:")
    data = json.loads(row.data)
    in_quarter = [a for a in seeded.data.alerts
                  if "2026-07-01" <= a["raised_at"].date().isoformat() <= "2026-09-30"]
    figures = {f["key"]: f["value"] for f in data["figures"]}
    assert figures["alerts_raised"] == len(in_quarter)
    assert figures["alerts_escalated"] == sum(1 for a in in_quarter if a["stage"] > 0)
    assert sum(data["by_stage"].values()) == len(in_quarter)
    # The next quarter's report waits for the next quarter.
    assert send_escalations_reports(engine, now=NOW + timedelta(days=45)).keys


def test_each_team_manager_gets_one_digest_a_week(engine: Engine, seeded: Seeded) -> None:
    first = send_team_digests(engine, now=NOW)
    again = send_team_digests(engine, now=NOW + timedelta(hours=2))
    tuesday = send_team_digests(engine, now=NOW + timedelta(days=1))
    assert again.keys == [] and tuesday.keys == []
    rows = queued(engine, "report:digest:")
    managers = {seeded.team_manager_of(t.name) for t in seeded.org.teams}
    assert managers <= {r.channel for r in rows}
    assert len(first.keys) == len(rows)
    team = seeded.team_ids["Team 004"]
    [mine] = [r for r in rows if r.channel == seeded.team_manager_of("Team 004")]
    data = json.loads(mine.data)
    overdue = sum(1 for a in seeded.data.actions
                  if a["team_id"] == team and a["status"] == "open" and a["due"] < TODAY)
    assert len(data["actions"]) + data["actions_more"] == overdue > 10
    assert len(data["actions"]) == 10
    next_week = send_team_digests(engine, now=NOW + timedelta(days=7))
    assert len(next_week.keys) == len(first.keys)


def test_reports_wait_for_working_time_and_for_someone_to_send_to(engine: Engine,
                                                                  seeded: Seeded) -> None:
    saturday = NOW + timedelta(days=5)
    close_cycle(engine, seeded.data.cycles[6]["id"])
    assert send_findings_reports(engine, now=saturday).keys == []
    assert send_team_digests(engine, now=saturday).keys == []
    with unit_of_work(engine) as session:
        set_setting(session, authority_id=1, key="leadership_channel", raw_value='""',
                    actor="test", now=NOW)
        set_setting(session, authority_id=1, key="report_roles", raw_value="[]", actor="test",
                    now=NOW)
        session.commit()
    nobody = send_findings_reports(engine, now=NOW)
    assert nobody.keys == [] and "nobody to send to" in nobody.lines[0]
    with read_only(engine) as session:
        assert session.exec(select(ReportSent)).all() == []
