"""Reading the create-cycle modal, errors at the field, and the draw preview's view."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.services.cycles import AllocationOutcome, NewCycle
from bot.slack.cycle_views import notice_view
from bot.slack.render import escape

#: Where each of the service's fields is shown in the create modal.
FIELD_BLOCKS: dict[str, str] = {
    "name": "name", "kind": "kind", "opens": "opens", "due": "due",
    "moderation_due": "moderation_due", "lookback": "lookback", "sample_rule": "sample_count",
    "moderation_fraction": "moderation_fraction", "case_types": "case_types",
    "teams": "teams", "services": "services", "seed": "name",
}


def _element(values: dict[str, Any], block: str) -> dict[str, Any]:
    return values.get(block, {}).get(block, {}) or {}


def _selected(values: dict[str, Any], block: str) -> str | None:
    return (_element(values, block).get("selected_option") or {}).get("value")


def _names(values: dict[str, Any], block: str) -> tuple[str, ...]:
    raw = _element(values, block).get("value") or ""
    return tuple(name.strip() for name in raw.split(",") if name.strip())


def read_create_form(state: dict[str, Any]) -> tuple[NewCycle | None, dict[str, str]]:
    """The cycle asked for, or the errors to show at each field (before any service check)."""
    values = state.get("values", {})
    errors: dict[str, str] = {}

    def day(block: str) -> date | None:
        raw = _element(values, block).get("selected_date")
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[block] = "That is not a date."
            return None

    def number(block: str, kind: type[int] | type[float]) -> int | float | None:
        raw = (_element(values, block).get("value") or "").strip()
        if not raw:
            return None
        try:
            return kind(raw)
        except ValueError:
            errors[block] = "That is not a number." if kind is float else "Give a whole number."
            return None

    count = number("sample_count", int)
    rule = _selected(values, "sample_rule") or "per_auditor"
    if rule == "sample" and count is None and "sample_count" not in errors:
        errors["sample_count"] = "Give the total sample."
    lookback = _selected(values, "lookback")
    new = NewCycle(
        name=(_element(values, "name").get("value") or "").strip(),
        kind=_selected(values, "kind") or "",
        theme=(_element(values, "theme").get("value") or "").strip() or None,
        opens_on=day("opens"),
        audit_due=day("due"),
        moderation_due=day("moderation_due"),
        lookback_months=int(lookback) if lookback and lookback.isdigit() else None,
        per_auditor=int(count) if rule == "per_auditor" and count is not None else None,
        sample=int(count) if rule == "sample" and count is not None else None,
        moderation_fraction=number("moderation_fraction", float),
        case_types=tuple(o["value"] for o in _element(values, "case_types").get(
            "selected_options") or []),
        teams=_names(values, "teams"),
        services=_names(values, "services"),
    )
    return (None, errors) if errors else (new, {})


def field_errors(problems: dict[str, list[str]]) -> dict[str, str]:
    """The service's problems as `response_action: errors`, one sentence per field."""
    errors: dict[str, str] = {}
    for field, texts in problems.items():
        block = FIELD_BLOCKS.get(field, "name")
        text = "; ".join(texts)
        sentence = text[:1].upper() + text[1:] + "."
        errors[block] = f"{errors[block]} {sentence}" if block in errors else sentence
    return errors


def preview_view(name: str, outcome: AllocationOutcome) -> dict[str, Any]:
    """The draw's receipt in a modal: what would be sent, and what cannot be placed."""
    s = outcome.summary
    noun = "cases" if s.audits_cases else "practitioners"
    if outcome.saved:
        headline = (f"*{escape(name)}: the draw is complete and saved* (allocated, not "
                    "open: nothing has been sent). Press *Open* in App Home to send it.\n")
    else:
        headline = (f"*{escape(name)}: the draw is incomplete, so nothing was saved.* "
                    f"{len(s.unplaced)} things could not be placed (below).\n")
    headline += (
        f"• Pool: {s.auditor_pool} auditors, {s.moderator_pool} moderators\n"
        f"• Sample: {s.sample_size} {noun} asked for, {s.drawn} drawn\n"
        f"• Audits: {s.assignments}, of which {s.moderated} moderated\n"
        f"• Opening would send: {s.auditors_told} auditors their allocations; the managers "
        f"of {s.teams_told} teams and {s.workers_told} practitioners a notice\n"
        f"• Excluded: {len(s.excluded_people)} people; "
        + ("; ".join(s.excluded_subjects) or f"no {noun}")
        + f"\n• Seed {s.seed}: the receipt can be exported and re-run"
    )
    lines = [f"cannot place {line}" for line in s.unplaced]
    lines += [f"left out: {line}" for line in s.excluded_people]
    return notice_view("Preview draw", headline, lines, more="more (see the receipt)")
