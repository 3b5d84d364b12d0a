"""Allocation of a 600-audit cycle over 25,000 cases and 300 auditors (PRODUCT.md section 9).

Measures the engine's whole draw (sampling, levelled max flow for auditors and moderators, the
receipt) for wall time and peak traced memory, target under 2 s, and compares the balance of
its loads with a plain random-with-retries assignment of the same 600 cases (a random auditor
for each case, retried up to 20 times until one is free of conflict and under capacity).
The synthetic authority is the tests' (``tests/unit/test_allocation.py``), ids only.

Run: `.venv/bin/python benchmarks/allocation.py [--runs N]`; writes benchmarks/out/allocation.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scipy  # type: ignore[import-untyped]  # noqa: E402

from bot.domain.allocation import DrawRequest, DrawResult, draw  # noqa: E402
from bot.domain.allocation.conflicts import ConflictIndex  # noqa: E402
from tests.unit.test_allocation_scale import large_cycle_request  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
TARGET_S = 2.0
RETRIES = 20


def timed_draws(request: DrawRequest, runs: int) -> tuple[list[float], DrawResult]:
    """Wall times of ``runs`` draws of ``request`` (after one warm-up), and the last result."""
    result = draw(request)  # warm-up: first use of SciPy's solver, pydantic's serialiser
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = draw(request)
        times.append(time.perf_counter() - started)
    return times, result


def peak_memory(request: DrawRequest) -> int:
    """Peak bytes traced by tracemalloc during one draw (inputs already built, not counted)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    draw(request)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def random_with_retries(
    request: DrawRequest, result: DrawResult, seed: int
) -> tuple[float, dict[str, int], int]:
    """Assign the engine's drawn cases at random with retries: (seconds, loads, unplaced)."""
    started = time.perf_counter()
    conflicts = ConflictIndex(request.organisation)
    cases = {c.id: c for c in request.cases}
    pool = list(result.receipt.cycles[0].auditor_pool)
    capacity = request.capacity or len(result.assignments)
    rng = random.Random(seed)
    loads = dict.fromkeys(pool, 0)
    unplaced = 0
    for case_id in result.receipt.cycles[0].drawn:
        case = cases[case_id]
        blocked = conflicts.blocked(
            team_id=case.team_id, worker_id=case.worker_id, involved_ids=case.involved_ids
        )
        for _ in range(RETRIES):
            auditor = rng.choice(pool)
            if auditor not in blocked and loads[auditor] < capacity:
                loads[auditor] += 1
                break
        else:
            unplaced += 1
    return time.perf_counter() - started, loads, unplaced


def measure(request: DrawRequest, runs: int) -> dict[str, Any]:
    """The engine's and the baseline's figures for one request."""
    times, result = timed_draws(request, runs)
    peak = peak_memory(request)
    loads = Counter(a.auditor_id for a in result.assignments)
    pool = result.receipt.cycles[0].auditor_pool
    engine_loads = [loads[a] for a in pool]
    mod_loads = Counter(a.moderator_id for a in result.assignments)
    baseline = [random_with_retries(request, result, seed) for seed in range(runs)]
    return {
        "scenario": {
            "cases": len(request.cases),
            "staff": len(request.organisation.people),
            "teams": len(request.organisation.teams),
            "auditors": len(pool),
            "audits": request.cycles[0].sample,
            "capacity": request.capacity,
            "moderators": len(result.receipt.cycles[0].moderator_pool),
        },
        "engine": {
            "complete": result.complete,
            "wall_s_median": statistics.median(times),
            "wall_s_min": min(times),
            "wall_s_runs": times,
            "peak_traced_mib": peak / 2**20,
            "balance_max_minus_min": max(engine_loads) - min(engine_loads),
            "loads": dict(sorted(Counter(engine_loads).items())),
            "moderation_balance": max(mod_loads.values()) - min(mod_loads.values()),
            "unplaced": len(result.unplaced),
            "within_target": statistics.median(times) < TARGET_S,
        },
        "random_with_retries": {
            "retries": RETRIES,
            "wall_s_median": statistics.median(b[0] for b in baseline),
            "balance_max_minus_min": [max(b[1].values()) - min(b[1].values()) for b in baseline],
            "unplaced": [b[2] for b in baseline],
            "note": "assignment of the same drawn cases only: no sampling, moderation or receipt",
        },
    }


def main() -> None:
    """Run the benchmark, print a table and write benchmarks/out/allocation.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    request = large_cycle_request()
    # Capacity 3 leaves slack; capacity 2 is exact (600 audits = 300 auditors x 2).
    results = [measure(replace(request, capacity=c), args.runs) for c in (3, 2)]
    report: dict[str, Any] = {
        "target_s": TARGET_S,
        "runs": args.runs,
        "results": results,
        "python": platform.python_version(),
        "scipy": scipy.__version__,
        "machine": platform.machine(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "allocation.json").write_text(json.dumps(report, indent=2) + "\n")

    rows = [("capacity", "method", "wall ms", "peak MiB", "balance", "unplaced")]
    for result in results:
        engine, base = result["engine"], result["random_with_retries"]
        capacity = str(result["scenario"]["capacity"])
        balance, unplaced = base["balance_max_minus_min"], base["unplaced"]
        rows.append(
            (
                capacity,
                "levelled max flow (whole draw)",
                f"{engine['wall_s_median'] * 1000:.0f}",
                f"{engine['peak_traced_mib']:.1f}",
                str(engine["balance_max_minus_min"]),
                str(engine["unplaced"]),
            )
        )
        rows.append(
            (
                capacity,
                f"random, {RETRIES} retries (assign only)",
                f"{base['wall_s_median'] * 1000:.0f}",
                "-",
                f"{min(balance)}..{max(balance)}",
                f"{min(unplaced)}..{max(unplaced)}",
            )
        )
    scenario = results[0]["scenario"]
    print(
        f"allocation: {scenario['audits']} audits, {scenario['cases']:,} cases, "
        f"{scenario['auditors']} auditors; median of {args.runs} runs"
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    within = all(r["engine"]["within_target"] for r in results)
    verdict = "within" if within else "OVER"
    print(f"target {TARGET_S:.0f} s: {verdict}; wrote {OUT / 'allocation.json'}")


if __name__ == "__main__":
    main()
