"""The summary's figures worked out again in plain Python over the generated rows.

Independent of the service's SQL: it reads `tests.fakes.summary_data.SummaryData` (the rows
as inserted) and applies PRODUCT.md section 6's definitions as `bot.domain.summary_figures`'
docstring words them, one row at a time.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.summary_data import SummaryData

LONDON = ZoneInfo("Europe/London")
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
BELOW_GOOD = ("requires_improvement", "inadequate")
DEFAULT_WEEKS, ASSESSED_WEEKS = 4, 2


@dataclass(frozen=True)
class Ask:
    """A scope (team ids, or one person) and a period (dates, or a cycle)."""

    start: date
    end: date
    cycle_id: int | None = None
    team_ids: frozenset[int] | None = None
    staff_id: int | None = None


def _local_day(at: datetime) -> date:
    return at.astimezone(LONDON).date()


def _team_ok(ask: Ask, team_id: int | None) -> bool:
    return ask.team_ids is None or team_id in ask.team_ids


def audits_of(data: SummaryData, ask: Ask) -> list[dict[str, Any]]:
    """The period's audits in scope (not cancelled)."""
    found = []
    for audit in data.audits:
        if audit["status"] == "cancelled":
            continue
        if ask.cycle_id is not None:
            if audit["cycle_id"] != ask.cycle_id:
                continue
        elif not ask.start <= audit["audit_due"] <= ask.end:
            continue
        if ask.staff_id is not None:
            if ask.staff_id not in (audit["worker_id"], audit.get("subject_staff_id")):
                continue
        elif not _team_ok(ask, audit["team_id"]):
            continue
        found.append(audit)
    return found


def grades_of(data: SummaryData, ask: Ask) -> Counter[str]:
    """Final grades (moderated if any) of the submitted audits."""
    return Counter(a["moderated_grade"] or a["auditor_grade"] for a in audits_of(data, ask)
                   if a["submitted_at"] is not None)


def weakest_of(data: SummaryData, ask: Ask) -> list[tuple[str, int, int]]:
    """(domain key, graded, below Good) of the three weakest domains."""
    submitted = {a["id"] for a in audits_of(data, ask) if a["submitted_at"] is not None}
    by_domain: dict[str, list[str]] = defaultdict(list)
    for form in data.forms:
        if form["audit_id"] in submitted and form["role"] == "auditor" and not form["is_draft"]:
            for domain, answer in json.loads(form["data"])["domains"].items():
                if answer.get("grade") in GRADES:
                    by_domain[domain].append(answer["grade"])
    rows = []
    for domain, grades in by_domain.items():
        below = sum(1 for g in grades if g in BELOW_GOOD)
        mean = sum(GRADES.index(g) for g in grades) / len(grades)
        rows.append((-below / len(grades), -round(mean, 3), domain, len(grades), below))
    rows.sort()
    return [(domain, graded, below) for _, _, domain, graded, below in rows[:3]]


def _alerts_of(data: SummaryData, ask: Ask) -> list[dict[str, Any]]:
    return [a for a in data.alerts
            if ask.start <= _local_day(a["raised_at"]) <= ask.end
            and (a["raised_by_id"] == ask.staff_id if ask.staff_id is not None
                 else _team_ok(ask, a["team_id"]))]


def _median_hours(alerts: list[dict[str, Any]], column: str) -> float | None:
    seconds = [(a[column] - a["raised_at"]).total_seconds() for a in alerts if a[column]]
    return round(statistics.median(seconds) / 3600.0, 1) if seconds else None


def alert_breakdown(data: SummaryData, ask: Ask) -> dict[str, tuple[int, int, Any, Any]]:
    """Per category: raised, open, median hours to acknowledge and to resolve."""
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alert in _alerts_of(data, ask):
        by[alert["category"]].append(alert)
    return {c: (len(rows), sum(1 for a in rows if a["is_open"]),
                _median_hours(rows, "acknowledged_at"), _median_hours(rows, "resolved_at"))
            for c, rows in by.items()}


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def _supervision(data: SummaryData, ask: Ask) -> tuple[int, int, int, int]:
    """Held, held with an earlier session, of those within frequency, and missed."""
    staff = data.people.staff
    previous: dict[int, date] = {}
    held = with_previous = on_time = 0
    # Oldest first; rows were inserted (so numbered) in list order, which breaks ties.
    ordered = sorted(enumerate(data.supervision), key=lambda x: (x[1]["held_on"], x[0]))
    for _, row in ordered:
        if not row["held"]:
            continue
        who, day = row["supervisee_id"], row["held_on"]
        before = previous.get(who)
        previous[who] = day
        in_scope = (who == ask.staff_id if ask.staff_id is not None
                    else _team_ok(ask, staff[who]["team_id"]))
        if not (in_scope and ask.start <= day <= ask.end):
            continue
        held += 1
        if before is None:
            continue
        with_previous += 1
        assessed = staff[who]["assessed_year_until"]
        weeks = ASSESSED_WEEKS if assessed is not None and day <= assessed else DEFAULT_WEEKS
        on_time += (day - before).days <= weeks * 7
    missed = sum(1 for r in data.supervision if not r["held"]
                 and ask.start <= r["held_on"] <= ask.end
                 and (r["supervisee_id"] == ask.staff_id if ask.staff_id is not None
                      else _team_ok(ask, staff[r["supervisee_id"]]["team_id"])))
    return held, with_previous, on_time, missed


def figures(data: SummaryData, ask: Ask, today: date) -> dict[str, float | None]:
    """Every figure of a scope and period, as a summary lists them."""
    audits = audits_of(data, ask)
    submitted = [a for a in audits if a["submitted_at"] is not None]
    judged = [a for a in audits if a["moderation_agreed"] is not None]
    actions = [a for a in data.actions if ask.start <= a["due"] <= ask.end
               and (a["owner_id"] == ask.staff_id if ask.staff_id is not None
                    else _team_ok(ask, a["team_id"]))]
    alerts = _alerts_of(data, ask)
    held, with_previous, on_time, missed = _supervision(data, ask)
    good = [g for g in data.good_practice if ask.start <= _local_day(g["given_at"]) <= ask.end
            and (g["practitioner_id"] == ask.staff_id if ask.staff_id is not None
                 else _team_ok(ask, g["team_id"]))]
    return {
        "audits_allocated": len(audits),
        "audits_submitted": len(submitted),
        "audits_overdue": sum(1 for a in audits
                              if a["submitted_at"] is None and a["audit_due"] < today),
        "audits_moderated": sum(1 for a in audits if a["moderated_at"] is not None),
        "agreement_rate": _percent(sum(1 for a in judged if a["moderation_agreed"]),
                                   len(judged)),
        "actions_due": len(actions),
        "actions_open": sum(1 for a in actions if a["status"] != "closed"),
        "actions_overdue": sum(1 for a in actions if a["status"] == "open" and a["due"] < today),
        "actions_closed_on_time": sum(
            1 for a in actions if a["status"] == "closed"
            and (a["done_on"] or a["verified_on"]) <= a["due"]),
        "alerts_raised": len(alerts),
        "alerts_open": sum(1 for a in alerts if a["is_open"]),
        "alert_ack_hours": _median_hours(alerts, "acknowledged_at"),
        "alert_resolve_hours": _median_hours(alerts, "resolved_at"),
        "supervision_held": held,
        "supervision_on_time": _percent(on_time, with_previous),
        "supervision_missed": missed,
        "good_practice": len(good),
    }
