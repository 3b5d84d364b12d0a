"""`qabot export alerts`: alerts raised and moved through the real services, read back from file."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Connection, Engine

from bot.cli import main
from bot.clock import FixedClock
from bot.services import exports
from bot.services.alerts.progress import act_on_alert
from bot.services.alerts.raising import NewAlert, raise_alert
from bot.services.alerts.sweep import sweep_alerts
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Case
from tests.fakes.slack_api import FakeSlack
from tests.scenario.alert_support import IRO, TM, AlertOrg, seed_alert_org

HEADER = [
    "reference", "case_ref", "team", "category", "severity", "management_decision",
    "raised_by_email", "raised_at", "stage", "acknowledged_at", "responded_at", "resolved_at",
    "status",
]
#: Every piece of free text the alerts carry includes this; none may reach a tracker.
SECRET = "ZQXSECRET"

Run = Callable[..., int]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in the week of Monday 23 November 2026 (London is on UTC then)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    """`qabot ARGV...` through `bot.cli.main` on the test database; returns the exit code."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # so that no developer's .env is read
    return lambda *argv: main([str(a) for a in argv])


def new_alert(severity: str, category: str, *, management: bool = False,
              case_ref: str = "C0001") -> NewAlert:
    """A Practice Alert as the modal would give it, its words marked as secret."""
    return NewAlert(case_ref=case_ref, category=category, severity=severity,
                    management_decision=management, concern=f"{SECRET} concern",
                    asked=f"{SECRET} ask", by_when=None)


def raise_at(engine: Engine, clock: FixedClock, when: datetime, alert: NewAlert) -> int:
    """Raise an alert as the synthetic IRO at `when`; its id."""
    clock.set(when)
    outcome = raise_alert(engine, authority_id=DEFAULT_AUTHORITY_ID, raiser_slack_id=IRO,
                          alert=alert, source_key=f"V{when.timestamp():.0f}", now=clock.now())
    assert outcome.alert_id is not None
    return outcome.alert_id


def act(engine: Engine, clock: FixedClock, when: datetime, who: str, alert_id: int,
        action: str, text: str | None = None) -> None:
    """One person's step on an alert at `when`."""
    clock.set(when)
    act_on_alert(engine, authority_id=DEFAULT_AUTHORITY_ID, actor_slack_id=who,
                 alert_id=alert_id, action=action, text=text,
                 source_key=f"{action}:{alert_id}:{when.timestamp():.0f}", now=clock.now())


@pytest.fixture
def three_alerts(engine: Engine, clock: FixedClock) -> AlertOrg:
    """Resolved, escalated by the sweep, and acknowledged then escalated by the raiser."""
    org = seed_alert_org(engine, FakeSlack())  # never started: it only records the people
    first = raise_at(engine, clock, at(23, 10), new_alert("urgent", "drift_or_delay"))
    raise_at(engine, clock, at(23, 10, 5),
             new_alert("standard", "safeguarding_concern", management=True))
    act(engine, clock, at(23, 10, 30), TM, first, "acknowledge")
    act(engine, clock, at(23, 11), TM, first, "respond", f"{SECRET} plan")
    act(engine, clock, at(23, 11, 30), TM, first, "propose", f"{SECRET} resolution")
    act(engine, clock, at(23, 12), IRO, first, "confirm")
    # A standard alert has one working day to be acknowledged: the second one climbs.
    report = sweep_alerts(engine, now=at(24, 11))
    assert report.lines == ["PA-2026-0002: not_acknowledged"]
    third = raise_at(engine, clock, at(24, 11, 5), new_alert("urgent", "other"))
    act(engine, clock, at(24, 11, 10), TM, third, "acknowledge")
    act(engine, clock, at(24, 11, 15), IRO, third, "escalate", f"{SECRET} reason")
    return org


EXPECTED = [
    ["PA-2026-0001", "C0001", "Team A", "drift_or_delay", "urgent", "no", "iro@example.org",
     "2026-11-23T10:00:00+00:00", "team manager", "2026-11-23T10:30:00+00:00",
     "2026-11-23T11:00:00+00:00", "2026-11-23T12:00:00+00:00", "resolved"],
    ["PA-2026-0002", "C0001", "Team A", "safeguarding_concern", "standard", "yes",
     "iro@example.org", "2026-11-23T10:05:00+00:00", "service manager", "", "", "", "open"],
    ["PA-2026-0003", "C0001", "Team A", "other", "urgent", "no", "iro@example.org",
     "2026-11-24T11:05:00+00:00", "service manager", "2026-11-24T11:10:00+00:00", "", "",
     "open"],
]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def read_xlsx(path: Path) -> tuple[str, list[list[str]]]:
    """The first sheet's title and cells (an empty cell read as "")."""
    sheet = load_workbook(path).worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return sheet.title, rows


