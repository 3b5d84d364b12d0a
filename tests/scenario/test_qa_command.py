"""`/qa` and App Home over signed HTTP, as Slack sends them."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fakes.slack_requests import app_home_opened, event_callback, retry_headers
from tests.harness import Bot


def test_qa_is_acknowledged_at_once_and_answers_with_open_work_and_help(bot: Bot) -> None:
    bot.add_person("tm1@example.org", "U100", roles=("team_manager",))
    url = bot.slack.response_url("qa1")
    result = bot.http.command("/qa", "", user_id="U100", response_url=url)
    assert result.status == 200
    assert result.elapsed < 3
    [answer] = bot.slack.wait_for(lambda c: c.method == "response_url")
    body = answer.params
    assert body["response_type"] == "ephemeral"
    assert "no open work" in str(body["blocks"])
    assert "/qa help" in str(body["blocks"])


def test_someone_not_in_the_directory_gets_a_polite_refusal_and_nothing_else(bot: Bot) -> None:
    url = bot.slack.response_url("stranger")
    assert bot.http.command("/qa", "", user_id="U999", response_url=url).status == 200
    [answer] = bot.slack.wait_for(lambda c: c.method == "response_url")
    assert "Sorry" in answer.params["text"]
    assert "open work" not in str(answer.params.get("blocks"))
    assert [c.method for c in bot.slack.calls] == ["response_url"]


def test_an_inactive_person_is_refused(bot: Bot) -> None:
    bot.add_person("left@example.org", "U101", active=False)
    url = bot.slack.response_url("inactive")
    bot.http.command("/qa", "", user_id="U101", response_url=url)
    [answer] = bot.slack.wait_for(lambda c: c.method == "response_url")
    assert "Sorry" in answer.params["text"]


def test_bad_and_stale_signatures_get_401(bot: Bot) -> None:
    assert bot.http.command("/qa", "", secret="not-the-secret").status == 401
    six_minutes_ago = int(time.time()) - 360
    assert bot.http.command("/qa", "", timestamp=six_minutes_ago).status == 401
    assert bot.slack.calls == []


def test_twenty_concurrent_commands_are_all_answered_while_a_listener_is_slow(bot: Bot) -> None:
    bot.add_person("pr1@example.org", "U102")
    # Publishing App Home takes 4 s: that listener is slow, and others must not wait for it.
    bot.slack.delay("views.publish", 4.0)
    slow = bot.http.event(event_callback(app_home_opened(user_id="U102"), event_id="EvSlow"))
    assert slow.status == 200

    def ask(i: int) -> float:
        result = bot.http.command(
            "/qa", "", user_id="U102", response_url=bot.slack.response_url(f"c{i}")
        )
        assert result.status == 200
        return result.elapsed

    with ThreadPoolExecutor(max_workers=20) as pool:
        elapsed = list(pool.map(ask, range(20)))
    assert max(elapsed) < 3
    answers = bot.slack.wait_for(
        lambda c: c.method == "response_url", count=20, timeout=10
    )
    assert len(answers) == 20


def test_app_home_is_published_on_app_home_opened(bot: Bot) -> None:
    bot.add_person("pr2@example.org", "U103")
    result = bot.http.event(event_callback(app_home_opened(user_id="U103"), event_id="EvHome1"))
    assert result.status == 200
    [publish] = bot.slack.wait_for("views.publish")
    assert publish.params["user_id"] == "U103"
    assert publish.params["view"]["type"] == "home"
    assert "Your QA work" in str(publish.params["view"]["blocks"])


def test_an_event_delivered_twice_acts_once(bot: Bot) -> None:
    bot.add_person("pr3@example.org", "U104")
    event = event_callback(app_home_opened(user_id="U104"), event_id="EvTwice")
    assert bot.http.event(event).status == 200
    bot.slack.wait_for("views.publish")
    again = bot.http.event(event, headers=retry_headers(1, "http_timeout"))
    assert again.status == 200
    # The listener pool is asynchronous: give a duplicate the chance to show itself by
    # sending a different event after it and waiting for that one.
    bot.http.event(event_callback(app_home_opened(user_id="U104"), event_id="EvAfter"))
    bot.slack.wait_for("views.publish", count=2)
    assert len(bot.slack.calls_to("views.publish")) == 2


def test_a_refused_request_is_not_logged_with_its_body(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "C0SECRETREF"
    assert bot.http.command("/qa", marker, secret="not-the-secret").status == 401
    assert marker not in caplog.text
    assert "bad or stale signature" in caplog.text
