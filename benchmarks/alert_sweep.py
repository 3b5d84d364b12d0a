"""The Practice Alert escalation sweep over 2,000 and 20,000 alerts of history.

500 open alerts over a synthetic org (services, teams, full ladders) sit on top of resolved
history; the sweep must read only the due ones (the `ix_alert_due` index), so its SQL statement
count may not move with history and its time should barely. Measured per backend (SQLite in a
temporary file; PostgreSQL too when TEST_DATABASE_URL is set, in a schema of its own):

- a catch-up sweep, as after a working day's outage (`qabot jobs run alerts.escalate --now`),
  with 50 of the 500 due; the alerts are put back between repetitions;
- an idle sweep straight after it, with nothing due: what every scheduled run costs.

Run: `.venv/bin/python benchmarks/alert_sweep.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, delete, event, text, update  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import col, func, select  # noqa: E402

from benchmarks.alert_data import (  # noqa: E402
    MUTABLE,
    SweepData,
    build_sweep_data,
)
from benchmarks.databases import drop_schema, migrated_engine  # noqa: E402
from bot.services.alerts.sweep import SWEEP_BATCH, sweep_alerts  # noqa: E402
from storage.alert_models import Alert, AlertEvent, AlertRecipient  # noqa: E402
from storage.db import unit_of_work  # noqa: E402
from storage.models import AuditLogEntry, Claim, OutboxMessage  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
HISTORIES = (2_000, 20_000)  # the first is the baseline
OPEN, DUE = 500, 50
PG_SCHEMA = "bench_alert_sweep"


class StatementCounter:
    """Every SQL statement sent to the database while counting is on, and the time inside."""

    def __init__(self, engine: Engine) -> None:
        self.on = False
        self.statements: list[str] = []
        self.seconds = 0.0
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.on:
            self.statements.append(statement)
            self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        if self.on:
            self.seconds += time.perf_counter() - self._started

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """Count the statements of the block (the list fills as it runs)."""
        self.statements, self.seconds = [], 0.0
        self.on = True
        try:
            yield self.statements
        finally:
            self.on = False


def reset(engine: Engine, data: SweepData) -> None:
    """Put the open alerts back as built, and remove what a sweep at `data.now` added."""
    now = data.now
    with unit_of_work(engine) as session:
        # Everything a sweep writes carries its `now`; nothing built beforehand does.
        for model, column in ((AlertEvent, AlertEvent.at),
                              (AlertRecipient, AlertRecipient.reached_at),
                              (OutboxMessage, OutboxMessage.created_at),
                              (Claim, Claim.claimed_at), (AuditLogEntry, AuditLogEntry.at)):
            session.execute(delete(model).where(column == now))  # type: ignore[arg-type]
        table = Alert.__table__  # type: ignore[attr-defined]
        # Core executemany, one statement for all 500; bound names must differ from columns.
        session.connection().execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in MUTABLE}),
            [{f"b_{k}": v for k, v in row.items()} for row in data.open_rows],
        )
        session.commit()


def due_count(engine: Engine, now: datetime) -> int:
    """How many alerts the sweep would act on at `now` (its own condition)."""
    with unit_of_work(engine) as session:
        return int(session.exec(select(func.count()).select_from(Alert).where(
            col(Alert.is_open).is_(True), col(Alert.next_check_at) <= now)).one())


def due_query_plan(engine: Engine, now: datetime) -> list[str]:
    """The database's plan for the sweep's query of due alerts."""
    query = ("SELECT id FROM alert WHERE is_open IS {t} AND next_check_at <= :now "
             "ORDER BY next_check_at LIMIT :n")
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            sql, bound = f"EXPLAIN {query.format(t='true')}", now.replace(tzinfo=None)
        else:
            sql, bound = f"EXPLAIN QUERY PLAN {query.format(t='1')}", now.replace(tzinfo=None)
        rows = connection.execute(text(sql), {"now": bound, "n": SWEEP_BATCH}).all()
    return [str(row[-1]) for row in rows]


def shape(statement: str) -> str:
    """A statement reduced to its kind and table, for counting repeats."""
    words = re.sub(r"\s+", " ", statement).strip()
    found = re.match(r"(SELECT .*? FROM \S+|INSERT INTO \S+|UPDATE \S+|DELETE FROM \S+|\w+)",
                     words)
    return found[0] if found else words[:60]


def empty_samples() -> dict[str, list[float]]:
    """Nothing measured yet."""
    keys = ("due_ms", "due_sql_ms", "due_statements", "idle_ms", "idle_statements", "actions")
    return {key: [] for key in keys}


@dataclass
class Subject:
    """One database under test and what was measured on it."""

    backend: str
    history: int
    engine: Engine
    data: SweepData
    counter: StatementCounter
    build_s: float
    samples: dict[str, list[float]] = field(default_factory=lambda: empty_samples())
    shapes: Counter[str] = field(default_factory=Counter)


def _timed_sweep(subject: Subject) -> tuple[float, float, list[str], list[str]]:
    with subject.counter.counting() as statements:
        started = time.perf_counter()
        report = sweep_alerts(subject.engine, now=subject.data.now)
        elapsed = time.perf_counter() - started
    return elapsed * 1000, subject.counter.seconds * 1000, list(statements), report.lines


def measure_once(subject: Subject) -> None:
    """A due sweep from the built state, then an idle one straight after."""
    reset(subject.engine, subject.data)
    assert due_count(subject.engine, subject.data.now) == DUE
    due_ms, sql_ms, statements, lines = _timed_sweep(subject)
    idle_ms, _, idle_statements, idle_lines = _timed_sweep(subject)
    assert idle_lines == [], idle_lines
    samples = subject.samples
    for key, value in (("due_ms", due_ms), ("due_sql_ms", sql_ms),
                       ("due_statements", len(statements)), ("idle_ms", idle_ms),
                       ("idle_statements", len(idle_statements)), ("actions", len(lines))):
        samples[key].append(value)
    subject.shapes = Counter(shape(s) for s in statements)


def summary(subject: Subject) -> dict[str, Any]:
    """Medians (and the spread of the times) of one database's repetitions."""
    samples = subject.samples
    due_statements = samples["due_statements"]
    return {
        "backend": subject.backend, "history": subject.history, "build_s": subject.build_s,
        "due_alerts": DUE, "actions_taken": sorted(set(samples["actions"])),
        "due_sweep_ms": statistics.median(samples["due_ms"]),
        "due_sweep_ms_range": [min(samples["due_ms"]), max(samples["due_ms"])],
        "due_sweep_sql_ms": statistics.median(samples["due_sql_ms"]),
        "due_sweep_statements": due_statements[0],
        "due_statements_stable": len(set(due_statements)) == 1,
        "statements_per_due_alert": due_statements[0] / DUE,
        "idle_sweep_ms": statistics.median(samples["idle_ms"]),
        "idle_sweep_statements": samples["idle_statements"][0],
        "statement_shapes": dict(subject.shapes.most_common()),
        "due_query_plan": due_query_plan(subject.engine, subject.data.now),
    }


