"""The HTTP surface: `POST /slack/events` and `GET /healthz`, served by uvicorn.

Bolt's adapters dispatch on the event loop; ours verifies the signature and hands dispatch to
a worker thread, so a slow listener never holds up another request or the health check.
"""

from __future__ import annotations

import logging

from anyio import CapacityLimiter, to_thread
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage.db import READ_ONLY

log = logging.getLogger(__name__)
# Dispatch only parses, acks and queues the listener on Bolt's pool: many may run at once.
DISPATCH_THREADS = 64


def build_http_app(bolt_app: App, *, signing_secret: str, engine: Engine) -> Starlette:
    """The ASGI app around a Bolt app."""
    verifier = SignatureVerifier(signing_secret)
    limiter = CapacityLimiter(DISPATCH_THREADS)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        if not verifier.is_valid_request(body, headers):
            # A refused request's body is never logged: it may carry case details.
            log.info("refused a request with a bad or stale signature")
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_request = BoltRequest(
            body=body.decode("utf-8"),
            query=request.url.query,
            headers={k: [v] for k, v in request.headers.items()},
        )
        bolt_response = await to_thread.run_sync(bolt_app.dispatch, bolt_request, limiter=limiter)
        return Response(
            content=bolt_response.body,
            status_code=bolt_response.status,
            headers={k: v[0] for k, v in bolt_response.headers.items() if v},
        )

    def check_database() -> None:
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            connection.execute(text("SELECT 1"))

    async def healthz(_: Request) -> Response:
        try:
            await to_thread.run_sync(check_database, limiter=limiter)
        except Exception as exc:  # any failure means unhealthy
            log.warning("health check failed: %s", type(exc).__name__)
            return JSONResponse({"ok": False, "database": "unreachable"}, status_code=503)
        return JSONResponse({"ok": True, "database": "ok"})

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
