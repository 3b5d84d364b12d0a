"""The scheduler: jobs under explicit ids, one leader among processes, items handled once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.clock import FixedClock
from bot.container import build_container
from bot.services.outbox import Message, enqueue
from scheduling.jobs import JOBS
from scheduling.scheduler import JobRunner, build_scheduler
from storage.db import make_engine, unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET, settings_for


def _queue(engine: Engine, clock: FixedClock, count: int) -> None:
    with unit_of_work(engine) as session:
        for i in range(count):
            enqueue(
                session,
                Message(f"sweep:{i}", "U1", "plain", {"text": f"item {i}"}),
                authority_id=DEFAULT_AUTHORITY_ID,
                now=clock.now(),
            )
        session.commit()


def test_jobs_are_registered_under_their_explicit_ids(
    engine: Engine, database_url: str, clock: FixedClock
) -> None:
    with FakeSlack() as fake:
        container = build_container(settings_for(fake, database_url), clock=clock, engine=engine)
        scheduler, _ = build_scheduler(container)
        assert {job.id for job in scheduler.get_jobs()} == set(JOBS) >= {"outbox.deliver"}
        assert all("." in job_id for job_id in JOBS)


def test_two_scheduler_processes_one_leads_and_each_item_is_handled_once(
    engine: Engine, database_url: str, clock: FixedClock
) -> None:
    with FakeSlack() as fake:
        fake.add_user("U1", "one@example.org")
        _queue(engine, clock, 30)
        # Two processes: each its own engine (connection pool), container and lease holder.
        runners = [
            JobRunner(
                build_container(
                    settings_for(fake, database_url), clock=clock, engine=make_engine(database_url)
                ),
                holder=name,
            )
            for name in ("process-a", "process-b")
        ]
        outcomes: dict[str, list[list[str] | None]] = {"process-a": [], "process-b": []}
        barrier = threading.Barrier(2)

        def tick(runner: JobRunner) -> None:
            for _ in range(3):
                barrier.wait()
                outcomes[runner.lease.holder].append(runner.run(JOBS["outbox.deliver"]))

        threads = [threading.Thread(target=tick, args=(r,)) for r in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ran = {name for name, results in outcomes.items() if any(r is not None for r in results)}
        assert len(ran) == 1  # one leads; the other stands by every time
        assert len(fake.calls_to("chat.postMessage")) == 30
        assert len(fake.messages(fake.dm_channel("U1"))) == 30


def test_even_two_leaders_at_once_send_each_item_once(
    engine: Engine, database_url: str, clock: FixedClock
) -> None:
    """A lease can lapse (a long pause): the per-row claim still keeps sends exactly-once."""
    with FakeSlack() as fake:
        fake.add_user("U1", "one@example.org")
        _queue(engine, clock, 30)
        containers = [
            build_container(
                settings_for(fake, database_url), clock=clock, engine=make_engine(database_url)
            )
            for _ in range(2)
        ]
        barrier = threading.Barrier(2)

        def sweep(index: int) -> None:
            barrier.wait()
            JOBS["outbox.deliver"].body(containers[index], clock.now(), False)

        threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(fake.calls_to("chat.postMessage")) == 30


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, engine: Engine) -> FakeSlack:
    fake = FakeSlack().start()
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield fake
    fake.stop()


def test_jobs_list_and_a_dry_run_that_sends_nothing(
    cli_env: FakeSlack, engine: Engine, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    _queue(engine, clock, 2)
    assert main(["jobs", "list"]) == 0
    assert "outbox.deliver" in capsys.readouterr().out
    assert (
        main(["jobs", "run", "outbox.deliver", "--now", "2026-11-23T10:00:00+00:00", "--dry-run"])
        == 0
    )
    out = capsys.readouterr().out
    assert "would send sweep:0 to U1" in out and "would send sweep:1 to U1" in out
    assert cli_env.calls_to("chat.postMessage") == []


def test_jobs_run_with_now_sends_what_was_due_then(
    cli_env: FakeSlack, engine: Engine, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.add_user("U1", "one@example.org")
    _queue(engine, clock, 1)
    assert main(["jobs", "run", "outbox.deliver", "--now", "2026-11-23T09:00:00+00:00"]) == 0
    assert cli_env.calls_to("chat.postMessage") == []  # queued at 10:00: not due at 09:00
    assert main(["jobs", "run", "outbox.deliver", "--now", "2026-11-23T10:00:00+00:00"]) == 0
    assert "sent sweep:0" in capsys.readouterr().out
    assert len(cli_env.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jobs", "run", "nope"], "no job 'nope'"),
        (["jobs", "run", "outbox.deliver", "--now", "tomorrow"], "is not an ISO time"),
        (["jobs", "run", "outbox.deliver", "--now", "2026-11-23T09:00:00"], "needs a timezone"),
    ],
)
def test_bad_job_arguments_exit_1_with_a_clear_line(
    cli_env: FakeSlack, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 1
    assert message in capsys.readouterr().err
