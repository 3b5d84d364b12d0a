"""`qabot cycle create|allocate|open|close|list|receipt` and `qabot staff unavailable`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.cli.common import UsageError, migrated_engine
from bot.cli.cycle_args import add_create_options, new_cycle_from, problem_lines
from bot.cli.export import write_atomically
from bot.clock import SystemClock
from bot.config import Settings, SettingsError, load_settings
from bot.container import build_container
from bot.services.cycles import (
    Actor,
    CycleError,
    allocate_cycle,
    close_cycle,
    create_cycle,
    cycle_problems,
    cycle_receipt,
    list_cycles,
    mark_unavailable,
    open_cycle,
)
from bot.services.cycles.common import CycleProblems
from storage.models import DEFAULT_AUTHORITY_ID

OPERATOR = Actor.operator()


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `cycle` and `staff`."""
    cycle = sub.add_parser("cycle", help="audit cycles: create, draw, open, close, list")
    cycle_sub = cycle.add_subparsers(dest="cycle_command", required=True)
    create = cycle_sub.add_parser("create", help="create a cycle; prints its id last")
    add_create_options(create)
    create.set_defaults(func=_create)
    for name, func, text in (
        ("allocate", _allocate, "draw the cycle and print the receipt (saved only if complete)"),
        ("open", _open, "open an allocated cycle: send everyone their messages"),
        ("close", _close, "close a cycle"),
    ):
        command = cycle_sub.add_parser(name, help=text)
        command.add_argument("cycle_id", metavar="ID", type=int)
        command.set_defaults(func=func)
    listing = cycle_sub.add_parser("list", help="every cycle, its status and its audits")
    listing.set_defaults(func=_list)
    receipt = cycle_sub.add_parser("receipt", help="write the cycle's draw receipt as JSON")
    receipt.add_argument("cycle_id", metavar="ID", type=int)
    receipt.add_argument("--out", required=True, metavar="PATH", help="the file to write")
    receipt.set_defaults(func=_receipt)
    for command in cycle_sub.choices.values():
        command.add_argument("--authority", type=int, default=DEFAULT_AUTHORITY_ID)

    staff = sub.add_parser("staff", help="people in a cycle")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    away = staff_sub.add_parser("unavailable", help="mark someone unavailable and reallocate")
    away.add_argument("email", metavar="EMAIL")
    away.add_argument("--cycle", required=True, type=int, metavar="ID")
    away.add_argument("--reason", default="unavailable",
                      help="unavailable, leave, practice_week or sickness")
    away.add_argument("--authority", type=int, default=DEFAULT_AUTHORITY_ID)
    away.set_defaults(func=_unavailable)


def _create(args: argparse.Namespace) -> int:
    new, problems = new_cycle_from(args)
    engine = migrated_engine()
    try:
        if problems:
            # Report the service's problems too, except for options already unreadable.
            found = cycle_problems(engine, authority_id=args.authority, new=new)
            problems |= {k: v for k, v in found.items() if k not in problems}
            raise CycleProblems(problems)
        created = create_cycle(engine, authority_id=args.authority, actor=OPERATOR, new=new,
                               now=SystemClock().now())
    except CycleProblems as exc:
        for line in problem_lines(exc.problems):
            print(f"qabot: {line}", file=sys.stderr)
        return 1
    cycle = next(c for c in list_cycles(engine, authority_id=args.authority)
                 if c.cycle_id == created.cycle_id)
    print(f"created cycle {cycle.cycle_id}: {cycle.name} ({cycle.kind}), opens "
          f"{cycle.opens_on}, audits due {cycle.audit_due}, moderation due "
          f"{cycle.moderation_due or '-'}, {cycle.sample_rule}")
    print(cycle.cycle_id)
    return 0


