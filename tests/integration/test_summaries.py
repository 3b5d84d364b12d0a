"""Summaries against the database: every figure checked against plain Python over the rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.domain.audit_form import label
from bot.services.exports import TRACKERS, open_tracker
from bot.services.rule_settings import set_setting
from bot.services.summaries.compute import Summary
from bot.services.summaries.downloads import button_value, prepare_download
from bot.services.summaries.errors import SummaryError
from bot.services.summaries.requesting import request_summary
from storage.db import read_only, unit_of_work
from storage.models import AuditLogEntry, OutboxMessage
from tests.fakes.summary_data import build_summary_data
from tests.integration import summary_oracle as oracle
from tests.integration.summary_oracle import Ask
from tests.integration.summary_support import NOW, TODAY, Seeded, seed_summary_org

QUARTERS = {  # financial quarters (the default): 2026-Q2 is July to September 2026
    "2025-Q1": (date(2025, 4, 1), date(2025, 6, 30)),
    "2025-Q2": (date(2025, 7, 1), date(2025, 9, 30)),
    "2025-Q3": (date(2025, 10, 1), date(2025, 12, 31)),
    "2025-Q4": (date(2026, 1, 1), date(2026, 3, 31)),
    "2026-Q1": (date(2026, 4, 1), date(2026, 6, 30)),
    "2026-Q2": (date(2026, 7, 1), date(2026, 9, 30)),
    "2026-Q3": (date(2026, 10, 1), date(2026, 12, 31)),
}


def ask(slack_id: str, engine: Engine, text: str) -> Summary:
    return request_summary(engine, authority_id=1, slack_user_id=slack_id, text=text,
                           request_key=f"t:{slack_id}:{text}", now=NOW).summary


def close(got: float | None, want: float | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    # Hours and percentages are rounded to one decimal: a value on a .x5 boundary may round
    # either way between floating-point computations, so one step of rounding is allowed.
    return abs(got - want) <= 0.1001


def check(seeded: Seeded, summary: Summary, now: Ask, before: Ask | None,
          trend: list[tuple[str, Ask]]) -> None:
    """Every figure, grade, domain and alert breakdown of `summary` against the oracle."""
    data = seeded.data
    want_now = oracle.figures(data, now, TODAY)
    want_before = oracle.figures(data, before, TODAY) if before else None
    for figure in summary.figures:
        assert close(figure.value, want_now[figure.key]), (figure.key, figure.value,
                                                           want_now[figure.key])
        wanted = want_before[figure.key] if want_before else None
        assert close(figure.previous, wanted), (figure.key, "previous", figure.previous, wanted)
    grades_now = oracle.grades_of(data, now)
    grades_before = oracle.grades_of(data, before) if before else {}
    assert summary.grades == [(g, grades_now.get(g, 0), grades_before.get(g, 0))
                              for g in oracle.GRADES]
    assert [p for p, _ in summary.trend] == [p for p, _ in trend]
    for (_, counts), (_, period) in zip(summary.trend, trend, strict=True):
        want = oracle.grades_of(data, period)
        assert dict(counts) == {g: want.get(g, 0) for g in oracle.GRADES}
    assert [(d, graded, below) for d, graded, below, _ in summary.weakest] == [
        (label(d), graded, below) for d, graded, below in oracle.weakest_of(data, now)]
    breakdown = oracle.alert_breakdown(data, now)
    assert {c: (r, o) for c, r, o in summary.alerts_by_category} == {
        c: (r, o) for c, (r, o, _, _) in breakdown.items()}
    for category, (ack_hours, resolve_hours) in summary.alert_medians_by_category.items():
        _, _, want_ack, want_resolve = breakdown[category]
        assert close(ack_hours, want_ack) and close(resolve_hours, want_resolve), category


def scoped(base: Ask, **scope: Any) -> Ask:
    return Ask(base.start, base.end, base.cycle_id, **scope)


def quarter_ask(name: str) -> Ask:
    return Ask(*QUARTERS[name])


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    return seed_summary_org(engine)


def test_every_figure_matches_an_independent_computation(engine: Engine,
                                                          seeded: Seeded) -> None:
    qa_lead = seeded.slack_id("qa_lead")
    trend_names = list(QUARTERS)[:6]
    scopes: dict[str, dict[str, Any]] = {
        "all": {},
        "Service 01": {"team_ids": seeded.service_teams["Service 01"]},
        "Team 002": {"team_ids": frozenset({seeded.team_ids["Team 002"]})},
    }
    for words, scope in scopes.items():
        summary = ask(qa_lead, engine, f"{words} 2026-Q2")
        assert summary.period_label == "2026-Q2" and summary.previous_label == "2026-Q1"
        check(seeded, summary, scoped(quarter_ask("2026-Q2"), **scope),
              scoped(quarter_ask("2026-Q1"), **scope),
              [(n, scoped(quarter_ask(n), **scope)) for n in trend_names])
    # This quarter (today falls in it: overdue is counted as at today), for one service.
    scope = scopes["Service 01"]
    summary = ask(qa_lead, engine, "2026-Q3 Service 01")
    check(seeded, summary, scoped(quarter_ask("2026-Q3"), **scope),
          scoped(quarter_ask("2026-Q2"), **scope),
          [(n, scoped(quarter_ask(n), **scope)) for n in list(QUARTERS)[1:]])


def test_months_ranges_and_cycles_match_too(engine: Engine, seeded: Seeded) -> None:
    qa_lead = seeded.slack_id("qa_lead")
    team = {"team_ids": frozenset({seeded.team_ids["Team 003"]})}
    summary = ask(qa_lead, engine, "Team 003 2026-08")
    months = [(f"2026-0{m}", Ask(date(2026, m, 1), date(2026, m + 1, 1) - timedelta(days=1),
                                 **team)) for m in range(3, 9)]
    check(seeded, summary, months[-1][1], months[-2][1], months)

    summary = ask(qa_lead, engine, "all 2025-06-01..2026-05-31")
    year = Ask(date(2025, 6, 1), date(2026, 5, 31))
    before = Ask(date(2024, 6, 1), date(2025, 5, 31))
    assert summary.previous_label == "2024-06-01..2025-05-31"
    assert [p for p, _ in summary.trend][-2:] == [
        "2024-06-01..2025-05-31", "2025-06-01..2026-05-31"]
    for figure in summary.figures:
        want = oracle.figures(seeded.data, year, TODAY)[figure.key]
        assert close(figure.value, want), figure.key
        assert close(figure.previous, oracle.figures(seeded.data, before, TODAY)[figure.key])

    cycles = seeded.data.cycles
    fifth, fourth = cycles[4], cycles[3]
    summary = ask(qa_lead, engine, f"{fifth['name']} Service 02")
    assert summary.previous_label == fourth["name"]
    scope = {"team_ids": seeded.service_teams["Service 02"]}

    def of(cycle: dict[str, Any]) -> Ask:
        return Ask(cycle["opens_on"], cycle["moderation_due"], cycle["id"], **scope)

    check(seeded, summary, of(fifth), of(fourth),
          [(c["name"], of(c)) for c in cycles[:5]])
    by_id = ask(qa_lead, engine, f"Service 02 {fifth['id']}")
    assert by_id.figures == summary.figures


def test_a_practitioner_sees_their_own_figures(engine: Engine, seeded: Seeded) -> None:
    workers = [a["worker_id"] for a in seeded.data.audits]
    busiest = max(set(workers), key=workers.count)
    slack_id = next(p.slack_user_id for p in seeded.org.staff
                    if p.email == seeded.data.people.staff[busiest]["email"])
    summary = ask(slack_id, engine, "2026-Q2")  # no scope: their own
    assert summary.scope_key == f"me:{busiest}"
    check(seeded, summary, scoped(quarter_ask("2026-Q2"), staff_id=busiest),
          scoped(quarter_ask("2026-Q1"), staff_id=busiest),
          [(n, scoped(quarter_ask(n), staff_id=busiest)) for n in list(QUARTERS)[:6]])
    for other in ("Team 001", "all", "Service 01"):
        with pytest.raises(SummaryError, match="you can see your own summary"):
            ask(slack_id, engine, other)


def test_a_team_manager_is_refused_other_teams_and_all_in_words_and_logged(
        engine: Engine, seeded: Seeded) -> None:
    manager = seeded.team_manager_of("Team 001")
    own = ask(manager, engine, "")
    assert own.scope_label == "Team 001"
    for words in ("Team 002", "all", "Service 01", "Team 002 2026-Q1"):
        with pytest.raises(SummaryError, match=r"Sorry, you can't see the summary for .*"
                                               r"your own team's summaries"):
            ask(manager, engine, words)
    with pytest.raises(SummaryError, match="I can't read `Team 999`"):
        ask(manager, engine, "Team 999")
    with pytest.raises(SummaryError, match="a quarter is Q1 to Q4"):
        ask(manager, engine, "Team 001 2026-Q7")
    with read_only(engine) as session:
        refused = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.outcome == "refused")).all()
        queued = session.exec(select(OutboxMessage.key).where(
            col(OutboxMessage.channel) == manager)).all()
    assert sorted(r.record_id for r in refused) == sorted(
        [f"team:{seeded.team_ids['Team 002']}", "all", "service:1",
         f"team:{seeded.team_ids['Team 002']}"])
    assert {r.action for r in refused} == {"summary.view"}
    assert len(queued) == 1  # only the summary they may see


def download(engine: Engine, seeded: Seeded, slack_id: str, tracker: str, fmt: str,
             scope_key: str, request: str = "r1") -> Any:
    return prepare_download(engine, authority_id=1, slack_user_id=slack_id,
                            value=button_value(request, tracker, fmt, scope_key, None), now=NOW)


def test_downloads_hold_only_the_scope_and_open_with_openpyxl(engine: Engine,
                                                             seeded: Seeded) -> None:
    manager = seeded.team_manager_of("Team 002")
    team_key = f"team:{seeded.team_ids['Team 002']}"
    members = {p.email for p in seeded.org.staff if p.team == "Team 002"}
    assert set(TRACKERS) >= {"alerts"}
    for tracker in TRACKERS:
        file = download(engine, seeded, manager, tracker, "xlsx", team_key)
        book = load_workbook(io.BytesIO(file.content), read_only=True)
        assert book.sheetnames == [tracker, "about"]
        rows = list(book[tracker].iter_rows(values_only=True))
        with _header(engine, tracker) as header:
            assert list(rows[0]) == list(header)
        assert len(rows) - 1 == file.rows
        column = [h.lower() for h in rows[0]]
        if "team" in column:
            assert {r[column.index("team")] for r in rows[1:]} <= {"Team 002"}
        elif "supervisee_email" in column:
            assert {r[column.index("supervisee_email")] for r in rows[1:]} <= members
        csv_file = download(engine, seeded, manager, tracker, "csv", team_key)
        assert csv_file.content.decode().splitlines()[0] == ",".join(rows[0])
        assert csv_file.rows == file.rows
    alerts = download(engine, seeded, manager, "alerts", "csv", team_key, request="r2")
    want = sum(1 for a in seeded.data.alerts if a["team_id"] == seeded.team_ids["Team 002"])
    assert alerts.rows == want > 0


@contextmanager
def _header(engine: Engine, tracker: str) -> Iterator[tuple[str, ...]]:
    with open_tracker(engine, tracker=tracker, authority_id=1) as table:
        yield table.header


def test_a_forged_download_is_refused_and_a_second_press_sends_nothing(
        engine: Engine, seeded: Seeded) -> None:
    manager = seeded.team_manager_of("Team 002")
    with pytest.raises(SummaryError, match="your own team's"):
        download(engine, seeded, manager, "alerts", "xlsx", "all")
    with pytest.raises(SummaryError, match="your own team's"):
        download(engine, seeded, manager, "alerts", "xlsx",
                 f"team:{seeded.team_ids['Team 003']}")
    team_key = f"team:{seeded.team_ids['Team 002']}"
    download(engine, seeded, manager, "alerts", "csv", team_key, request="once")
    with pytest.raises(SummaryError, match="already in your messages"):
        download(engine, seeded, manager, "alerts", "csv", team_key, request="once")
    with read_only(engine) as session:
        refused = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.action == "summary.download")).all()
    assert {(r.record_id, r.outcome) for r in refused} == {
        ("all", "refused"), (f"team:{seeded.team_ids['Team 003']}", "refused")}


def test_a_fixed_number_of_queries_whatever_the_size(engine: Engine, seeded: Seeded) -> None:
    qa_lead = seeded.slack_id("qa_lead")

    def statements(text: str) -> int:
        seen: list[str] = []

        def count(*_: Any) -> None:
            seen.append("x")

        event.listen(engine, "before_cursor_execute", count)
        try:
            ask(qa_lead, engine, text)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    small = statements("all 2026-Q2")
    build_summary_data(engine, first=date(2025, 4, 1), last=date(2026, 12, 31), today=TODAY,
                       cycles=2, audits_per_cycle=50, actions=3000, alerts=600, supervision=0,
                       good_practice=100, seed=9)
    assert statements("all 2026-Q2") == small
    assert statements("Team 001 2026-Q2") == small
    assert small < 25


def test_quarters_follow_the_quarter_start_month_setting(engine: Engine,
                                                         seeded: Seeded) -> None:
    with unit_of_work(engine) as session:
        set_setting(session, authority_id=1, key="quarter_start_month", raw_value="1",
                    actor="test", now=NOW)
        session.commit()
    summary = ask(seeded.slack_id("qa_lead"), engine, "all 2026-Q3")  # calendar: Jul-Sep
    assert (summary.period_start, summary.period_end) == ("2026-07-01", "2026-09-30")
    assert summary.previous_label == "2026-Q2"
    check(seeded, summary, quarter_ask("2026-Q2"), quarter_ask("2026-Q1"),
          [(f"{y}-Q{q}", quarter_ask(n)) for (y, q), n in zip(
              [(2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)],
              ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"], strict=True)])
