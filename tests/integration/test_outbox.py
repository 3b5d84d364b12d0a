"""The outbox: every message goes out once or stays queued; none is lost or repeated."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.clock import FixedClock
from bot.container import Container, build_container
from bot.services.outbox import Message, enqueue, enqueue_update
from storage.db import make_engine, unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, AuditLogEntry, OutboxMessage
from tests.fakes.slack_api import FakeSlack
from tests.harness import settings_for


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U1", "one@example.org")
        fake.add_user("U2", "two@example.org")
        yield fake


@pytest.fixture
def container(engine: Engine, database_url: str, clock: FixedClock, slack: FakeSlack) -> Container:
    return build_container(settings_for(slack, database_url), clock=clock, engine=engine)


def queue(container: Container, key: str, to: str = "U1", text: str = "Hello") -> None:
    with unit_of_work(container.engine) as session:
        enqueue(
            session, Message(key=key, to=to, template="plain", data={"text": text}),
            authority_id=DEFAULT_AUTHORITY_ID, now=container.clock.now(),
        )
        session.commit()


def row(engine: Engine, key: str) -> OutboxMessage:
    with unit_of_work(engine) as session:
        found = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        return found


def posted(slack: FakeSlack, channel: str = "U1") -> list[dict]:
    return slack.messages(slack.dm_channel(channel))


def test_a_message_is_posted_to_the_user_id_with_its_key_and_ts_stored(
    container: Container, slack: FakeSlack
) -> None:
    queue(container, "k:1")
    report = container.sender.deliver_due()
    assert report.sent == ["k:1"]
    [call] = slack.calls_to("chat.postMessage")
    assert call.params["channel"] == "U1"  # no conversations.open first
    assert call.params["metadata"]["event_payload"] == {"key": "k:1"}
    sent = row(container.engine, "k:1")
    assert (sent.status, sent.ts) == ("sent", posted(slack)[0]["ts"])
    assert slack.calls_to("conversations.open") == []


def test_queueing_the_same_key_twice_sends_once(container: Container, slack: FakeSlack) -> None:
    queue(container, "k:dup")
    queue(container, "k:dup", text="again")
    container.sender.deliver_due()
    container.sender.deliver_due()
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_rate_limited_waits_for_retry_after_then_sends_exactly_once(
    container: Container, slack: FakeSlack, clock: FixedClock
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=1)
    queue(container, "k:429")
    assert container.sender.deliver_due().deferred == ["k:429"]
    assert row(container.engine, "k:429").not_before == clock.now() + timedelta(seconds=1)
    clock.advance(milliseconds=999)
    assert container.sender.deliver_due().sent == []  # not before the second has passed
    assert len(slack.calls_to("chat.postMessage")) == 1
    clock.advance(milliseconds=1)
    assert container.sender.deliver_due().sent == ["k:429"]
    container.sender.deliver_due()
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert len(posted(slack)) == 1


def test_a_send_broken_after_slack_took_it_is_not_resent(
    container: Container, slack: FakeSlack, clock: FixedClock
) -> None:
    slack.drop("chat.postMessage")  # Slack stores it, the answer is lost
    queue(container, "k:drop")
    assert container.sender.deliver_due().deferred == ["k:drop"]
    assert row(container.engine, "k:drop").status == "uncertain"
    clock.advance(minutes=1)
    assert container.sender.deliver_due().sent == ["k:drop"]
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.calls_to("conversations.history")) == 1
    assert len(posted(slack)) == 1
    assert row(container.engine, "k:drop").ts == posted(slack)[0]["ts"]


def test_a_send_broken_before_slack_took_it_is_resent_once(
    container: Container, slack: FakeSlack, clock: FixedClock
) -> None:
    slack.drop_before("chat.postMessage")
    queue(container, "k:lost")
    container.sender.deliver_due()
    clock.advance(minutes=1)
    assert container.sender.deliver_due().sent == ["k:lost"]
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert len(posted(slack)) == 1


def test_a_server_error_is_uncertain_and_checked_against_history(
    container: Container, slack: FakeSlack, clock: FixedClock
) -> None:
    slack.server_error("chat.postMessage", status=503)
    queue(container, "k:503")
    container.sender.deliver_due()
    assert row(container.engine, "k:503").status == "uncertain"
    clock.advance(minutes=1)
    container.sender.deliver_due()
    assert len(slack.calls_to("conversations.history")) == 1
    assert len(posted(slack)) == 1


def test_user_not_found_is_failed_reported_and_never_retried(
    container: Container, slack: FakeSlack, clock: FixedClock
) -> None:
    failures: list[str] = []
    container.sender.on_failure("k:", lambda session, msg, now: failures.append(msg.key))
    slack.error("chat.postMessage", "user_not_found")
    queue(container, "k:gone")
    assert container.sender.deliver_due().failed == ["k:gone"]
    clock.advance(days=1)
    container.sender.deliver_due()
    assert len(slack.calls_to("chat.postMessage")) == 1
    failed = row(container.engine, "k:gone")
    assert (failed.status, failed.error) == ("failed", "user_not_found")
    assert failures == ["k:gone"]
    with unit_of_work(container.engine) as session:
        entry = session.exec(
            select(AuditLogEntry).where(AuditLogEntry.action == "outbox.failed")
        ).one()
    assert entry.record_id == "k:gone"


def test_pending_messages_go_out_once_after_a_restart(
    container: Container, slack: FakeSlack, database_url: str, clock: FixedClock
) -> None:
    for i in range(5):
        queue(container, f"k:r{i}", to="U1" if i % 2 else "U2")
    # The process stops before sending; a new one starts on the same database.
    container.engine.dispose()
    restarted = build_container(
        settings_for(slack, database_url), clock=clock, engine=make_engine(database_url)
    )
    assert len(restarted.sender.deliver_due().sent) == 5
    assert restarted.sender.deliver_due().sent == []
    assert len(slack.calls_to("chat.postMessage")) == 5


def test_a_send_abandoned_mid_way_is_checked_before_it_is_resent(
    container: Container, slack: FakeSlack, clock: FixedClock
) -> None:
    queue(container, "k:crash")
    # A process claimed it, Slack took it, and the process died before recording the ts.
    container.sender._claim(row(container.engine, "k:crash").id or 0, "pending")
    slack.add_message(
        slack.dm_channel("U1"), text="Hello",
        metadata={"event_type": "qabot_outbox", "event_payload": {"key": "k:crash"}},
    )
    assert container.sender.deliver_due().sent == []  # its claim has not expired yet
    clock.advance(minutes=3)
    assert container.sender.deliver_due().sent == ["k:crash"]
    assert slack.calls_to("chat.postMessage") == []


def test_two_senders_at_once_send_each_message_once(
    container: Container, slack: FakeSlack, database_url: str, clock: FixedClock
) -> None:
    for i in range(20):
        queue(container, f"k:c{i}")
    other = build_container(
        settings_for(slack, database_url), clock=clock, engine=make_engine(database_url)
    )
    barrier = threading.Barrier(2)

    def run(target: Container) -> None:
        barrier.wait()
        target.sender.deliver_due()

    threads = [threading.Thread(target=run, args=(c,)) for c in (container, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slack.calls_to("chat.postMessage")) == 20
    assert len(posted(slack)) == 20


def test_an_update_edits_the_sent_message_in_place(
    container: Container, slack: FakeSlack
) -> None:
    queue(container, "k:orig", text="Due")
    with unit_of_work(container.engine) as session:
        enqueue_update(
            session, Message(key="k:orig:done", to="U1", template="plain", data={"text": "Done"}),
            target_key="k:orig", authority_id=DEFAULT_AUTHORITY_ID, now=container.clock.now(),
        )
        session.commit()
    container.sender.deliver_due()
    [update] = slack.calls_to("chat.update")
    assert update.params["ts"] == row(container.engine, "k:orig").ts
    assert [m["text"] for m in posted(slack)] == ["Done"]
