"""Tests of the Slack fakes, driven by the real slack_sdk / slack_bolt clients."""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier

from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import Call, FakeSlack, parse_params
from tests.fakes.socket_mode import close_socket_mode_handler

SECRET = "test-signing-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """Yield a running FakeSlack."""
    with FakeSlack() as running:
        yield running


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """Return a real WebClient pointed at the fake, without automatic retries."""
    return WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[], timeout=5)


@pytest.fixture(autouse=True)
def _quiet_sdk_errors(caplog: pytest.LogCaptureFixture) -> None:
    """Keep slack_sdk's error logs about injected failures out of the report."""
    caplog.set_level(logging.CRITICAL, logger="slack_sdk")
    caplog.set_level(logging.CRITICAL, logger="slack_bolt")


# ------------------------------------------------------------------ Web API basics


def test_url_and_auth_test(fake: FakeSlack, client: WebClient) -> None:
    """auth.test answers with the bot's identity; the token arrives as a Bearer header."""
    assert fake.url == f"http://127.0.0.1:{fake.port}/api/"
    response = client.auth_test()
    assert response["user_id"] == "UBOT"
    assert response["team_id"] == "T0001"
    assert response["bot_id"] == "B0001"
    call = fake.last("auth.test")
    assert call.token == "xoxb-test"
    assert call.status == 200 and call.ok


def test_post_message_to_user_lands_in_dm_history_with_metadata(
    fake: FakeSlack, client: WebClient
) -> None:
    """A post to a user id answers with the DM channel and shows in conversations.history."""
    metadata = {"event_type": "qa_reminder", "event_payload": {"audit_id": 7}}
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="U0001", text="one", metadata=metadata, blocks=blocks)
    second = client.chat_postMessage(channel="U0001", text="two")

    assert first["channel"] == fake.dm_channel("U0001") == "D0001"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["text"] == "one"
    assert fake.calls_to("chat.postMessage")[0].params["blocks"] == blocks

    history = client.conversations_history(channel="D0001", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["two", "one"]  # newest first
    assert history["messages"][1]["metadata"] == metadata
    assert history["messages"][1]["ts"] == first["ts"]
    assert "metadata" not in client.conversations_history(channel="D0001")["messages"][1]
    assert [m["text"] for m in fake.messages("U0001")] == ["one", "two"]  # oldest first


def test_form_posts_decode_json_params(fake: FakeSlack, client: WebClient) -> None:
    """Form-encoded JSON strings (blocks, view, files) are decoded in the recorded params."""
    blocks = [{"type": "divider"}]
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})
    call = fake.last("chat.postMessage")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.params == {"channel": "C1", "blocks": blocks}
    assert parse_params("a=1", "application/json", b'{"view": "{\\"type\\": \\"modal\\"}"}') == {
        "a": "1",
        "view": {"type": "modal"},
    }


def test_chat_update_and_unknown_method(fake: FakeSlack, client: WebClient) -> None:
    """chat.update rewrites the stored message; unknown methods answer ok and are recorded."""
    posted = client.chat_postMessage(channel="C1", text="draft")
    client.chat_update(channel="C1", ts=posted["ts"], text="final")
    assert [m["text"] for m in fake.messages("C1")] == ["final"]
    with pytest.raises(SlackApiError) as error:
        client.chat_update(channel="C1", ts="1.2", text="x")
    assert error.value.response["error"] == "message_not_found"
    assert client.api_call("reactions.add", params={"name": "eyes"})["ok"] is True
    assert fake.last("reactions.add").params == {"name": "eyes"}


def test_unknown_and_deleted_users(fake: FakeSlack, client: WebClient) -> None:
    """Unknown users give user_not_found / channel_not_found; deleted ones user_disabled."""
    fake.add_user("U0002", "bob@example.org", deleted=True)
    fake.unknown_users.add("U0404")
    assert client.conversations_open(users="U0001")["channel"]["id"] == "D0001"
    for user, error in (("U0404", "user_not_found"), ("U0002", "user_disabled")):
        with pytest.raises(SlackApiError) as raised:
            client.conversations_open(users=user)
        assert raised.value.response["error"] == error
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel=user, text="hello")
        assert raised.value.response["error"] == "channel_not_found"
    assert fake.messages("U0404") == []