def unzipped(path: Path) -> bytes:
    """Every part of an XLSX file, decompressed: what a search of its text would see."""
    with zipfile.ZipFile(path) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_csv_has_the_columns_and_one_row_per_alert_without_free_text(
    three_alerts: AlertOrg, run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "alerts.csv"
    assert run("export", "alerts", "--format", "csv", "--out", out) == 0
    rows = read_csv(out)
    assert rows[0] == HEADER
    assert rows[1:] == EXPECTED
    data = out.read_bytes()
    assert SECRET.encode() not in data
    assert b"Synthetic" not in data  # people's names stay out too


def test_xlsx_has_the_tracker_in_its_first_sheet_with_a_bold_frozen_header(
    three_alerts: AlertOrg, run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "alerts.xlsx"
    assert run("export", "alerts", "--format", "xlsx", "--out", out) == 0
    title, rows = read_xlsx(out)
    assert title == "alerts"
    assert rows == [HEADER, *EXPECTED]
    sheet = load_workbook(out).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    text = unzipped(out)
    assert b"PA-2026-0003" in text  # the search below would find the words if they were there
    assert SECRET.encode() not in text
    assert b"Synthetic" not in text


def test_an_empty_tracker_is_its_header_alone(engine: Engine, run: Run, tmp_path: Path) -> None:
    assert run("export", "alerts", "--format", "csv", "--out", tmp_path / "a.csv") == 0
    assert read_csv(tmp_path / "a.csv") == [HEADER]
    assert run("export", "alerts", "--format", "xlsx", "--out", tmp_path / "a.xlsx") == 0
    assert read_xlsx(tmp_path / "a.xlsx")[1] == [HEADER]


def test_a_value_a_spreadsheet_would_run_stays_text(
    engine: Engine, clock: FixedClock, run: Run, tmp_path: Path
) -> None:
    org = seed_alert_org(engine, FakeSlack())
    formula = "=HYPERLINK(\"http://example.org\",\"x\")"
    with unit_of_work(engine) as session:
        session.add(Case(authority_id=DEFAULT_AUTHORITY_ID, case_ref=formula,
                         team_id=org.team_id, case_type="CP"))
        session.commit()
    raise_at(engine, clock, at(23, 10), new_alert("urgent", "other", case_ref=formula))
    assert run("export", "alerts", "--format", "csv", "--out", tmp_path / "a.csv") == 0
    assert read_csv(tmp_path / "a.csv")[1][1] == f"'{formula}"
    assert run("export", "alerts", "--format", "xlsx", "--out", tmp_path / "a.xlsx") == 0
    cell = load_workbook(tmp_path / "a.xlsx").worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == (formula, "s")


def _broken(connection: Connection, authority_id: int,
            cycle_id: int | None) -> exports.TrackerTable:
    def rows() -> Iterator[exports.Row]:
        yield tuple("x" for _ in HEADER)
        raise RuntimeError("the database went away")

    return exports.TrackerTable(header=tuple(HEADER), rows=rows())


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_failed_export_leaves_the_previous_file_and_no_part_file(
    engine: Engine, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    file_format: str,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / f"alerts.{file_format}"
    out.write_bytes(b"last week's tracker")
    monkeypatch.setitem(exports.TRACKERS, "alerts", exports.Tracker(_broken))
    with pytest.raises(RuntimeError):
        run("export", "alerts", "--format", file_format, "--out", out)
    assert out.read_bytes() == b"last week's tracker"
    assert [p.name for p in folder.iterdir()] == [out.name]


def test_bad_input_exits_1_listing_every_problem_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "no-such-folder" / "a.csv"
    assert main(["export", "audits", "--format", "pdf", "--out", str(missing)]) == 1
    problems = capsys.readouterr().err.splitlines()
    assert problems == [
        f"qabot: no tracker 'audits'; the trackers are: {', '.join(sorted(exports.TRACKERS))}",
        "qabot: --format 'pdf' is unknown: use csv or xlsx",
        f"qabot: --out {missing}: the folder {missing.parent} does not exist",
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["alerts", "--cycle", "3", "--format", "csv", "--out", "a.csv"],
         "the alerts tracker is not per cycle: leave out --cycle"),
        (["alerts", "--out", "a.csv"], "--format is required: use csv or xlsx"),
        (["alerts", "--format", "CSV "], "--format 'CSV ' is unknown: use csv or xlsx"),
        (["alerts", "--format", "csv"], "--out PATH is required: the file to write"),
        (["alerts", "--format", "csv", "--out", "."], "--out . is a folder: name the file"),
    ],
)
def test_each_bad_argument_exits_1_with_a_clear_line(
    argv: list[str], problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", *argv]) == 1
    assert problem in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_authority_exits_1(engine: Engine, run: Run, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.csv"
    assert run("export", "alerts", "--authority", "99", "--format", "csv", "--out", out) == 1
    assert "no authority 99" in capsys.readouterr().err
    assert not out.exists()
