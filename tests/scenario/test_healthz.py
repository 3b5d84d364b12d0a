"""`GET /healthz` checks the database and answers while listeners are busy."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from bot.http import build_http_app
from storage.db import make_engine
from tests.fakes.slack_requests import app_home_opened, event_callback
from tests.harness import SIGNING_SECRET, Bot, serve


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_healthz_is_ok_when_the_database_answers(bot: Bot) -> None:
    assert get(bot.base_url + "/healthz") == (200, {"ok": True, "database": "ok"})


def test_healthz_answers_while_a_listener_is_slow(bot: Bot) -> None:
    bot.add_person("p@example.org", "U400")
    bot.slack.delay("views.publish", 3.0)
    bot.http.event(event_callback(app_home_opened(user_id="U400"), event_id="EvBusy"))
    status, _ = get(bot.base_url + "/healthz")
    assert status == 200


def test_healthz_is_503_when_the_database_is_gone(bot: Bot, tmp_path: Path) -> None:
    unreachable = {
        "sqlite": f"sqlite:///{tmp_path}/missing-folder/qabot.db",
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test",  # nothing listens there
    }[bot.engine.dialect.name]
    app = build_http_app(bot.app, signing_secret=SIGNING_SECRET, engine=make_engine(unreachable))
    with serve(app) as base_url:
        status, body = get(base_url + "/healthz")
    assert (status, body) == (503, {"ok": False, "database": "unreachable"})
