"""Reading `qabot cycle create`'s options into a NewCycle, listing every problem."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bot.services.cycles import NewCycle

T = TypeVar("T")

#: The service's field names as the operator typed them.
FLAGS: dict[str, str] = {
    "name": "--name",
    "kind": "--kind",
    "opens": "--opens",
    "due": "--due",
    "moderation_due": "--moderation-due",
    "lookback": "--lookback-months",
    "sample_rule": "--per-auditor/--sample",
    "moderation_fraction": "--moderation-fraction",
    "case_types": "--case-type",
    "teams": "--team",
    "services": "--service",
    "seed": "--seed",
}


def add_create_options(create: argparse.ArgumentParser) -> None:
    """The options of `qabot cycle create` (all read as text, then checked together)."""
    create.add_argument("--name", default="", help="the cycle's name")
    create.add_argument("--kind", default="",
                        help="case_file, thematic, supervision_file or practice_observation")
    create.add_argument("--theme", help="an optional theme, shown to auditors")
    create.add_argument("--opens", help="opening date, YYYY-MM-DD")
    create.add_argument("--due", help="date audits are due, YYYY-MM-DD")
    create.add_argument("--moderation-due", help="date moderation is due (default: 10 working "
                        "days after --due)")
    create.add_argument("--lookback-months", help="6 or 12 (default: the setting)")
    create.add_argument("--per-auditor", help="audits per auditor (default: the setting)")
    create.add_argument("--sample", help="a total sample instead of a number per auditor")
    create.add_argument("--moderation-fraction", help="share of audits moderated, 0 to 1")
    create.add_argument("--case-type", action="append", default=[], help="theme: a case type")
    create.add_argument("--team", action="append", default=[], help="theme: a team's name")
    create.add_argument("--service", action="append", default=[], help="theme: a service's name")
    create.add_argument("--seed", help="the draw's random seed (default: random, recorded)")


def _parsed(
    value: str | None, parse: Callable[[str], T], shape: str,
    problems: dict[str, list[str]], field: str,
) -> T | None:
    if value is None:
        return None
    try:
        return parse(value.strip())
    except ValueError:
        problems.setdefault(field, []).append(f"{value!r} is not {shape}")
        return None


def new_cycle_from(args: argparse.Namespace) -> tuple[NewCycle, dict[str, list[str]]]:
    """The cycle asked for, and the problems of reading it (by the service's field names)."""
    problems: dict[str, list[str]] = {}
    day = date.fromisoformat
    whole = "a whole number"
    new = NewCycle(
        name=args.name,
        kind=args.kind,
        theme=args.theme,
        opens_on=_parsed(args.opens, day, "a date YYYY-MM-DD", problems, "opens"),
        audit_due=_parsed(args.due, day, "a date YYYY-MM-DD", problems, "due"),
        moderation_due=_parsed(args.moderation_due, day,
                               "a date YYYY-MM-DD", problems, "moderation_due"),
        lookback_months=_parsed(args.lookback_months, int, whole,
                                problems, "lookback"),
        per_auditor=_parsed(args.per_auditor, int, whole, problems,
                            "sample_rule"),
        sample=_parsed(args.sample, int, whole, problems, "sample_rule"),
        moderation_fraction=_parsed(args.moderation_fraction, float,
                                    "a number from 0 to 1", problems, "moderation_fraction"),
        case_types=tuple(args.case_type),
        teams=tuple(args.team),
        services=tuple(args.service),
        seed=_parsed(args.seed, int, whole, problems, "seed"),
    )
    if args.due is None:
        problems.setdefault("due", []).append("is required: the date audits are due")
    if args.opens is None:
        problems.setdefault("opens", []).append("is required: the opening date")
    return new, problems


def problem_lines(problems: dict[str, list[str]]) -> list[str]:
    """Each problem on its own line, named by the option it is about."""
    return [f"{FLAGS.get(field, field)}: {text}" for field, texts in problems.items()
            for text in texts]
