"""The real app served on a loopback port, talking to a fake Slack: what scenario tests drive."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from slack_bolt import App
from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.container import Container, build_container
from bot.http import build_http_app
from storage.db import unit_of_work
from storage.directory_version import bump_directory_version
from storage.models import DEFAULT_AUTHORITY_ID, Staff, StaffRole
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackHTTP

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"


def settings_for(fake: FakeSlack, database_url: str, **overrides: Any) -> Settings:
    """Settings for a test: the fake's URL, a known signing secret, no environment."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_app_token": APP_TOKEN,
        "slack_api_url": fake.url,
        "database_url": database_url,
        **overrides,
    }
    return load_settings(Settings, **values)


@contextmanager
def serve(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on an ephemeral port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.01):  # polling uvicorn's own flag, not sleeping a fixed time
        if server.started:
            started.set()
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class Bot:
    """A running bot: its container, Bolt app, HTTP client and the fake Slack it calls."""

    container: Container
    app: App
    slack: FakeSlack
    http: SlackHTTP
    base_url: str

    @property
    def engine(self) -> Engine:
        return self.container.engine

    def add_person(
        self, email: str, slack_user_id: str, *, roles: tuple[str, ...] = ("practitioner",),
        active: bool = True, name: str | None = None,
    ) -> int:
        """Put a synthetic person in the directory and in the fake Slack."""
        with unit_of_work(self.engine) as session:
            staff = Staff(
                authority_id=DEFAULT_AUTHORITY_ID, email=email, name=name or email.split("@")[0],
                slack_user_id=slack_user_id, active=active,
            )
            session.add(staff)
            session.flush()
            assert staff.id is not None
            for role in roles:
                session.add(StaffRole(staff_id=staff.id, role=role))
            bump_directory_version(session, DEFAULT_AUTHORITY_ID)  # staff changed
            session.commit()
            self.slack.add_user(slack_user_id, email)
            return staff.id


@contextmanager
def running_bot(
    engine: Engine, database_url: str, clock: Clock, **settings: Any
) -> Iterator[Bot]:
    """The whole app over real HTTP against a fresh fake Slack."""
    with FakeSlack() as fake:
        container = build_container(
            settings_for(fake, database_url, **settings), clock=clock, engine=engine
        )
        app = build_app(container, identify_in_background=False)
        http_app = build_http_app(app, signing_secret=SIGNING_SECRET, engine=engine)
        with serve(http_app) as base_url:
            yield Bot(container, app, fake, SlackHTTP(base_url, SIGNING_SECRET), base_url)