# ------------------------------------------------------------------ users directory


def test_users_list_pages_with_cursor(fake: FakeSlack, client: WebClient) -> None:
    """users.list honours limit and pages with response_metadata.next_cursor."""
    for n in range(5):
        fake.add_user(f"U10{n}", f"user{n}@example.org")
    # Iterating a SlackResponse follows next_cursor, but yields the SAME object each time,
    # mutated in place: read each page inside the loop (list(response) gives N x last page).
    pages = [list(page["members"]) for page in client.users_list(limit=3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    ids = [m["id"] for p in pages for m in p]
    assert ids == ["USLACKBOT", "UBOT", "U100", "U101", "U102", "U103", "U104"]
    assert fake.calls_to("users.list")[-1].response["response_metadata"]["next_cursor"] == ""
    assert [c.params.get("limit") for c in fake.calls_to("users.list")] == ["3"] * 3
    assert len(client.users_list()["members"]) == 7


def test_lookup_by_email(fake: FakeSlack, client: WebClient) -> None:
    """lookupByEmail finds active users; absent and deactivated ones are users_not_found."""
    fake.add_user("U0001", "Alice@Example.org", name="alice")
    fake.add_user("U0002", "bob@example.org", deleted=True)
    user = client.users_lookupByEmail(email="alice@example.org")["user"]
    assert user["id"] == "U0001" and user["profile"]["email"] == "Alice@Example.org"
    for email in ("nobody@example.org", "bob@example.org"):
        with pytest.raises(SlackApiError) as raised:
            client.users_lookupByEmail(email=email)
        assert raised.value.response["error"] == "users_not_found"


# ------------------------------------------------------------------ injected failures


def test_rate_limit_surfaces_as_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    """An injected 429 reaches the caller as SlackApiError with status and Retry-After."""
    fake.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C1", text="y")["ok"]  # consumed after one call
    assert [c.injected for c in fake.calls_to("chat.postMessage")] == ["rate_limit", None]
    assert [m["text"] for m in fake.messages("C1")] == ["y"]


def test_server_error_error_and_answer_queue_in_order(fake: FakeSlack, client: WebClient) -> None:
    """Injections are consumed in order; times= repeats one; errors are recorded too."""
    fake.server_error("auth.test", status=503)
    fake.error("auth.test", "invalid_auth", times=2)
    fake.answer("auth.test", {"ok": True, "user_id": "UOTHER"})
    statuses = []
    for _ in range(4):
        try:
            statuses.append(client.auth_test()["user_id"])
        except SlackApiError as error:
            statuses.append((error.response.status_code, error.response["error"]))
    assert statuses[0][0] == 503
    assert statuses[1:] == [(200, "invalid_auth"), (200, "invalid_auth"), "UOTHER"]
    assert client.auth_test()["user_id"] == "UBOT"
    injected = [c.injected for c in fake.calls_to("auth.test")]
    assert injected == ["server_error", "error", "error", "answer", None]


def test_drop_stores_the_message_but_loses_the_reply(fake: FakeSlack, client: WebClient) -> None:
    """drop processes the request, then closes: RemoteDisconnected, yet the message exists."""
    fake.drop("chat.postMessage")
    with pytest.raises(http.client.RemoteDisconnected):
        client.chat_postMessage(channel="U0001", text="maybe sent")
    assert [m["text"] for m in fake.messages("D0001")] == ["maybe sent"]
    history = client.conversations_history(channel="D0001")
    assert [m["text"] for m in history["messages"]] == ["maybe sent"]
    call = fake.calls_to("chat.postMessage")[0]
    assert call.injected == "drop" and call.response["ok"] is True


def test_default_client_retries_a_dropped_reply_and_posts_twice(fake: FakeSlack) -> None:
    """slack_sdk's default ConnectionErrorRetryHandler re-sends after a lost reply."""
    defaults = WebClient().retry_handlers
    assert [type(h) for h in defaults] == [ConnectionErrorRetryHandler]
    no_wait = ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0))
    default_client = WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[no_wait])
    fake.drop("chat.postMessage")
    assert default_client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [m["text"] for m in fake.messages("C1")] == ["hi", "hi"]  # a duplicate post
    assert [c.injected for c in fake.calls_to("chat.postMessage")] == ["drop", None]


