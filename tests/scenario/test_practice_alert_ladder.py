"""Practice Alert routing and the ladder's edges: channels, vacancies, failures, races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlmodel import select

from bot.clock import FixedClock
from bot.container import build_container
from bot.services.rule_settings import set_setting
from scheduling.jobs import JOBS
from storage.alert_models import AlertEvent
from storage.db import make_engine, unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID
from tests.harness import Bot, settings_for
from tests.scenario.alert_support import AD, HOS, IRO, SM, TM, alert_form, dm_texts, seed_alert_org

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def submit(bot: Bot, view_id: str, **form: object) -> None:
    result = bot.http.submit_view(
        "alert.raise",
        alert_form(**form),
        user_id=IRO,  # type: ignore[arg-type]
        view_id=view_id,
    )
    assert result.status == 200 and result.json()["response_action"] == "update", result.body


def alert_id_from(bot: Bot, user: str) -> str:
    [message] = bot.slack.wait_for(lambda c: c.params.get("channel") == user)
    return message.params["blocks"][-1]["elements"][0]["value"]


def test_the_oversight_channel_gets_the_line_but_never_the_description(
    bot: Bot, clock: FixedClock
) -> None:
    seed_alert_org(bot.engine, bot.slack)
    with unit_of_work(bot.engine) as session:
        set_setting(
            session,
            authority_id=DEFAULT_AUTHORITY_ID,
            key="oversight_channel",
            raw_value="C0VERSIGHT",
            actor="test",
            now=clock.now(),
        )
        session.commit()
    submit(
        bot,
        "V1",
        concern="Synthetic words that stay private",
        asked="Synthetic ask that stays private",
    )
    [line] = bot.slack.wait_for(lambda c: c.params.get("channel") == "C0VERSIGHT")
    assert line.params["text"] == "Practice Alert PA-2026-0001: Team A, Drift or delay, Urgent"
    posted_there = [c for c in bot.slack.calls if c.params.get("channel") == "C0VERSIGHT"]
    assert "stays private" not in repr([c.params for c in posted_there])
    assert "C0001" not in repr([c.params for c in posted_there])


def test_a_management_decision_reaches_the_service_manager_at_once(
    bot: Bot, clock: FixedClock
) -> None:
    seed_alert_org(bot.engine, bot.slack)
    clock.set(MONDAY_10)
    submit(bot, "V2", management=True, category="management_decision")
    bot.slack.wait_for(lambda c: c.params.get("channel") == TM)
    bot.slack.wait_for(lambda c: c.params.get("channel") == SM)


def test_deputies_are_reached_with_the_team_manager(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack, deputy=True)
    clock.set(MONDAY_10)
    submit(bot, "V3")
    bot.slack.wait_for(lambda c: c.params.get("channel") == "UDTM")


def test_a_vacant_level_is_skipped(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack, service_manager=False)
    clock.set(MONDAY_10)
    submit(bot, "V4")
    alert_id_from(bot, TM)
    bot.slack.wait_for(lambda c: c.params.get("channel") == IRO)  # the confirmation first
    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    JOBS["alerts.escalate"].body(bot.container, clock.now(), False)
    assert len(dm_texts(bot.slack, HOS)) == 1
    assert "escalated to the head of service" in dm_texts(bot.slack, IRO)[-1]


def test_an_undeliverable_message_moves_the_alert_up_at_once(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    bot.slack.unknown_users.add(TM)  # the team manager has left Slack
    clock.set(MONDAY_10)
    submit(bot, "V5")
    bot.slack.wait_for(lambda c: c.params.get("channel") == SM)
    bot.slack.wait_for(lambda c: c.params.get("channel") == IRO, count=2)
    texts = dm_texts(bot.slack, IRO)
    assert any("could not be delivered" in t for t in texts)


def test_the_raiser_may_escalate_at_once_with_a_reason(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    clock.set(MONDAY_10)
    submit(bot, "V6")
    alert_id = alert_id_from(bot, TM)
    bot.http.submit_view(
        "alert.text",
        {"text": {"text": {"type": "plain_text_input", "value": "Synthetic: no plan"}}},
        private_metadata=f'{{"alert_id": {alert_id}, "action": "escalate"}}',
        user_id=IRO,
    )
    bot.slack.wait_for(lambda c: c.params.get("channel") == SM)
    with unit_of_work(bot.engine) as session:
        kinds = [e.kind for e in session.exec(select(AlertEvent).order_by(AlertEvent.id)).all()]
    assert kinds == ["raised", "escalated"]


def test_a_team_manager_cannot_escalate_for_the_raiser(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    clock.set(MONDAY_10)
    submit(bot, "V7")
    alert_id = alert_id_from(bot, TM)
    result = bot.http.submit_view(
        "alert.text",
        {"text": {"text": {"type": "plain_text_input", "value": "x"}}},
        private_metadata=f'{{"alert_id": {alert_id}, "action": "escalate"}}',
        user_id=TM,
    )
    assert "Only its raiser" in result.json()["errors"]["text"]


def test_the_twenty_day_notice_goes_once(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    clock.set(MONDAY_10)
    submit(bot, "V8", severity="standard")
    alert_id = alert_id_from(bot, TM)
    clock.set(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
    bot.http.submit_view(
        "alert.text",
        {"text": {"text": {"type": "plain_text_input", "value": "Synthetic plan"}}},
        private_metadata=f'{{"alert_id": {alert_id}, "action": "respond"}}',
        user_id=TM,
    )
    bot.slack.wait_for(lambda c: c.params.get("channel") == IRO, count=2)
    # 20 working days of 8.5 h from Monday 23 November 10:00 (no bank holiday between).
    limit = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)
    def run(at: datetime) -> list[str]:
        clock.set(at)
        return JOBS["alerts.escalate"].body(bot.container, at, False)

    assert run(datetime(2026, 12, 21, 9, 59, tzinfo=UTC)) == []
    assert run(limit) == ["PA-2026-0001: limit"]
    assert run(limit) == []
    assert run(datetime(2027, 1, 30, 10, 0, tzinfo=UTC)) == []
    assert [("20-working-day" in t) for t in dm_texts(bot.slack, AD)] == [True]


def test_the_sweep_twice_at_once_and_from_two_processes_escalates_once(
    bot: Bot, clock: FixedClock, database_url: str
) -> None:
    seed_alert_org(bot.engine, bot.slack)
    for i in range(5):
        clock.set(MONDAY_10)
        submit(bot, f"VR{i}")
    bot.slack.wait_for(lambda c: c.params.get("channel") == TM, count=5)
    due = clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC)) or clock.now()
    others = [
        build_container(
            settings_for(bot.slack, database_url),
            clock=FixedClock(due),
            engine=make_engine(database_url),
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(3)

    def sweep(container: object) -> None:
        barrier.wait()
        JOBS["alerts.escalate"].body(container, due, False)  # type: ignore[arg-type]

    threads = [threading.Thread(target=sweep, args=(c,)) for c in (bot.container, *others)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    JOBS["alerts.escalate"].body(bot.container, due, False)  # and once more, same instant
    bot.container.sender.deliver_due()
    assert len(dm_texts(bot.slack, SM)) == 5
    escalations = [t for t in dm_texts(bot.slack, IRO) if "escalated" in t]
    assert len(escalations) == 5


def test_references_are_never_shared_by_concurrent_raises(bot: Bot, clock: FixedClock) -> None:
    seed_alert_org(bot.engine, bot.slack)
    clock.set(MONDAY_10)
    barrier = threading.Barrier(6)

    def raise_one(i: int) -> None:
        barrier.wait()
        submit(bot, f"VC{i}")

    threads = [threading.Thread(target=raise_one, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    confirmations = bot.slack.wait_for(lambda c: c.params.get("channel") == IRO, count=6)
    references = sorted(c.params["text"].split()[2] for c in confirmations)
    assert references == [f"PA-2026-000{i}" for i in range(1, 7)]
