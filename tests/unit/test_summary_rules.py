"""Summaries' pure rules: periods, scopes and who may see them, the words, the figures."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from bot.domain.grading_scale import OFSTED_SCALE, GradingScale
from bot.domain.summaries import (
    ALL,
    ME,
    SERVICE,
    TEAM,
    PeriodError,
    Scope,
    Viewer,
    date_range,
    may_see,
    month,
    parse_period,
    previous_period,
    quarter,
    quarter_containing,
    refusal,
    split_words,
    trend_periods,
    widest_kind,
    words_problem,
)
from bot.domain.summary_figures import (
    OTHER_GRADE,
    Figure,
    figures_from,
    grade_counts,
    middle,
    percent,
    weakest_domains,
)

FINANCIAL, CALENDAR = 4, 1


def test_financial_quarters_start_in_april_and_are_named_by_the_year_they_start() -> None:
    q1 = quarter(2026, 1, FINANCIAL)
    assert (q1.start, q1.end, q1.label) == (date(2026, 4, 1), date(2026, 6, 30), "2026-Q1")
    q4 = quarter(2026, 4, FINANCIAL)
    assert (q4.start, q4.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert quarter_containing(date(2027, 2, 10), FINANCIAL) == q4
    assert quarter_containing(date(2026, 4, 1), FINANCIAL) == q1


def test_calendar_quarters_when_the_setting_says_january() -> None:
    q3 = quarter(2026, 3, CALENDAR)
    assert (q3.start, q3.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_containing(date(2026, 12, 31), CALENDAR).label == "2026-Q4"


@pytest.mark.parametrize(("words", "start", "end"), [
    ("2026-Q3", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-q3", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026Q1", date(2026, 4, 1), date(2026, 6, 30)),
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2028-2", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026-01-01..2026-03-31", date(2026, 1, 1), date(2026, 3, 31)),
])
def test_periods_are_read_from_their_words(words: str, start: date, end: date) -> None:
    period = parse_period(words, FINANCIAL)
    assert period is not None and (period.start, period.end) == (start, end)


@pytest.mark.parametrize(("words", "reason"), [
    ("2026-Q5", "Q1 to Q4"),
    ("2026-13", "01 to 12"),
    ("2026-03-31..2026-01-01", "end comes before the start"),
    ("2026-02-30..2026-03-01", "not a real date"),
    ("2020-01-01..2026-01-01", "three years at most"),
])
def test_words_shaped_like_a_period_that_name_none_say_why(words: str, reason: str) -> None:
    with pytest.raises(PeriodError, match=reason):
        parse_period(words, FINANCIAL)
    assert reason in words_problem(f"Team A {words}", FINANCIAL)


def test_other_words_are_not_a_period() -> None:
    assert parse_period("Team A", FINANCIAL) is None
    assert parse_period("cycle 3", FINANCIAL) is None


def test_the_previous_period_is_the_one_just_before() -> None:
    assert previous_period(quarter(2026, 1, FINANCIAL), FINANCIAL) == quarter(2025, 4, FINANCIAL)
    assert previous_period(month(2026, 1), FINANCIAL) == month(2025, 12)
    before = previous_period(date_range(date(2026, 1, 10), date(2026, 1, 19)), FINANCIAL)
    assert (before.start, before.end) == (date(2025, 12, 31), date(2026, 1, 9))


def test_a_trend_is_periods_of_the_same_kind_oldest_first() -> None:
    trend = trend_periods(month(2026, 3), FINANCIAL, 4)
    assert [p.label for p in trend] == ["2025-12", "2026-01", "2026-02", "2026-03"]


TEAM_A = Scope(TEAM, "Team A", team_ids=frozenset({1}), service_id=10)
TEAM_B = Scope(TEAM, "Team B", team_ids=frozenset({2}), service_id=10)
TEAM_C = Scope(TEAM, "Team C", team_ids=frozenset({3}), service_id=20)
SERVICE_X = Scope(SERVICE, "Service X", team_ids=frozenset({1, 2}), service_id=10)
SERVICE_Y = Scope(SERVICE, "Service Y", team_ids=frozenset({3}), service_id=20)
EVERYTHING = Scope(ALL, "all teams")


def me(staff_id: int) -> Scope:
    return Scope(ME, "someone", staff_id=staff_id)


def test_a_practitioner_sees_only_their_own() -> None:
    viewer = Viewer(7, frozenset({"practitioner"}), frozenset({1}), frozenset({10}))
    assert widest_kind(viewer) == ME
    assert may_see(viewer, me(7))
    assert not any(may_see(viewer, s) for s in (me(8), TEAM_A, SERVICE_X, EVERYTHING))


def test_a_team_manager_sees_their_team_and_no_other_nor_all() -> None:
    viewer = Viewer(5, frozenset({"team_manager"}), frozenset({1}))
    assert widest_kind(viewer) == TEAM
    assert may_see(viewer, TEAM_A) and may_see(viewer, me(5))
    assert not any(may_see(viewer, s) for s in (TEAM_B, SERVICE_X, EVERYTHING, me(6)))
    assert "your own team's" in refusal(viewer, TEAM_B)
    assert "Team B" in refusal(viewer, TEAM_B)


def test_service_managers_and_heads_of_service_see_their_service_and_its_teams() -> None:
    for role in ("service_manager", "head_of_service"):
        viewer = Viewer(3, frozenset({role}), service_ids=frozenset({10}))
        assert widest_kind(viewer) == SERVICE
        assert all(may_see(viewer, s) for s in (SERVICE_X, TEAM_A, TEAM_B))
        assert not any(may_see(viewer, s) for s in (SERVICE_Y, TEAM_C, EVERYTHING))


@pytest.mark.parametrize("role", ["assistant_director", "director", "principal_social_worker",
                                  "qa_lead"])
def test_senior_leaders_the_psw_and_the_qa_lead_see_everything(role: str) -> None:
    viewer = Viewer(1, frozenset({role}))
    assert widest_kind(viewer) == ALL
    assert all(may_see(viewer, s) for s in (EVERYTHING, SERVICE_Y, TEAM_C, me(99)))


def test_a_role_without_its_team_or_service_known_falls_back_to_their_own() -> None:
    assert widest_kind(Viewer(2, frozenset({"team_manager"}))) == ME
    assert widest_kind(Viewer(2, frozenset({"head_of_service"}))) == ME


def test_the_words_split_into_scope_and_period_in_either_order() -> None:
    scopes = {"team 001", "service 01", "me", "all"}
    periods = {"2026-q3", "synthetic cycle 3", "12"}

    def split(text: str) -> tuple[str, str] | None:
        found = split_words(text, lambda w: w.lower() in scopes, lambda w: w.lower() in periods)
        return None if found is None else (found.scope, found.period)

    assert split("") == ("", "")
    assert split("Team 001 2026-Q3") == ("Team 001", "2026-Q3")
    assert split("2026-Q3 Team 001") == ("Team 001", "2026-Q3")
    assert split("all Synthetic cycle 3") == ("all", "Synthetic cycle 3")
    assert split("  Team   001  ") == ("Team 001", "")
    assert split("2026-Q3") == ("", "2026-Q3")
    assert split("Team 001 12") == ("Team 001", "12")
    assert split("Team 999") is None


def test_percent_and_change() -> None:
    assert percent(1, 3) == 33.3 and percent(0, 0) is None
    figure = Figure("audits_overdue", 4, 6)
    assert figure.change == -2 and figure.label == "Audits overdue"
    assert Figure("agreement_rate", None, 50.0).change is None
    figures = figures_from({"audits_allocated": 3}, None)
    assert figures[0].key == "audits_allocated" and figures[0].previous is None


def test_grades_follow_the_scale_order_with_other_grades_last() -> None:
    counts = {"good": 5, "inadequate": 1, "legacy_grade": 2, None: 3}
    assert grade_counts(counts, OFSTED_SCALE) == [
        ("outstanding", 0), ("good", 5), ("requires_improvement", 0), ("inadequate", 1),
        (OTHER_GRADE, 2)]


def test_the_weakest_domains_are_asked_of_the_scale_not_of_four_grades() -> None:
    three = GradingScale(grades=("strong", "adequate", "weak"), below_good=("weak",),
                         inadequate="weak")
    counts = {
        "voice": {"strong": 2, "weak": 2},  # 50% below Good
        "plans": {"adequate": 3, "weak": 1},  # 25% below, mean place 1.25
        "chronology": {"strong": 3, "weak": 1},  # 25% below, mean place 0.5
        "recording": {"not_a_grade": 9},  # nothing on the scale: left out
    }
    weakest = weakest_domains(counts, three, limit=3)
    assert [d.domain for d in weakest] == ["voice", "plans", "chronology"]
    assert weakest[0].below_good_percent == 50.0 and weakest[1].mean_rank == 1.25


def test_middle_is_the_median() -> None:
    assert middle([]) is None
    assert middle([3.0, 1.0, 2.0]) == 2.0
    assert middle([4.0, 1.0, 2.0, 3.0]) == 2.5


def test_the_summary_rules_import_no_framework() -> None:
    banned = ("slack", "sqlalchemy", "sqlmodel", "storage", "handlers", "bot.services",
              "matplotlib", "openpyxl")
    root = Path(__file__).resolve().parents[2] / "bot" / "domain"
    for name in ("summaries.py", "summary_figures.py"):
        tree = ast.parse((root / name).read_text())
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith(banned)], name