def test_wildcard_and_unlimited_injections(fake: FakeSlack, client: WebClient) -> None:
    """times=None repeats until cleared; "*" applies to every method."""
    fake.error("users.info", "user_not_found", times=None)
    fake.answer("*", "plain text", status=503, headers={"X-Test": "1"})
    with pytest.raises(SlackApiError) as raised:
        client.auth_test()
    assert raised.value.response.status_code == 503
    assert raised.value.response.headers["X-Test"] == "1"
    for _ in range(3):
        with pytest.raises(SlackApiError):
            client.users_info(user="USLACKBOT")
    fake.clear_injections()
    assert client.users_info(user="USLACKBOT")["user"]["name"] == "slackbot"


def test_thread_replies_stay_out_of_history(fake: FakeSlack, client: WebClient) -> None:
    """Replies show in conversations.replies, not in conversations.history."""
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)
    fake.add_message("C1", "from a person", user="U0001")
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["from a person", "parent"]
    assert history[1]["reply_count"] == 1
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]


def test_drop_before_does_not_process(fake: FakeSlack, client: WebClient) -> None:
    """drop_before closes the connection without storing anything."""
    fake.drop_before("chat.postMessage")
    with pytest.raises(ConnectionError):
        client.chat_postMessage(channel="C1", text="lost")
    assert fake.messages("C1") == []
    assert fake.calls_to("chat.postMessage")[0].injected == "drop_before"


def test_delay_keeps_other_methods_responsive(fake: FakeSlack, client: WebClient) -> None:
    """A delayed method holds its answer while other requests are answered meanwhile."""
    fake.delay("views.open", 0.3)
    done = threading.Event()
    result: dict[str, float] = {}

    def open_view() -> None:
        started = time.monotonic()
        client.views_open(trigger_id="t", view={"type": "modal", "callback_id": "x"})
        result["elapsed"] = time.monotonic() - started
        done.set()

    worker = threading.Thread(target=open_view)
    worker.start()
    fake.wait_in_flight("views.open")
    assert client.auth_test()["ok"]
    assert not done.is_set()  # auth.test came back while views.open is still held
    assert done.wait(5)
    worker.join()
    assert result["elapsed"] >= 0.3
    assert fake.last("views.open").delayed == 0.3


def test_stop_cuts_delays_short() -> None:
    """stop() returns promptly when a delayed request is in flight, which is hung up on."""
    fake = FakeSlack().start()
    fake.delay("auth.test", 30)
    client = WebClient(base_url=fake.url, retry_handlers=[], timeout=5)
    errors: list[Exception] = []

    def call() -> None:
        try:
            client.auth_test()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    worker = threading.Thread(target=call)
    worker.start()
    assert fake.wait_in_flight("auth.test").delayed == 30
    started = time.monotonic()
    fake.stop()
    worker.join(5)
    assert time.monotonic() - started < 3
    assert not worker.is_alive()
    assert len(errors) == 1


# ------------------------------------------------------------------ views, files, responses


