"""Signed Slack requests and payload builders, as Slack sends them to the bot.

Every builder returns the payload as a ``dict`` - exactly what Slack puts in the
``payload`` of a Socket Mode envelope - and :func:`encode` turns such a dict into
the HTTP body Slack would POST to the bot's request URL:

* slash commands: form-encoded fields (``command=/qa&text=...``);
* interactive payloads (``block_actions``, ``view_submission``, ``view_closed``,
  ``block_suggestion``, shortcuts): form-encoded ``payload=<JSON>``;
* Events API (``event_callback``, ``url_verification``): a JSON body.

:class:`SlackHTTP` signs and POSTs them to a running bot with the standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

TEAM_ID = "T0001"
TEAM_DOMAIN = "qa-team"
APP_ID = "A0001"
BOT_USER_ID = "UBOT"
USER_ID = "U0001"
USER_NAME = "alice"
CHANNEL_ID = "C0001"
CHANNEL_NAME = "qa-team"
VERIFICATION_TOKEN = "verification-token"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"

#: ``type`` values of payloads Slack delivers as interactive (``payload=`` form / "interactive").
INTERACTIVE_TYPES = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "dialog_submission",
        "dialog_suggestion",
        "dialog_cancellation",
    }
)

_counter = itertools.count(1)


def _next() -> int:
    """Return the next number of a process-wide sequence (for unique ids)."""
    return next(_counter)


def _action_ts() -> str:
    """Return a Slack-style ``"1700000000.123456"`` timestamp of now."""
    return f"{time.time():.6f}"


def new_trigger_id() -> str:
    """Return a fresh trigger id shaped like Slack's (``"<n>.<n>.<hex>"``)."""
    n = _next()
    return f"{1700000000 + n}.1{n:011d}.{hashlib.md5(str(n).encode()).hexdigest()}"  # noqa: S324


def new_response_url(key: str | None = None) -> str:
    """Return a ``hooks.slack.com``-style response URL (not reachable; see FakeSlack's)."""
    return f"https://hooks.slack.com/commands/{TEAM_ID}/{key or _next()}/fake"


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, str]:
    """Return the ``user`` object of an interactive payload."""
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _team(team_id: str, team_domain: str) -> dict[str, str]:
    """Return the ``team`` object of an interactive payload."""
    return {"id": team_id, "domain": team_domain}


# --------------------------------------------------------------------------- signing


