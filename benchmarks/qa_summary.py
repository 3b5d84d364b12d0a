"""`/qa-summary all` over a year of records, against the same request for one team.

A large authority (PRODUCT.md section 9: 2,000 staff, 150 teams, 25,000 cases) with a year of
history inserted in bulk: 8 cycles of 600 audits (with their forms), 200,000 actions, 20,000
Practice Alerts and 50,000 supervision records. qabot runs in its own server process (uvicorn,
our HTTP adapter, the real app, a warm process); the fake Slack and the load generator run
here. Each request is sent signed, one after another: the acknowledgement is the HTTP answer's
time; the summary is posted when the fake Slack receives its chat.postMessage (by the outbox
key in the message's metadata); the chart is timed to its files.completeUploadExternal. The
baseline is the same request for one team, in the same run. Then a burst: requests from 10
clients at once, to show acknowledgements do not wait for the summaries queued behind them.

Run: `.venv/bin/python benchmarks/qa_summary.py [--requests 200] [--database-url URL]`
(a PostgreSQL URL's public schema is dropped and recreated: give it a database of its own).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.qa_latency import start_server  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.conftest import reset_postgres  # noqa: E402
from tests.fakes.org import load_org, make_org, register_in_fake_slack  # noqa: E402
from tests.fakes.slack_api import Call, FakeSlack  # noqa: E402
from tests.fakes.slack_requests import SlackHTTP  # noqa: E402
from tests.fakes.summary_data import build_summary_data  # noqa: E402
from tests.harness import BOT_TOKEN, SIGNING_SECRET  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
YEAR = "2025-04-01..2026-03-31"
ACK_LIMIT_S, POST_P99_LIMIT_S = 3.0, 1.0


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p99 and max, in milliseconds."""
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": cut[49] * 1000, "p99_ms": cut[98] * 1000, "max_ms": ordered[-1] * 1000}


def build(url: str, scale: dict[str, int]) -> tuple[Any, dict[str, float]]:
    """The organisation and its year of records; how long each part took."""
    taken: dict[str, float] = {}
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    org = make_org(staff=scale["staff"], teams=scale["teams"], cases=scale["cases"], seed=1)
    load_org(engine, org)
    taken["org_s"] = time.perf_counter() - started
    started = time.perf_counter()
    data = build_summary_data(
        engine, first=date(2025, 4, 1), last=date(2026, 3, 31), today=date(2026, 4, 15),
        cycles=8, audits_per_cycle=scale["audits"], actions=scale["actions"],
        alerts=scale["alerts"], supervision=scale["supervision"], good_practice=2000, seed=1)
    taken["records_s"] = time.perf_counter() - started
    counts = {"audits": len(data.audits), "audit_forms": len(data.forms),
              "actions": len(data.actions), "alerts": len(data.alerts),
              "supervision_records": len(data.supervision),
              "good_practice": len(data.good_practice)}
    engine.dispose()
    return org, {**taken, **counts}


def one(http: SlackHTTP, fake: FakeSlack, user: str, words: str, n: int,
        chart: bool = True) -> dict[str, float]:
    """Send one `/qa-summary` and time its acknowledgement, summary and (one at a time) chart."""
    trigger = f"bench.{words}.{n}.{time.time_ns()}"
    key = "summary:" + hashlib.sha256(trigger.encode()).hexdigest()[:20]
    charts_before = len(fake.calls_to("files.completeUploadExternal"))

    def posted(call: Call) -> bool:
        meta = call.params.get("metadata") or {}
        return (call.method == "chat.postMessage"
                and (meta.get("event_payload") or {}).get("key") == key)

    sent = time.monotonic()
    result = http.command("/qa-summary", words, user_id=user, trigger_id=trigger,
                          response_url=fake.response_url(f"b{n}"))
    assert result.status == 200, result
    [post] = fake.wait_for(posted, timeout=120)
    if not chart:
        return {"ack": result.elapsed, "post": post.at - sent}
    uploaded = fake.wait_for("files.completeUploadExternal", count=charts_before + 1,
                             timeout=60)[-1]
    return {"ack": result.elapsed, "post": post.at - sent, "chart": uploaded.at - sent}


def series(http: SlackHTTP, fake: FakeSlack, user: str, words: str,
           requests: int) -> dict[str, Any]:
    """`requests` requests, one after another, and their percentiles."""
    runs = [one(http, fake, user, words, n) for n in range(requests)]
    return {
        "request": f"/qa-summary {words}", "requests": requests,
        "ack": percentiles([r["ack"] for r in runs]),
        "summary_posted": percentiles([r["post"] for r in runs]),
        "chart_uploaded": percentiles([r["chart"] for r in runs]),
        "ack_max_within_3s": max(r["ack"] for r in runs) < ACK_LIMIT_S,
    }


