"""Server-side latency of a signed `/qa`, against a bare Bolt app that only acknowledges.

Each app runs in its own server process (uvicorn, our HTTP adapter: signature check, dispatch
in a worker thread), timed inside that process; the load generator and the fake Slack run
here. The directory is at the scale of PRODUCT.md section 9.
Run: `.venv/bin/python benchmarks/qa_latency.py [--requests N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fakes.org import load_org, make_org  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.slack_requests import SlackHTTP  # noqa: E402
from tests.harness import BOT_TOKEN, SIGNING_SECRET  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
MODES = (("sequential", 1), ("10 clients", 10))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": cut[49] * 1000, "p99_ms": cut[98] * 1000, "max_ms": ordered[-1] * 1000}


def start_server(app: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "bench_server.py"), "--app", app,
         "--port", str(port)], env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.1)  # waiting for another process to start listening
    process.kill()
    raise RuntimeError(f"{app} server did not start")


def samples(base: str) -> list[float]:
    with urllib.request.urlopen(base + "/_bench/samples", timeout=10) as response:
        return [float(s) for s in json.loads(response.read())]


def drive(http: SlackHTTP, users: list[str], fake: FakeSlack, requests: int,
          clients: int) -> float:
    def one(i: int) -> None:
        result = http.command("/qa", "", user_id=users[i % len(users)],
                              response_url=fake.response_url(f"b{i}"))
        assert result.status == 200, result

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(requests)))
    return time.perf_counter() - started


def measure(app: str, env: dict[str, str], fake: FakeSlack, users: list[str],
            requests: int, answers: int) -> dict[str, Any]:
    process, base = start_server(app, env)
    try:
        http = SlackHTTP(base, SIGNING_SECRET)
        drive(http, users, fake, 100, 1)  # warm-up
        samples(base)
        result: dict[str, Any] = {"app": app}
        for label, clients in MODES:
            wall = drive(http, users, fake, requests, clients)
            taken = samples(base)
            result[label] = {**percentiles(taken), "requests": len(taken),
                             "throughput_rps": len(taken) / wall}
        # Let the listeners finish posting their answers before the server stops.
        deadline = time.monotonic() + 120
        while _answers(fake) < answers and time.monotonic() < deadline:
            time.sleep(0.2)
        result["answers_posted"] = _answers(fake)
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(fake: FakeSlack) -> int:
    return sum(1 for c in fake.calls if c.method == "response_url")


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
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": fake.url, "DATABASE_URL": url}
        total = args.requests * len(MODES) + 100
        base = measure("bare", env, fake, users, args.requests, 0)
        ours = measure("qabot", env, fake, users, args.requests, total)
        answered = ours["answers_posted"]

    report: dict[str, Any] = {
        "scale": {"staff": args.staff, "teams": args.teams, "cases": args.cases},
        "results": [base, ours], "qabot_answers_posted": answered,
    }
    for mode, _ in MODES:
        report[f"ratio_p99_{mode}"] = ours[mode]["p99_ms"] / base[mode]["p99_ms"]
    OUT.mkdir(exist_ok=True)
    (OUT / "qa_latency.json").write_text(json.dumps(report, indent=2))
    print(f"{'app':<8}{'mode':<12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}")
    for result in (base, ours):
        for mode, _ in MODES:
            r = result[mode]
            print(f"{result['app']:<8}{mode:<12}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
                  f"{r['max_ms']:>9.2f}{r['throughput_rps']:>9.0f}")
    for mode, _ in MODES:
        print(f"p99 ratio qabot/baseline, {mode}: {report[f'ratio_p99_{mode}']:.2f}x")
    print(f"/qa answers posted to the fake Slack by qabot's listeners: {answered}")


if __name__ == "__main__":
    main()
