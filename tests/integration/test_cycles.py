"""Audit cycles through the services: create, draw, open, tell, reallocate, reassign, the job."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.clock import FixedClock
from bot.container import Container, build_container
from bot.domain.allocation import Receipt, rerun
from bot.services.cycles import (
    Actor,
    CycleError,
    CycleProblems,
    allocate_cycle,
    mark_unavailable,
    open_cycle,
    reassign_audit,
)
from scheduling.jobs import JOBS
from storage.audit_models import Cycle
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, AuditLogEntry, Staff
from tests.fakes.slack_api import FakeSlack
from tests.harness import settings_for
from tests.integration.cycle_support import (
    NOW,
    OPERATOR,
    Org,
    allocated_cycle,
    audits_of,
    button_values,
    case_refs,
    cycle_row,
    new_cycle,
    seed_org,
)
from tests.unit.test_allocation import check_draw

A = DEFAULT_AUTHORITY_ID


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def container(engine: Engine, database_url: str, clock: FixedClock, slack: FakeSlack) -> Container:
    return build_container(settings_for(slack, database_url), clock=clock, engine=engine)


@pytest.fixture
def org(engine: Engine, slack: FakeSlack) -> Org:
    return seed_org(engine, slack)


def dms(slack: FakeSlack) -> dict[str, list[dict]]:
    """Every direct message posted, by recipient's Slack id."""
    sent: dict[str, list[dict]] = {}
    for call in slack.calls_to("chat.postMessage"):
        sent.setdefault(call.params["channel"], []).append(call.params)
    return sent


def test_create_fills_in_the_defaults_and_records_a_random_seed(engine: Engine, org: Org) -> None:
    first, second = new_cycle(engine, seed=None), new_cycle(engine, seed=None)
    cycle = cycle_row(engine, first)
    assert (cycle.status, cycle.per_auditor, cycle.sample, cycle.lookback_months) == (
        "draft", 1, None, 6)
    assert cycle.moderation_due == date(2027, 1, 26)  # ten working days after the audits
    assert cycle.moderation_fraction == 1.0
    assert cycle.seed != cycle_row(engine, second).seed  # drawn at random, and kept
    with pytest.raises(CycleProblems) as bad:
        new_cycle(engine, kind="peer_review", audit_due=date(2026, 11, 30),
                  moderation_due=date(2026, 11, 1), lookback_months=9, per_auditor=2, sample=5,
                  moderation_fraction=1.5, teams=("Team 001", "No Such Team"),
                  services=("Nowhere",), case_types=("CIN", "adoption"))
    assert set(bad.value.problems) == {
        "kind", "due", "moderation_due", "lookback", "sample_rule", "moderation_fraction",
        "teams", "services", "case_types",
    }
    assert "No Such Team" in bad.value.problems["teams"][0]


def test_draw_open_and_every_message_once(
    engine: Engine, org: Org, container: Container, slack: FakeSlack
) -> None:
    cycle_id = new_cycle(engine)
    outcome = allocate_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    assert outcome.saved and outcome.summary.unplaced == ()
    audits = audits_of(engine, cycle_id)
    assert len(audits) == outcome.summary.assignments == 20  # one each for 20 auditors
    assert all(a.status == "allocated" and a.audit_due == date(2027, 1, 12) for a in audits)
    assert all(a.moderation_due == date(2027, 1, 26) and a.moderator_id for a in audits)
    cycle = cycle_row(engine, cycle_id)
    receipt = Receipt.from_json(cycle.receipt or "")
    assert cycle.status == "allocated" and receipt.seed == cycle.seed
    assert check_draw(receipt.inputs, rerun(receipt)) == []  # no rule broken by the mapping
    refs = case_refs(engine)

    opened = open_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    assert opened.opened and opened.not_told == []
    container.sender.deliver_due()
    sent = dms(slack)
    for auditor_id in Counter(a.auditor_id for a in audits):
        [message] = [m for m in sent[org.slack_ids[auditor_id]] if "to do in" in m["text"]]
        mine = [a for a in audits if a.auditor_id == auditor_id]
        assert button_values(message["blocks"], "audit.start") == [str(a.id) for a in mine]
        for audit in mine:
            assert refs[audit.case_id or 0] in str(message["blocks"])
        assert "look-back 6 months (from 2026-06-01)" in str(message["blocks"])
        assert "due 2027-01-12" in message["text"]
    for team in org.synthetic.teams:
        team_audits = [a for a in audits if a.team_id == _team_id(engine, team.name)]
        manager = org.synthetic.person(team.team_manager_email).slack_user_id
        [notice] = [m for m in sent[manager] if "of your team's cases" in m["text"]]
        for audit in team_audits:
            assert refs[audit.case_id or 0] in str(notice["blocks"])
            assert org.synthetic.person(org.emails[audit.auditor_id]).name in str(notice["blocks"])
    for worker_id in {a.worker_id for a in audits if a.worker_id}:
        texts = [m["text"] for m in sent[org.slack_ids[worker_id]]]
        theirs = [refs[a.case_id or 0] for a in audits if a.worker_id == worker_id]
        assert any(all(ref in t for ref in theirs) and "will be audited" in t for t in texts)
    assert cycle_row(engine, cycle_id).status == "open"

    # Opening twice sends nothing twice.
    posted = len(slack.calls_to("chat.postMessage"))
    again = open_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    container.sender.deliver_due()
    assert not again.opened and len(slack.calls_to("chat.postMessage")) == posted
    with pytest.raises(CycleError, match="no longer change"):
        allocate_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)


