"""A fake Slack Web API on a loopback port, for the real ``slack_sdk.WebClient``.

Point the client at it with ``WebClient(base_url=fake.url)`` (the bot reads
``SLACK_API_URL``). Every request is recorded as a :class:`Call`; answers have the
shapes of Slack's real responses; failures (errors, 429s, 5xx, lost replies, slowness)
are injected per method and consumed in order. ``fake.socket`` is the Socket Mode
WebSocket (see ``tests.fakes.socket_mode``) that ``apps.connections.open`` points to.

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])
        fake.rate_limit("chat.postMessage", retry_after=2)
        ...
        fake.wait_for("chat.postMessage", channel="D0001")
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.socket_mode import FakeSocketMode

#: Parameters slack_sdk sends JSON-encoded in form posts; decoded in ``Call.params``.
JSON_PARAMS = frozenset(
    {
        "attachments",
        "blocks",
        "files",
        "metadata",
        "view",
        "unfurls",
        "user_auth_blocks",
        "options",
        "option_groups",
        "event_payload",
        "chunks",
    }
)

_TRUE = {"1", "true", "True", "yes"}


@dataclass
class Call:
    """One request the fake received.

    ``method`` is the API method (``"chat.postMessage"``), or ``"response_url"`` for
    POSTs to a response URL, or ``"files.upload"`` for the file bytes sent to an upload
    URL. ``params`` merges query string and body (form, JSON or multipart) with
    JSON-encoded values decoded. ``headers`` have lower-case names. ``injected`` names
    the injected behaviour (``"error"``, ``"rate_limit"``, ``"server_error"``,
    ``"drop"``, ``"drop_before"``, ``"answer"``; ``"stopped"`` when stop() cut a delay
    short and the connection was closed unanswered) or is ``None``; ``delayed`` is the
    seconds the answer was held back. ``status``/``response`` are what was answered
    (also for ``drop``, where the client never saw it).
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    injected: str | None = None
    delayed: float = 0.0
    status: int | None = None
    response: Any = None
    path: str = ""
    http_method: str = "POST"
    body: bytes = b""

    @property
    def token(self) -> str | None:
        """Return the token sent (``Authorization: Bearer`` header or ``token`` param)."""
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.params.get("token")
        return token if isinstance(token, str) else None

    @property
    def ok(self) -> bool:
        """Return whether the answer was a 200 with ``ok: true`` (or plain text)."""
        if self.status != 200:
            return False
        return not isinstance(self.response, dict) or bool(self.response.get("ok"))

    def matches(self, **params: Any) -> bool:
        """Return whether every given param equals the recorded one."""
        return all(self.params.get(k, _MISSING) == v for k, v in params.items())


_MISSING = object()