def signature(body: bytes | str, secret: str, timestamp: int) -> str:
    """Return the ``v0=<hex>`` X-Slack-Signature of a body at a timestamp."""
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    base = f"v0:{timestamp}:{raw}".encode()
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def sign(
    body: bytes | str,
    secret: str,
    timestamp: int | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """Return the headers Slack sends with a body: signature, timestamp and content type.

    ``timestamp`` defaults to now (pass an old one to test stale-request rejection);
    ``content_type`` defaults to JSON when the body looks like JSON, else form-encoded.
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    if content_type is None:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        content_type = JSON_CONTENT_TYPE if text.lstrip().startswith("{") else FORM_CONTENT_TYPE
    return {
        "X-Slack-Signature": signature(body, secret, ts),
        "X-Slack-Request-Timestamp": str(ts),
        "Content-Type": content_type,
    }


def retry_headers(num: int = 1, reason: str = "http_timeout") -> dict[str, str]:
    """Return the headers Slack adds when it retries an Events API delivery."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


# --------------------------------------------------------------------------- encoding


def envelope_type(payload: Mapping[str, Any]) -> str:
    """Return the Socket Mode envelope type for a payload built here.

    ``"slash_commands"`` for commands, ``"interactive"`` for interactive payloads and
    ``"events_api"`` for everything else.
    """
    if "command" in payload and payload.get("type") is None:
        return "slash_commands"
    if payload.get("type") in INTERACTIVE_TYPES:
        return "interactive"
    return "events_api"


def encode(payload: Mapping[str, Any]) -> tuple[str, str]:
    """Return ``(body, content_type)`` of the HTTP request Slack sends for a payload."""
    kind = envelope_type(payload)
    if kind == "slash_commands":
        return urlencode({k: _form_value(v) for k, v in payload.items()}), FORM_CONTENT_TYPE
    if kind == "interactive":
        return urlencode({"payload": json.dumps(payload)}), FORM_CONTENT_TYPE
    return json.dumps(payload), JSON_CONTENT_TYPE


def _form_value(value: Any) -> str:
    """Return a form field value as Slack writes it (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- builders


def slash_command(
    command: str = "/qa",
    text: str = "",
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    response_url: str | None = None,
    trigger_id: str | None = None,
    token: str = VERIFICATION_TOKEN,
    is_enterprise_install: bool = False,
    enterprise_id: str | None = None,
) -> dict[str, str]:
    """Return a slash command payload (every value a string, as Slack sends it)."""
    payload = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": _form_value(is_enterprise_install),
        "response_url": response_url or new_response_url(),
        "trigger_id": trigger_id or new_trigger_id(),
    }
    if enterprise_id is not None:
        payload["enterprise_id"] = enterprise_id
    return payload


def block_actions(
    action_id: str,
    value: str | None = None,
    *,
    block_id: str = "actions",
    action_type: str | None = None,
    selected_option: str | Mapping[str, Any] | None = None,
    action: Mapping[str, Any] | None = None,
    actions: list[dict[str, Any]] | None = None,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    channel_id: str | None = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    message: Mapping[str, Any] | None = None,
    message_ts: str | None = None,
    view: Mapping[str, Any] | None = None,
    container: Mapping[str, Any] | None = None,
    state_values: Mapping[str, Any] | None = None,
    response_url: str | None = None,
    trigger_id: str | None = None,
    token: str = VERIFICATION_TOKEN,
) -> dict[str, Any]:
    """Return a ``block_actions`` payload for one clicked/selected element.

    A button (``value``) by default; ``selected_option`` makes it a ``static_select``;
    ``action`` adds/overrides fields of the action; ``actions`` replaces the list.
    With ``view`` the action happened in a modal or App Home (no channel, message or
    response_url); otherwise it happened in a message in ``channel_id``.
    """
    act: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type or ("static_select" if selected_option is not None else "button"),
        "action_ts": _action_ts(),
    }
    if selected_option is not None:
        act["selected_option"] = (
            option(selected_option) if isinstance(selected_option, str) else dict(selected_option)
        )
    elif value is not None:
        act["value"] = value
    if act["type"] == "button":
        act["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    act.update(action or {})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(team_id, team_domain),
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": dict(state_values or {})},
        "actions": actions if actions is not None else [act],
    }
    if view is not None:
        view_dict = dict(view)
        payload["view"] = view_dict
        payload["container"] = dict(
            container or {"type": "view", "view_id": view_dict.get("id", "V0001")}
        )
        return payload
    ts = message_ts or (message or {}).get("ts") or "1700000000.000100"
    payload["container"] = dict(
        container
        or {"type": "message", "message_ts": ts, "channel_id": channel_id, "is_ephemeral": False}
    )
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": channel_name}
    payload["message"] = dict(
        message or {"type": "message", "user": BOT_USER_ID, "ts": ts, "text": "", "blocks": []}
    )
    payload["response_url"] = response_url or new_response_url()
    return payload


def modal_view(
    callback_id: str,
    *,
    view_id: str | None = None,
    values: Mapping[str, Any] | None = None,
    private_metadata: str = "",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "QA",
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    hash: str | None = None,  # noqa: A002 - Slack's field name
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
    external_id: str = "",
    type_: str = "modal",
) -> dict[str, Any]:
    """Return a ``view`` object as Slack includes it in interactive payloads."""
    vid = view_id or f"V{_next():08d}"
    return {
        "id": vid,
        "team_id": team_id,
        "type": type_,
        "blocks": list(blocks or []),
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": dict(values or {})},
        "hash": hash or f"1700000000.{_next():08d}",
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": previous_view_id,
        "root_view_id": root_view_id or vid,
        "app_id": api_app_id,
        "external_id": external_id,
        "app_installed_team_id": team_id,
        "bot_id": "B0001",
    }


def view_submission(
    callback_id: str,
    values: Mapping[str, Any] | None = None,
    *,
    private_metadata: str = "",
    view_id: str | None = None,
    view: Mapping[str, Any] | None = None,
    hash: str | None = None,  # noqa: A002 - Slack's field name
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    trigger_id: str | None = None,
    response_urls: list[dict[str, Any]] | None = None,
    token: str = VERIFICATION_TOKEN,
) -> dict[str, Any]:
    """Return a ``view_submission`` payload; ``values`` is the view's ``state.values``.

    Build ``values`` with :func:`state` and the element helpers, e.g.
    ``state(notes={"notes_input": text_input("ok")})``.
    """
    view_dict = (
        dict(view)
        if view is not None
        else modal_view(
            callback_id,
            view_id=view_id,
            values=values,
            private_metadata=private_metadata,
            team_id=team_id,
            api_app_id=api_app_id,
            hash=hash,
        )
    )
    return {
        "type": "view_submission",
        "team": _team(team_id, team_domain),
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view_dict,
        "response_urls": list(response_urls or []),
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(
    callback_id: str,
    *,
    private_metadata: str = "",
    view_id: str | None = None,
    view: Mapping[str, Any] | None = None,
    is_cleared: bool = False,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> dict[str, Any]:
    """Return a ``view_closed`` payload (sent only for views with ``notify_on_close``)."""
    view_dict = (
        dict(view)
        if view is not None
        else modal_view(
            callback_id,
            view_id=view_id,
            private_metadata=private_metadata,
            team_id=team_id,
            api_app_id=api_app_id,
        )
    )
    view_dict["notify_on_close"] = True
    return {
        "type": "view_closed",
        "team": _team(team_id, team_domain),
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "view": view_dict,
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def block_suggestion(
    action_id: str,
    value: str = "",
    *,
    block_id: str = "suggest",
    view: Mapping[str, Any] | None = None,
    channel_id: str | None = CHANNEL_ID,
    message_ts: str = "1700000000.000100",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> dict[str, Any]:
    """Return a ``block_suggestion`` payload (options load for an external select).

    ``value`` is what the user typed so far. With ``view`` the select is in a modal.
    """
    payload: dict[str, Any] = {
        "type": "block_suggestion",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "team": _team(team_id, team_domain),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        view_dict = dict(view)
        payload["view"] = view_dict
        payload["container"] = {"type": "view", "view_id": view_dict.get("id", "V0001")}
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": CHANNEL_NAME}
    return payload


def event_callback(
    event: Mapping[str, Any],
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    bot_user_id: str = BOT_USER_ID,
    authorizations: list[dict[str, Any]] | None = None,
    token: str = VERIFICATION_TOKEN,
) -> dict[str, Any]:
    """Return an Events API ``event_callback`` envelope wrapping one event."""
    return {
        "token": token,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or f"Ev{_next():08d}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": authorizations
        if authorizations is not None
        else [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{_next()}",
    }


def url_verification(
    challenge: str = "challenge-token", *, token: str = VERIFICATION_TOKEN
) -> dict:
    """Return the ``url_verification`` request Slack sends when the events URL is set."""
    return {"token": token, "challenge": challenge, "type": "url_verification"}


def app_home_opened(
    user_id: str = USER_ID,
    *,
    tab: str = "home",
    channel: str | None = None,
    view: Mapping[str, Any] | None = None,
    event_ts: str | None = None,
) -> dict[str, Any]:
    """Return an ``app_home_opened`` event (wrap it with :func:`event_callback`).

    ``view`` is the currently published Home view; Slack omits it on first open.
    """
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel or ("D" + user_id[1:] if user_id.startswith("U") else "D" + user_id),
        "tab": tab,
        "event_ts": event_ts or _action_ts(),
    }
    if view is not None:
        event["view"] = dict(view)
    return event


def message_event(
    text: str,
    *,
    user_id: str = USER_ID,
    channel: str = CHANNEL_ID,
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """Return a ``message`` event (``channel_type="im"`` for a DM to the bot)."""
    event: dict[str, Any] = {
        "type": "message",
        "user": user_id,
        "text": text,
        "ts": ts or _action_ts(),
        "team": team_id,
        "channel": channel,
        "channel_type": channel_type,
        "event_ts": ts or _action_ts(),
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


# ------------------------------------------------------------ state.values helpers


def state(**blocks: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return ``state.values``: ``state(block_id={action_id: element_value, ...})``."""
    return {block_id: dict(actions) for block_id, actions in blocks.items()}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    """Return an option object ``{"text": {...}, "value": value}``."""
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def text_input(value: str | None) -> dict[str, Any]:
    """Return the state of a ``plain_text_input`` (``None`` when left empty)."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """Return the state of a ``static_select`` (``None`` when nothing chosen)."""
    return {
        "type": "static_select",
        "selected_option": None if value is None else option(value, text),
    }


def external_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """Return the state of an ``external_select``."""
    return {
        "type": "external_select",
        "selected_option": None if value is None else option(value, text),
    }


def multi_static_select(values: list[str]) -> dict[str, Any]:
    """Return the state of a ``multi_static_select``."""
    return {"type": "multi_static_select", "selected_options": [option(v) for v in values]}


def checkboxes(values: list[str]) -> dict[str, Any]:
    """Return the state of a ``checkboxes`` element."""
    return {"type": "checkboxes", "selected_options": [option(v) for v in values]}


def radio_buttons(value: str | None) -> dict[str, Any]:
    """Return the state of a ``radio_buttons`` element."""
    return {
        "type": "radio_buttons",
        "selected_option": None if value is None else option(value),
    }


def datepicker(date: str | None) -> dict[str, Any]:
    """Return the state of a ``datepicker`` (``"YYYY-MM-DD"``)."""
    return {"type": "datepicker", "selected_date": date}


def users_select(user_id: str | None) -> dict[str, Any]:
    """Return the state of a ``users_select``."""
    return {"type": "users_select", "selected_user": user_id}


def multi_users_select(user_ids: list[str]) -> dict[str, Any]:
    """Return the state of a ``multi_users_select``."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def number_input(value: str | None) -> dict[str, Any]:
    """Return the state of a ``number_input`` (Slack sends the number as a string)."""
    return {"type": "number_input", "value": value}


# --------------------------------------------------------------------------- HTTP


class HTTPResult(NamedTuple):
    """What the bot answered: status, headers (lower-case names), body text, seconds taken."""

    status: int
    headers: dict[str, str]
    body: str
    elapsed: float

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body)


