"""Practice Alerts end to end over HTTP against the fake Slack, on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.clock import FixedClock
from scheduling.jobs import JOBS
from storage.db import unit_of_work
from storage.models import AuditLogEntry
from tests.harness import Bot
from tests.scenario.alert_support import (
    AD,
    HOS,
    IRO,
    SM,
    STRANGER,
    TM,
    alert_form,
    dm_texts,
    seed_alert_org,
)


def sweep(bot: Bot, clock: FixedClock, at: datetime) -> list[str]:
    clock.set(at)
    return JOBS["alerts.escalate"].body(bot.container, clock.now(), False)


def raise_one(bot: Bot, clock: FixedClock, at: datetime, **form: object) -> str:
    clock.set(at)
    result = bot.http.submit_view(
        "alert.raise",
        alert_form(**form),
        user_id=IRO,  # type: ignore[arg-type]
        view_id=f"V{at.timestamp():.0f}",
    )
    assert result.status == 200
    assert result.json()["response_action"] == "update"
    [confirmation] = bot.slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.params["channel"] == IRO
    )
    return confirmation.params["text"].split()[2]  # "Practice Alert PA-… raised …"


def test_the_command_opens_the_modal_with_the_case_filled_in(bot: Bot) -> None:
    seed_alert_org(bot.engine, bot.slack)
    result = bot.http.command(
        "/practice-alert", "c0001", user_id=IRO, response_url=bot.slack.response_url("pa")
    )
    assert result.status == 200 and result.elapsed < 3
    [opened] = bot.slack.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "alert.raise"
    case_block = next(b for b in view["blocks"] if b["block_id"] == "case")
    assert case_block["element"]["initial_option"]["value"] == "C0001"
    assert "never a child's or family's name" in case_block["hint"]["text"]


def test_type_ahead_offers_known_open_cases(bot: Bot) -> None:
    seed_alert_org(bot.engine, bot.slack)
    result = bot.http.suggest("alert.case", "c00", user_id=IRO)
    assert result.status == 200
    assert [o["value"] for o in result.json()["options"]] == ["C0001"]


def test_an_unknown_case_reference_is_an_error_at_the_field(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    result = bot.http.submit_view("alert.raise", alert_form("C9999"), user_id=IRO)
    assert result.status == 200
    body = result.json()
    assert body["response_action"] == "errors"
    assert "C9999" in body["errors"]["case"]
    assert bot.slack.calls_to("chat.postMessage") == []


def test_missing_fields_are_errors_at_each_field(bot: Bot) -> None:
    seed_alert_org(bot.engine, bot.slack)
    form = alert_form(None, concern="", asked="", by_when="2020-01-01")
    body = bot.http.submit_view("alert.raise", form, user_id=IRO).json()
    assert set(body["errors"]) == {"case", "concern", "asked", "by_when"}


def test_the_whole_journey_across_christmas(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    # Thursday 24 December 2026, 16:30: urgent, two working hours to acknowledge. Friday 25
    # and Monday 28 (Boxing Day's substitute) are bank holidays, with a weekend between.
    reference = raise_one(bot, clock, datetime(2026, 12, 24, 16, 30, tzinfo=UTC))
    assert reference == "PA-2026-0001"
    [to_tm] = bot.slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.params["channel"] == TM
    )
    assert reference in to_tm.params["text"]
    buttons = [
        e["action_id"]
        for b in to_tm.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["alert.acknowledge", "alert.respond", "alert.propose"]
    [confirmation] = dm_texts(bot.slack, IRO)
    assert reference in confirmation
    assert "out-of-hours" in str(bot.slack.messages(IRO)[0]["blocks"])

    assert sweep(bot, clock, datetime(2026, 12, 29, 9, 59, 59, tzinfo=UTC)) == []
    assert dm_texts(bot.slack, SM) == []
    assert sweep(bot, clock, datetime(2026, 12, 29, 10, 0, tzinfo=UTC)) == [
        f"{reference}: not_acknowledged"
    ]
    assert [reference in t for t in dm_texts(bot.slack, SM)] == [True]
    assert "escalated to the service manager" in dm_texts(bot.slack, IRO)[-1]

    assert sweep(bot, clock, datetime(2026, 12, 29, 11, 59, tzinfo=UTC)) == []
    sweep(bot, clock, datetime(2026, 12, 29, 12, 0, tzinfo=UTC))
    assert len(dm_texts(bot.slack, HOS)) == 1
    assert "escalated to the head of service" in dm_texts(bot.slack, IRO)[-1]
    sweep(bot, clock, datetime(2026, 12, 29, 14, 0, tzinfo=UTC))
    assert len(dm_texts(bot.slack, AD)) == 1
    assert "escalated to the assistant director" in dm_texts(bot.slack, IRO)[-1]
    assert len(dm_texts(bot.slack, IRO)) == 4  # confirmation and three escalations

    # Anyone reached may act: the head of service acknowledges, responds, proposes.
    alert_id = to_tm.params["blocks"][-1]["elements"][0]["value"]
    clock.set(datetime(2026, 12, 29, 14, 30, tzinfo=UTC))
    assert bot.http.action("alert.acknowledge", alert_id, user_id=HOS).status == 200
    bot.slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.params["channel"] == IRO, count=5
    )
    assert "acknowledged by Synthetic UHOS" in dm_texts(bot.slack, IRO)[-1]
    assert (
        bot.http.submit_view(
            "alert.text",
            _text("Synthetic plan: visit this week."),
            private_metadata=_meta(alert_id, "respond"),
            user_id=HOS,
        ).status
        == 200
    )
    bot.slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.params["channel"] == IRO, count=6
    )
    assert "Synthetic plan: visit this week." in str(bot.slack.messages(IRO)[-1]["blocks"])
    bot.http.submit_view(
        "alert.text",
        _text("Synthetic: visit done, plan updated."),
        private_metadata=_meta(alert_id, "propose"),
        user_id=HOS,
    )
    bot.slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.params["channel"] == IRO, count=7
    )
    last = bot.slack.messages(IRO)[-1]
    assert "proposes a resolution" in last["text"]
    assert "alert.confirm" in str(last["blocks"])

    # Only the raiser may confirm: the head of service's crafted confirm is refused.
    bot.http.action(
        "alert.confirm", alert_id, user_id=HOS, response_url=bot.slack.response_url("hc")
    )
    [refusal] = bot.slack.wait_for(lambda c: c.method == "response_url")
    assert "Only its raiser" in refusal.params["text"]
    bot.http.action("alert.confirm", alert_id, user_id=IRO)
    bot.slack.wait_for(
        lambda c: c.method == "chat.postMessage" and "is resolved" in c.params["text"], count=4
    )
    assert sweep(bot, clock, datetime(2027, 3, 1, 12, 0, tzinfo=UTC)) == []  # resolved: quiet


def test_an_acknowledgement_stops_the_climb(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    raise_one(bot, clock, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    [to_tm] = bot.slack.wait_for(lambda c: c.params.get("channel") == TM)
    alert_id = to_tm.params["blocks"][-1]["elements"][0]["value"]
    clock.set(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
    bot.http.action("alert.acknowledge", alert_id, user_id=TM)
    bot.slack.wait_for(lambda c: c.params.get("channel") == IRO, count=2)
    assert sweep(bot, clock, datetime(2026, 11, 23, 12, 0, tzinfo=UTC)) == []
    assert dm_texts(bot.slack, SM) == []
    # The response time still runs: two working days later, with no plan, it climbs.
    assert sweep(bot, clock, datetime(2026, 11, 25, 10, 0, tzinfo=UTC)) == [
        "PA-2026-0001: not_responded"
    ]


def test_a_double_press_and_a_duplicate_submission_act_once(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    for _ in range(2):  # the second click while the first was slow: the same view
        assert (
            bot.http.submit_view("alert.raise", alert_form(), user_id=IRO, view_id="VSAME").status
            == 200
        )
    bot.slack.wait_for(lambda c: c.params.get("channel") == IRO)
    [to_tm] = bot.slack.wait_for(lambda c: c.params.get("channel") == TM)
    alert_id = to_tm.params["blocks"][-1]["elements"][0]["value"]
    for _ in range(2):
        bot.http.action("alert.acknowledge", alert_id, user_id=TM)
    bot.slack.wait_for(lambda c: c.params.get("channel") == IRO, count=2)
    # A later, different message proves nothing else was still on its way.
    bot.http.submit_view("alert.raise", alert_form(), user_id=IRO, view_id="VOTHER")
    bot.slack.wait_for(lambda c: c.params.get("channel") == IRO, count=3)
    iro = dm_texts(bot.slack, IRO)
    assert sum("PA-2026-0001 raised" in t for t in iro) == 1
    assert sum("acknowledged" in t for t in iro) == 1
    assert "PA-2026-0002 raised" in iro[-1]


def test_a_strangers_crafted_acknowledge_is_refused_and_logged(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    raise_one(bot, clock, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    [to_tm] = bot.slack.wait_for(lambda c: c.params.get("channel") == TM)
    alert_id = to_tm.params["blocks"][-1]["elements"][0]["value"]
    bot.http.action(
        "alert.acknowledge", alert_id, user_id=STRANGER, response_url=bot.slack.response_url("str")
    )
    [refusal] = bot.slack.wait_for(lambda c: c.method == "response_url")
    assert "Only the people it has reached" in refusal.params["text"]
    with unit_of_work(bot.engine) as session:
        refused = session.exec(
            select(AuditLogEntry).where(AuditLogEntry.outcome == "refused")
        ).all()
    assert [(e.actor, e.action, e.record_id) for e in refused] == [
        (STRANGER, "alert.acknowledge", "PA-2026-0001")
    ]
    assert len(dm_texts(bot.slack, IRO)) == 1  # nothing was acknowledged


def _text(value: str) -> dict:
    from tests.fakes.slack_requests import state, text_input

    return state(text={"text": text_input(value)})


def _meta(alert_id: str, action: str) -> str:
    return f'{{"alert_id": {alert_id}, "action": "{action}"}}'
