"""Cycle rules (bot/domain/cycles.py) and the QA lead's App Home section, without a database."""

from __future__ import annotations

import random
from datetime import date

from bot.domain.allocation.conflicts import ConflictIndex
from bot.domain.cycles import (
    CycleValues,
    cadence_due,
    check_cycle,
    conflict_reason,
    default_moderation_due,
    pick_moderator,
)
from bot.domain.working_time import WorkingCalendar
from bot.services.cycles.audit_lines import AuditLine
from bot.services.cycles.listing import CycleLine
from bot.services.cycles.overview import CycleCard, QaLeadOverview
from bot.services.directory import Person
from bot.services.my_work import Button, MyWork, WorkItem
from bot.slack.messages import MAX_BLOCKS, home_view
from tests.unit.test_allocation import medium_org


def values(**changes: object) -> CycleValues:
    base: dict[str, object] = dict(
        name="Synthetic", kind="case_file", opens_on=date(2026, 12, 1),
        audit_due=date(2027, 1, 12), moderation_due=None, lookback_months=6, per_auditor=1,
        sample=None, moderation_fraction=1.0, case_types=(), seed=7,
    )
    return CycleValues(**{**base, **changes})  # type: ignore[arg-type]


def test_a_good_cycle_has_no_problems_and_each_bad_field_is_named() -> None:
    assert check_cycle(values()) == {}
    assert set(check_cycle(values(
        name=" ", kind="audit", opens_on=None, audit_due=None, lookback_months=3,
        per_auditor=None, moderation_fraction=-0.1, case_types=("CIN", "x"), seed=-1,
    ))) == {"name", "kind", "opens", "due", "lookback", "sample_rule", "moderation_fraction",
            "case_types", "seed"}
    assert "after the opening date" in check_cycle(values(audit_due=date(2026, 12, 1)))["due"][0]
    assert "moderation_due" in check_cycle(values(moderation_due=date(2027, 1, 11)))
    assert check_cycle(values(moderation_due=date(2027, 1, 12))) == {}  # on the day is fine
    assert "case-type theme" in check_cycle(
        values(kind="supervision_file", case_types=("CP",)))["case_types"][0]


def test_default_dates_follow_the_cadence_and_working_days() -> None:
    opens = date(2026, 11, 30)
    assert cadence_due(opens, "6-weekly") == date(2027, 1, 11)
    assert cadence_due(opens, "monthly") == date(2026, 12, 30)
    assert cadence_due(date(2026, 11, 30), "quarterly") == date(2027, 2, 28)
    assert cadence_due(opens, "6-monthly") == date(2027, 5, 30)
    # Ten working days after Thursday 17 December 2026, over Christmas and New Year.
    assert default_moderation_due(date(2026, 12, 17), WorkingCalendar()) == date(2027, 1, 5)


def test_the_reason_given_matches_the_engine_conflict_rules() -> None:
    synth = medium_org()
    org = synth.organisation
    index = ConflictIndex(org)
    rng = random.Random(5)
    people = [p.id for p in org.people]
    for case in rng.sample(synth.cases, 60):
        blocked = index.blocked(team_id=case.team_id, worker_id=case.worker_id,
                                involved_ids=case.involved_ids)
        for person in rng.sample(people, 40) + list(blocked)[:10]:
            reason = conflict_reason(org, index, person, team_id=case.team_id,
                                     worker_id=case.worker_id, involved_ids=case.involved_ids)
            assert (reason is not None) == (person in blocked), (case.id, person, reason)


def test_pick_moderator_takes_the_least_loaded_eligible() -> None:
    rng = random.Random(1)
    load = {"A": 3, "B": 1, "C": 1}
    assert pick_moderator(["A", "B", "C"], frozenset({"B"}), "X", load, rng) == "C"
    assert pick_moderator(["A"], frozenset(), "A", load, rng) is None


def test_app_home_stays_within_100_blocks_for_a_busy_qa_lead() -> None:
    line = AuditLine(
        audit_id=1, cycle_id=1, cycle="Synthetic", is_case=True, subject="C0000001",
        team="Team 001", team_id=1, worker_id=2, worker="Practitioner 2", auditor_id=3,
        auditor="Team Manager 3", auditor_email="tm0003@example.org", moderator_id=4,
        due=date(2027, 1, 12), moderation_due=date(2027, 1, 26), status="allocated",
    )
    cards = tuple(
        CycleCard(CycleLine(i, f"Cycle {i}", "case_file", "open", date(2026, 12, 1),
                            date(2027, 1, 12), None, "1 per auditor", {"allocated": 600}),
                  (line,) * 5, 595, frozenset({1}))
        for i in range(5)
    )
    person = Person(1, 1, "qa0001@example.org", "QA Lead 1", "U1", frozenset({"qa_lead"}),
                    None, None, True)
    items = [WorkItem("audit", f"C{i:07d}", "audit", "2027-01-12",
                      (Button("Start audit", "audit.start", str(i)),)) for i in range(60)]
    view = home_view(MyWork(person, items, 0, QaLeadOverview(cards, 3)))
    assert len(view["blocks"]) <= MAX_BLOCKS
    text = str(view["blocks"])
    assert "Create cycle" in text and "Your QA work" in text and "/qa" in text  # help kept
    assert "audit.reassign" in text and "cycle.open" not in text  # open cycles: no Open
