"""Templates for summaries, scheduled reports and good practice (registered on import)."""

from __future__ import annotations

from typing import Any

from bot.domain.alerts import CATEGORIES, LEVEL_NAMES, Level
from bot.domain.summary_figures import HEADLINE
from bot.slack.ids import Action
from bot.slack.render import Rendered, escape, section, template
from bot.slack.summary_blocks import Block, figure_lines, summary_body

PRIVACY = "Counts and references only: qabot never holds a child's or family's name."


def _downloads(data: dict[str, Any]) -> list[Block]:
    """One row of buttons per tracker: its XLSX and its CSV, of the summary's scope."""
    by_tracker: dict[str, list[dict[str, Any]]] = {}
    for item in data.get("downloads") or []:
        by_tracker.setdefault(item["tracker"], []).append(item)
    blocks: list[Block] = []
    for tracker, items in by_tracker.items():
        blocks.append({"type": "actions", "block_id": f"download:{tracker}", "elements": [
            {"type": "button",
             "text": {"type": "plain_text",
                      "text": f"{tracker.capitalize()} ({i['format'].upper()})"},
             "action_id": Action.SUMMARY_XLSX if i["format"] == "xlsx" else Action.SUMMARY_CSV,
             "value": i["value"]}
            for i in items
        ]})
    if blocks:
        blocks.insert(0, section("*Trackers of this scope*: spreadsheet (XLSX) or CSV"))
    return blocks


@template("summary.report")
def render_summary(data: dict[str, Any]) -> Rendered:
    """The summary asked for with `/qa-summary`, with its download buttons."""
    title = f"QA summary: {data['scope_label']}, {data['period_label']}"
    blocks = [*summary_body(data, title), {"type": "divider"}, *_downloads(data),
              {"type": "context", "elements": [{"type": "mrkdwn", "text":
                  "A chart of the grades and their trend follows. " + PRIVACY}]}]
    return f"{title}: " + "; ".join(figure_lines(data)[:3]), blocks


@template("summary.findings")
def render_findings(data: dict[str, Any]) -> Rendered:
    """The audit findings report of a closed cycle (for the leadership channel)."""
    title = f"Audit findings: {data['period_label']} (closed)"
    blocks = [*summary_body(data, title),
              {"type": "context", "elements": [{"type": "mrkdwn", "text": PRIVACY}]}]
    return f"{title}: " + "; ".join(figure_lines(data)[:3]), blocks


@template("summary.escalations")
def render_escalations(data: dict[str, Any]) -> Rendered:
    """The quarterly Practice Alert escalations report."""
    title = f"Practice Alert escalations: {data['period_label']}"
    levels = ", ".join(f"{LEVEL_NAMES[Level(int(stage))]} {n}"
                       for stage, n in sorted(data["by_stage"].items(), key=lambda x: int(x[0])))
    categories = "\n".join(f"{CATEGORIES.get(c, c)}: {raised} raised, {esc} escalated"
                           for c, raised, esc in data["by_category"]) or "None raised."
    teams = "\n".join(f"{escape(t)}: {raised} raised, {esc} escalated"
                      for t, raised, esc in data["by_team"]) or "None."
    lines = figure_lines(data)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text":
            f"{data['period_start']} to {data['period_end']}; compared with "
            f"{data['previous_label']}"}]},
        section("\n".join(lines)),
        section(f"*Highest level reached*\n{levels or 'None raised.'}"),
        section(f"*By category*\n{categories}"),
        section(f"*Teams with most escalations*\n{teams}"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": PRIVACY}]},
    ]
    return f"{title}: " + "; ".join(lines[:3]), blocks


def _items(heading: str, items: list[str], more: int) -> str:
    if not items:
        return f"*{heading}*: none"
    tail = f"\n…and {more} more." if more else ""
    return f"*{heading}* ({len(items) + more})\n" + "\n".join(f"• {i}" for i in items) + tail


@template("summary.digest")
def render_digest(data: dict[str, Any]) -> Rendered:
    """A team manager's Monday digest of their team's overdue items."""
    title = f"{data['team']}: overdue this week ({data['week']})"
    total = sum(len(data[k]) + data[f"{k}_more"] for k in ("actions", "supervision", "audits"))
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        section(_items("Actions overdue", data["actions"], data["actions_more"])),
        section(_items("Supervision overdue", data["supervision"], data["supervision_more"])),
        section(_items("Audits overdue (by the team's auditors)", data["audits"],
                       data["audits_more"])),
        section(f"*Practice Alerts open on the team's cases*: {data['alerts_open']}"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text":
            "Use `/qa` or the Home tab to act on your own items. " + PRIVACY}]},
    ]
    return f"{title}: {total} overdue item{'s' if total != 1 else ''}", blocks


@template("good_practice.thanks")
def render_thanks(data: dict[str, Any]) -> Rendered:
    """To the practitioner: their good practice, recorded."""
    case = f" on {escape(data['case_ref'])}" if data.get("case_ref") else ""
    text = (f"{escape(data['given_by'])} recorded your good practice{case}: "
            f"“{escape(data['what'])}”. Thank you! It counts in the QA summaries.")
    return text, [section(f":star: {text}")]


@template("good_practice.told")
def render_told(data: dict[str, Any]) -> Rendered:
    """To the practitioner's line manager and the QA lead."""
    case = f" on {escape(data['case_ref'])}" if data.get("case_ref") else ""
    text = (f"Good practice by {escape(data['practitioner'])}{case}, recorded by "
            f"{escape(data['given_by'])}: “{escape(data['what'])}”.")
    return text, [section(f":star: {text}")]


def headline_blocks(data: dict[str, Any]) -> list[Block]:
    """App Home's headline figures of a leader's scope (a few blocks)."""
    lines = figure_lines(data, HEADLINE)
    return [
        section(f"*{escape(data['scope_label'])}, {data['period_label']}* "
                f"(`/qa-summary` for the full summary)\n" + "\n".join(lines)),
    ]

