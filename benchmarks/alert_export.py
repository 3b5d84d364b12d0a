"""`qabot export alerts` of 20,000 alerts, as CSV and as XLSX, end to end through the CLI.

The same synthetic data as the sweep benchmark (benchmarks/alert_data.py); SQLite in a
temporary file, and PostgreSQL too when TEST_DATABASE_URL is set (in a schema of its own).
The time includes what every `qabot` command does first (checking the schema is migrated).
Run: `.venv/bin/python benchmarks/alert_export.py [--alerts N] [--repeat N]`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.alert_data import build_sweep_data  # noqa: E402
from benchmarks.alert_sweep import PG_SCHEMA, fresh_engine  # noqa: E402
from benchmarks.databases import drop_schema  # noqa: E402
from bot.cli import main as qabot  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def time_export(url: str, folder: str, file_format: str, repeat: int) -> dict[str, Any]:
    """Median wall time of `qabot export alerts --format FORMAT`, and the file's size."""
    os.environ["DATABASE_URL"] = url
    out = Path(folder) / f"alerts.{file_format}"
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = qabot(["export", "alerts", "--format", file_format, "--out", str(out)])
        times.append(time.perf_counter() - started)
        assert code == 0
    return {"format": file_format, "median_s": statistics.median(times),
            "min_s": min(times), "bytes": out.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            engine = fresh_engine(backend, folder, args.alerts)
            # All but 500 resolved: the tracker holds every alert, open or not.
            build_sweep_data(engine, history=args.alerts - 500, open_alerts=500, due=50, seed=1)
            url = engine.url.render_as_string(hide_password=False)
            engine.dispose()
            for file_format in ("csv", "xlsx"):
                results.append({"backend": backend, "alerts": args.alerts,
                                **time_export(url, folder, file_format, args.repeat)})
            if backend == "postgresql":
                drop_schema(f"{PG_SCHEMA}_{args.alerts}")
    OUT.mkdir(exist_ok=True)
    (OUT / "alert_export.json").write_text(json.dumps(results, indent=2))
    print(f"{'backend':<11}{'alerts':>8}{'format':>8}{'median s':>10}{'min s':>8}{'MB':>7}")
    for r in results:
        print(f"{r['backend']:<11}{r['alerts']:>8,}{r['format']:>8}{r['median_s']:>10.2f}"
              f"{r['min_s']:>8.2f}{r['bytes'] / 1e6:>7.2f}")


if __name__ == "__main__":
    main()