def _team_id(engine: Engine, name: str) -> int:
    from storage.models import Team

    with unit_of_work(engine) as session:
        return session.exec(select(Team.id).where(Team.name == name)).one() or 0


def test_deputies_are_told_of_their_team_too(
    engine: Engine, org: Org, container: Container, slack: FakeSlack
) -> None:
    cycle_id = allocated_cycle(engine)
    open_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    container.sender.deliver_due()
    deputies = [p for p in org.synthetic.with_role("deputy_team_manager")]
    assert deputies
    teams_audited = {a.team_id for a in audits_of(engine, cycle_id)}
    for deputy in deputies:
        if _team_id(engine, deputy.team or "") in teams_audited:
            texts = [m["text"] for m in dms(slack)[deputy.slack_user_id]]
            assert any("of your team's cases are being audited" in t for t in texts)


def test_an_impossible_draw_says_why_and_writes_nothing(engine: Engine, org: Org) -> None:
    cycle_id = new_cycle(engine, per_auditor=None, sample=500)
    outcome = allocate_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    assert not outcome.saved
    assert outcome.summary.unplaced and all(": " in line for line in outcome.summary.unplaced)
    assert any("not enough eligible cases" in line for line in outcome.summary.unplaced)
    cycle = cycle_row(engine, cycle_id)
    assert (cycle.status, cycle.receipt, cycle.allocated_at) == ("draft", None, None)
    assert audits_of(engine, cycle_id, live=False) == []


def test_drawing_again_before_opening_replaces_the_draw(engine: Engine, org: Org) -> None:
    cycle_id = allocated_cycle(engine)
    first = [(a.case_id, a.auditor_id, a.moderator_id) for a in audits_of(engine, cycle_id)]
    allocate_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    again = [(a.case_id, a.auditor_id, a.moderator_id) for a in audits_of(engine, cycle_id)]
    assert sorted(again) == sorted(first)  # the recorded seed gives the same draw
    assert len(audits_of(engine, cycle_id, live=False)) == 20  # replaced, not added


def test_a_second_cycle_counts_the_first_as_load_and_skips_its_cases(
    engine: Engine, org: Org
) -> None:
    first = allocated_cycle(engine)
    second = allocated_cycle(engine, name="Synthetic thematic", kind="thematic")
    first_cases = {a.case_id for a in audits_of(engine, first)}
    assert first_cases.isdisjoint({a.case_id for a in audits_of(engine, second)})
    receipt = Receipt.from_json(cycle_row(engine, second).receipt or "")
    assert sum(receipt.inputs.existing_load.values()) == 20


def test_person_kinds_audit_people(engine: Engine, org: Org) -> None:
    cycle_id = allocated_cycle(engine, kind="supervision_file", per_auditor=None, sample=5)
    audits = audits_of(engine, cycle_id)
    assert len(audits) == 5
    assert all(a.case_id is None and a.subject_staff_id == a.worker_id for a in audits)