def burst(http: SlackHTTP, fake: FakeSlack, user: str, words: str, requests: int,
          clients: int) -> dict[str, Any]:
    """`requests` requests from `clients` at once: acknowledgements while summaries queue."""
    charts_before = len(fake.calls_to("files.completeUploadExternal"))
    with ThreadPoolExecutor(max_workers=clients) as pool:
        runs = list(pool.map(lambda n: one(http, fake, user, words, 20_000 + n, chart=False),
                             range(requests)))
    fake.wait_for("files.completeUploadExternal", count=charts_before + requests, timeout=300)
    return {
        "request": f"/qa-summary {words}", "requests": requests, "clients": clients,
        "ack": percentiles([r["ack"] for r in runs]),
        "summary_posted": percentiles([r["post"] for r in runs]),
        "ack_max_within_3s": max(r["ack"] for r in runs) < ACK_LIMIT_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--burst", type=int, default=50,
                        help="requests sent by 10 clients at once, after the sequential runs")
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=150)
    parser.add_argument("--cases", type=int, default=25000)
    parser.add_argument("--audits", type=int, default=600, help="audits per cycle (8 cycles)")
    parser.add_argument("--actions", type=int, default=200_000)
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--supervision", type=int, default=50_000)
    args = parser.parse_args()
    scale = {k: getattr(args, k) for k in ("staff", "teams", "cases", "audits", "actions",
                                            "alerts", "supervision")}

    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        if url.startswith("postgresql"):
            reset_postgres(url)
        org, built = build(url, scale)
        register_in_fake_slack(org, fake)
        qa_lead = org.with_role("qa_lead")[0].slack_user_id
        team = org.teams[0].name
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": fake.url, "DATABASE_URL": url}
        process, base = start_server("qabot", env)
        try:
            http = SlackHTTP(base, SIGNING_SECRET, timeout=30)
            for n in range(5):  # warm-up: imports, pools, the first chart
                one(http, fake, qa_lead, f"all {YEAR}", 10_000 + n)
            baseline = series(http, fake, qa_lead, f"{team} {YEAR}", args.requests)
            everything = series(http, fake, qa_lead, f"all {YEAR}", args.requests)
            crowd = burst(http, fake, qa_lead, f"all {YEAR}", args.burst, 10)
        finally:
            process.terminate()
            process.wait(timeout=30)

    report: dict[str, Any] = {
        "backend": url.split(":", 1)[0].split("+", 1)[0], "scale": scale, "built": built,
        "results": [baseline, everything], "burst": crowd,
        "ratio_post_p99_all_over_team": (everything["summary_posted"]["p99_ms"]
                                         / baseline["summary_posted"]["p99_ms"]),
        "summary_posted_p99_under_1s": (everything["summary_posted"]["p99_ms"]
                                        < 1000 * POST_P99_LIMIT_S),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "qa_summary.json").write_text(json.dumps(report, indent=2))
    print(f"backend {report['backend']}; built in {built['org_s']:.1f} s (org) + "
          f"{built['records_s']:.1f} s (records): {built['audits']} audits, "
          f"{built['actions']} actions, {built['alerts']} alerts, "
          f"{built['supervision_records']} supervision records")
    print(f"{'request':<44}{'what':<16}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for result in (baseline, everything):
        for what in ("ack", "summary_posted", "chart_uploaded"):
            r = result[what]
            print(f"{result['request']:<44}{what:<16}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
                  f"{r['max_ms']:>9.1f}")
    print(f"summary posted, p99 all / p99 one team: {report['ratio_post_p99_all_over_team']:.2f}x")
    print(f"burst of {crowd['requests']} from {crowd['clients']} clients at once: ack p99 "
          f"{crowd['ack']['p99_ms']:.1f} ms (max {crowd['ack']['max_ms']:.1f}); summary posted "
          f"p50 {crowd['summary_posted']['p50_ms']:.0f} ms, p99 "
          f"{crowd['summary_posted']['p99_ms']:.0f} ms (queued behind each other)")
    acks_ok = all(r["ack_max_within_3s"] for r in (baseline, everything, crowd))
    print(f"every acknowledgement within 3 s: {acks_ok}; "
          f"summary posted under 1 s at p99: {report['summary_posted_p99_under_1s']}")


if __name__ == "__main__":
    main()
