"""The nudge sweep (`nudges.send`) over 200,000 actions of history, against a tenth of it.

A large authority: 2,000 staff (about 2,000 supervision pairs with six sessions each), 600
audits, and actions: 5,000 open, 600 of them due today, the rest history (195,000, and 15,000
for the baseline in the same run). The sweep must read only what is open or due, through
indexes, in a fixed number of set-based statements: so its SQL statement count must be the
same for both, and its time nearly so. Measured per backend (SQLite in a temporary file;
PostgreSQL too when TEST_DATABASE_URL is set, in a schema of its own):

- the due sweep at 10:00 on a Monday: plan and queue every message (one per recipient);
- delivering them to a fake Slack (one chat.postMessage per recipient);
- an idle sweep straight after it, with everything claimed: what each later run costs;
- the due sweep's peak Python memory (tracemalloc, a separate run).

Run: `.venv/bin/python benchmarks/nudge_sweep.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from benchmarks.alert_sweep import StatementCounter, shape  # noqa: E402
from benchmarks.databases import drop_schema, migrated_engine  # noqa: E402
from benchmarks.nudge_data import NOW, NudgeData, build_nudge_data  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.container import make_web_client  # noqa: E402
from bot.services.nudges.sweep import sweep_nudges  # noqa: E402
from bot.slack.delivery import OutboxSender  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import AuditLogEntry, Claim, OutboxMessage  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.harness import settings_for  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
HISTORIES = (15_000, 195_000)  # closed actions: with the 5,000 open, 20,000 and 200,000
PG_SCHEMA = "bench_nudge_sweep"
KEYS = ("due_ms", "due_sql_ms", "due_statements", "messages", "deliver_ms", "slack_calls",
        "deliver_statements", "idle_ms", "idle_statements", "peak_kib")


@dataclass
class Subject:
    """One database under test and what was measured on it."""

    backend: str
    history: int
    engine: Engine
    data: NudgeData
    counter: StatementCounter
    sender: OutboxSender
    build_s: float
    samples: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KEYS})
    shapes: Counter[str] = field(default_factory=Counter)


def reset(engine: Engine) -> None:
    """Remove what a sweep at NOW added (claims, messages, its audit-log entry)."""
    with unit_of_work(engine) as session:
        for model, column in ((OutboxMessage, OutboxMessage.created_at),
                              (Claim, Claim.claimed_at), (AuditLogEntry, AuditLogEntry.at)):
            session.execute(delete(model).where(column >= NOW))  # type: ignore[arg-type]
        session.commit()


def measure_once(subject: Subject, fake: FakeSlack) -> None:
    """A due sweep, its delivery, an idle sweep; then the due sweep again for its memory."""
    reset(subject.engine)
    fake.reset(state=True)
    samples, counter = subject.samples, subject.counter
    with counter.counting() as statements:
        started = time.perf_counter()
        report = sweep_nudges(subject.engine, now=NOW)
        due_ms = (time.perf_counter() - started) * 1000
    due_sql_ms, due_statements = counter.seconds * 1000, list(statements)
    with counter.counting() as delivered:
        started = time.perf_counter()
        subject.sender.deliver_keys(report.keys)
        deliver_ms = (time.perf_counter() - started) * 1000
    deliver_statements = len(delivered)
    with counter.counting() as idle:
        started = time.perf_counter()
        idle_report = sweep_nudges(subject.engine, now=NOW)
        idle_ms = (time.perf_counter() - started) * 1000
    assert idle_report.keys == [], "the second sweep of the day sent something"
    reset(subject.engine)
    tracemalloc.start()
    sweep_nudges(subject.engine, now=NOW)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    for key, value in (("due_ms", due_ms), ("due_sql_ms", due_sql_ms),
                       ("due_statements", len(due_statements)), ("messages", len(report.keys)),
                       ("deliver_ms", deliver_ms),
                       ("slack_calls", len(fake.calls_to("chat.postMessage"))),
                       ("deliver_statements", deliver_statements), ("idle_ms", idle_ms),
                       ("idle_statements", len(idle)), ("peak_kib", peak / 1024)):
        samples[key].append(value)
    subject.shapes = Counter(shape(s) for s in due_statements)


def action_query_plan(engine: Engine) -> list[str]:
    """The database's plan for the sweep's read of open actions (with timings on PostgreSQL)."""
    query = ("SELECT id, owner_id, due, status, snoozed_until, source, source_id, created_at "
             "FROM action WHERE status IN ('open', 'done') AND authority_id = 1")
    prefix = ("EXPLAIN (ANALYZE, BUFFERS)" if engine.dialect.name == "postgresql"
              else "EXPLAIN QUERY PLAN")
    with engine.connect() as connection:
        return [str(row[-1]) for row in connection.execute(text(f"{prefix} {query}")).all()]


def summary(subject: Subject) -> dict[str, Any]:
    """Medians of the repetitions (counts are the same every time)."""
    s = subject.samples
    return {
        "backend": subject.backend, "actions": subject.data.actions,
        "open_actions": subject.data.open_actions, "due_today": subject.data.due_today,
        "staff": subject.data.staff, "supervision_pairs": subject.data.pairs,
        "build_s": round(subject.build_s, 1),
        **{key: statistics.median(values) for key, values in s.items()},
        "due_ms_range": [min(s["due_ms"]), max(s["due_ms"])],
        "due_statements_stable": len(set(s["due_statements"])) == 1,
        "statement_shapes": dict(subject.shapes.most_common()),
        "action_query_plan": action_query_plan(subject.engine),
    }


def fresh_engine(backend: str, folder: str, history: int) -> Engine:
    """An empty, migrated database of the backend."""
    return migrated_engine(backend, f"{folder}/nudges-{history}.db", f"{PG_SCHEMA}_{history}")


def run_backend(backend: str, repeat: int, fake: FakeSlack) -> list[dict[str, Any]]:
    """Both history sizes on one backend, their repetitions interleaved."""
    with tempfile.TemporaryDirectory() as folder:
        subjects = []
        for history in HISTORIES:
            engine = fresh_engine(backend, folder, history)
            started = time.perf_counter()
            data = build_nudge_data(engine, history=history)
            if backend == "postgresql":
                with engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
            settings = settings_for(fake, "sqlite://")
            sender = OutboxSender(engine, make_web_client(settings), FixedClock(NOW))
            subjects.append(Subject(backend, history, engine, data, StatementCounter(engine),
                                    sender, time.perf_counter() - started))
        for subject in subjects:
            measure_once(subject, fake)  # warm-up
            subject.samples = {k: [] for k in KEYS}
        for _ in range(repeat):
            for subject in subjects:
                measure_once(subject, fake)
        results = [summary(subject) for subject in subjects]
        for subject in subjects:
            subject.engine.dispose()
            if backend == "postgresql":
                drop_schema(f"{PG_SCHEMA}_{subject.history}")
    return results


def print_table(results: list[dict[str, Any]]) -> None:
    """The figures, one line per database, then the ratios against the baseline."""
    line = "{:<11}{:>9}{:>9}{:>13}{:>8}{:>8}{:>9}{:>8}{:>10}{:>8}{:>8}{:>10}".format
    print(line("backend", "actions", "due ms", "(min-max)", "SQL ms", "SQL", "msgs",
               "Slack", "send ms", "idle ms", "idle SQL", "peak KiB"))
    for r in results:
        low, high = r["due_ms_range"]
        print(line(r["backend"], f"{r['actions']:,}", f"{r['due_ms']:.0f}",
                   f"({low:.0f}-{high:.0f})", f"{r['due_sql_ms']:.0f}", r["due_statements"],
                   r["messages"], r["slack_calls"], f"{r['deliver_ms']:.0f}",
                   f"{r['idle_ms']:.0f}", r["idle_statements"], f"{r['peak_kib']:.0f}"))
    for backend in sorted({r["backend"] for r in results}):
        base, big = sorted((r for r in results if r["backend"] == backend),
                           key=lambda r: r["actions"])
        print(f"{backend} 200,000/20,000: due time {big['due_ms'] / base['due_ms']:.2f}x, "
              f"SQL statements {big['due_statements']} vs {base['due_statements']}, "
              f"peak memory {big['peak_kib'] / base['peak_kib']:.2f}x, Slack calls "
              f"{big['slack_calls']} vs {base['slack_calls']} (one per recipient)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="measurements per database")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    with FakeSlack() as fake:
        results = [r for backend in backends for r in run_backend(backend, args.repeat, fake)]
    OUT.mkdir(exist_ok=True)
    (OUT / "nudge_sweep.json").write_text(json.dumps(
        {"now": NOW.isoformat(), "histories": HISTORIES, "repeat": args.repeat,
         "results": results}, indent=2, default=str))
    print_table(results)


if __name__ == "__main__":
    main()
