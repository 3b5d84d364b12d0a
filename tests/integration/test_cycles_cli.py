"""`qabot cycle …`, `qabot staff unavailable` and `qabot export allocations`, as an operator."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from bot.domain.allocation import Receipt, rerun
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from tests.integration.conftest import RunCli
from tests.integration.cycle_support import audits_of, cycle_row, seed_org

COLUMNS = [
    "cycle", "case_ref", "team", "service", "worker_email", "team_manager_email",
    "auditor_email", "moderator_email", "audit_due", "moderation_due", "status",
    "auditor_grade", "moderated_grade",
]


def create(cli: RunCli, *extra: str) -> int:
    seed = () if "--seed" in extra else ("--seed", "5")  # the same draw on every run
    code, out, err = cli("cycle", "create", "--name", "Synthetic December", "--kind",
                         "case_file", "--opens", "2026-12-01", "--due", "2027-01-12", *seed,
                         *extra)
    assert code == 0, err
    return int(out.splitlines()[-1])  # the id alone on the last line


def test_create_allocate_open_close_from_the_command_line(
    cli: RunCli, engine: Engine, tmp_path: Path
) -> None:
    seed_org(engine)
    cycle_id = create(cli, "--seed", "42", "--moderation-fraction", "0.5")
    code, out, _ = cli("cycle", "list")
    assert code == 0 and f"{cycle_id}  draft" in out and "Synthetic December" in out

    code, out, _ = cli("cycle", "allocate", cycle_id)
    assert code == 0
    for shown in ("draw: complete", "seed: 42", "pool: 20 auditors", "rules:",
                  "excluded people: 0", "assignments: 20 audits, 10 to be moderated",
                  "unplaced: 0", f"saved: cycle {cycle_id} is allocated (not open)"):
        assert shown in out, shown

    receipt_path = tmp_path / "receipt.json"
    code, out, _ = cli("cycle", "receipt", cycle_id, "--out", receipt_path)
    assert code == 0
    receipt = Receipt.from_json(receipt_path.read_text())
    # Anyone holding the receipt can re-run it and get the same draw.
    assert rerun(receipt).receipt == receipt
    assert {(int(a.subject_id), int(a.auditor_id)) for a in receipt.assignments} == {
        (a.case_id, a.auditor_id) for a in audits_of(engine, cycle_id)}

    code, out, _ = cli("cycle", "open", cycle_id)
    assert code == 0 and f"opened cycle {cycle_id}" in out
    assert "messages queued: the scheduler's outbox.deliver job sends them" in out
    code, out, _ = cli("cycle", "open", cycle_id)
    assert code == 0 and "open already: nothing sent again" in out
    code, _, err = cli("cycle", "allocate", cycle_id)
    assert code == 1 and "can no longer change" in err
    code, out, _ = cli("cycle", "close", cycle_id)
    assert code == 0 and "closed cycle" in out and cycle_row(engine, cycle_id).status == "closed"
    code, _, err = cli("cycle", "close", cycle_id)
    assert code == 1 and "closed already" in err


def test_bad_create_input_exits_1_listing_every_problem(cli: RunCli, engine: Engine) -> None:
    seed_org(engine)
    code, out, err = cli(
        "cycle", "create", "--name", "", "--kind", "peer", "--opens", "2026-13-01",
        "--due", "2026-11-01", "--per-auditor", "2", "--sample", "x", "--lookback-months", "9",
        "--moderation-fraction", "2", "--team", "No Such Team", "--service", "Service 01",
        "--case-type", "adoption",
    )
    assert code == 1 and out == ""
    problems = err.splitlines()
    for expected in (
        "qabot: --name: give the cycle a name",
        "qabot: --kind: choose one of case_file, thematic, supervision_file, "
        "practice_observation",
        "qabot: --opens: '2026-13-01' is not a date YYYY-MM-DD",
        "qabot: --per-auditor/--sample: 'x' is not a whole number",
        "qabot: --lookback-months: the look-back window is 6 or 12 months",
        "qabot: --moderation-fraction: the share moderated is a number from 0 to 1",
        "qabot: --team: no team called 'No Such Team'",
    ):
        assert expected in problems, expected
    assert any(p.startswith("qabot: --case-type: unknown case type adoption") for p in problems)
    code, out, _ = cli("cycle", "list")
    assert "no cycles yet" in out


def test_an_impossible_draw_exits_1_saying_why_and_saves_nothing(
    cli: RunCli, engine: Engine
) -> None:
    seed_org(engine)
    cycle_id = create(cli, "--sample", "400", "--team", "Team 001")
    code, out, _ = cli("cycle", "allocate", cycle_id)
    assert code == 1
    assert "draw: INCOMPLETE: nothing was saved" in out
    assert "  - the cycle: not enough eligible cases for the sample: needs 400" in out
    assert f"nothing was saved: cycle {cycle_id} keeps its previous state" in out
    assert cycle_row(engine, cycle_id).status == "draft" and audits_of(engine, cycle_id) == []


def test_staff_unavailable_reallocates_and_sends_when_slack_is_set(
    cli: RunCli, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSlack() as fake:
        org = seed_org(engine, fake)
        cycle_id = create(cli)
        assert cli("cycle", "allocate", cycle_id)[0] == 0
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        monkeypatch.setenv("SLACK_API_URL", fake.url)
        code, out, _ = cli("cycle", "open", cycle_id)
        assert code == 0 and "sent" in out.splitlines()[-1]
        posted = len(fake.calls_to("chat.postMessage"))
        assert posted > 20
        away = org.emails[audits_of(engine, cycle_id)[0].auditor_id]
        code, out, _ = cli("staff", "unavailable", away.upper(), "--cycle", cycle_id)
        assert code == 0 and f"{away} is unavailable for cycle {cycle_id}" in out
        assert "reallocated: C0" in out
        assert len(fake.calls_to("chat.postMessage")) == posted + 1  # the new auditor
        code, _, err = cli("staff", "unavailable", "nobody@example.org", "--cycle", cycle_id)
        assert code == 1 and "nobody@example.org is not in the staff directory" in err


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_allocations_has_the_tracker_columns(
    cli: RunCli, engine: Engine, tmp_path: Path, file_format: str
) -> None:
    org = seed_org(engine)
    cases = create(cli)
    people = int(cli("cycle", "create", "--name", "Synthetic supervision", "--kind",
                     "supervision_file", "--opens", "2026-12-01", "--due", "2027-01-12",
                     "--sample", "3", "--seed", "5")[1].splitlines()[-1])
    for cycle_id in (cases, people):
        assert cli("cycle", "allocate", cycle_id)[0] == 0
    out = tmp_path / f"allocations.{file_format}"
    code, printed, err = cli("export", "allocations", "--cycle", people, "--format",
                             file_format, "--out", out)
    assert code == 0, err
    if file_format == "csv":
        rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    else:
        sheet = load_workbook(out).worksheets[0]
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == COLUMNS
    assert len(rows) == 4 and {r[0] for r in rows[1:]} == {"Synthetic supervision"}
    audited = {org.emails[a.subject_staff_id or 0] for a in audits_of(engine, people)}
    assert {r[4] for r in rows[1:]} == audited and {r[1] for r in rows[1:]} == {""}
    assert {r[8] for r in rows[1:]} == {"2027-01-12"} and {r[10] for r in rows[1:]} == {
        "allocated"}

    code, _, _ = cli("export", "allocations", "--format", "csv", "--out", tmp_path / "all.csv")
    every = list(csv.reader((tmp_path / "all.csv").read_text().splitlines()))
    assert len(every) == 1 + 20 + 3
    case_rows = [r for r in every[1:] if r[0] == "Synthetic December"]
    assert all(r[1].startswith("C0") and r[5].startswith("tm") for r in case_rows)
    code, _, err = cli("export", "allocations", "--cycle", "999", "--format", "csv", "--out",
                       tmp_path / "none.csv")
    assert code == 1 and "no cycle 999" in err and not (tmp_path / "none.csv").exists()
