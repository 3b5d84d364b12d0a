"""Fixtures for integration tests: the `qabot` command line against the test database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.cli import main

#: Runs `qabot ARGV...`; returns (exit code, stdout, stderr).
RunCli = Callable[..., tuple[int, str, str]]

_SLACK_ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


@pytest.fixture
def cli(
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> RunCli:
    """`qabot` through `bot.cli.main`, with DATABASE_URL set and no Slack settings.

    Tests that want Slack set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL.
    """
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # so that no developer's .env is read
    for name in _SLACK_ENV:
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
