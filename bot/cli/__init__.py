"""The `qabot` operator command line.

Exit codes: 0 success, 1 bad input (every problem listed), 2 a bad setting.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from bot.cli import cycles, db, export, imports, jobs, rule_settings, run
from bot.cli.common import UsageError
from bot.config import SettingsError

EXIT_OK, EXIT_BAD_INPUT, EXIT_BAD_SETTING = 0, 1, 2
GROUPS = [run, db, jobs, imports, rule_settings, export, cycles]


class _Parser(argparse.ArgumentParser):
    """argparse, but bad input exits 1 as every qabot command does (2 means a bad setting)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command group's subcommands."""
    parser = _Parser(prog="qabot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for group in GROUPS:
        group.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Migrations run quietly at every start; `qabot db upgrade` says when it is done.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or EXIT_OK)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_SETTING
    except UsageError as exc:
        print(f"qabot: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def entry() -> None:
    """The console script."""
    sys.exit(main())
