"""Server-side latency of a signed `/qa`, against a bare Bolt app that only acknowledges.

Both apps are served the same way (uvicorn, our HTTP adapter with signature checks and
dispatch in a worker thread) against a fake Slack on loopback; the directory is at the scale
of PRODUCT.md section 9. Run: `.venv/bin/python benchmarks/qa_latency.py [--requests N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt import Ack, App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.container import build_container  # noqa: E402
from bot.http import build_http_app  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fakes.org import load_org, make_org  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.slack_requests import SlackHTTP  # noqa: E402
from tests.harness import SIGNING_SECRET, serve, settings_for  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


class ServerTimer:
    """ASGI middleware recording each request's time inside the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.samples.append(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed_send)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": cut[49] * 1000, "p99_ms": cut[98] * 1000, "max_ms": ordered[-1] * 1000}


def drive(http: SlackHTTP, users: list[str], fake: FakeSlack, requests: int,
          clients: int) -> None:
    def one(i: int) -> None:
        result = http.command("/qa", "", user_id=users[i % len(users)],
                              response_url=fake.response_url(f"b{i}"))
        assert result.status == 200, result

    if clients == 1:
        for i in range(requests):
            one(i)
    else:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(one, range(requests)))


def measure(name: str, asgi: Any, fake: FakeSlack, users: list[str], requests: int,
            wait_done: Callable[[int], None]) -> dict[str, Any]:
    timer = ServerTimer(asgi)
    results: dict[str, Any] = {"app": name}
    with serve(timer) as base_url:
        http = SlackHTTP(base_url, SIGNING_SECRET)
        drive(http, users, fake, 50, 1)  # warm-up
        for label, clients in (("sequential", 1), ("10 clients", 10)):
            timer.samples.clear()
            started = time.perf_counter()
            drive(http, users, fake, requests, clients)
            wall = time.perf_counter() - started
            results[label] = {**percentiles(timer.samples), "requests": len(timer.samples),
                              "throughput_rps": len(timer.samples) / wall}
        wait_done(requests * 2 + 50)
    return results


def bare_bolt(fake: FakeSlack) -> App:
    """The baseline: Bolt with the same client, acknowledging and doing nothing else."""
    app = App(client=WebClient(token="xoxb-bench", base_url=fake.url), signing_secret="unused",
              request_verification_enabled=False, token_verification_enabled=False)

    @app.command("/qa")
    def handle(ack: Ack) -> None:
        ack()

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=150)
    parser.add_argument("--cases", type=int, default=25000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        org = make_org(staff=args.staff, teams=args.teams, cases=args.cases, seed=1)
        load_org(engine, org)
        users = [p.slack_user_id for p in org.staff if p.slack_user_id][:500]
        clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
        container = build_container(settings_for(fake, url), clock=clock, engine=engine)
        qabot = build_http_app(build_app(container, identify_in_background=False),
                               signing_secret=SIGNING_SECRET, engine=engine)
        baseline = build_http_app(bare_bolt(fake), signing_secret=SIGNING_SECRET, engine=engine)

        def answered(count: int) -> None:
            fake.wait_for(lambda c: c.method == "response_url", count=count, timeout=120)

        base = measure("bare Bolt (baseline)", baseline, fake, users, args.requests,
                       lambda _: None)
        fake.reset()
        ours = measure("qabot /qa", qabot, fake, users, args.requests, answered)

    report = {"scale": {"staff": args.staff, "teams": args.teams, "cases": args.cases},
              "results": [base, ours]}
    for mode in ("sequential", "10 clients"):
        report[f"ratio_p99_{mode}"] = ours[mode]["p99_ms"] / base[mode]["p99_ms"]
    OUT.mkdir(exist_ok=True)
    (OUT / "qa_latency.json").write_text(json.dumps(report, indent=2))
    print(f"{'app':<22}{'mode':<12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}")
    for result in (base, ours):
        for mode in ("sequential", "10 clients"):
            r = result[mode]
            print(f"{result['app']:<22}{mode:<12}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
                  f"{r['max_ms']:>9.2f}{r['throughput_rps']:>9.0f}")
    for mode in ("sequential", "10 clients"):
        print(f"p99 ratio qabot/baseline, {mode}: {report[f'ratio_p99_{mode}']:.2f}x")


if __name__ == "__main__":
    main()
