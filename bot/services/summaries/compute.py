"""A summary worked out: the figures of a scope and period, against the period before."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.domain.audit_form import label as domain_label
from bot.domain.rule_settings import RuleSettings
from bot.domain.summaries import Period, Scope
from bot.domain.summary_figures import (
    Figure,
    figures_from,
    grade_counts,
    percent,
    weakest_domains,
)
from bot.services.summaries import alert_queries, care_queries, queries
from bot.services.summaries.alert_queries import ALL_CATEGORIES, AlertCounts
from bot.services.summaries.sql import Window, windows_of

TOP_TEAMS = 10


@dataclass
class Summary:
    """Everything a summary says; plain values, so it can be queued and rendered later."""

    scope_key: str
    scope_label: str
    period_label: str
    period_start: str
    period_end: str
    previous_label: str | None
    figures: list[Figure]
    grades: list[tuple[str, int, int]]  # grade, this period, the previous period
    trend: list[tuple[str, list[tuple[str, int]]]]  # period label, counts by grade (best first)
    weakest: list[tuple[str, int, int, float]]  # domain label, graded, below Good, % below
    alerts_by_category: list[tuple[str, int, int]]  # category key, raised, open
    alerts_by_team: list[tuple[str, int, int]]  # team, raised, open (busiest first)
    alert_medians_by_category: dict[str, list[float | None]] = field(default_factory=dict)
    cycle_id: int | None = None

    def figure(self, key: str) -> Figure:
        """One figure by its key."""
        return next(f for f in self.figures if f.key == key)

    def to_data(self) -> dict[str, Any]:
        """The summary as JSON-ready data (for the outbox and its templates)."""
        data = asdict(self)
        data["figures"] = [
            {"key": f.key, "label": f.label, "unit": f.unit, "value": f.value,
             "previous": f.previous, "change": f.change}
            for f in self.figures
        ]
        return data


def _figures(audits: dict[str, int], actions: dict[str, int], alerts: AlertCounts,
             medians: dict[tuple[str, str], float], supervision: dict[str, int],
             good: int) -> dict[str, float | None]:
    return {
        "audits_allocated": audits.get("allocated", 0),
        "audits_submitted": audits.get("submitted", 0),
        "audits_overdue": audits.get("overdue", 0),
        "audits_moderated": audits.get("moderated", 0),
        "agreement_rate": percent(audits.get("agreed", 0), audits.get("judged", 0)),
        "actions_due": actions.get("due", 0),
        "actions_open": actions.get("open", 0),
        "actions_overdue": actions.get("overdue", 0),
        "actions_closed_on_time": actions.get("closed_on_time", 0),
        "alerts_raised": alerts.raised,
        "alerts_open": alerts.open,
        "alert_ack_hours": medians.get(("ack", ALL_CATEGORIES)),
        "alert_resolve_hours": medians.get(("resolve", ALL_CATEGORIES)),
        "supervision_held": supervision.get("held", 0),
        "supervision_on_time": percent(supervision.get("on_time", 0),
                                       supervision.get("with_previous", 0)),
        "supervision_missed": supervision.get("missed", 0),
        "good_practice": good,
    }


def compute_summary(session: Session, *, authority_id: int, settings: RuleSettings,
                    scope: Scope, trend: list[Period], has_previous: bool,
                    today: date) -> Summary:
    """The summary of `scope` for the last of `trend` (oldest first), in a fixed number of
    queries; `has_previous` says whether the period before it is the one just before in
    `trend` (a first cycle has none)."""
    tz = settings.calendar().tz
    all_windows = windows_of(trend, tz)
    current = all_windows[-1]
    compared: list[Window] = all_windows[-2:] if has_previous else [current]
    previous = compared[0] if has_previous else None
    common: dict[str, Any] = {"session": session, "authority_id": authority_id, "scope": scope}
    audits = queries.audit_counts(**common, windows=compared, today=today)
    grades = queries.grade_counts(**common, windows=all_windows)
    domains = queries.domain_counts(**common, window=current)
    actions = queries.action_counts(**common, windows=compared, today=today)
    alerts = alert_queries.alert_counts(**common, windows=compared)
    medians = alert_queries.alert_medians(**common, windows=compared)
    supervision = care_queries.supervision_counts(
        **common, windows=compared, frequencies=settings.supervision_frequency_weeks,
        assessed_weeks=settings.supervision_frequency_weeks_assessed_year)
    good = care_queries.good_practice_counts(**common, windows=compared)

    def values(window: Window) -> dict[str, float | None]:
        i = window.index
        return _figures(audits.get(i, {}), actions.get(i, {}), alerts.get(i, AlertCounts()),
                        {(m, c): v for (b, m, c), v in medians.items() if b == i},
                        supervision.get(i, {}), good.get(i, 0))

    scale = settings.grading_scale
    now_grades = dict(grade_counts(grades.get(current.index, {}), scale))
    before = dict(grade_counts(grades.get(previous.index, {}), scale)) if previous else {}
    shown = list(now_grades) + [g for g in before if g not in now_grades]
    this_alerts = alerts.get(current.index, AlertCounts())
    return Summary(
        scope_key=scope.key, scope_label=scope.label, period_label=current.period.label,
        period_start=current.period.start.isoformat(), period_end=current.period.end.isoformat(),
        previous_label=previous.period.label if previous else None,
        figures=figures_from(values(current), values(previous) if previous else None),
        grades=[(g, now_grades.get(g, 0), before.get(g, 0)) for g in shown],
        trend=[(w.period.label, grade_counts(grades.get(w.index, {}), scale))
               for w in all_windows],
        weakest=[(domain_label(s.domain), s.graded, s.below_good, s.below_good_percent)
                 for s in weakest_domains(domains, scale)],
        alerts_by_category=sorted(((c, r, o) for c, (r, o, _) in this_alerts.by_category.items()),
                                  key=lambda x: (-x[1], x[0])),
        alerts_by_team=sorted(((t, r, o) for t, (r, o, _) in this_alerts.by_team.items()),
                              key=lambda x: (-x[1], x[0]))[:TOP_TEAMS],
        alert_medians_by_category={
            c: [medians.get((current.index, "ack", c)), medians.get((current.index, "resolve", c))]
            for c in this_alerts.by_category
        },
        cycle_id=current.period.cycle_id,
    )