def _allocate(args: argparse.Namespace) -> int:
    engine = migrated_engine()
    outcome = _run(lambda: allocate_cycle(engine, authority_id=args.authority, actor=OPERATOR,
                                          cycle_id=args.cycle_id, now=SystemClock().now()))
    for line in outcome.summary.lines():
        print(line)
    if not outcome.saved:
        print(f"nothing was saved: cycle {args.cycle_id} keeps its previous state")
        return 1
    print(f"saved: cycle {args.cycle_id} is allocated (not open): "
          f"{outcome.summary.assignments} audits; `qabot cycle open {args.cycle_id}` sends them")
    return 0


def _open(args: argparse.Namespace) -> int:
    engine = migrated_engine()
    outcome = _run(lambda: open_cycle(engine, authority_id=args.authority, actor=OPERATOR,
                                      cycle_id=args.cycle_id, now=SystemClock().now()))
    if not outcome.opened:
        print(f"cycle {args.cycle_id} is open already: nothing sent again")
        return 0
    print(f"opened cycle {args.cycle_id}: {len(outcome.keys)} messages to {outcome.auditors} "
          f"auditors, {outcome.managers} team managers, {outcome.practitioners} practitioners")
    for email in outcome.not_told:
        print(f"not told (no Slack id, or inactive): {email}")
    _deliver(engine, outcome.keys)
    return 0


def _close(args: argparse.Namespace) -> int:
    engine = migrated_engine()
    before = _run(lambda: close_cycle(engine, authority_id=args.authority, actor=OPERATOR,
                                      cycle_id=args.cycle_id, now=SystemClock().now()))
    print(f"closed cycle {args.cycle_id} (was {before})")
    return 0


def _list(args: argparse.Namespace) -> int:
    engine = migrated_engine()
    lines = list_cycles(engine, authority_id=args.authority)
    if not lines:
        print("no cycles yet: `qabot cycle create` makes one")
    for c in lines:
        audits = ", ".join(f"{n} {s}" for s, n in c.audits.items()) or "no audits"
        print(f"{c.cycle_id:>4}  {c.status:<9}  {c.kind:<20}  opens {c.opens_on}  due "
              f"{c.audit_due}  moderation {c.moderation_due or '-'}  {c.sample_rule}  "
              f"[{audits}]  {c.name}")
    return 0


def _receipt(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.is_dir() or not out.parent.is_dir():
        raise UsageError(f"--out {args.out}: name a file in a folder that exists")
    engine = migrated_engine()
    receipt = _run(lambda: cycle_receipt(engine, authority_id=args.authority,
                                         cycle_id=args.cycle_id))
    write_atomically(out, lambda part: part.write_text(receipt.to_json(), encoding="utf-8"))
    print(f"wrote the receipt of cycle {args.cycle_id} to {out} (seed {receipt.seed}, "
          f"{len(receipt.assignments)} assignments)")
    return 0


def _unavailable(args: argparse.Namespace) -> int:
    engine = migrated_engine()
    outcome = _run(lambda: mark_unavailable(
        engine, authority_id=args.authority, actor=OPERATOR, cycle_id=args.cycle,
        email=args.email, reason=args.reason, now=SystemClock().now(),
    ))
    print(f"{outcome.person} is unavailable for cycle {args.cycle}")
    for line in outcome.moved:
        print(f"reallocated: {line}")
    for line in outcome.not_moved:
        print(f"could not reallocate: {line}")
    _deliver(engine, outcome.keys)
    return 0


def _run(call):  # type: ignore[no-untyped-def]
    """Call a service; its refusals are bad input (exit 1), every problem listed."""
    try:
        return call()
    except CycleProblems as exc:
        raise UsageError("; ".join(problem_lines(exc.problems))) from None
    except CycleError as exc:
        raise UsageError(str(exc)) from None


def _deliver(engine: Engine, keys: list[str]) -> None:
    """Send the queued messages now if Slack is configured; the outbox job sends them else."""
    if not keys:
        return
    try:
        settings = load_settings(Settings)
    except SettingsError:
        print(f"{len(keys)} messages queued: the scheduler's outbox.deliver job sends them")
        return
    report = build_container(settings, engine=engine).sender.deliver_keys(keys)
    print(f"sent {len(report.sent)} messages now; {len(keys) - len(report.sent)} left queued "
          "for the outbox.deliver job")
