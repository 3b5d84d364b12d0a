"""Block Kit pieces for summaries: figures with their change, grades, domains, alerts.

Pure functions of a summary's data (`Summary.to_data()`), shared by the summary message, the
scheduled reports and App Home.
"""

from __future__ import annotations

from typing import Any

from bot.domain.alerts import CATEGORIES
from bot.domain.audit_form import label as grade_label
from bot.domain.summary_figures import COUNT, FIGURES, HOURS, PERCENT, WORSE_WHEN_UP
from bot.slack.render import escape, section

Block = dict[str, Any]


def value_text(value: float | None, unit: str) -> str:
    """A figure as people read it: `12`, `88.9%`, `38.7 h`, or `–` when there is none."""
    if value is None:
        return "–"
    if unit == PERCENT:
        return f"{value:.1f}%"
    if unit == HOURS:
        return f"{value:.1f} h"
    return f"{int(value):,}"


def change_text(figure: dict[str, Any], previous_label: str | None) -> str:
    """The change since the previous period, with an arrow that says whether it is good news."""
    change = figure.get("change")
    if previous_label is None or change is None:
        return ""
    if change == 0:
        return f"  _(no change on {previous_label})_"
    unit = figure["unit"]
    amount = {PERCENT: f"{abs(change):.1f} pts", HOURS: f"{abs(change):.1f} h",
              COUNT: f"{abs(int(change)):,}"}[unit]
    worse = (change > 0) == (figure["key"] in WORSE_WHEN_UP)
    arrow = "▲" if change > 0 else "▼"
    mood = "worse" if worse else "better"
    return f"  _{arrow} {amount} on {previous_label} ({mood})_"


def figure_lines(data: dict[str, Any], keys: tuple[str, ...] | None = None) -> list[str]:
    """One line per figure: label, value, change."""
    lines = []
    for figure in data["figures"]:
        if keys is not None and figure["key"] not in keys:
            continue
        lines.append(f"{figure['label']}: *{value_text(figure['value'], figure['unit'])}*"
                     + change_text(figure, data.get("previous_label")))
    return lines


def figure_sections(data: dict[str, Any]) -> list[Block]:
    """The figures grouped under their headings (Audits, Actions, …), one block each."""
    groups: dict[str, list[str]] = {}
    by_key = {f["key"]: f for f in data["figures"]}
    for key, (_, _, heading) in FIGURES.items():
        if key in by_key:
            one = {**data, "figures": [by_key[key]]}
            groups.setdefault(heading, []).extend(figure_lines(one))
    return [section(f"*{heading}*\n" + "\n".join(lines)) for heading, lines in groups.items()]


def grade_line(data: dict[str, Any]) -> str:
    """The final grades of the period, best first, with the previous period's."""
    if not any(now or before for _, now, before in data["grades"]):
        return "*Grades* (final: the moderated grade when there is one)\nNo audits graded."
    parts = [f"{grade_label(g)} *{now}*" + (f" ({before})" if data.get("previous_label") else "")
             for g, now, before in data["grades"]]
    before = f" (in brackets: {data['previous_label']})" if data.get("previous_label") else ""
    return f"*Grades* (final: the moderated grade when there is one){before}\n" + " · ".join(parts)


def domain_line(data: dict[str, Any]) -> str:
    """The weakest domains of the submitted audits."""
    if not data["weakest"]:
        return "*Weakest domains*\nNo domain grades yet."
    lines = [f"{i}. {escape(domain)}: {share:.0f}% below Good ({below} of {graded})"
             for i, (domain, graded, below, share) in enumerate(data["weakest"], start=1)]
    return "*Weakest domains*\n" + "\n".join(lines)


def alert_lines(data: dict[str, Any]) -> str:
    """Practice Alerts of the period by category and by team (raised, open)."""
    if not data["alerts_by_category"]:
        return "*Practice Alerts by category and team*\nNone raised."
    medians = data.get("alert_medians_by_category") or {}
    lines = []
    for category, raised, still_open in data["alerts_by_category"]:
        ack, resolve = medians.get(category, [None, None])
        lines.append(f"{CATEGORIES.get(category, category)}: {raised} raised, {still_open} open; "
                     f"median {value_text(ack, HOURS)} to acknowledge, "
                     f"{value_text(resolve, HOURS)} to resolve")
    teams = ", ".join(f"{escape(team)} {raised} ({still_open} open)"
                      for team, raised, still_open in data["alerts_by_team"])
    return ("*Practice Alerts by category and team* (elapsed hours)\n" + "\n".join(lines)
            + f"\nBusiest teams: {teams}")


def summary_body(data: dict[str, Any], title: str) -> list[Block]:
    """A summary's blocks: heading, figures, grades, domains, alerts (under 20 blocks)."""
    compared = (f"; compared with {data['previous_label']}" if data.get("previous_label")
                else "; no earlier period to compare with")
    return [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text":
            f"{data['period_start']} to {data['period_end']}{compared}"}]},
        *figure_sections(data),
        section(grade_line(data)),
        section(domain_line(data)),
        section(alert_lines(data)),
    ]