class SlackHTTP:
    """POST signed requests to a bot's HTTP endpoint the way Slack does."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        path: str = "/slack/events",
        timeout: float = 10.0,
    ) -> None:
        """Target ``base_url + path`` (e.g. ``http://127.0.0.1:8000`` + ``/slack/events``)."""
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.path = path
        self.timeout = timeout

    def post(
        self,
        payload: Mapping[str, Any] | str | bytes,
        *,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        path: str | None = None,
        signed: bool = True,
    ) -> HTTPResult:
        """POST a payload dict (encoded with :func:`encode`) or a raw body, signed.

        ``timestamp`` overrides the signed timestamp (stale requests), ``secret`` the
        signing secret (bad signatures), ``headers`` adds/overrides headers (retries),
        ``signed=False`` sends no signature headers at all.
        """
        if isinstance(payload, Mapping):
            body, guessed = encode(payload)
            content_type = content_type or guessed
        else:
            body = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        request_headers = sign(body, secret or self.signing_secret, timestamp, content_type)
        if not signed:
            request_headers = {"Content-Type": request_headers["Content-Type"]}
        request_headers.update(headers or {})
        url = urlsplit(self.base_url + (path or self.path))
        conn = http.client.HTTPConnection(
            url.hostname or "127.0.0.1", url.port, timeout=self.timeout
        )
        started = time.monotonic()
        try:
            target = url.path + (f"?{url.query}" if url.query else "")
            conn.request("POST", target, body=body.encode("utf-8"), headers=request_headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = time.monotonic() - started
            response_headers = {k.lower(): v for k, v in response.getheaders()}
            return HTTPResult(response.status, response_headers, data.decode("utf-8"), elapsed)
        finally:
            conn.close()

    def command(
        self,
        command: str = "/qa",
        text: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        **fields: Any,
    ) -> HTTPResult:
        """POST a slash command; ``fields`` go to :func:`slash_command`."""
        payload = slash_command(command, text, **fields)
        return self.post(payload, headers=headers, timestamp=timestamp, secret=secret)

    def action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        **fields: Any,
    ) -> HTTPResult:
        """POST a ``block_actions`` payload; ``fields`` go to :func:`block_actions`."""
        payload = block_actions(action_id, value, **fields)
        return self.post(payload, headers=headers, timestamp=timestamp, secret=secret)

    def submit_view(
        self,
        callback_id: str,
        values: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        **fields: Any,
    ) -> HTTPResult:
        """POST a ``view_submission``; ``fields`` go to :func:`view_submission`."""
        payload = view_submission(callback_id, values, **fields)
        return self.post(payload, headers=headers, timestamp=timestamp, secret=secret)

    def close_view(
        self,
        callback_id: str,
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        **fields: Any,
    ) -> HTTPResult:
        """POST a ``view_closed``; ``fields`` go to :func:`view_closed`."""
        payload = view_closed(callback_id, **fields)
        return self.post(payload, headers=headers, timestamp=timestamp, secret=secret)

    def suggest(
        self,
        action_id: str,
        value: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        **fields: Any,
    ) -> HTTPResult:
        """POST a ``block_suggestion`` (options load); ``fields`` go to the builder."""
        payload = block_suggestion(action_id, value, **fields)
        return self.post(payload, headers=headers, timestamp=timestamp, secret=secret)

    def event(
        self,
        event: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        **fields: Any,
    ) -> HTTPResult:
        """POST an event; a bare event is wrapped with :func:`event_callback` (``fields``).

        An already wrapped ``event_callback`` or a ``url_verification`` is sent as is.
        """
        if event.get("type") in ("event_callback", "url_verification"):
            payload = dict(event)
        else:
            payload = event_callback(event, **fields)
        return self.post(payload, headers=headers, timestamp=timestamp, secret=secret)
