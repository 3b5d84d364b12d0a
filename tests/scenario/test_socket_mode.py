"""The same app over Socket Mode, against a local WebSocket playing Slack's envelopes."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.clock import FixedClock
from bot.container import Container, build_container
from bot.socket_mode import build_socket_handler
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Staff
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import app_home_opened, event_callback, slash_command
from tests.fakes.socket_mode import close_socket_mode_handler
from tests.harness import settings_for


@pytest.fixture
def connected(
    engine: Engine, database_url: str, clock: FixedClock
) -> Iterator[tuple[FakeSlack, Container]]:
    with FakeSlack() as fake:
        container = build_container(settings_for(fake, database_url), clock=clock, engine=engine)
        with unit_of_work(engine) as session:
            session.add(
                Staff(
                    authority_id=DEFAULT_AUTHORITY_ID,
                    email="p@example.org",
                    name="Practitioner 1",
                    slack_user_id="U200",
                )
            )
            session.commit()
        handler = build_socket_handler(
            build_app(container, identify_in_background=False), container
        )
        handler.connect()
        fake.socket.wait_connected()
        try:
            yield fake, container
        finally:
            close_socket_mode_handler(handler)


def test_qa_over_socket_mode_is_acked_and_answered(
    connected: tuple[FakeSlack, Container],
) -> None:
    fake, _ = connected
    assert fake.calls_to("apps.connections.open")[0].token == "xapp-test-token"
    url = fake.response_url("sock1")
    ack = fake.socket.send_envelope(
        "slash_commands", slash_command("/qa", "", user_id="U200", response_url=url)
    )
    assert ack["envelope_id"]
    [answer] = fake.wait_for(lambda c: c.method == "response_url")
    assert "no open work" in str(answer.params["blocks"])


def test_acks_over_socket_mode_do_not_wait_for_a_slow_listener(
    connected: tuple[FakeSlack, Container],
) -> None:
    fake, _ = connected
    fake.delay("views.publish", 4.0)
    fake.socket.send_envelope(
        "events_api", event_callback(app_home_opened(user_id="U200"), event_id="EvSlowSock")
    )

    def ask(i: int) -> float | None:
        pending = fake.socket.send_envelope_nowait(
            "slash_commands",
            slash_command("/qa", "", user_id="U200", response_url=fake.response_url(f"s{i}")),
        )
        pending.result(3.0)
        return pending.ack_latency

    with ThreadPoolExecutor(max_workers=10) as pool:
        latencies = list(pool.map(ask, range(10)))
    assert all(latency is not None and latency < 3 for latency in latencies)
    assert len(fake.wait_for(lambda c: c.method == "response_url", count=10, timeout=10)) == 10
