"""Deployment settings: a missing or malformed one stops the program with one line, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli import main

GOOD = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
                 "DATABASE_URL", "QABOT_TIMEZONE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "SLACK_BOT_TOKEN is missing; SLACK_SIGNING_SECRET is missing"),
        ({**GOOD, "SLACK_BOT_TOKEN": "abc"}, "SLACK_BOT_TOKEN must start with xoxb-"),
        ({**GOOD, "DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a sqlite"),
        ({**GOOD, "QABOT_TIMEZONE": "Mars/Olympus"}, "QABOT_TIMEZONE unknown timezone"),
        ({**GOOD, "SLACK_API_URL": "ftp://x"}, "SLACK_API_URL must be an http(s) URL"),
    ],
)
def test_bad_setting_is_one_line_and_exit_2(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["jobs", "run", "outbox.deliver", "--dry-run"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert expected in err
    assert "Traceback" not in err


def test_socket_mode_needs_the_app_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    assert main(["socket"]) == 2
    assert "SLACK_APP_TOKEN is missing" in capsys.readouterr().err


def test_the_installed_command_exits_2_without_a_traceback(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import entry; entry()", "serve"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, cwd=str(tmp_path),
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "qabot: bad setting: SLACK_BOT_TOKEN is missing; SLACK_SIGNING_SECRET is missing"
    )