def test_unavailable_auditor_has_their_audits_reallocated_and_new_auditor_told(
    engine: Engine, org: Org, container: Container, slack: FakeSlack
) -> None:
    cycle_id = allocated_cycle(engine)
    open_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    container.sender.deliver_due()
    before = audits_of(engine, cycle_id)
    away = before[0].auditor_id
    moving = [a for a in before if a.auditor_id == away]
    outcome = mark_unavailable(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id,
                               email=org.emails[away], reason="leave", now=NOW)
    audits_moved = [m for m in outcome.moved if not m.startswith("moderation of")]
    assert len(audits_moved) == len(moving) and outcome.not_moved == []
    after = audits_of(engine, cycle_id)
    assert len(after) == len(before) and away not in {a.auditor_id for a in after}
    receipt = Receipt.from_json(cycle_row(engine, cycle_id).receipt or "")
    for old in moving:
        [new] = [a for a in after if a.case_id == old.case_id]
        assert new.id != old.id and new.auditor_id != away and new.moderator_id != new.auditor_id
        case = next(c for c in receipt.inputs.cases if c.id == str(old.case_id))
        person = {p.id: p for p in receipt.inputs.organisation.people}[str(new.auditor_id)]
        assert person.team_id != case.team_id and str(new.auditor_id) != case.worker_id
        container.sender.deliver_due()
        [told] = [m for m in dms(slack)[org.slack_ids[new.auditor_id]]
                  if "allocated to you" in m["text"]]
        assert button_values(told["blocks"], "audit.start") == [str(new.id)]
    # Marking again changes nothing more.
    again = mark_unavailable(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id,
                             email=org.emails[away], now=NOW)
    assert again.moved == [] and len(audits_of(engine, cycle_id, live=False)) == 21


def test_what_cannot_be_reallocated_is_reported_and_stays(engine: Engine, org: Org) -> None:
    cycle_id = allocated_cycle(engine)
    keep = audits_of(engine, cycle_id)[0].auditor_id
    with unit_of_work(engine) as session:  # the directory changes: nobody else audits now
        session.execute(update(Staff).where(col(Staff.id) != keep).values(is_auditor=False))
        session.commit()
    outcome = mark_unavailable(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id,
                               email=org.emails[keep], now=NOW)
    audits = [line for line in outcome.moved if not line.startswith("moderation of")]
    assert audits == [] and len(outcome.not_moved) == 1
    assert "no auditor available" in outcome.not_moved[0]
    assert outcome.not_moved[0].startswith("C0")  # named by its case reference
    assert [a.auditor_id for a in audits_of(engine, cycle_id) if a.auditor_id == keep] == [keep]


def test_reassign_is_refused_with_the_reason_when_the_person_conflicts(
    engine: Engine, org: Org, container: Container, slack: FakeSlack
) -> None:
    cycle_id = allocated_cycle(engine)
    open_cycle(engine, authority_id=A, actor=OPERATOR, cycle_id=cycle_id, now=NOW)
    audit = audits_of(engine, cycle_id)[0]
    team = next(t for t in org.synthetic.teams if _team_id(engine, t.name) == audit.team_id)
    worker = org.emails[audit.worker_id or 0]
    cases = [
        (team.team_manager_email, "above the worker in the line-management chain"),
        (team.service_manager_email, "above the worker"),
        (worker, "they are the case worker"),
        (org.synthetic.with_role("practitioner")[-1].email, "not in the auditor pool"),
        (org.emails[audit.moderator_id or 0], "they are its moderator"),
    ]
    for email, reason in cases:
        with pytest.raises(CycleProblems) as refused:
            reassign_audit(engine, authority_id=A, actor=OPERATOR, audit_id=audit.id or 0,
                           email=email, now=NOW)
        assert reason in refused.value.problems["auditor"][0], email
    assert audits_of(engine, cycle_id)[0].id == audit.id  # nothing moved

    # Someone free of every conflict is accepted (found by asking: a refusal writes nothing).
    moved = None
    for person in org.synthetic.staff:
        if person.auditor and org.staff_ids[person.email] != audit.auditor_id:
            try:
                moved = reassign_audit(engine, authority_id=A, actor=Actor(org.qa_lead),
                                       audit_id=audit.id or 0, email=person.email, now=NOW)
                break
            except CycleProblems:
                continue
    assert moved is not None and moved.audit_id != audit.id
    container.sender.deliver_due()
    [told] = [m for m in dms(slack)[org.slack_ids[org.staff_ids[moved.auditor]]]
              if "allocated to you" in m["text"]]
    assert button_values(told["blocks"], "audit.start") == [str(moved.audit_id)]
    with pytest.raises(CycleError, match="moved or no longer exists"):
        reassign_audit(engine, authority_id=A, actor=OPERATOR, audit_id=audit.id or 0,
                       email=org.emails[audit.auditor_id], now=NOW)


