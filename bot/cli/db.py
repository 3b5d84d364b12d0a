"""`qabot db upgrade`."""

from __future__ import annotations

import argparse

from bot.cli.common import migrated_engine


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `db`."""
    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply every migration (safe to run concurrently)")
    up.set_defaults(func=_upgrade)


def _upgrade(_: argparse.Namespace) -> int:
    migrated_engine()
    print("database is up to date")
    return 0
