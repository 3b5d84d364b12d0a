"""`qabot serve`, `qabot socket`, `qabot scheduler`: the long-running processes."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.config import Settings, SettingsError, load_settings
from bot.container import Container, build_container
from storage.migrate import upgrade

if TYPE_CHECKING:
    from slack_bolt import App

log = logging.getLogger(__name__)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `serve`, `socket` and `scheduler`."""
    serve = sub.add_parser("serve", help="serve Slack over HTTP (POST /slack/events, GET /healthz)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--no-scheduler", action="store_true", help="run the sweeps elsewhere")
    serve.set_defaults(func=_serve)
    socket = sub.add_parser("socket", help="connect to Slack in Socket Mode (SLACK_APP_TOKEN)")
    socket.add_argument("--no-scheduler", action="store_true", help="run the sweeps elsewhere")
    socket.set_defaults(func=_socket)
    scheduler = sub.add_parser("scheduler", help="run the scheduled sweeps alone")
    scheduler.set_defaults(func=_scheduler)


@contextmanager
def _running(settings: Settings, with_scheduler: bool) -> Iterator[tuple[Container, App]]:
    """The migrated container and Bolt app, with the sweeps running beside them if asked."""
    from bot.app import build_app
    from scheduling.scheduler import build_scheduler

    container = build_container(settings)
    upgrade(container.engine)
    app = build_app(container)
    if not with_scheduler:
        yield container, app
        return
    scheduler, runner = build_scheduler(container)
    scheduler.start()
    try:
        yield container, app
    finally:
        scheduler.shutdown(wait=False)
        runner.lease.release()  # another process may lead at once


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.http import build_http_app

    settings = load_settings(Settings)
    with _running(settings, not args.no_scheduler) as (container, app):
        http_app = build_http_app(
            app, signing_secret=settings.slack_signing_secret, engine=container.engine
        )
        uvicorn.run(http_app, host=args.host, port=args.port, log_level="info", access_log=False)
    return 0


def _socket(args: argparse.Namespace) -> int:
    from bot.socket_mode import build_socket_handler

    settings = load_settings(Settings)
    if not settings.slack_app_token:
        raise SettingsError("qabot: bad setting: SLACK_APP_TOKEN is missing (Socket Mode needs it)")
    with _running(settings, not args.no_scheduler) as (container, app):
        build_socket_handler(app, container).start()
    return 0


def _scheduler(_: argparse.Namespace) -> int:
    from scheduling.scheduler import build_scheduler

    settings = load_settings(Settings)
    container = build_container(settings)
    upgrade(container.engine)
    scheduler, runner = build_scheduler(container, blocking=True)
    log.info("scheduler started as %s", runner.lease.holder)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        runner.lease.release()
    return 0