@dataclass
class UploadedFile:
    """A file uploaded with files.getUploadURLExternal + upload URL + completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    alt_txt: str | None = None
    snippet_type: str | None = None
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class _Injection:
    """One queued behaviour for the next ``remaining`` calls of a method (None: forever)."""

    kind: str
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    remaining: int | None = 1


class FakeSlack:
    """A threaded HTTP server answering Slack Web API methods like Slack does."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        team_name: str = "QA Team",
        team_domain: str = "qa-team",
        bot_user_id: str = "UBOT",
        bot_user_name: str = "qabot",
        bot_id: str = "B0001",
        app_id: str = "A0001",
        include_system_users: bool = True,
        socket_ping_interval: float | None = 0.2,
    ) -> None:
        """Configure the workspace the fake pretends to be (nothing runs until start()).

        With ``include_system_users`` users.list also returns Slackbot (``USLACKBOT``,
        which Slack reports with ``is_bot: false``) and the bot user itself, as the
        real API does.
        """
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_user_name = bot_user_name
        self.bot_id = bot_id
        self.app_id = app_id
        self.socket = FakeSocketMode(app_id=app_id, ping_interval=socket_ping_interval)
        #: user ids treated as nonexistent (conversations.open: user_not_found,
        #: chat.postMessage/postEphemeral: channel_not_found).
        self.unknown_users: set[str] = set()
        #: channel ids for which posting answers channel_not_found.
        self.unknown_channels: set[str] = set()
        #: when true, any user id not added with add_user() is unknown.
        self.strict_users = False

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._calls: list[Call] = []
        self._in_flight: list[Call] = []
        self._injections: dict[str, deque[_Injection]] = {}
        self._delays: dict[str, float] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._files: dict[str, UploadedFile] = {}
        self._ts = itertools.count(1700000000_000100, 100)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        if include_system_users:
            self.add_user("USLACKBOT", None, name="slackbot", real_name="Slackbot")
            self.add_user(self.bot_user_id, None, name=bot_user_name, is_bot=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Start the HTTP server (and the Socket Mode server) on ephemeral ports."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.block_on_close = False
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-slack-http",
            daemon=True,
        )
        self._thread.start()
        self.socket.start()
        return self

    def stop(self) -> None:
        """Stop both servers; pending delays are cut short. Idempotent."""
        self._stopping.set()
        self.socket.stop()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> FakeSlack:
        """Start the fake."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the fake."""
        self.stop()

    @property
    def url(self) -> str:
        """Return the Web API base URL, ``http://127.0.0.1:PORT/api/``."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def root_url(self) -> str:
        """Return ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def response_url(self, key: str = "r1") -> str:
        """Return a response URL on this fake; POSTs to it are recorded as "response_url"."""
        return f"{self.root_url}/response/{key}"

    # ------------------------------------------------------------------ records

    @property
    def calls(self) -> list[Call]:
        """Return a copy of every recorded call, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """Return the recorded calls of one method, oldest first."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def last(self, method: str) -> Call:
        """Return the latest call of a method; AssertionError if there is none."""
        calls = self.calls_to(method)
        if not calls:
            raise AssertionError(f"no call to {method}; recorded: {self._summary()}")
        return calls[-1]

    def responses(self, key: str | None = None) -> list[Any]:
        """Return the bodies POSTed to response URLs (optionally one key), oldest first."""
        return [
            c.params.get("body")
            for c in self.calls_to("response_url")
            if key is None or c.params.get("key") == key
        ]

    def reset(self, *, state: bool = False) -> None:
        """Forget calls, injections and delays; with ``state`` also messages/views/files."""
        with self._lock:
            self._calls.clear()
            self._injections.clear()
            self._delays.clear()
            if state:
                self._messages.clear()
                self._views.clear()
                self._home_views.clear()
                self._files.clear()
        self.socket.reset()

    def wait_for(
        self,
        predicate_or_method: str | Callable[[Call], bool],
        timeout: float = 5.0,
        *,
        count: int = 1,
        **params: Any,
    ) -> list[Call]:
        """Wait until ``count`` matching calls are recorded and return all matching calls.

        Match by method name (plus equal ``params``) or by a predicate on a
        :class:`Call`. Raises AssertionError listing what was recorded on timeout.
        """
        if isinstance(predicate_or_method, str):
            method = predicate_or_method

            def matches(call: Call) -> bool:
                return call.method == method and call.matches(**params)

            what = f"{method} {params or ''}".strip()
        else:
            predicate = predicate_or_method

            def matches(call: Call) -> bool:
                return predicate(call) and call.matches(**params)

            what = getattr(predicate, "__name__", "predicate")

        def found() -> list[Call]:
            return [c for c in self._calls if matches(c)]

        with self._cond:
            if self._cond.wait_for(lambda: len(found()) >= count, timeout):
                return found()
            raise AssertionError(
                f"timed out after {timeout}s waiting for {count} call(s) to {what}; "
                f"recorded: {self._summary()}"
            )

    def _summary(self) -> str:
        """Return a short description of the recorded calls, for failure messages."""
        with self._lock:
            parts = [
                f"{c.method}({', '.join(f'{k}={v!r}' for k, v in c.params.items())[:120]})"
                + (f"[{c.injected}]" if c.injected else "")
                for c in self._calls
            ]
        return "[" + "; ".join(parts) + "]" if parts else "nothing"

    def _record(self, call: Call) -> None:
        """Add a call (no longer in flight) and wake waiters."""
        with self._cond:
            self._in_flight = [c for c in self._in_flight if c is not call]
            self._calls.append(call)
            self._cond.notify_all()

    def _arrived(self, call: Call) -> None:
        """Note a request being processed (recorded only once answered)."""
        with self._cond:
            self._in_flight.append(call)
            self._cond.notify_all()

    def in_flight(self, method: str | None = None) -> list[Call]:
        """Return requests received but not yet answered (e.g. held by delay())."""
        with self._lock:
            return [c for c in self._in_flight if method is None or c.method == method]

    def wait_in_flight(self, method: str, timeout: float = 5.0) -> Call:
        """Wait until a request of ``method`` has arrived and is not answered yet."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.in_flight(method), timeout):
                raise AssertionError(
                    f"no {method} request in flight after {timeout}s; recorded: {self._summary()}"
                )
            return self.in_flight(method)[0]

    # ------------------------------------------------------------------ injection

    def _inject(self, method: str, injection: _Injection) -> None:
        """Queue a behaviour for a method (``"*"`` applies to every method)."""
        if injection.remaining is not None and injection.remaining < 1:
            raise ValueError("times must be >= 1 (or None for every call)")
        with self._lock:
            self._injections.setdefault(method, deque()).append(injection)

    def error(self, method: str, error: str, times: int | None = 1, **fields: Any) -> None:
        """Answer HTTP 200 ``{"ok": false, "error": error, **fields}`` without acting."""
        self._inject(
            method,
            _Injection("error", 200, {"ok": False, "error": error, **fields}, remaining=times),
        )

    def rate_limit(self, method: str, retry_after: int = 1, times: int | None = 1) -> None:
        """Answer HTTP 429 with ``Retry-After`` and ``{"ok": false, "error": "ratelimited"}``."""
        self._inject(
            method,
            _Injection(
                "rate_limit",
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(retry_after)},
                times,
            ),
        )

    def server_error(
        self, method: str, status: int = 500, times: int | None = 1, body: Any = None
    ) -> None:
        """Answer an HTTP 5xx (body ``{"ok": false, "error": "internal_error"}`` by default)."""
        self._inject(
            method,
            _Injection(
                "server_error",
                status,
                body if body is not None else {"ok": False, "error": "internal_error"},
                remaining=times,
            ),
        )

    def drop(self, method: str, times: int | None = 1) -> None:
        """Process the request (e.g. store the message), then close without answering."""
        self._inject(method, _Injection("drop", remaining=times))

    def drop_before(self, method: str, times: int | None = 1) -> None:
        """Close the connection without processing the request or answering."""
        self._inject(method, _Injection("drop_before", remaining=times))

    def answer(
        self,
        method: str,
        body: Mapping[str, Any] | str | bytes,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer with this body/status/headers instead of processing the request."""
        self._inject(method, _Injection("answer", status, body, dict(headers or {}), times))

    def delay(self, method: str, seconds: float | None) -> None:
        """Hold every answer of a method back by ``seconds`` (0/None removes the delay).

        The server keeps answering other requests meanwhile; stop() cuts delays short.
        """
        with self._lock:
            if seconds:
                self._delays[method] = float(seconds)
            else:
                self._delays.pop(method, None)

    def clear_injections(self) -> None:
        """Drop every queued injection and delay."""
        with self._lock:
            self._injections.clear()
            self._delays.clear()

    def _take_injection(self, method: str) -> _Injection | None:
        """Consume the next injection for a method (specific queue first, then "*")."""
        with self._lock:
            for key in (method, "*"):
                queue = self._injections.get(key)
                if not queue:
                    continue
                injection = queue[0]
                if injection.remaining is not None:
                    injection.remaining -= 1
                    if injection.remaining <= 0:
                        queue.popleft()
                return injection
        return None

    def _delay_for(self, method: str) -> float:
        """Return the configured delay of a method (or of "*")."""
        with self._lock:
            return self._delays.get(method, self._delays.get("*", 0.0))

    # ------------------------------------------------------------------ users

    def add_user(
        self,
        user_id: str,
        email: str | None = None,
        name: str | None = None,
        *,
        real_name: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        is_admin: bool = False,
        tz: str = "Europe/London",
        **profile: Any,
    ) -> dict[str, Any]:
        """Add (or replace) a workspace member; returns the user object users.list gives."""
        name = name or (email.split("@")[0] if email else user_id.lower())
        real_name = real_name or name.replace(".", " ").title()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": tz,
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": {
                "title": "",
                "phone": "",
                "skype": "",
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": name,
                "display_name_normalized": name,
                "status_text": "",
                "status_emoji": "",
                "avatar_hash": "g0000000000",
                "image_72": "https://a.slack-edge.com/fake-72.png",
                "team": self.team_id,
                **({"email": email} if email else {}),
                **profile,
            },
            "is_admin": is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "is_email_confirmed": bool(email),
            "who_can_share_contact_card": "EVERYONE",
        }
        if is_bot:
            user["profile"]["bot_id"] = self.bot_id
        with self._lock:
            self._users[user_id] = user
        return user

    def remove_user(self, user_id: str) -> None:
        """Remove a member from the directory."""
        with self._lock:
            self._users.pop(user_id, None)

    @property
    def users(self) -> list[dict[str, Any]]:
        """Return the directory's user objects, in insertion order."""
        with self._lock:
            return [json.loads(json.dumps(u)) for u in self._users.values()]

    def _user_problem(self, user_id: str) -> str | None:
        """Return ``"unknown"``/``"deleted"`` when a user id can't be messaged."""
        with self._lock:
            user = self._users.get(user_id)
            if user_id in self.unknown_users or (self.strict_users and user is None):
                return "unknown"
            if user is not None and user["deleted"]:
                return "deleted"
        return None

    # ------------------------------------------------------------------ messages

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """Return the DM channel id of a user: ``"U123"`` -> ``"D123"``, else ``"D" + id``."""
        return "D" + user_id[1:] if user_id.startswith("U") else "D" + user_id

    def next_ts(self) -> str:
        """Return a new unique, increasing message ts (``"1700000000.000100"`` onwards)."""
        value = next(self._ts)
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        """Return a new id like ``V00000001``."""
        return f"{prefix}{next(self._ids):08d}"

    def _channel_of(self, channel: str) -> str:
        """Return the conversation id a ``channel`` param refers to (user ids -> DM)."""
        return self.dm_channel(channel) if channel[:1] in ("U", "W") else channel

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str | None = None,
        ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Put a message into a conversation's history (e.g. one a person wrote)."""
        message: dict[str, Any] = {
            "type": "message",
            "user": user or self.bot_user_id,
            "text": text,
            "ts": ts or self.next_ts(),
            "team": self.team_id,
            **fields,
        }
        if metadata is not None:
            message["metadata"] = dict(metadata)
        with self._lock:
            self._messages.setdefault(self._channel_of(channel), []).append(message)
        return message

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Return a conversation's messages, OLDEST first (a user id means their DM)."""
        with self._lock:
            return [dict(m) for m in self._messages.get(self._channel_of(channel), [])]

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """Return the stored message (not a copy) at ``ts`` in a conversation."""
        for message in self._messages.get(self._channel_of(channel), []):
            if message["ts"] == ts:
                return message
        return None

    # ------------------------------------------------------------------ views & files

    def view(self, view_id: str) -> dict[str, Any]:
        """Return the current state of a view opened/pushed/updated/published."""
        with self._lock:
            return json.loads(json.dumps(self._views[view_id]))

    @property
    def views(self) -> list[dict[str, Any]]:
        """Return every view, in creation order."""
        with self._lock:
            return [json.loads(json.dumps(v)) for v in self._views.values()]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """Return the Home tab view last published for a user."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return None if view_id is None else json.loads(json.dumps(self._views[view_id]))

    def files(self) -> list[UploadedFile]:
        """Return every file upload started, in order."""
        with self._lock:
            return list(self._files.values())

    def file(self, file_id: str) -> UploadedFile:
        """Return one upload by file id."""
        with self._lock:
            return self._files[file_id]

    # ------------------------------------------------------------------ dispatch

    def _handle(self, method: str, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """Process an API call; return (status, JSON body, extra headers)."""
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": True}, {}
        with self._lock:
            body = handler(params)
        return 200, body, {}

    # Each _api_* runs under the lock and returns the JSON body.

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        """Answer auth.test with the bot's identity."""
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_user_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """Hand out a Socket Mode URL (app-level ``xapp-`` tokens only)."""
        token = params.get("_token") or ""
        if token and not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket.new_url()}

    def _api_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """Page through the directory (``limit`` + ``cursor``)."""
        members = list(self._users.values())
        start = 0
        cursor = params.get("cursor") or ""
        if cursor:
            try:
                start = int(base64.b64decode(cursor).decode().split(":", 1)[1])
            except (ValueError, IndexError):
                return {"ok": False, "error": "invalid_cursor"}
        limit = int(params.get("limit") or 0)
        end = len(members) if limit <= 0 else start + limit
        page = members[start:end]
        next_cursor = (
            base64.b64encode(f"offset:{end}".encode()).decode() if end < len(members) else ""
        )
        return {
            "ok": True,
            "members": json.loads(json.dumps(page)),
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _api_users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """Find an active user by email (case-insensitive)."""
        email = str(params.get("email", "")).lower()
        for user in self._users.values():
            if user["profile"].get("email", "").lower() == email and not user["deleted"]:
                return {"ok": True, "user": json.loads(json.dumps(user))}
        return {"ok": False, "error": "users_not_found"}

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return one user."""
        user = self._users.get(str(params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": json.loads(json.dumps(user))}

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """Open (return) the DM channel of a user, or an MPIM of several."""
        if params.get("channel"):
            return {
                "ok": True,
                "no_op": True,
                "already_open": True,
                "channel": {"id": params["channel"]},
            }
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        for user in users:
            problem = self._user_problem(user)
            if problem == "unknown":
                return {"ok": False, "error": "user_not_found"}
            if problem == "deleted":
                return {"ok": False, "error": "user_disabled"}
        if len(users) == 1:
            channel_id = self.dm_channel(users[0])
            channel: dict[str, Any] = {"id": channel_id}
            if str(params.get("return_im", "")) in _TRUE:
                channel.update(
                    {
                        "created": 1700000000,
                        "is_im": True,
                        "is_org_shared": False,
                        "user": users[0],
                        "is_user_deleted": False,
                        "priority": 0,
                    }
                )
        else:
            channel = {"id": "G" + "".join(sorted(u[1:] for u in users))[:10]}
        return {"ok": True, "no_op": True, "already_open": True, "channel": channel}

    def _check_channel(self, channel: str) -> str | None:
        """Return the error of posting to a channel param, or None."""
        if not channel:
            return "channel_not_found"
        if channel in self.unknown_channels:
            return "channel_not_found"
        if channel[:1] in ("U", "W") and self._user_problem(channel) is not None:
            return "channel_not_found"
        return None

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        """Return the message object Slack stores for a bot post."""
        message: dict[str, Any] = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": ts,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": params.get("text", "") or "",
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_user_name,
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if params.get(key) not in (None, ""):
                message[key] = params[key]
        return message

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """Store a bot message; a user id posts to their DM channel."""
        channel_param = str(params.get("channel", ""))
        error = self._check_channel(channel_param)
        if error:
            return {"ok": False, "error": error}
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        channel = self._channel_of(channel_param)
        ts = self.next_ts()
        message = self._bot_message(params, ts)
        self._messages.setdefault(channel, []).append(message)
        if params.get("thread_ts"):
            parent = self._find_message(channel, str(params["thread_ts"]))
            if parent is not None:
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent.setdefault("thread_ts", parent["ts"])
        return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """Accept an ephemeral message (not stored in history)."""
        error = self._check_channel(str(params.get("channel", "")))
        if error:
            return {"ok": False, "error": error}
        user = str(params.get("user", ""))
        if self._user_problem(user) is not None:
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self.next_ts()}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """Rewrite a stored message."""
        channel = self._channel_of(str(params.get("channel", "")))
        message = self._find_message(channel, str(params.get("ts", "")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": dict(message),
        }

    def _api_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        """Delete a stored message."""
        channel = self._channel_of(str(params.get("channel", "")))
        message = self._find_message(channel, str(params.get("ts", "")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": message["ts"]}

    def _history_page(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> dict[str, Any]:
        """Return a page of messages (newest first) with Slack's paging fields."""
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or 1e12)
        if str(params.get("inclusive", "")) in _TRUE:
            selected = [m for m in messages if oldest <= float(m["ts"]) <= latest]
        else:
            selected = [m for m in messages if oldest < float(m["ts"]) < latest]
        selected.sort(key=lambda m: float(m["ts"]), reverse=True)
        start = 0
        if params.get("cursor"):
            try:
                start = int(base64.b64decode(str(params["cursor"])).decode().split(":", 1)[1])
            except (ValueError, IndexError):
                return {"ok": False, "error": "invalid_cursor"}
        limit = int(params.get("limit") or 100)
        page = selected[start : start + limit]
        has_more = start + limit < len(selected)
        with_metadata = str(params.get("include_all_metadata", "")) in _TRUE
        out = []
        for message in page:
            copy = json.loads(json.dumps(message))
            if not with_metadata:
                copy.pop("metadata", None)
            out.append(copy)
        next_cursor = (
            base64.b64encode(f"next_ts:{start + limit}".encode()).decode() if has_more else ""
        )
        return {
            "ok": True,
            "messages": out,
            "has_more": has_more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return a conversation's top-level messages, newest first."""
        channel = str(params.get("channel", ""))
        if not channel or channel in self.unknown_channels:
            return {"ok": False, "error": "channel_not_found"}
        messages = [
            m
            for m in self._messages.get(self._channel_of(channel), [])
            if m.get("thread_ts", m["ts"]) == m["ts"] or m.get("subtype") == "thread_broadcast"
        ]
        return self._history_page(messages, params)

    def _api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return a thread, parent first."""
        channel = self._channel_of(str(params.get("channel", "")))
        ts = str(params.get("ts", ""))
        messages = [
            m for m in self._messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        page = self._history_page(messages, {**params, "limit": params.get("limit") or 1000})
        page["messages"].reverse()  # replies come oldest first
        return page

    def _store_view(
        self,
        view: Any,
        *,
        view_id: str | None = None,
        previous: dict[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create or replace a view from the ``view`` param; return Slack's view object."""
        spec = view if isinstance(view, dict) else {}
        vid = view_id or self._new_id("V")
        stored: dict[str, Any] = {
            "id": vid,
            "team_id": self.team_id,
            "type": spec.get("type", "modal"),
            "blocks": spec.get("blocks", []),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{1700000000 + next(self._ids)}.{next(self._ids):08d}",
            "title": spec.get("title"),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "previous_view_id": None,
            "root_view_id": vid,
            "app_id": self.app_id,
            "external_id": spec.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if previous is not None:
            stored["previous_view_id"] = previous.get("previous_view_id")
            stored["root_view_id"] = previous.get("root_view_id", vid)
        stored.update(extra or {})
        self._views[vid] = stored
        return json.loads(json.dumps(stored))

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """Open a modal."""
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(params.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._store_view(params["view"])}

    def _api_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        """Push a modal onto the stack."""
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(params.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._store_view(params["view"])}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """Update a view by id or external id, checking ``hash``."""
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            view_id = next(
                (
                    v["id"]
                    for v in self._views.values()
                    if v.get("external_id") == params["external_id"]
                ),
                None,
            )
        if not view_id or view_id not in self._views:
            return {"ok": False, "error": "not_found"}
        current = self._views[view_id]
        if params.get("hash") and params["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        if not isinstance(params.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {
            "ok": True,
            "view": self._store_view(params["view"], view_id=view_id, previous=current),
        }

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        """Publish a user's Home tab (one stable view id per user)."""
        user_id = str(params.get("user_id", ""))
        if not user_id or self._user_problem(user_id) is not None:
            return {"ok": False, "error": "user_not_found"}
        view_id = self._home_views.get(user_id)
        if view_id and params.get("hash") and params["hash"] != self._views[view_id]["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        if not isinstance(params.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        view = self._store_view(params["view"], view_id=view_id)
        self._home_views[user_id] = view["id"]
        return {"ok": True, "view": view}

    def _api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """Start an upload: a file id and an upload URL on this fake."""
        filename = params.get("filename")
        if not filename or params.get("length") in (None, ""):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._new_id("F")
        self._files[file_id] = UploadedFile(
            file_id=file_id,
            filename=str(filename),
            length=int(params["length"]),
            alt_txt=params.get("alt_txt"),
            snippet_type=params.get("snippet_type"),
        )
        return {
            "ok": True,
            "upload_url": f"{self.root_url}/upload/v1/{file_id}",
            "file_id": file_id,
        }

    def _api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """Finish uploads; share them to ``channel_id`` as a message."""
        items = params.get("files")
        if not isinstance(items, list) or not items:
            return {"ok": False, "error": "invalid_arguments"}
        channel_param = params.get("channel_id") or (
            str(params.get("channels", "")).split(",")[0] or None
        )
        channel = self._channel_of(str(channel_param)) if channel_param else None
        result = []
        for item in items:
            upload = self._files.get(str(item.get("id")))
            if upload is None:
                return {"ok": False, "error": "file_not_found"}
            upload.title = item.get("title") or upload.filename
            upload.channel_id = channel
            upload.initial_comment = params.get("initial_comment")
            upload.thread_ts = params.get("thread_ts")
            upload.completed = True
            result.append(self._file_object(upload))
        if channel is not None:
            message = self._bot_message(
                {"text": params.get("initial_comment") or "", "thread_ts": params.get("thread_ts")},
                self.next_ts(),
            )
            message.update({"files": result, "upload": True, "display_as_bot": False})
            self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "files": result}

    def _file_object(self, upload: UploadedFile) -> dict[str, Any]:
        """Finish uploads; share them to ``channel_id`` as a message."""
        """Return Slack's file object for an upload."""
        ext = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else "binary"
        url = f"https://files.slack.com/files-pri/{self.team_id}-{upload.file_id}/{upload.filename}"
        return {
            "id": upload.file_id,
            "created": 1700000000,
            "timestamp": 1700000000,
            "name": upload.filename,
            "title": upload.title,
            "mimetype": "",
            "filetype": ext,
            "pretty_type": ext.upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "size": len(upload.data) if upload.data is not None else upload.length,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": url,
            "url_private_download": url + "?download=1",
            "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/"
            f"{upload.file_id}/{upload.filename}",
            "channels": [upload.channel_id] if upload.channel_id else [],
            "comments_count": 0,
        }

    def _upload(self, file_id: str, data: bytes) -> tuple[int, Any]:
        """Store the bytes POSTed to an upload URL; answer like files.slack.com."""
        with self._lock:
            upload = self._files.get(file_id)
            if upload is None:
                return 404, "Not Found"
            upload.data = data
        return 200, f"OK - {len(data)}"


# ---------------------------------------------------------------------- HTTP handler


def _decode_json_params(params: dict[str, Any]) -> dict[str, Any]:
    """Decode JSON-encoded values of known keys (``blocks``, ``view``, ...) in place."""
    for key in JSON_PARAMS & params.keys():
        value = params[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Return the fields of a multipart/form-data body (files as bytes)."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        params[str(name)] = payload if part.get_filename() else payload.decode("utf-8")
    return params


def parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Return request params from query string and body, JSON-encoded values decoded."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if body:
        if kind == "application/json":
            with contextlib.suppress(json.JSONDecodeError, UnicodeDecodeError):
                data = json.loads(body)
                if isinstance(data, dict):
                    params.update(data)
        elif kind == "multipart/form-data":
            params.update(_parse_multipart(content_type, body))
        else:
            with contextlib.suppress(UnicodeDecodeError):
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return _decode_json_params(params)


class _Handler(BaseHTTPRequestHandler):
    """Routes ``/api/<method>``, ``/response/<key>`` and ``/upload/v1/<file_id>``."""

    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""

    @property
    def fake(self) -> FakeSlack:
        """Return the FakeSlack serving this request."""
        return self.server.fake  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        """Answer GET like POST (Slack accepts both for most methods)."""
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        """Answer a POST."""
        self._serve()

    def _read_body(self) -> bytes:
        """Read the whole request body (Content-Length or chunked)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(
        self, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, dict[str, Any], Callable[[], tuple[int, Any, dict[str, str]]]] | None:
        """Return (method, recorded params, processing function) for a path, or None."""
        fake = self.fake
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "api":
            method = parts[1]
            params = parse_params(query, headers.get("content-type", ""), body)
            auth = headers.get("authorization", "")
            token = auth[7:] if auth.lower().startswith("bearer ") else params.get("token")

            def call_api() -> tuple[int, Any, dict[str, str]]:
                return fake._handle(method, {**params, "_token": token})

            return method, params, call_api
        if len(parts) == 2 and parts[0] == "response":
            try:
                payload: Any = json.loads(body) if body else None
            except (json.JSONDecodeError, UnicodeDecodeError):
                payload = body.decode("utf-8", "replace")
            params = {"key": parts[1], "body": payload}
            if isinstance(payload, dict):
                params.update({k: v for k, v in payload.items() if k not in ("key", "body")})

            def answer_ok() -> tuple[int, Any, dict[str, str]]:
                return 200, "ok", {"Content-Type": "text/html"}

            return "response_url", params, answer_ok
        if len(parts) == 3 and parts[:2] == ["upload", "v1"]:
            file_id = parts[2]

            def store_upload() -> tuple[int, Any, dict[str, str]]:
                status, text = fake._upload(file_id, body)
                return status, text, {"Content-Type": "text/plain"}

            return "files.upload", {"file_id": file_id, "length": len(body)}, store_upload
        return None

    def _serve(self) -> None:
        """Parse, record and answer one request, applying injected behaviours."""
        arrived = time.monotonic()
        fake = self.fake
        body = self._read_body()
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        route = self._route(url.path, url.query, headers, body)
        if route is None:
            self._send(404, {"ok": False, "error": "unknown_method"}, {})
            return
        method, params, process = route
        call = Call(
            method, params, headers, arrived, path=url.path, http_method=self.command, body=body
        )
        injection = fake._take_injection(method)
        delay = fake._delay_for(method)
        if delay and not (injection and injection.kind == "drop_before"):
            call.delayed = delay
        fake._arrived(call)
        if call.delayed and fake._stopping.wait(delay):
            call.injected = "stopped"  # stop() during the delay: hang up unanswered
            fake._record(call)
            self.close_connection = True
            return

        if injection is None or injection.kind == "drop":
            status, response, extra = process()
        elif injection.kind == "drop_before":
            status, response, extra = 0, None, {}
        else:
            status, response, extra = injection.status, injection.body, dict(injection.headers)
        if injection is not None:
            call.injected = injection.kind
        call.status = status or None
        call.response = response
        fake._record(call)

        if injection is not None and injection.kind in ("drop", "drop_before"):
            self.close_connection = True
            return  # no status line: the client sees the connection closed
        self._send(status, response, extra)

    def _send(self, status: int, response: Any, headers: Mapping[str, str]) -> None:
        """Write a response (dict -> JSON, str/bytes as is)."""
        if isinstance(response, (dict, list)):
            data = json.dumps(response).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        elif isinstance(response, bytes):
            data, content_type = response, "application/octet-stream"
        else:
            data, content_type = str(response or "").encode("utf-8"), "text/plain; charset=utf-8"
        try:
            self.send_response(status)
            merged = {"Content-Type": content_type, **headers}
            for name, value in merged.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


__all__ = ["Call", "FakeSlack", "JSON_PARAMS", "UploadedFile", "parse_params"]
