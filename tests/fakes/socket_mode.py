"""A local WebSocket server speaking Slack's Socket Mode protocol.

It works with slack_sdk's *builtin* ``SocketModeClient`` - the one behind
``slack_bolt.adapter.socket_mode.SocketModeHandler``. That client opens a plain TCP
socket (no TLS) whenever the port of the URL is not 443, so the ``ws://127.0.0.1:PORT``
URL handed out by ``FakeSlack``'s ``apps.connections.open`` just works.

Usage (``fake`` is a running ``FakeSlack``)::

    app = App(client=WebClient(token="xoxb-test", base_url=fake.url))
    handler = SocketModeHandler(app, app_token="xapp-test")
    handler.connect()                       # calls apps.connections.open on the fake
    fake.socket.wait_connected()
    ack = fake.socket.send_envelope("slash_commands", slash_command("/qa", "help"))
    assert ack["payload"] == {"text": "..."}  # what the listener passed to ack()
    fake.wait_for("chat.postMessage")        # what the listener did after acking
    close_socket_mode_handler(handler)      # fast, race-free close (see its docstring)

Close the handler before stopping the fake: a server-side close makes the client
reconnect (``apps.connections.open`` again).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.fakes.slack_requests import INTERACTIVE_TYPES, envelope_type

_LOG = logging.getLogger("tests.fakes.socket_mode")
_ids = itertools.count(1)


@dataclass
class PendingEnvelope:
    """An envelope sent to the app, and the ack the app sends back for it."""

    envelope_id: str
    envelope: dict[str, Any]
    sent_at: float
    ack_body: dict[str, Any] | None = None
    acked_at: float | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def acked(self) -> bool:
        """Return whether the app acknowledged this envelope."""
        return self._event.is_set()

    @property
    def ack_latency(self) -> float | None:
        """Return seconds between sending the envelope and receiving its ack."""
        return None if self.acked_at is None else self.acked_at - self.sent_at

    def wait(self, timeout: float = 5.0) -> dict[str, Any] | None:
        """Return the ack message, or ``None`` if none arrives within ``timeout``."""
        self._event.wait(timeout)
        return self.ack_body

    def result(self, timeout: float = 5.0) -> dict[str, Any]:
        """Return the ack message; raise AssertionError if none arrives in ``timeout``."""
        ack = self.wait(timeout)
        if ack is None:
            raise AssertionError(
                f"no ack for envelope {self.envelope_id} ({self.envelope.get('type')}) "
                f"within {timeout}s"
            )
        return ack

    def _resolve(self, message: dict[str, Any]) -> None:
        """Record the ack (first one wins)."""
        if not self._event.is_set():
            self.ack_body = message
            self.acked_at = time.monotonic()
            self._event.set()


class FakeSocketMode:
    """The Socket Mode WebSocket endpoint (``wss://wss-primary.slack.com/link``) of FakeSlack."""

    def __init__(
        self,
        *,
        app_id: str = "A0001",
        host: str = "127.0.0.1",
        ping_interval: float | None = 0.2,
    ) -> None:
        """Configure the server; ``ping_interval`` is how often it pings clients.

        Pings keep the builtin client's blocking ``recv`` short, which lets a client
        close quickly; ``None`` disables them.
        """
        self.app_id = app_id
        self.host = host
        self.ping_interval = ping_interval
        self.port: int = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._connections: list[ServerConnection] = []
        self._pending: dict[str, PendingEnvelope] = {}
        self._envelopes: list[PendingEnvelope] = []
        self._received: list[dict[str, Any]] = []
        self._tickets: list[str] = []
        self.connections_total = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSocketMode:
        """Start listening on an ephemeral port in a background thread."""
        if self._server is not None:
            return self
        self._server = serve(
            self._handle,
            self.host,
            0,
            ping_interval=self.ping_interval,
            ping_timeout=None,  # never drop a slow test's client for a late pong
            close_timeout=1,
            compression=None,
            max_size=None,
            logger=_LOG,
        )
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-slack-socket-mode", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (code 1001) and stop the server."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> FakeSocketMode:
        """Start the server."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.stop()

    def new_url(self) -> str:
        """Return a fresh ``ws://`` URL, as ``apps.connections.open`` hands out."""
        ticket = str(uuid.uuid4())
        with self._lock:
            self._tickets.append(ticket)
        return f"ws://{self.host}:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    # ------------------------------------------------------------------ connections

    @property
    def connected(self) -> int:
        """Return how many clients are connected now."""
        with self._lock:
            return len(self._connections)

    def wait_connected(self, timeout: float = 5.0, count: int = 1) -> None:
        """Wait until at least ``count`` clients are connected and got their ``hello``."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._connections) >= count, timeout):
                raise AssertionError(
                    f"{len(self._connections)} Socket Mode connection(s) after {timeout}s, "
                    f"wanted {count} (connections ever made: {self.connections_total})"
                )

    def wait_disconnected(self, timeout: float = 5.0) -> None:
        """Wait until no client is connected."""
        with self._cond:
            if not self._cond.wait_for(lambda: not self._connections, timeout):
                raise AssertionError(f"{len(self._connections)} connection(s) still open")

    def wait_connections_total(self, total: int, timeout: float = 5.0) -> None:
        """Wait until ``total`` connections were ever made (to observe reconnects)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.connections_total >= total, timeout):
                raise AssertionError(
                    f"{self.connections_total} connection(s) made after {timeout}s, wanted {total}"
                )

    def _latest(self) -> ServerConnection:
        """Return the newest open connection (Slack picks one of the app's connections)."""
        with self._lock:
            if not self._connections:
                raise AssertionError("no Socket Mode client is connected")
            return self._connections[-1]

    def _handle(self, conn: ServerConnection) -> None:
        """Serve one client: send ``hello``, then collect what it sends until it closes."""
        with self._cond:
            self.connections_total += 1
            num = len(self._connections) + 1
        try:
            conn.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": num,
                        "debug_info": {
                            "host": "applink-fake-1",
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": self.app_id},
                    }
                )
            )
        except ConnectionClosed:
            return
        with self._cond:
            self._connections.append(conn)
            self._cond.notify_all()
        try:
            for raw in conn:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if conn in self._connections:
                    self._connections.remove(conn)
                self._cond.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        """Record a client message and resolve the envelope it acknowledges."""
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            message = {"raw": text}
        if not isinstance(message, dict):
            message = {"raw": message}
        with self._cond:
            self._received.append(message)
            pending = self._pending.pop(str(message.get("envelope_id")), None)
            self._cond.notify_all()
        if pending is not None:
            pending._resolve(message)

    # ------------------------------------------------------------------ sending

    def send_envelope_nowait(
        self,
        type_: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        envelope_id: str | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> PendingEnvelope:
        """Send an envelope to the newest connection and return it without waiting.

        ``accepts_response_payload`` defaults to Slack's behaviour: true for slash
        commands, view submissions and options loads, false otherwise. Events API
        envelopes carry ``retry_attempt``/``retry_reason`` (0 and "" by default).
        """
        if accepts_response_payload is None:
            accepts_response_payload = type_ == "slash_commands" or (
                type_ == "interactive"
                and payload.get("type") in ("view_submission", "block_suggestion")
            )
        eid = envelope_id or f"{uuid.uuid4()}"
        envelope: dict[str, Any] = {
            "envelope_id": eid,
            "payload": dict(payload),
            "type": type_,
            "accepts_response_payload": accepts_response_payload,
        }
        if type_ == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        elif retry_attempt is not None:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason or ""
        conn = self._latest()
        pending = PendingEnvelope(eid, envelope, time.monotonic())
        with self._lock:
            self._pending[eid] = pending
            self._envelopes.append(pending)
        conn.send(json.dumps(envelope))
        return pending

    def send_envelope(
        self,
        type_: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        envelope_id: str | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Send an envelope and return the app's ack ``{"envelope_id", "payload"?}``.

        Raises AssertionError when no ack arrives within ``timeout`` (use
        :meth:`send_envelope_nowait` to check that none is sent).
        """
        pending = self.send_envelope_nowait(
            type_,
            payload,
            accepts_response_payload=accepts_response_payload,
            envelope_id=envelope_id,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        return pending.result(timeout)

    def send_payload(
        self, payload: Mapping[str, Any], *, timeout: float = 5.0, **kwargs: Any
    ) -> dict[str, Any]:
        """Send a payload from ``slack_requests`` in an envelope of the matching type."""
        return self.send_envelope(envelope_type(payload), payload, timeout=timeout, **kwargs)

    def send_raw(self, message: str | Mapping[str, Any]) -> None:
        """Send any text (or JSON of a dict) to the newest connection."""
        text = message if isinstance(message, str) else json.dumps(message)
        self._latest().send(text)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message (the client should reconnect)."""
        self.send_raw(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}}
        )

    def close_connections(self, code: int = 1001, reason: str = "") -> None:
        """Close every connection from the server side, as when Slack restarts."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(Exception):
                conn.close(code, reason)

    # ------------------------------------------------------------------ records

    @property
    def envelopes(self) -> list[PendingEnvelope]:
        """Return every envelope sent so far, oldest first."""
        with self._lock:
            return list(self._envelopes)

    @property
    def received(self) -> list[dict[str, Any]]:
        """Return every message the clients sent (acks and anything else)."""
        with self._lock:
            return list(self._received)

    @property
    def acks(self) -> list[dict[str, Any]]:
        """Return the acks received, oldest first."""
        with self._lock:
            return [m for m in self._received if "envelope_id" in m]

    def reset(self) -> None:
        """Forget envelopes and received messages (connections stay open)."""
        with self._lock:
            self._envelopes.clear()
            self._received.clear()
            self._pending.clear()


def close_socket_mode_handler(handler: Any) -> None:
    """Close a bolt ``SocketModeHandler`` (builtin client) quickly and without reconnecting.

    ``handler.close()`` alone can take seconds: the client's reader holds a lock while
    blocked in ``recv`` (3 s socket timeout) that ``disconnect`` needs, and the message
    processor sits in ``Queue.get(timeout=1)``. The fake's pings (``ping_interval``)
    wake the reader; this marks the client terminated first, so the reader leaves its
    loop on the next frame, and wakes the processor with a ``None`` message.

    It also takes the client's ``connect_operation_lock``, held by a reconnect in
    progress (e.g. after ``send_disconnect``): closing mid-reconnect makes two threads
    disconnect the same session, and slack_sdk's ``Connection.disconnect`` checks
    ``self.sock`` outside its lock, crashing with ``'NoneType' object has no attribute
    'close'`` (and possibly leaving the new connection running). For the same reason
    there is no ``socket.shutdown()`` here: the reader would fail its next pong and
    disconnect concurrently.
    """
    client = handler.client
    client.closed = True
    client.auto_reconnect_enabled = False
    lock = client.connect_operation_lock
    acquired = lock.acquire(timeout=5)
    try:
        client.current_session_state.terminated = True
        client.message_queue.put(None)
        client.disconnect()
    finally:
        if acquired:
            lock.release()
    handler.close()


__all__ = [
    "FakeSocketMode",
    "INTERACTIVE_TYPES",
    "PendingEnvelope",
    "close_socket_mode_handler",
]
