"""Migrations that two processes can run together, and the scheduler's leader lease."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot.clock import FixedClock
from scheduling.lease import LEASE_SECONDS, LeaderLease
from storage.db import make_engine
from storage.migrate import upgrade


def test_two_processes_migrating_together_both_succeed(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    errors: list[BaseException] = []

    def migrate(engine: Engine) -> None:
        try:
            upgrade(engine)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {"outbox", "staff", "case", "audit_log", "lease"} <= set(
        inspect(engines[0]).get_table_names()
    )


def test_one_process_leads_until_its_lease_expires(engine: Engine, clock: FixedClock) -> None:
    first, second = LeaderLease(engine, "one"), LeaderLease(engine, "two")
    assert first.acquire(clock.now())
    assert not second.acquire(clock.now())
    clock.advance(seconds=LEASE_SECONDS - 1)
    assert first.acquire(clock.now())  # renewing pushes the expiry on
    clock.advance(seconds=LEASE_SECONDS - 1)
    assert not second.acquire(clock.now())
    clock.advance(seconds=2)
    assert second.acquire(clock.now())  # the first stopped renewing: the second takes over
    assert not first.acquire(clock.now())


def test_a_released_lease_is_taken_at_once(engine: Engine, clock: FixedClock) -> None:
    first, second = LeaderLease(engine, "one"), LeaderLease(engine, "two")
    assert first.acquire(clock.now())
    first.release()
    assert second.acquire(clock.now() + timedelta(seconds=1))


def test_racing_for_a_free_lease_gives_one_leader(engine: Engine, clock: FixedClock) -> None:
    leases = [LeaderLease(engine, f"p{i}") for i in range(6)]
    results: list[bool] = []
    barrier = threading.Barrier(len(leases))

    def race(lease: LeaderLease) -> None:
        barrier.wait()
        results.append(lease.acquire(clock.now()))

    threads = [threading.Thread(target=race, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