def fresh_engine(backend: str, folder: str, history: int) -> Engine:
    """An empty, migrated database of the backend."""
    return migrated_engine(backend, f"{folder}/sweep-{history}.db", f"{PG_SCHEMA}_{history}")


def run_backend(backend: str, repeat: int) -> list[dict[str, Any]]:
    """Both history sizes on one backend, their repetitions interleaved.

    Taking turns means a busy moment on the machine falls on both sizes alike, not on one.
    """
    with tempfile.TemporaryDirectory() as folder:
        subjects = []
        for history in HISTORIES:
            engine = fresh_engine(backend, folder, history)
            started = time.perf_counter()
            data = build_sweep_data(engine, history=history, open_alerts=OPEN, due=DUE, seed=1)
            subjects.append(Subject(backend, history, engine, data, StatementCounter(engine),
                                    time.perf_counter() - started))
        for subject in subjects:
            measure_once(subject)  # warm-up: caches, compiled statements, first connections
            subject.samples = empty_samples()
        for _ in range(repeat):
            for subject in subjects:
                measure_once(subject)
        results = [summary(subject) for subject in subjects]
        for subject in subjects:
            reset(subject.engine, subject.data)
            subject.engine.dispose()
            if backend == "postgresql":
                drop_schema(f"{PG_SCHEMA}_{subject.history}")
    return results


def ratios(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """20,000 over 2,000 history, per backend."""
    out: dict[str, dict[str, float]] = {}
    for backend in {r["backend"] for r in results}:
        base, big = (next(r for r in results if r["backend"] == backend and r["history"] == h)
                     for h in HISTORIES)
        out[backend] = {
            key: big[key] / base[key]
            for key in ("due_sweep_ms", "due_sweep_sql_ms", "due_sweep_statements",
                        "idle_sweep_ms", "idle_sweep_statements")
        }
    return out


def print_table(results: list[dict[str, Any]], by: dict[str, dict[str, float]]) -> None:
    """The figures, one line per database, then the ratios."""
    line: Callable[..., str] = "{:<11}{:>8}{:>10}{:>14}{:>9}{:>9}{:>10}{:>10}{:>10}".format
    print(line("backend", "history", "due ms", "(min-max)", "SQL ms", "due SQL", "SQL/due",
               "idle ms", "idle SQL"))
    for r in results:
        low, high = r["due_sweep_ms_range"]
        print(line(r["backend"], f"{r['history']:,}", f"{r['due_sweep_ms']:.0f}",
                   f"({low:.0f}-{high:.0f})", f"{r['due_sweep_sql_ms']:.0f}",
                   r["due_sweep_statements"], f"{r['statements_per_due_alert']:.1f}",
                   f"{r['idle_sweep_ms']:.2f}", r["idle_sweep_statements"]))
    for backend, ratio in by.items():
        print(f"{backend} 20,000/2,000: due time {ratio['due_sweep_ms']:.2f}x "
              f"(SQL time {ratio['due_sweep_sql_ms']:.2f}x), due SQL "
              f"{ratio['due_sweep_statements']:.2f}x, idle time {ratio['idle_sweep_ms']:.2f}x, "
              f"idle SQL {ratio['idle_sweep_statements']:.2f}x")
    print(f"({DUE} of {OPEN} open alerts due; medians of interleaved repetitions; "
          "history 2,000 is the baseline)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="sweeps per measurement")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    results = [r for backend in backends for r in run_backend(backend, args.repeat)]
    by = ratios(results)
    OUT.mkdir(exist_ok=True)
    (OUT / "alert_sweep.json").write_text(json.dumps(
        {"open_alerts": OPEN, "due": DUE, "histories": HISTORIES, "repeat": args.repeat,
         "results": results, "ratio_20000_over_2000": by},
        indent=2, default=str,
    ))
    print_table(results, by)


if __name__ == "__main__":
    main()
