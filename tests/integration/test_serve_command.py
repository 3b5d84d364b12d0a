"""`qabot serve` as an operator runs it: a real process, migrated database, Slack over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackHTTP
from tests.harness import BOT_TOKEN, SIGNING_SECRET


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_starts_migrates_answers_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    with FakeSlack() as fake:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
            "DATABASE_URL": f"sqlite:///{tmp_path}/qabot.db",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from bot.cli import entry; entry()",
                "serve",
                "--port",
                str(port),
            ],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:  # another process is starting: poll its health check
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
                    assert time.monotonic() < deadline, "qabot serve did not start"
                    time.sleep(0.1)
            result = SlackHTTP(base, SIGNING_SECRET).command(
                "/qa", "", user_id="U1", response_url=fake.response_url("serve")
            )
            assert result.status == 200
            [answer] = fake.wait_for(lambda c: c.method == "response_url")
            assert "Sorry" in answer.params["text"]  # nobody is in the directory yet
        finally:
            process.send_signal(signal.SIGINT)
            output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert SIGNING_SECRET not in output and BOT_TOKEN not in output
