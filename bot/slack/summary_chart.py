"""The summary's chart: the period's grades against the previous period's, and their trend.

Drawn with matplotlib's object API on the Agg canvas (no pyplot: its global state is not safe
in listener threads). A PNG's bytes, from the same data the summary message is rendered from.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.audit_form import label
from bot.domain.summary_figures import OTHER_GRADE

OFF_SCALE = "#6e7781"


def _colour(grades: list[str], index: int) -> Any:
    """Best grade green, worst red, evenly between for a scale of any length."""
    if grades[index] == OTHER_GRADE:
        return OFF_SCALE
    count = len([g for g in grades if g != OTHER_GRADE])
    return colormaps["RdYlGn_r"](0.1 + 0.8 * index / max(1, count - 1))


def summary_chart_png(data: dict[str, Any]) -> bytes:
    """The chart as PNG bytes: grade distribution (left), share of each grade by period (right)."""
    figure = Figure(figsize=(10, 4.2), dpi=100)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
    grades = [g for g, _, _ in data["grades"]]
    now = [n for _, n, _ in data["grades"]]
    before = [b for _, _, b in data["grades"]]
    places = range(len(grades))
    width = 0.38
    if data.get("previous_label"):
        left.bar([p - width / 2 for p in places], before, width, color="#afb8c1",
                 label=data["previous_label"])
    left.bar([p + width / 2 for p in places], now, width,
             color=[_colour(grades, i) for i in places], label=data["period_label"])
    left.set_xticks(list(places), [label(g) for g in grades], rotation=15, fontsize=8)
    left.set_ylabel("audits (final grade)")
    left.set_title("Grade distribution", fontsize=10)
    left.legend(fontsize=8)

    periods = [p for p, _ in data["trend"]]
    totals = [sum(n for _, n in counts) for _, counts in data["trend"]]
    bottoms = [0.0] * len(periods)
    for i, grade in enumerate(grades):
        shares = []
        for (_, counts), total in zip(data["trend"], totals, strict=True):
            count = dict(counts).get(grade, 0)
            shares.append(100.0 * count / total if total else 0.0)
        right.bar(periods, shares, 0.6, bottom=bottoms, color=_colour(grades, i),
                  label=label(grade))
        bottoms = [b + s for b, s in zip(bottoms, shares, strict=True)]
    for x, total in enumerate(totals):
        right.annotate(f"n={total}", (x, 101), ha="center", fontsize=7)
    right.set_ylim(0, 110)
    right.set_ylabel("% of audits graded")
    right.set_title("Trend of final grades", fontsize=10)
    right.tick_params(axis="x", labelsize=8, rotation=15)
    right.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    figure.suptitle(f"{data['scope_label']}: {data['period_label']}", fontsize=11)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
