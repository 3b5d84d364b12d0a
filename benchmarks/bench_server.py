"""A server under benchmark, in its own process: qabot's app or a bare Bolt app.

Timed inside the server (ASGI middleware), so the load generator and the fake Slack, which
run in the benchmark's own process, do not share this process's CPU or GIL.
`GET /_bench/samples` returns the request times recorded since the last call, and clears them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from slack_bolt import Ack, App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.container import build_container  # noqa: E402
from bot.http import build_http_app  # noqa: E402
from storage.db import make_engine  # noqa: E402


class ServerTimer:
    """ASGI middleware recording each Slack request's time inside the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == "/_bench/samples":
            body = json.dumps(self.samples).encode()
            self.samples = []
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        started = time.perf_counter()

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.samples.append(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed_send)


def bare_bolt(settings: Settings) -> App:
    """The baseline: Bolt acknowledging `/qa` and doing nothing else."""
    app = App(client=WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
              request_verification_enabled=False, token_verification_enabled=False)

    @app.command("/qa")
    def handle(ack: Ack) -> None:
        ack()

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", choices=["qabot", "bare"], required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = load_settings(Settings)  # from the environment the benchmark sets
    engine = make_engine(settings.database_url)
    if args.app == "qabot":
        bolt = build_app(build_container(settings, engine=engine), identify_in_background=False)
    else:
        bolt = bare_bolt(settings)
    asgi = ServerTimer(build_http_app(bolt, signing_secret=settings.slack_signing_secret,
                                      engine=engine))
    uvicorn.run(asgi, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