def test_views_open_update_publish(fake: FakeSlack, client: WebClient) -> None:
    """views.* echo the view with an id and hash; update checks the hash."""
    modal = {
        "type": "modal",
        "callback_id": "audit",
        "title": {"type": "plain_text", "text": "Audit"},
        "blocks": [],
        "private_metadata": "42",
    }
    opened = client.views_open(trigger_id="123.456.abc", view=modal)["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    assert opened["callback_id"] == "audit" and opened["private_metadata"] == "42"
    assert opened["state"] == {"values": {}}

    updated = client.views_update(
        view_id=opened["id"], hash=opened["hash"], view={**modal, "private_metadata": "43"}
    )["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert fake.view(opened["id"])["private_metadata"] == "43"
    with pytest.raises(SlackApiError) as raised:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert raised.value.response["error"] == "hash_conflict"

    pushed = client.views_push(trigger_id="t2", view={**modal, "callback_id": "step2"})["view"]
    assert pushed["id"] != opened["id"]

    home = {"type": "home", "blocks": [{"type": "divider"}]}
    published = client.views_publish(user_id="U0001", view=home)["view"]
    assert published["type"] == "home"
    again = client.views_publish(user_id="U0001", view=home)["view"]
    assert again["id"] == published["id"]
    assert fake.home_view("U0001")["blocks"] == [{"type": "divider"}]


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    """files_upload_v2 runs getUploadURLExternal, the byte upload and completeUploadExternal."""
    data = b"PK\x03\x04 fake xlsx bytes"
    response = client.files_upload_v2(
        channel="D0001",
        content=data,
        filename="audit.xlsx",
        title="Audit report",
        initial_comment="Here you go",
    )
    assert response["file"]["id"].startswith("F")
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.upload",
        "files.completeUploadExternal",
    ]
    upload = fake.files()[0]
    assert upload.data == data and upload.length == len(data) and upload.completed
    assert upload.filename == "audit.xlsx" and upload.title == "Audit report"
    assert upload.channel_id == "D0001"
    message = fake.messages("D0001")[0]
    assert message["text"] == "Here you go" and message["files"][0]["id"] == upload.file_id
    assert fake.last("files.completeUploadExternal").params["files"][0]["id"] == upload.file_id


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    """POSTs to a response URL answer "ok" and are recorded with their key and body."""
    body = {"text": "done", "replace_original": True}
    request = urllib.request.Request(
        fake.response_url("r7"),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200 and response.read() == b"ok"
    call = fake.last("response_url")
    assert call.params["key"] == "r7" and call.params["text"] == "done"
    assert fake.responses() == [body] and fake.responses("other") == []


def test_wait_for_sees_calls_from_other_threads(fake: FakeSlack, client: WebClient) -> None:
    """wait_for blocks until a matching call arrives and explains what it saw on timeout."""
    threading.Thread(target=lambda: client.chat_postMessage(channel="C9", text="later")).start()
    calls = fake.wait_for("chat.postMessage", channel="C9")
    assert calls[0].params["text"] == "later"
    assert fake.wait_for(lambda c: c.params.get("text") == "later")[0] is calls[0]
    with pytest.raises(AssertionError, match=r"chat\.postMessage\(channel='C9'"):
        fake.wait_for("views.open", timeout=0.05)
    fake.reset()
    assert fake.calls == []


# ------------------------------------------------------------------ signing & HTTP


def test_sign_is_accepted_by_slack_sdk_verifier() -> None:
    """A signature from sign() passes SignatureVerifier; stale or wrong-secret ones fail."""
    body, _ = sr.encode(sr.slash_command("/qa", "help"))
    verifier = SignatureVerifier(SECRET)
    headers = sr.sign(body, SECRET)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    stale = sr.sign(body, SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid(
        body, stale["X-Slack-Request-Timestamp"], stale["X-Slack-Signature"]
    )
    wrong = sr.sign(body, "other-secret")
    assert not verifier.is_valid(
        body, wrong["X-Slack-Request-Timestamp"], wrong["X-Slack-Signature"]
    )


def test_encode_picks_slacks_wire_formats() -> None:
    """Commands are form fields, interactive payloads payload=JSON, events JSON bodies."""
    body, content_type = sr.encode(sr.block_actions("approve", "7"))
    assert content_type == "application/x-www-form-urlencoded"
    assert json.loads(dict(parse_params(body, "", b""))["payload"])["type"] == "block_actions"
    assert sr.encode(sr.url_verification("c"))[1] == "application/json"
    assert sr.envelope_type(sr.slash_command()) == "slash_commands"
    assert sr.envelope_type(sr.view_submission("cb")) == "interactive"
    assert sr.envelope_type(sr.event_callback(sr.app_home_opened())) == "events_api"


class _BoltHTTP:
    """A bolt App served over HTTP on a loopback port (like the bot's HTTP mode)."""

    def __init__(self, app: App) -> None:
        """Serve ``app`` at /slack/events in a background thread."""
        bolt_app = app

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Stay quiet."""

            def do_POST(self) -> None:  # noqa: N802
                """Dispatch to bolt and write its response."""
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                headers = {k.lower(): [v] for k, v in self.headers.items()}
                response = bolt_app.dispatch(BoltRequest(body=body, headers=headers))
                self.send_response(response.status)
                for name, values in response.headers.items():
                    for value in values:
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(response.body.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def test_slack_http_requests_pass_bolt_verification_and_routing(fake: FakeSlack) -> None:
    """SlackHTTP's signed requests reach bolt listeners; bad signatures are rejected."""
    app = App(client=WebClient(token="xoxb-test", base_url=fake.url), signing_secret=SECRET)
    seen: dict[str, Any] = {}
    home_seen = threading.Event()

    @app.command("/qa")
    def command(ack: Any, command: dict[str, Any]) -> None:
        seen["command"] = command
        ack("on it")

    @app.action("approve")
    def approve(ack: Any, body: dict[str, Any]) -> None:
        seen["action"] = body["actions"][0]["value"]
        ack()

    @app.view("audit")
    def submit(ack: Any, view: dict[str, Any]) -> None:
        ack(
            response_action="errors",
            errors={"notes": view["state"]["values"]["notes"]["notes_input"]["value"]},
        )

    @app.view_closed("audit")
    def closed(ack: Any) -> None:
        seen["closed"] = True
        ack()

    @app.options("team_select")
    def options(ack: Any, payload: dict[str, Any]) -> None:
        ack(options=[{"text": {"type": "plain_text", "text": payload["value"]}, "value": "1"}])

    @app.event("app_home_opened")
    def home(ack: Any, event: dict[str, Any], request: BoltRequest) -> None:
        ack()
        seen["home"] = (event["user"], request.headers.get("x-slack-retry-num"))
        home_seen.set()

    server = _BoltHTTP(app)
    try:
        slack = sr.SlackHTTP(server.url, SECRET)
        status, _, body, elapsed = slack.command("/qa", "audit 7", user_id="U0009")
        assert (status, body) == (200, "on it") and elapsed < 5
        assert seen["command"]["user_id"] == "U0009" and seen["command"]["text"] == "audit 7"
        assert slack.command("/qa", secret="wrong").status == 401
        assert slack.command("/qa", timestamp=int(time.time()) - 600).status == 401
        assert slack.action("approve", "7").status == 200 and seen["action"] == "7"
        values = sr.state(notes={"notes_input": sr.text_input("too short")})
        submitted = slack.submit_view("audit", values)
        assert submitted.json() == {"response_action": "errors", "errors": {"notes": "too short"}}
        assert slack.close_view("audit").status == 200 and seen["closed"]
        assert (
            slack.suggest("team_select", "nor", block_id="b").json()["options"][0]["text"]["text"]
            == "nor"
        )
        event = slack.event(sr.app_home_opened("U0005"), headers=sr.retry_headers(2))
        assert event.status == 200 and home_seen.wait(5)  # event listeners run after the ack
        assert seen["home"] == ("U0005", ["2"])
        challenge = slack.event(sr.url_verification("abc"))
        assert challenge.json() == {"challenge": "abc"}
    finally:
        server.close()


# ------------------------------------------------------------------ Socket Mode


@pytest.fixture
def bolt_socket(fake: FakeSlack) -> Iterator[tuple[App, SocketModeHandler]]:
    """Yield a bolt App and its builtin SocketModeHandler, connected to the fake."""
    app = App(client=WebClient(token="xoxb-test", base_url=fake.url))
    handler = SocketModeHandler(app, app_token="xapp-test")
    yield app, handler
    close_socket_mode_handler(handler)


def test_socket_mode_slash_command_ack_then_post(
    fake: FakeSlack, bolt_socket: tuple[App, SocketModeHandler]
) -> None:
    """A slash command envelope is acked through the socket, then the listener posts."""
    app, handler = bolt_socket

    @app.command("/qa")
    def command(ack: Any, command: dict[str, Any], client: WebClient) -> None:
        ack("working on it")
        client.chat_postMessage(channel=command["user_id"], text=f"done: {command['text']}")

    handler.connect()
    fake.socket.wait_connected()
    assert fake.calls_to("apps.connections.open")[0].token == "xapp-test"

    pending = fake.socket.send_envelope_nowait("slash_commands", sr.slash_command("/qa", "a1"))
    ack = pending.result()
    assert ack == {"envelope_id": pending.envelope_id, "payload": {"text": "working on it"}}
    assert pending.envelope["accepts_response_payload"] is True
    post = fake.wait_for("chat.postMessage", channel="U0001")[0]
    assert post.params["text"] == "done: a1"
    # No ordering assertion between the two: ack() runs first, but the ack frame and the
    # HTTP call race each other to the fake. Use delay() to prove an ack doesn't wait.
    assert pending.ack_latency is not None and pending.ack_latency < 5


def test_socket_mode_interactive_events_and_unhandled(
    fake: FakeSlack, bolt_socket: tuple[App, SocketModeHandler]
) -> None:
    """Interactive and events_api envelopes are acked; unhandled ones get no ack."""
    app, handler = bolt_socket
    seen: list[Any] = []

    @app.action("approve")
    def approve(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen.append(body["actions"][0]["value"])

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        seen.append(request.headers.get("x-slack-retry-num"))
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    handler.connect()
    fake.socket.wait_connected()
    assert "payload" not in fake.socket.send_payload(sr.block_actions("approve", "9"))
    fake.socket.send_payload(
        sr.event_callback(sr.app_home_opened("U0003")), retry_attempt=1, retry_reason="timeout"
    )
    fake.wait_for("views.publish", user_id="U0003")
    assert seen == ["9", ["1"]]  # bolt maps retry_attempt to the x-slack-retry-num header
    unhandled = fake.socket.send_envelope_nowait("interactive", sr.block_actions("nobody"))
    assert unhandled.wait(0.3) is None  # bolt answers 404 internally: nothing is sent


def test_socket_mode_disconnect_message_makes_client_reconnect(
    fake: FakeSlack, bolt_socket: tuple[App, SocketModeHandler]
) -> None:
    """Slack's disconnect message makes the builtin client open a new connection."""
    _, handler = bolt_socket
    handler.connect()
    fake.socket.wait_connected()
    fake.socket.send_disconnect()
    fake.socket.wait_connections_total(2)
    assert len(fake.calls_to("apps.connections.open")) == 2


def test_socket_mode_rejects_bot_token_like_slack(fake: FakeSlack, client: WebClient) -> None:
    """apps.connections.open needs an app-level (xapp-) token."""
    with pytest.raises(SlackApiError) as raised:
        client.apps_connections_open(app_token="xoxb-test")
    assert raised.value.response["error"] == "not_allowed_token_type"
    url = client.apps_connections_open(app_token="xapp-1")["url"]
    assert url.startswith(f"ws://127.0.0.1:{fake.socket.port}/link/?ticket=")


def test_call_dataclass_helpers() -> None:
    """Call.token falls back to the token param; matches() compares params."""
    call = Call(
        "auth.test", {"token": "xoxb-1", "a": 1}, {}, 0.0, status=200, response={"ok": True}
    )
    assert call.token == "xoxb-1" and call.ok and call.matches(a=1) and not call.matches(a=2)
