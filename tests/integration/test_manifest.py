"""manifest.yml declares exactly what the app registers: commands, events, scopes, interactivity."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.slack.ids import METHOD_SCOPES, Command, Event, required_scopes
from tests.fakes.slack_requests import app_home_opened, event_callback
from tests.harness import Bot

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_commands_match_the_registered_commands() -> None:
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert declared == {str(c) for c in Command}


def test_manifest_events_match_the_registered_events() -> None:
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == {str(e) for e in Event}


def test_manifest_scopes_are_exactly_those_the_calls_need() -> None:
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == required_scopes()


def test_every_web_api_method_the_code_calls_has_its_scope_listed() -> None:
    called: set[str] = set()
    for path in [
        *ROOT.glob("bot/**/*.py"),
        *ROOT.glob("handlers/**/*.py"),
        *ROOT.glob("scheduling/**/*.py"),
    ]:
        called |= set(re.findall(r"client\.([a-z]+_[A-Za-z_]+)\(", path.read_text()))
    methods = {name.replace("_", ".", 1) for name in called}
    unknown = {
        m
        for m in methods
        if m not in METHOD_SCOPES and m.lower() not in {k.lower() for k in METHOD_SCOPES}
    }
    assert unknown == set(), f"add these Web API methods to METHOD_SCOPES: {unknown}"


def test_interactivity_is_declared_when_and_only_when_the_app_has_interactive_ids() -> None:
    # Handlers register actions and views only through the Action and View enums of ids.
    from bot.slack import ids

    interactive = bool(list(getattr(ids, "Action", [])) or list(getattr(ids, "View", [])))
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is interactive


def test_every_declared_command_and_event_is_handled_by_the_served_app(bot: Bot) -> None:
    bot.add_person("m@example.org", "U300")
    for command in MANIFEST["features"]["slash_commands"]:
        result = bot.http.command(
            command["command"], "", user_id="U300", response_url=bot.slack.response_url("m")
        )
        assert result.status == 200, command["command"]
    samples = {"app_home_opened": app_home_opened(user_id="U300")}
    for i, name in enumerate(MANIFEST["settings"]["event_subscriptions"]["bot_events"]):
        result = bot.http.event(event_callback(samples[name], event_id=f"EvM{i}"))
        assert result.status == 200, name


def test_an_undeclared_command_is_not_handled(bot: Bot) -> None:
    assert bot.http.command("/not-ours", "", user_id="U300").status == 404
