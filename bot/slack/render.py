"""Templates: pure functions from a message's data to Slack text and blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Rendered = tuple[str, list[dict[str, Any]]]
Renderer = Callable[[dict[str, Any]], Rendered]

_TEMPLATES: dict[str, Renderer] = {}


def template(name: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer under a template name."""

    def register(func: Renderer) -> Renderer:
        if name in _TEMPLATES:
            raise ValueError(f"template {name!r} registered twice")
        _TEMPLATES[name] = func
        return func

    return register


def render(name: str, data: dict[str, Any]) -> Rendered:
    """Render a queued message; an unknown template is a programming error."""
    return _TEMPLATES[name](data)


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@template("plain")
def render_plain(data: dict[str, Any]) -> Rendered:
    """A short notice with no buttons."""
    return data["text"], [section(data["text"])]


def escape(text: str | None) -> str:
    """What a person typed, made inert in mrkdwn (no mentions, links or broadcasts)."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
