"""`qabot jobs list` and `qabot jobs run NAME [--now ISO-TIME] [--dry-run]`."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.cli.common import UsageError
from bot.clock import FixedClock, SystemClock
from bot.config import Settings, load_settings
from bot.container import build_container
from scheduling.jobs import JOBS
from storage.migrate import upgrade


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `jobs`."""
    jobs = sub.add_parser("jobs", help="the scheduled sweeps")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_sub.add_parser("list", help="every job, its id and how often it runs").set_defaults(
        func=_list
    )
    run = jobs_sub.add_parser("run", help="run one job now (or as at --now)")
    run.add_argument("name", help="a job id from `qabot jobs list`")
    run.add_argument("--now", help="run as at this ISO time (e.g. 2026-11-23T09:00:00+00:00)")
    run.add_argument("--dry-run", action="store_true", help="print what it would do; send nothing")
    run.set_defaults(func=_run)


def _list(_: argparse.Namespace) -> int:
    for job in JOBS.values():
        print(f"{job.id:<24} every {job.every_seconds:>5}s  {job.description}")
    return 0


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--now {value!r} is not an ISO time like 2026-11-23T09:00:00+00:00"
        ) from None
    if parsed.tzinfo is None:
        raise UsageError(f"--now {value!r} needs a timezone offset, e.g. +00:00")
    return parsed


def _run(args: argparse.Namespace) -> int:
    job = JOBS.get(args.name)
    if job is None:
        raise UsageError(f"no job {args.name!r}; `qabot jobs list` shows them")
    now = _parse_now(args.now)
    settings = load_settings(Settings)
    clock = FixedClock(now) if now else SystemClock()
    container = build_container(settings, clock=clock)
    upgrade(container.engine)
    # A manual run does not take the lease: each item's claim keeps it exactly-once.
    for line in job.body(container, clock.now(), args.dry_run):
        print(line)
    return 0
