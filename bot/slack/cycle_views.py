"""The QA lead's cycle modals: create, reassign, mark unavailable, and the result views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.domain.cycles import KIND_LABELS, LOOKBACK_MONTHS, UNAVAILABLE_REASONS
from bot.domain.directory import CASE_TYPES
from bot.services.cycles.audit_lines import AuditLine
from bot.slack.ids import View
from bot.slack.render import escape, section

PRIVACY_HINT = "Case references only: never a child's or family's name."
MAX_LINES = 40  # lines of a list in a modal; the rest are counted
SECTION_CHARS = 2900


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": value}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "optional": optional,
                             "label": _text(label), "element": {"action_id": block_id, **element}}
    if hint:
        block["hint"] = _text(hint)
    return block


@dataclass(frozen=True)
class CreateDefaults:
    """The authority's defaults, shown as hints and initial values in the create modal."""

    cadence: str
    per_auditor: int
    lookback_months: int
    moderation_fraction: float


def create_modal(defaults: CreateDefaults) -> dict[str, Any]:
    """The modal App Home's **Create cycle** opens."""
    kinds = [_option(k, v) for k, v in KIND_LABELS.items()]
    lookbacks = {str(m): _option(str(m), f"{m} months") for m in LOOKBACK_MONTHS}
    rules = {"per_auditor": _option("per_auditor", "A number per auditor"),
             "sample": _option("sample", "A total sample")}
    return {
        "type": "modal",
        "callback_id": View.CYCLE_CREATE,
        "title": _text("Create audit cycle"),
        "submit": _text("Create"),
        "close": _text("Cancel"),
        "blocks": [
            _input("name", "Name", {"type": "plain_text_input", "max_length": 120}),
            _input("kind", "Kind", {"type": "static_select", "options": kinds}),
            _input("theme", "Theme", {"type": "plain_text_input", "max_length": 300},
                   optional=True, hint=PRIVACY_HINT),
            _input("opens", "Opens on", {"type": "datepicker"}),
            _input("due", "Audits due", {"type": "datepicker"}, optional=True,
                   hint=f"Leave empty: one cadence period ({defaults.cadence}) after opening."),
            _input("moderation_due", "Moderation due", {"type": "datepicker"}, optional=True,
                   hint="Leave empty: ten working days after the audits are due."),
            _input("lookback", "Look-back window",
                   {"type": "static_select", "options": list(lookbacks.values()),
                    "initial_option": lookbacks[str(defaults.lookback_months)]}),
            _input("sample_rule", "Sample rule",
                   {"type": "radio_buttons", "options": list(rules.values()),
                    "initial_option": rules["per_auditor"]}),
            _input("sample_count", "How many", {"type": "number_input",
                                                "is_decimal_allowed": False, "min_value": "1"},
                   optional=True,
                   hint=f"Per auditor, or in total. Leave empty: {defaults.per_auditor} per "
                        "auditor."),
            _input("moderation_fraction", "Share moderated (0 to 1)",
                   {"type": "number_input", "is_decimal_allowed": True,
                    "initial_value": f"{defaults.moderation_fraction:g}"}, optional=True),
            _input("case_types", "Theme: case types",
                   {"type": "multi_static_select", "options": [_option(t, t) for t in CASE_TYPES]},
                   optional=True),
            _input("teams", "Theme: teams", {"type": "plain_text_input"}, optional=True,
                   hint="Team names, separated by commas. Leave empty for every team."),
            _input("services", "Theme: services", {"type": "plain_text_input"}, optional=True,
                   hint="Service names, separated by commas. Leave empty for every service."),
        ],
    }


class AuditMeta(BaseModel):
    """The reassign modal's private_metadata."""

    audit_id: int


class CycleMeta(BaseModel):
    """The mark-unavailable modal's private_metadata."""

    cycle_id: int


def reassign_modal(audit: AuditLine) -> dict[str, Any]:
    """Choose another auditor for one audit."""
    worker = f"worker {audit.worker}; " if audit.is_case else ""
    return {
        "type": "modal",
        "callback_id": View.CYCLE_REASSIGN,
        "private_metadata": AuditMeta(audit_id=audit.audit_id).model_dump_json(),
        "title": _text("Reassign audit"),
        "submit": _text("Reassign"),
        "close": _text("Cancel"),
        "blocks": [
            section(f"*{escape(audit.subject)}* ({escape(audit.team)}) in "
                    f"{escape(audit.cycle)}: {worker}audited by {escape(audit.auditor)}, due "
                    f"{audit.due.isoformat()} ({audit.status.replace('_', ' ')})."),
            _input("auditor", "New auditor", {"type": "users_select"},
                   hint="They must be in the auditor pool and free of every conflict."),
        ],
    }


def unavailable_modal(cycle_id: int, cycle_name: str) -> dict[str, Any]:
    """Mark someone unavailable for a cycle; their audits are reallocated."""
    reasons = [_option(k, v) for k, v in UNAVAILABLE_REASONS.items()]
    return {
        "type": "modal",
        "callback_id": View.CYCLE_UNAVAILABLE,
        "private_metadata": CycleMeta(cycle_id=cycle_id).model_dump_json(),
        "title": _text("Mark unavailable"),
        "submit": _text("Mark and reallocate"),
        "close": _text("Cancel"),
        "blocks": [
            section(f"*{escape(cycle_name)}*: the person gets nothing more in this cycle; their "
                    "audits not yet submitted, and moderations not yet done, go to others "
                    "under the same rules."),
            _input("person", "Person", {"type": "users_select"}),
            _input("reason", "Why", {"type": "static_select", "options": reasons,
                                     "initial_option": reasons[0]}),
        ],
    }


def notice_view(title: str, headline: str, lines: list[str] | None = None,
                *, more: str = "more") -> dict[str, Any]:
    """A modal that says what happened (or why not), with an optional list."""
    blocks = [section(headline)]
    shown = list(lines or [])[:MAX_LINES]
    chunk = ""
    for line in (f"• {escape(item)}" for item in shown):
        if chunk and len(chunk) + len(line) + 1 > SECTION_CHARS:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    if lines and len(lines) > MAX_LINES:
        blocks.append(section(f"…and {len(lines) - MAX_LINES} {more}."))
    return {"type": "modal", "title": _text(title[:24]), "close": _text("Close"),
            "blocks": blocks}


def loading_view(title: str) -> dict[str, Any]:
    """Shown at once, while the work is done (a trigger id lasts three seconds)."""
    return {"type": "modal", "title": _text(title[:24]), "close": _text("Close"),
            "blocks": [section("Working on it…")]}