def test_only_the_qa_lead_may_run_cycles_from_slack_and_refusals_are_logged(
    engine: Engine, org: Org
) -> None:
    cycle_id = allocated_cycle(engine)
    practitioner = org.synthetic.with_role("practitioner")[0].slack_user_id
    for call in (
        lambda who: open_cycle(engine, authority_id=A, actor=who, cycle_id=cycle_id, now=NOW),
        lambda who: allocate_cycle(engine, authority_id=A, actor=who, cycle_id=cycle_id,
                                   now=NOW),
        lambda who: mark_unavailable(engine, authority_id=A, actor=who, cycle_id=cycle_id,
                                     email=org.emails[audits_of(engine, cycle_id)[0].auditor_id],
                                     now=NOW),
    ):
        with pytest.raises(CycleError, match="Only the QA lead"):
            call(Actor(practitioner))
    with unit_of_work(engine) as session:
        refused = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.outcome == "refused")).all()
    assert [(r.actor, r.action) for r in refused] == [
        (practitioner, "cycle.open"), (practitioner, "cycle.allocate"),
        (practitioner, "cycle.unavailable"),
    ]
    assert cycle_row(engine, cycle_id).status == "allocated"
    opened = open_cycle(engine, authority_id=A, actor=Actor(org.qa_lead), cycle_id=cycle_id,
                        now=NOW)
    assert opened.opened


def test_the_open_job_opens_on_the_opening_date_in_working_hours_once(
    engine: Engine, org: Org, container: Container, slack: FakeSlack, clock: FixedClock
) -> None:
    saturday = allocated_cycle(engine, name="Opens on a Saturday", opens_on=date(2026, 12, 5))
    tuesday = allocated_cycle(engine, name="Opens on a Tuesday", kind="supervision_file",
                              per_auditor=None, sample=3)
    job = JOBS["cycles.open"].body

    def run(at: datetime, dry: bool = False) -> list[str]:
        clock.set(at)
        return job(container, clock.now(), dry)

    assert run(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)) == []  # the day before
    assert run(datetime(2026, 12, 1, 8, 59, tzinfo=UTC)) == []  # before working hours
    assert run(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), dry=True) == [
        f"would open cycle {tuesday} (Opens on a Tuesday), opening 2026-12-01"]
    assert cycle_row(engine, tuesday).status == "allocated" and slack.calls_to(
        "chat.postMessage") == []
    [line] = run(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    assert line.startswith(f"opened cycle {tuesday} (Opens on a Tuesday):")
    posted = len(slack.calls_to("chat.postMessage"))
    assert posted > 0
    assert run(datetime(2026, 12, 1, 10, 5, tzinfo=UTC)) == []  # once
    assert run(datetime(2026, 12, 5, 11, 0, tzinfo=UTC)) == []  # Saturday: not a working day
    [line] = run(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Monday, 09:00
    assert line.startswith(f"opened cycle {saturday}")
    run(datetime(2026, 12, 7, 9, 5, tzinfo=UTC))
    with unit_of_work(engine) as session:
        statuses = session.exec(select(Cycle.status).order_by(col(Cycle.id))).all()
        opened = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.action == "cycle.open")).all()
    assert list(statuses) == ["open", "open"] and len(opened) == 2
    keys = [json.dumps(c.params.get("metadata")) for c in slack.calls_to("chat.postMessage")]
    assert len(keys) == len(set(keys))  # no message twice
