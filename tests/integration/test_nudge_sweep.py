"""The nudge sweep against the database: exact nudges day by day, exactly once, dry runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from bot.cli import main
from bot.clock import FixedClock
from bot.container import Container, build_container
from scheduling.jobs import JOBS
from storage.db import make_engine, unit_of_work
from storage.models import Claim, OutboxMessage
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET, settings_for
from tests.scenario.loop_support import (
    AUDITOR,
    HOS,
    OWNER,
    QA,
    TM,
    WORKER,
    LoopOrg,
    add_action,
    add_audit,
    add_session,
    seed_loop_org,
    set_epdr,
)

SWEEP = JOBS["nudges.send"]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def container(engine: Engine, database_url: str, clock: FixedClock,
              fake: FakeSlack) -> Container:
    return build_container(settings_for(fake, database_url), clock=clock, engine=engine)


def run(container: Container, clock: FixedClock, at: datetime) -> list[str]:
    clock.set(at)
    return SWEEP.body(container, clock.now(), False)


def winter(engine: Engine, fake: FakeSlack) -> tuple[LoopOrg, dict[str, str]]:
    """An action, a supervision, an EPDR and an audit falling due around Christmas 2026."""
    org = seed_loop_org(engine, fake)
    action = add_action(engine, org, date(2026, 12, 23))
    add_session(engine, org, WORKER, date(2026, 11, 26))  # next due Thursday 24 December
    set_epdr(engine, org, OWNER, date(2027, 1, 5), review_done=date(2026, 7, 6))
    audit = add_audit(engine, org, date(2026, 12, 21))
    refs = {
        "action": f"action:{action}", "supervision": f"supervision:{org.id(WORKER)}:2026-12-24",
        "epdr": f"epdr_annual:{org.id(OWNER)}:2027-01-05", "audit": f"audit:{audit}",
    }
    return org, refs


def test_exact_nudges_each_day_over_christmas_and_new_year(
    engine: Engine, container: Container, clock: FixedClock, fake: FakeSlack
) -> None:
    org, refs = winter(engine, fake)
    a, s, e, au = refs["action"], refs["supervision"], refs["epdr"], refs["audit"]
    email = {slack_id: f"{slack_id[1:].lower()}@example.org" for slack_id in org.staff}
    seen: dict[date, list[str]] = {}
    day = date(2026, 12, 14)
    while day <= date(2027, 1, 15):
        posts = len(fake.calls_to("chat.postMessage"))
        lines = run(container, clock, datetime.combine(day, datetime.min.time(), UTC)
                    + timedelta(hours=10))
        again = run(container, clock, datetime.combine(day, datetime.min.time(), UTC)
                    + timedelta(hours=14))
        assert not [line for line in again if line.startswith("nudged")]
        sent = [line for line in lines if line.startswith("nudged")]
        assert len(fake.calls_to("chat.postMessage")) - posts == len(sent)
        if sent:
            seen[day] = sorted(sent)
        day += timedelta(days=1)

    def line(who: str, *items: str) -> str:
        return f"nudged {email[who]}: {', '.join(items)}"

    assert seen == {
        date(2026, 12, 16): [line(AUDITOR, f"{au} (before)")],
        date(2026, 12, 18): [line(OWNER, f"{a} (before)")],
        date(2026, 12, 21): [line(AUDITOR, f"{au} (due)"), line(TM, f"{s} (before)")],
        date(2026, 12, 23): [line(OWNER, f"{a} (due)")],
        date(2026, 12, 24): [line(TM, f"{s} (due)")],
        # Friday 25 and Monday 28 (Boxing Day's substitute) are bank holidays.
        date(2026, 12, 30): [line(AUDITOR, f"{au} (overdue:1)"), line(TM, f"{e} (before)")],
        date(2026, 12, 31): [line(QA, f"{au} (escalation qa)")],
        date(2027, 1, 4): [line(OWNER, f"{a} (overdue:1)")],
        date(2027, 1, 5): [line(TM, f"{s} (overdue:1)", f"{e} (due)", f"{a} (escalation tm)")],
        date(2027, 1, 7): [line(AUDITOR, f"{au} (overdue:2)")],
        date(2027, 1, 11): [line(OWNER, f"{a} (overdue:2)")],
        date(2027, 1, 12): [line(TM, f"{s} (overdue:2)", f"{e} (overdue:1)")],
        date(2027, 1, 13): [line(HOS, f"{s} (escalation lm)")],
        date(2027, 1, 14): [line(AUDITOR, f"{au} (overdue:3)")],
    }
    # Several items due for one person on one day go in one message.
    assert "Your QA reminders for Tue 05 Jan (3 items)" in [m["text"] for m in fake.messages(TM)]


def test_a_days_sweep_run_twice_sends_nothing_the_second_time(
    engine: Engine, container: Container, clock: FixedClock, fake: FakeSlack
) -> None:
    org = seed_loop_org(engine, fake)
    add_action(engine, org, date(2026, 11, 23))
    add_action(engine, org, date(2026, 11, 16), position=1)  # a week overdue
    add_session(engine, org, WORKER, date(2026, 10, 26))  # due today
    first = run(container, clock, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assert len([line for line in first if line.startswith("nudged")]) == 2
    assert sorted(c.params["channel"] for c in fake.calls_to("chat.postMessage")) == [OWNER, TM]
    [to_owner] = fake.messages(OWNER)
    assert to_owner["text"] == "Your QA reminders for Mon 23 Nov (2 items)"
    second = run(container, clock, datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
    assert [line for line in second if line.startswith("nudged")] == []
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_two_concurrent_sweeps_send_each_nudge_once(
    engine: Engine, database_url: str, clock: FixedClock, fake: FakeSlack
) -> None:
    org = seed_loop_org(engine, fake)
    for position in range(5):
        add_action(engine, org, date(2026, 11, 23), position=position)
    add_action(engine, org, date(2026, 11, 10), owner=WORKER, position=9)  # TM is told
    add_session(engine, org, WORKER, date(2026, 10, 26))
    add_audit(engine, org, date(2026, 11, 23))
    # Two processes: each its own engine (connection pool) and container.
    containers = [build_container(settings_for(fake, database_url), clock=clock,
                                  engine=make_engine(database_url)) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[list[str]] = [[], []]

    def sweep(index: int) -> None:
        barrier.wait()
        results[index] = SWEEP.body(containers[index], clock.now(), False)

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    channels = sorted(c.params["channel"] for c in fake.calls_to("chat.postMessage"))
    assert channels == sorted([OWNER, WORKER, TM, AUDITOR])
    nudged = [line for lines in results for line in lines if line.startswith("nudged")]
    assert len(nudged) == 4
    with unit_of_work(engine) as session:
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 4
    for other in containers:
        other.engine.dispose()


def test_outside_working_hours_and_on_a_weekend_nothing_is_sent_and_the_next_run_catches_up(
    engine: Engine, container: Container, clock: FixedClock, fake: FakeSlack
) -> None:
    org = seed_loop_org(engine, fake)
    add_action(engine, org, date(2026, 11, 20))  # due Friday
    assert run(container, clock, datetime(2026, 11, 20, 18, 0, tzinfo=UTC)) == [
        "authority 1: outside working time, nothing sent"]
    assert run(container, clock, datetime(2026, 11, 21, 10, 0, tzinfo=UTC)) == [
        "authority 1: outside working time, nothing sent"]
    assert fake.calls_to("chat.postMessage") == []
    lines = run(container, clock, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert lines == [f"nudged lown@example.org: action:{_one_action(engine)} (due)"]
    assert "1 working day overdue" in str(fake.messages(OWNER)[0]["blocks"])


def _one_action(engine: Engine) -> int:
    from storage.audit_models import Action

    with unit_of_work(engine) as session:
        return session.exec(select(Action.id)).one() or 0


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, engine: Engine,
            fake: FakeSlack, tmp_path: object) -> FakeSlack:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(str(tmp_path))
    return fake


def test_after_an_outage_one_run_with_now_sends_each_nudge_once_and_dry_runs_send_nothing(
    cli_env: FakeSlack, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = cli_env
    org, refs = winter(engine, fake)
    # The scheduler was down from 14 December to 6 January. A dry run first: it says who
    # would get what, and sends and claims nothing.
    now = "2027-01-06T10:00:00+00:00"
    assert main(["jobs", "run", "nudges.send", "--now", now, "--dry-run"]) == 0
    dry = capsys.readouterr().out.splitlines()
    assert fake.calls_to("chat.postMessage") == []
    with unit_of_work(engine) as session:
        assert session.exec(select(func.count()).select_from(Claim)).one() == 0
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 0
    a, s, e, au = refs["action"], refs["supervision"], refs["epdr"], refs["audit"]
    expected = sorted([
        f"lown@example.org: {a} (overdue:1)",
        f"ltm@example.org: {s} (overdue:1), {e} (due), {a} (escalation tm)",
        f"laud@example.org: {au} (overdue:1)",
        f"lqa@example.org: {au} (escalation qa)",
    ])
    assert sorted(line.removeprefix("would nudge ") for line in dry) == expected
    assert main(["jobs", "run", "nudges.send", "--now", now]) == 0
    real = capsys.readouterr().out.splitlines()
    assert sorted(line.removeprefix("nudged ") for line in real) == expected
    assert sorted(c.params["channel"] for c in fake.calls_to("chat.postMessage")) == sorted(
        [OWNER, TM, AUDITOR, QA])
    # The same catch-up again, or a later run the same day, sends nothing more.
    assert main(["jobs", "run", "nudges.send", "--now", "2027-01-06T15:00:00+00:00"]) == 0
    assert len(fake.calls_to("chat.postMessage")) == 4
    assert main(["jobs", "list"]) == 0
    assert "nudges.send" in capsys.readouterr().out
