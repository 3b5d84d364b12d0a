"""What a summary counts, in what order, and how its figures are worked out from the counts.

Pure (PRODUCT.md section 6). The definitions, for a period and a scope:

- audits: those due in the period (a cycle's period: the cycle's audits), not cancelled.
  *Submitted* have a submission; *overdue* are not submitted and due before today; *moderated*
  have a moderation. The *final grade* is the moderated grade when there is one, else the
  auditor's. The *agreement rate* is the share of moderations that agreed with the auditor.
- weakest domains: from the submitted audit forms' domain grades; a domain is weaker the larger
  its share of grades below Good, then the worse its mean place on the scale.
- actions: those due in the period. *Open* are not closed (open, or done awaiting
  verification); *overdue* are still open (not marked done) and due before today; *closed on
  time* are closed and were done on or before their due date.
- Practice Alerts: those raised in the period. *Open* are not yet resolved; the median times
  to acknowledge and to resolve are in elapsed hours (clock time, not working time).
- supervision: sessions held in the period; *within frequency* when the gap since the
  supervisee's previous session held is at most their frequency (weeks, by role, tighter in the
  assessed year, as `bot.domain.supervision.frequency_weeks`); *missed* are sessions recorded
  as missed.
- good practice: records given in the period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.grading_scale import GradingScale

COUNT, PERCENT, HOURS = "count", "percent", "hours"

#: Every figure, in the order a summary lists them: key -> (label, unit, section).
FIGURES: dict[str, tuple[str, str, str]] = {
    "audits_allocated": ("Audits allocated", COUNT, "Audits"),
    "audits_submitted": ("Audits submitted", COUNT, "Audits"),
    "audits_overdue": ("Audits overdue", COUNT, "Audits"),
    "audits_moderated": ("Audits moderated", COUNT, "Audits"),
    "agreement_rate": ("Auditor–moderator agreement", PERCENT, "Audits"),
    "actions_due": ("Actions due", COUNT, "Actions"),
    "actions_open": ("Actions open", COUNT, "Actions"),
    "actions_overdue": ("Actions overdue", COUNT, "Actions"),
    "actions_closed_on_time": ("Actions closed on time", COUNT, "Actions"),
    "alerts_raised": ("Practice Alerts raised", COUNT, "Practice Alerts"),
    "alerts_open": ("Practice Alerts open", COUNT, "Practice Alerts"),
    "alert_ack_hours": ("Median time to acknowledge (hours)", HOURS, "Practice Alerts"),
    "alert_resolve_hours": ("Median time to resolve (hours)", HOURS, "Practice Alerts"),
    "supervision_held": ("Supervision sessions held", COUNT, "Supervision"),
    "supervision_on_time": ("Supervision kept to frequency", PERCENT, "Supervision"),
    "supervision_missed": ("Supervision sessions missed", COUNT, "Supervision"),
    "good_practice": ("Good practice records", COUNT, "Good practice"),
}
#: The figures App Home shows leaders.
HEADLINE = ("audits_submitted", "audits_overdue", "agreement_rate", "actions_overdue",
            "alerts_open", "supervision_on_time", "good_practice")
#: Where a figure going up is bad news (for the arrows people read).
WORSE_WHEN_UP = frozenset({"audits_overdue", "actions_open", "actions_overdue", "alerts_open",
                           "alert_ack_hours", "alert_resolve_hours", "supervision_missed",
                           "alerts_escalated", "alerts_past_limit"})
OTHER_GRADE = "other"


@dataclass(frozen=True)
class Figure:
    """One figure of the period, with the previous period's for comparison."""

    key: str
    value: float | None
    previous: float | None

    @property
    def label(self) -> str:
        """What the figure is called."""
        return FIGURES[self.key][0]

    @property
    def unit(self) -> str:
        """count, percent or hours."""
        return FIGURES[self.key][1]

    @property
    def change(self) -> float | None:
        """The change since the previous period (None when either is unknown)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def percent(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, one decimal; None when there is nothing to count."""
    return None if whole == 0 else round(100.0 * part / whole, 1)


def figures_from(current: Mapping[str, float | None],
                 previous: Mapping[str, float | None] | None) -> list[Figure]:
    """Every figure in order, each with its previous value when there is a previous period."""
    return [
        Figure(key, current.get(key), None if previous is None else previous.get(key))
        for key in FIGURES
    ]


def grade_counts(counts: Mapping[str | None, int], scale: GradingScale) -> list[tuple[str, int]]:
    """Counts by grade in the scale's order (best first), grades off the scale as `other`."""
    shown = [(grade, counts.get(grade, 0)) for grade in scale.grades]
    other = sum(n for grade, n in counts.items() if grade is not None and grade not in scale.grades)
    if other:
        shown.append((OTHER_GRADE, other))
    return shown


@dataclass(frozen=True)
class DomainStanding:
    """How one domain was graded: how many grades, how many below Good, mean place (0 best)."""

    domain: str
    graded: int
    below_good: int
    mean_rank: float

    @property
    def below_good_percent(self) -> float:
        """The share of its grades below Good, as a percentage."""
        return percent(self.below_good, self.graded) or 0.0


def weakest_domains(counts: Mapping[str, Mapping[str, int]], scale: GradingScale,
                    limit: int = 3) -> list[DomainStanding]:
    """The weakest domains first: most grades below Good, then worst mean place."""
    standings = []
    for domain, by_grade in counts.items():
        on_scale = {g: n for g, n in by_grade.items() if g in scale.grades and n > 0}
        graded = sum(on_scale.values())
        if graded == 0:
            continue
        below = sum(n for g, n in on_scale.items() if scale.is_below_good(g))
        mean = sum(scale.rank(g) * n for g, n in on_scale.items()) / graded
        standings.append(DomainStanding(domain, graded, below, round(mean, 3)))
    standings.sort(key=lambda s: (-s.below_good / s.graded, -s.mean_rank, s.domain))
    return standings[:limit]


def middle(values: list[float]) -> float | None:
    """The median of some values (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    return (ordered[half - 1] + ordered[half]) / 2
