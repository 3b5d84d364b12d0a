"""`qabot import teams|staff|cases`: every bad row reported, nothing half-written, upserts."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.services.imports import (
    CASE_COLUMNS,
    STAFF_COLUMNS,
    STAFF_OPTIONAL,
    TEAM_COLUMNS,
    import_cases,
    import_staff,
    import_teams,
)
from storage.db import unit_of_work
from storage.models import (
    DEFAULT_AUTHORITY_ID,
    AuditLogEntry,
    Case,
    CaseInvolvement,
    Service,
    Staff,
    StaffRole,
    Team,
)
from tests.fakes.org import (
    SyntheticOrg,
    cases_csv,
    load_org,
    make_org,
    register_in_fake_slack,
    staff_csv,
    teams_csv,
    write_csvs,
)
from tests.fakes.slack_api import FakeSlack
from tests.integration.conftest import RunCli

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
STAFF_HEADER = (*STAFF_COLUMNS, *STAFF_OPTIONAL)


# ------------------------------------------------------------------------------ helpers


def rows_of(text: str) -> list[dict[str, str]]:
    """A CSV text's rows as dicts."""
    return list(csv.DictReader(io.StringIO(text)))


def to_csv(header: tuple[str, ...], rows: list[dict[str, Any]], *, crlf: bool = False) -> str:
    """Rows as CSV text (missing cells empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n" if crlf else "\n")
    writer.writeheader()
    writer.writerows([{k: row.get(k, "") for k in header} for row in rows])
    return out.getvalue()


def practitioners(org: SyntheticOrg) -> list[str]:
    """E-mails of people who manage nobody (changing them cannot break other rows)."""
    managers = {p.line_manager_email for p in org.staff}
    return [p.email for p in org.with_role("practitioner") if p.email not in managers]


def count(engine: Engine, model: Any) -> int:
    """Rows in a table."""
    with unit_of_work(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def run_import(engine: Engine, kind: str, text: str, **extra: Any) -> Any:
    """Import through the service in one committed unit of work."""
    importer = {"teams": import_teams, "staff": import_staff, "cases": import_cases}[kind]
    with unit_of_work(engine) as session:
        result = importer(
            session,
            authority_id=DEFAULT_AUTHORITY_ID,
            data=text.encode(),
            actor="system",
            now=NOW,
            **extra,
        )
        session.commit()
    return result


def reasons(result: Any) -> dict[int, list[str]]:
    """Problems by line."""
    found: dict[int, list[str]] = {}
    for problem in result.problems:
        found.setdefault(problem.line, []).append(problem.reason)
    return found


@pytest.fixture(scope="module")
def org() -> SyntheticOrg:
    """A small organisation: 4 teams in 2 services, 50 staff, 200 cases."""
    return make_org(teams=4, staff=50, cases=200, services=2, seed=3)


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """A fake Slack Web API, with the settings that point the bot at it."""
    with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "test-secret")
        monkeypatch.setenv("SLACK_API_URL", fake.url)
        yield fake


# ------------------------------------------------------------------------------ bad rows


def test_three_bad_staff_rows_among_50_write_nothing_and_are_all_named(
    cli: RunCli, engine: Engine, org: SyntheticOrg, tmp_path: Path
) -> None:
    run_import(engine, "teams", teams_csv(org))
    rows = rows_of(staff_csv(org))
    assert len(rows) == 50
    index = {row["email"]: i for i, row in enumerate(rows)}
    a, b, c = (index[email] for email in practitioners(org)[:3])
    rows[a]["roles"] = "practitioner;wizard"
    rows[b]["email"] = "not-an-email"
    rows[c]["team"] = "Team 999"
    path = tmp_path / "staff.csv"
    path.write_text(to_csv(STAFF_HEADER, rows))

    code, out, err = cli("import", "staff", path)

    assert code == 1
    assert out == ""
    *problems, last = err.strip().splitlines()
    expected = {
        a + 2: "unknown role(s) wizard; the roles are practitioner, team_manager,",
        b + 2: "email 'not-an-email' is not an e-mail address",
        c + 2: "unknown team 'Team 999' (import teams first)",
    }
    assert len(problems) == 3
    for line, (number, reason) in zip(problems, sorted(expected.items()), strict=True):
        assert line.startswith(f"line {number}: {reason}"), line
    assert last == f"nothing imported from {path}: 3 problems"
    assert count(engine, Staff) == 0
    assert count(engine, StaffRole) == 0
    with unit_of_work(engine) as session:
        actions = session.exec(select(AuditLogEntry.action)).all()
    assert "import.staff" not in actions


def test_each_kind_of_bad_staff_row_gives_its_reason(engine: Engine, org: SyntheticOrg) -> None:
    run_import(engine, "teams", teams_csv(org))
    good = rows_of(staff_csv(org))
    team = org.teams[0].name
    first = good[0]["email"]

    def person(n: int, **cells: str) -> dict[str, str]:
        return {
            "email": f"new{n}@example.org",
            "name": f"New Person {n}",
            "roles": "practitioner",
            "team": team,
            "line_manager_email": first,
            "auditor": "no",
            **cells,
        }

    bad = [
        (person(1, roles="practitioner;wizard"), "unknown role(s) wizard"),
        (person(2, roles="auditor"), "auditor is not a role"),
        (person(3, roles=""), "roles is empty"),
        (person(4, team="Team 999"), "unknown team 'Team 999'"),
        (person(5, email="new5.example.org"), "email 'new5.example.org' is not an e-mail address"),
        (person(6, line_manager_email="ghost@example.org"), "unknown line manager ghost@"),
        (person(7, email=first.upper()), f"e-mail {first} is also on line 2"),
        (person(8, assessed_year_until="2026-13-01"), "assessed_year_until '2026-13-01' is not"),
        (person(9, epdr_due="01/02/2027"), "epdr_due '01/02/2027' is not a date as YYYY-MM-DD"),
        (person(10, auditor="maybe"), "auditor must be yes or no, not 'maybe'"),
        (person(11, active="y"), "active must be yes or no"),
        (person(12, line_manager_email="new13@example.org"), "line-manager cycle"),
        (person(13, line_manager_email="new12@example.org"), "line-manager cycle"),
        (person(14, line_manager_email="new14@example.org"), "line-manager cycle"),
        (person(15, slack_user_id="bob"), "slack_user_id 'BOB' is not a Slack user id"),
        (person(16, slack_user_id=good[0]["slack_user_id"]), "is also given to line 2"),
        (person(17, name=""), "name is empty"),
    ]
    text = to_csv(STAFF_HEADER, good + [row for row, _ in bad])
    text += "short@example.org,Short Row,practitioner\n"  # too few fields

    result = run_import(engine, "staff", text)

    found = reasons(result)
    first_bad = len(good) + 2
    for offset, (_, reason) in enumerate(bad):
        line = first_bad + offset
        assert any(reason in r for r in found.get(line, [])), (line, reason, found.get(line))
    short_line = first_bad + len(bad)
    assert found[short_line] == ["has 3 fields; the header has 10"]
    assert found[first_bad + 13] == ["line-manager cycle: new14@example.org -> new14@example.org"]
    # A Slack id given twice is reported on both rows: either may be the wrong one.
    assert found[2] == [
        f"slack_user_id {good[0]['slack_user_id']} is also given to line {first_bad + 15}"
    ]
    assert set(found) == {2, *range(first_bad, short_line + 1)}
    assert count(engine, Staff) == 0


def test_each_kind_of_bad_teams_row_gives_its_reason(engine: Engine, org: SyntheticOrg) -> None:
    good = rows_of(teams_csv(org))
    bad = [
        (
            {**good[0], "team": "Team New 1", "head_of_service_email": "other@example.org"},
            "conflicts with line 2",
        ),
        ({**good[1], "team": good[1]["team"].upper()}, "is also on line 3"),
        (
            {**good[0], "team": "Team New 2", "team_manager_email": "tm at example.org"},
            "team_manager_email 'tm at example.org' is not an e-mail address",
        ),
        ({**good[0], "team": "Team New 3", "service": ""}, "service is empty"),
        ({**good[0], "team": ""}, "team is empty"),
    ]

    result = run_import(engine, "teams", to_csv(TEAM_COLUMNS, good + [r for r, _ in bad]))

    found = reasons(result)
    for offset, (_, reason) in enumerate(bad):
        line = len(good) + 2 + offset
        assert any(reason in r for r in found.get(line, [])), (line, reason, found.get(line))
    assert count(engine, Team) == 0 and count(engine, Service) == 0


def test_each_kind_of_bad_cases_row_gives_its_reason(engine: Engine, org: SyntheticOrg) -> None:
    load_org(engine, make_org(teams=4, staff=50, cases=0, services=2, seed=3), now=NOW)
    good = rows_of(cases_csv(org))[:20]
    base = good[0]
    worker = base["worker_email"]
    bad = [
        ({**base}, f"case_ref {base['case_ref']} is also on line 2"),
        ({**base, "case_ref": "X1", "team": "Team 999"}, "unknown team 'Team 999'"),
        ({**base, "case_ref": "X2", "worker_email": "ghost@example.org"}, "unknown worker ghost@"),
        ({**base, "case_ref": "X3", "case_type": "adoption"}, "unknown case_type 'adoption'"),
        ({**base, "case_ref": "X4", "opened_on": "2026-02-30"}, "opened_on '2026-02-30' is not"),
        (
            {**base, "case_ref": "X5", "involved_emails": f"{worker};nobody@example.org"},
            "unknown involved e-mail nobody@example.org",
        ),
        (
            {**base, "case_ref": "X6", "involved_emails": "not-an-email"},
            "involved_emails 'not-an-email' is not an e-mail address",
        ),
        ({**base, "case_ref": ""}, "case_ref is empty"),
        ({**base, "case_ref": "X7", "worker_email": "worker@"}, "is not an e-mail address"),
    ]

    result = run_import(engine, "cases", to_csv(CASE_COLUMNS, good + [r for r, _ in bad]))

    found = reasons(result)
    for offset, (_, reason) in enumerate(bad):
        line = len(good) + 2 + offset
        assert any(reason in r for r in found.get(line, [])), (line, reason, found.get(line))
    assert set(found) == set(range(len(good) + 2, len(good) + 2 + len(bad)))
    assert count(engine, Case) == 0


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "line 1: the file is empty; the header must be team,service,"),
        (b"team,service,team_manager_email\n", "line 1: missing column(s) service_manager_email"),
        (
            b"team,service,team_manager_email,service_manager_email,head_of_service_email,colour\n",
            "line 1: unknown column(s) colour",
        ),
        (
            b"team,service,team_manager_email,service_manager_email,head_of_service_email\n"
            b"Team \xff,Service,,,\n",
            "line 2: is not UTF-8 text",
        ),
    ],
)
def test_a_bad_header_or_encoding_is_reported(
    cli: RunCli, engine: Engine, tmp_path: Path, data: bytes, fragment: str
) -> None:
    path = tmp_path / "teams.csv"
    path.write_bytes(data)
    code, _, err = cli("import", "teams", path)
    assert code == 1
    assert fragment in err
    assert count(engine, Team) == 0


def test_a_missing_file_is_bad_input(cli: RunCli, tmp_path: Path) -> None:
    code, _, err = cli("import", "cases", tmp_path / "absent.csv")
    assert code == 1
    assert "cannot read" in err


# ------------------------------------------------------------------------------ good files


def test_bom_crlf_and_mixed_case_emails_are_accepted(
    cli: RunCli, engine: Engine, org: SyntheticOrg, tmp_path: Path
) -> None:
    files = {}
    for kind, header, text in (
        ("teams", TEAM_COLUMNS, teams_csv(org)),
        ("staff", STAFF_HEADER, staff_csv(org)),
        ("cases", CASE_COLUMNS, cases_csv(org)),
    ):
        rows = rows_of(text)
        for row in rows:
            for column, value in row.items():
                if "email" in column:
                    row[column] = value.upper()  # e-mails match without regard to case
        files[kind] = tmp_path / f"{kind}.csv"
        files[kind].write_bytes(b"\xef\xbb\xbf" + to_csv(header, rows, crlf=True).encode())
    assert files["staff"].read_bytes().count(b"\r\n") == 51

    created = {"teams": 4, "staff": 50, "cases": 200}
    for kind in ("teams", "staff", "cases"):
        code, out, err = cli("import", kind, files[kind])
        assert (code, err) == (0, ""), err
        assert out.startswith(f"{kind}: {created[kind]} created, 0 updated, 0 unchanged")
    with unit_of_work(engine) as session:
        emails = set(session.exec(select(Staff.email)).all())
        heads = set(session.exec(select(Service.head_of_service_email)).all())
    assert emails == {p.email for p in org.staff}
    assert heads == {t.head_of_service_email for t in org.teams}
    assert count(engine, Case) == 200


def test_summary_and_audit_log_have_counts_only(
    cli: RunCli, engine: Engine, org: SyntheticOrg, tmp_path: Path
) -> None:
    paths = write_csvs(org, tmp_path)
    assert cli("import", "teams", paths["teams"])[:2] == (
        0,
        "teams: 4 created, 0 updated, 0 unchanged, 2 services created\n",
    )
    assert cli("import", "staff", paths["staff"])[:2] == (
        0,
        "staff: 50 created, 0 updated, 0 unchanged\n",
    )
    assert cli("import", "cases", paths["cases"])[:2] == (
        0,
        "cases: 200 created, 0 updated, 0 unchanged, 0 closed\n",
    )
    with unit_of_work(engine) as session:
        entries = session.exec(select(AuditLogEntry).order_by(AuditLogEntry.id)).all()
    assert [(e.action, json.loads(e.after or "{}")) for e in entries] == [
        ("import.teams", {"created": 4, "updated": 0, "unchanged": 0, "services_created": 2}),
        ("import.staff", {"created": 50, "updated": 0, "unchanged": 0}),
        ("import.cases", {"created": 200, "updated": 0, "unchanged": 0, "closed": 0}),
    ]
    assert all(
        "@" not in (e.after or "") and "Practitioner" not in (e.after or "") for e in entries
    )


def test_a_line_manager_may_come_later_in_the_same_file(engine: Engine, org: SyntheticOrg) -> None:
    run_import(engine, "teams", teams_csv(org))
    rows = list(reversed(rows_of(staff_csv(org))))  # everyone before their manager
    assert run_import(engine, "staff", to_csv(STAFF_HEADER, rows)).ok
    with unit_of_work(engine) as session:
        staff = {s.id: s for s in session.exec(select(Staff)).all()}
    email_of = {s.id: s.email for s in staff.values()}
    for person in staff.values():
        expected = org.person(person.email).line_manager_email
        assert email_of.get(person.line_manager_id) == expected  # type: ignore[arg-type]


def test_upsert_updates_rather_than_duplicates(engine: Engine, org: SyntheticOrg) -> None:
    run_import(engine, "teams", teams_csv(org))
    run_import(engine, "staff", staff_csv(org))
    run_import(engine, "cases", cases_csv(org))

    teams = rows_of(teams_csv(org))
    teams[0]["team_manager_email"] = ""  # a vacancy
    staff = rows_of(staff_csv(org))
    moved, promoted = practitioners(org)[:2]
    other_team = next(t.name for t in org.teams if t.name != org.person(moved).team)
    for row in staff:
        if row["email"] == moved:
            row["team"], row["name"] = other_team, "Practitioner Renamed"
        if row["email"] == promoted:
            row["roles"], row["auditor"] = "practitioner;qa_lead", "yes"
    staff.append({**staff[-1], "email": "late@example.org", "slack_user_id": "U9999999"})
    cases = rows_of(cases_csv(org))
    cases[0]["case_type"] = "CP" if cases[0]["case_type"] != "CP" else "CIN"
    with_involved = next(row for row in cases[1:] if row["involved_emails"])
    with_involved["involved_emails"] = ""

    results = [
        run_import(engine, "teams", to_csv(TEAM_COLUMNS, teams)),
        run_import(engine, "staff", to_csv(STAFF_HEADER, staff)),
        run_import(engine, "cases", to_csv(CASE_COLUMNS, cases)),
    ]

    assert [(r.created, r.updated, r.unchanged) for r in results] == [
        (0, 1, 3),
        (1, 2, 48),
        (0, 2, 198),
    ]
    assert (count(engine, Team), count(engine, Staff), count(engine, Case)) == (4, 51, 200)
    with unit_of_work(engine) as session:
        person = session.exec(select(Staff).where(Staff.email == moved)).one()
        team = session.get(Team, person.team_id)
        roles = session.exec(
            select(StaffRole.role).join(Staff).where(Staff.email == promoted)
        ).all()
        vacant = session.exec(select(Team).where(Team.name == org.teams[0].name)).one()
    assert (person.name, team and team.name) == ("Practitioner Renamed", other_team)
    assert sorted(roles) == ["practitioner", "qa_lead"]
    assert vacant.team_manager_email is None


def test_close_missing_closes_only_the_absent_open_cases(
    cli: RunCli, engine: Engine, org: SyntheticOrg, tmp_path: Path
) -> None:
    load_org(engine, org, now=NOW)
    cases = rows_of(cases_csv(org))
    refs = [row["case_ref"] for row in cases]
    with unit_of_work(engine) as session:  # one absent case was closed already
        already = session.exec(select(Case).where(Case.case_ref == refs[-1])).one()
        already.is_open, already.closed_on = False, date(2026, 1, 5)
        session.add(already)
        session.commit()
    kept = cases[: len(cases) - 10]
    path = tmp_path / "cases.csv"
    path.write_text(to_csv(CASE_COLUMNS, kept))

    code, out, _ = cli("import", "cases", path)  # without the flag nothing is closed
    assert (code, out) == (0, "cases: 0 created, 0 updated, 190 unchanged, 0 closed\n")
    code, out, _ = cli("import", "cases", "--close-missing", path)
    assert (code, out) == (0, "cases: 0 created, 0 updated, 190 unchanged, 9 closed\n")

    with unit_of_work(engine) as session:
        state = {c.case_ref: (c.is_open, c.closed_on) for c in session.exec(select(Case)).all()}
    today = datetime.now(ZoneInfo("Europe/London")).date()  # the authority's timezone
    assert all(state[ref] == (True, None) for ref in refs[:190])
    assert all(state[ref] == (False, today) for ref in refs[190:199])
    assert state[refs[-1]] == (False, date(2026, 1, 5))  # closed before: left alone

    path.write_text(to_csv(CASE_COLUMNS, cases))  # listed again: reopened
    code, out, _ = cli("import", "cases", path)
    assert (code, out) == (0, "cases: 0 created, 10 updated, 190 unchanged, 0 closed\n")


def test_involved_people_are_replaced_not_added_to(engine: Engine, org: SyntheticOrg) -> None:
    load_org(engine, org, now=NOW)
    cases = rows_of(cases_csv(org))
    for row in cases:
        row["involved_emails"] = ""
    assert run_import(engine, "cases", to_csv(CASE_COLUMNS, cases)).ok
    assert count(engine, CaseInvolvement) == 0


# ------------------------------------------------------------------------------ Slack ids


def test_missing_slack_ids_are_looked_up_by_email_and_the_rest_listed(
    cli: RunCli, engine: Engine, slack: FakeSlack, tmp_path: Path
) -> None:
    org = make_org(teams=4, staff=50, cases=0, services=2, seed=3, unlisted_slack_ids=5)
    unlisted = [p for p in org.staff if not p.slack_in_csv]
    register_in_fake_slack(org, slack)
    slack.remove_user(unlisted[0].slack_user_id)  # someone not in Slack (yet)
    paths = write_csvs(org, tmp_path)
    cli("import", "teams", paths["teams"])

    code, out, err = cli("import", "staff", paths["staff"])

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "staff: 50 created, 0 updated, 0 unchanged",
        "Slack ids found by e-mail: 4",
        "not found in Slack (1):",
        f"  {unlisted[0].email}",
    ]
    assert len(slack.calls_to("users.lookupByEmail")) == 5
    assert slack.calls_to("users.list") == []
    with unit_of_work(engine) as session:
        stored = dict(session.exec(select(Staff.email, Staff.slack_user_id)).all())
    assert all(stored[p.email] == p.slack_user_id for p in unlisted[1:])
    assert stored[unlisted[0].email] is None


def test_a_rate_limited_lookup_waits_retry_after_and_retries(
    cli: RunCli, engine: Engine, slack: FakeSlack, tmp_path: Path
) -> None:
    org = make_org(teams=4, staff=50, cases=0, services=2, seed=3, unlisted_slack_ids=3)
    register_in_fake_slack(org, slack)
    slack.rate_limit("users.lookupByEmail", retry_after=1)
    paths = write_csvs(org, tmp_path)
    cli("import", "teams", paths["teams"])

    started = time.monotonic()
    code, out, _ = cli("import", "staff", paths["staff"])
    elapsed = time.monotonic() - started

    assert code == 0
    assert "Slack ids found by e-mail: 3" in out
    calls = slack.calls_to("users.lookupByEmail")
    assert [c.injected for c in calls] == ["rate_limit", None, None, None]
    assert calls[0].params["email"] == calls[1].params["email"]  # the same call, again
    assert calls[1].at - calls[0].at >= 0.95
    assert elapsed >= 1.0


def test_many_missing_slack_ids_are_found_by_paging_users_list(
    cli: RunCli, engine: Engine, slack: FakeSlack, tmp_path: Path
) -> None:
    org = make_org(teams=10, staff=450, cases=0, services=2, seed=4, unlisted_slack_ids=30)
    register_in_fake_slack(org, slack)
    unlisted = [p for p in org.staff if not p.slack_in_csv]
    slack.remove_user(unlisted[-1].slack_user_id)
    slack.rate_limit("users.list", retry_after=1)
    paths = write_csvs(org, tmp_path)
    cli("import", "teams", paths["teams"])

    code, out, _ = cli("import", "staff", paths["staff"])

    assert code == 0
    assert "Slack ids found by e-mail: 29" in out
    assert out.endswith(f"not found in Slack (1):\n  {unlisted[-1].email}\n")
    calls = slack.calls_to("users.list")
    assert [c.injected for c in calls] == ["rate_limit", None, None, None]
    assert all(c.params.get("limit") == "200" for c in calls)
    assert "cursor" not in calls[1].params or not calls[1].params["cursor"]
    assert calls[2].params["cursor"] == calls[1].response["response_metadata"]["next_cursor"]
    assert calls[3].params["cursor"] == calls[2].response["response_metadata"]["next_cursor"]
    assert calls[3].response["response_metadata"]["next_cursor"] == ""
    assert slack.calls_to("users.lookupByEmail") == []
    with unit_of_work(engine) as session:
        missing = session.exec(select(Staff.email).where(Staff.slack_user_id == None)).all()  # noqa: E711
    assert missing == [unlisted[-1].email]


def test_without_slack_settings_the_import_still_succeeds(
    cli: RunCli, engine: Engine, tmp_path: Path
) -> None:
    org = make_org(teams=4, staff=50, cases=0, services=2, seed=3, unlisted_slack_ids=2)
    paths = write_csvs(org, tmp_path)
    cli("import", "teams", paths["teams"])
    code, out, _ = cli("import", "staff", paths["staff"])
    assert code == 0
    assert out.splitlines()[0] == "staff: 50 created, 0 updated, 0 unchanged"
    assert out.splitlines()[1].startswith("Slack ids were not looked up: bad setting: SLACK_BOT")
    assert count(engine, Staff) == 50


def test_a_slack_error_is_reported_without_failing_the_import(
    cli: RunCli, engine: Engine, slack: FakeSlack, tmp_path: Path
) -> None:
    org = make_org(teams=4, staff=50, cases=0, services=2, seed=3, unlisted_slack_ids=2)
    slack.error("users.lookupByEmail", "invalid_auth")
    paths = write_csvs(org, tmp_path)
    cli("import", "teams", paths["teams"])
    code, out, _ = cli("import", "staff", paths["staff"])
    assert code == 0
    assert out.splitlines()[1] == "Slack ids were not looked up: Slack answered invalid_auth"
    assert count(engine, Staff) == 50


# ------------------------------------------------------------------------------ scale


def test_a_full_scale_organisation_imports_in_seconds(
    cli: RunCli, engine: Engine, tmp_path: Path
) -> None:
    org = make_org(teams=150, staff=2000, cases=25000)
    paths = write_csvs(org, tmp_path)
    timings = {}
    for kind in ("teams", "staff", "cases"):
        started = time.perf_counter()
        code, out, err = cli("import", kind, paths[kind])
        timings[kind] = time.perf_counter() - started
        assert (code, err) == (0, ""), err
    started = time.perf_counter()
    code, out, _ = cli("import", "cases", "--close-missing", paths["cases"])
    timings["cases again"] = time.perf_counter() - started
    assert out == "cases: 0 created, 0 updated, 25000 unchanged, 0 closed\n"
    print("full-scale import (s):", {k: round(v, 2) for k, v in timings.items()})
    assert (count(engine, Team), count(engine, Staff), count(engine, Case)) == (150, 2000, 25000)
    assert count(engine, CaseInvolvement) == sum(len(c.involved_emails) for c in org.cases)
    # Generous: seconds are expected; a query per row would take minutes.
    assert sum(timings.values()) < 60, timings
