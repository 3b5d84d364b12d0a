"""`qabot import supervision` (all or nothing) and the `actions` and `supervision` trackers."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from storage.audit_models import Action, SupervisionRecord
from storage.db import unit_of_work
from storage.models import AuditLogEntry
from tests.integration.conftest import RunCli
from tests.scenario.loop_support import (
    HOS,
    OWNER,
    TM,
    WORKER,
    add_action,
    add_session,
    seed_loop_org,
)

HEADER = "supervisor_email,supervisee_email,date,kind,held,missed_reason"


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def count_sessions(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return session.exec(select(func.count()).select_from(SupervisionRecord)).one()


def test_three_bad_rows_are_named_and_nothing_is_written(
    engine: Engine, cli: RunCli, tmp_path: Path
) -> None:
    seed_loop_org(engine)
    path = write(tmp_path, "supervision.csv", [
        "ltm@example.org,lown@example.org,2026-11-02,one_to_one,yes,",
        "ltm@example.org,nobody@example.org,2026-11-03,one_to_one,yes,",
        "ltm@example.org,lwk@example.org,2026-11-04,weekly,yes,",
        "LTM@example.org,lwk@example.org,2026-11-05,group,no,",
        "lhos@example.org,ltm@example.org,2026-11-06,reflective,no,Synthetic: leave",
    ])
    with freeze_time("2026-11-23 10:00:00"):
        code, out, err = cli("import", "supervision", path)
    assert code == 1
    assert err.splitlines() == [
        "line 3: unknown supervisee nobody@example.org",
        "line 4: unknown kind 'weekly'; one of one_to_one, group, reflective",
        "line 5: missed_reason is empty: say why the session was missed",
        f"nothing imported from {path}: 3 problems",
    ]
    assert out == ""
    assert count_sessions(engine) == 0


@freeze_time("2026-11-23 10:00:00")
def test_a_good_file_is_upserted_and_logged(engine: Engine, cli: RunCli, tmp_path: Path) -> None:
    org = seed_loop_org(engine)
    lines = [
        "ltm@example.org,lown@example.org,2026-11-02,one_to_one,yes,",
        "LTM@example.org,lwk@example.org,2026-11-05,group,no,Synthetic: sickness",
    ]
    assert cli("import", "supervision", write(tmp_path, "a.csv", lines))[:2] == (
        0, "supervision: 2 created, 0 updated, 0 unchanged\n")
    assert cli("import", "supervision", write(tmp_path, "b.csv", lines))[1] == (
        "supervision: 0 created, 0 updated, 2 unchanged\n")
    lines[1] = "ltm@example.org,lwk@example.org,2026-11-05,group,yes,"
    assert cli("import", "supervision", write(tmp_path, "c.csv", lines))[1] == (
        "supervision: 0 created, 1 updated, 1 unchanged\n")
    with unit_of_work(engine) as session:
        rows = session.exec(select(SupervisionRecord).order_by(SupervisionRecord.held_on)).all()
        logged = session.exec(select(AuditLogEntry.after).where(
            AuditLogEntry.action == "import.supervision")).all()
    assert [(r.supervisee_id, r.held, r.missed_reason, r.source) for r in rows] == [
        (org.id(OWNER), True, None, "import"), (org.id(WORKER), True, None, "import")]
    assert len(logged) == 3 and "sickness" not in str(logged)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_the_actions_tracker_has_its_columns_and_a_row_per_action(
    engine: Engine, cli: RunCli, tmp_path: Path
) -> None:
    org = seed_loop_org(engine)
    first = add_action(engine, org, date(2026, 11, 30), source="audit", source_id=4)
    second = add_action(engine, org, date(2026, 11, 20), position=1,
                        description="=Synthetic formula-looking text")
    with unit_of_work(engine) as session:
        done = session.get(Action, second)
        assert done is not None
        done.status, done.done_on = "closed", date(2026, 11, 19)
        done.verified_by_id, done.verified_on = org.id(TM), date(2026, 11, 20)
        session.add(done)
        session.commit()
    out = tmp_path / "actions.csv"
    assert cli("export", "actions", "--format", "csv", "--out", out)[0] == 0
    assert read_csv(out) == [
        ["action_id", "source", "case_ref", "team", "description", "owner_email", "due",
         "status", "done_on", "verified_by_email", "verified_on"],
        [str(first), "audit", "C0101", "Team L", "Synthetic: update the plan",
         "lown@example.org", "2026-11-30", "open", "", "", ""],
        [str(second), "alert", "C0101", "Team L", "'=Synthetic formula-looking text",
         "lown@example.org", "2026-11-20", "closed", "2026-11-19", "ltm@example.org",
         "2026-11-20"],
    ]


def test_the_supervision_tracker_has_a_row_per_pair_with_its_state(
    engine: Engine, cli: RunCli, tmp_path: Path
) -> None:
    org = seed_loop_org(engine)
    add_session(engine, org, WORKER, date(2026, 10, 26))  # next due 23 November: today
    add_session(engine, org, OWNER, date(2026, 10, 1))  # due 29 October: overdue
    add_session(engine, org, TM, date(2026, 11, 20), supervisor=HOS)  # due 18 December
    with unit_of_work(engine) as session:
        for held_on in (date(2026, 8, 3), date(2026, 9, 7)):  # last quarter: July-September
            session.add(SupervisionRecord(
                authority_id=1, supervisor_id=org.id(TM), supervisee_id=org.id(OWNER),
                held_on=held_on, kind="one_to_one", held=False, missed_reason="Synthetic",
                recorded_at=datetime(2026, 9, 8, tzinfo=UTC)))
        session.commit()
    out = tmp_path / "supervision.csv"
    with freeze_time("2026-11-23 10:00:00"):
        assert cli("export", "supervision", "--format", "csv", "--out", out)[0] == 0
    rows = read_csv(out)
    assert rows[0] == ["supervisor_email", "supervisee_email", "last_held", "next_due",
                       "status", "missed_last_quarter"]
    assert sorted(rows[1:]) == sorted([
        ["lad@example.org", "lhos@example.org", "", "", "no_record", "0"],
        ["lad@example.org", "lqa@example.org", "", "", "no_record", "0"],
        ["lad@example.org", "laud@example.org", "", "", "no_record", "0"],
        ["lhos@example.org", "ltm@example.org", "2026-11-20", "2026-12-18", "ok", "0"],
        ["ltm@example.org", "lown@example.org", "2026-10-01", "2026-10-29", "overdue", "2"],
        ["ltm@example.org", "lwk@example.org", "2026-10-26", "2026-11-23", "due", "0"],
    ])
