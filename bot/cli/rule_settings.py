"""`qabot settings show` and `qabot settings set KEY VALUE`: the rules' settings."""

from __future__ import annotations

import argparse

from bot.cli.common import UsageError, migrated_engine
from bot.clock import SystemClock
from bot.domain.rule_settings import spec_for
from bot.services.rule_settings import RuleSettingError, list_settings, set_setting
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Authority

#: Who the audit log says made a change from the command line (models.AuditLogEntry.actor).
CLI_ACTOR = "system"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `settings`."""
    settings = sub.add_parser("settings", help="the rules' settings of an authority")
    settings_sub = settings.add_subparsers(dest="settings_command", required=True)
    show = settings_sub.add_parser("show", help="every setting, its value, and which are defaults")
    show.add_argument("--authority", type=int, default=DEFAULT_AUTHORITY_ID, help="authority id")
    show.add_argument("--describe", action="store_true", help="say what each setting means")
    show.set_defaults(func=_show)
    set_ = settings_sub.add_parser("set", help="change one setting")
    set_.add_argument("key", help="a key from `qabot settings show`")
    set_.add_argument("value", help="plain text, a number, true/false, or JSON (lists, objects)")
    set_.add_argument("--authority", type=int, default=DEFAULT_AUTHORITY_ID, help="authority id")
    set_.set_defaults(func=_set)


def _show(args: argparse.Namespace) -> int:
    engine = migrated_engine()
    with unit_of_work(engine) as session:
        if session.get(Authority, args.authority) is None:
            raise UsageError(f"no authority {args.authority}")
        try:
            lines = list_settings(session, args.authority)
        except RuleSettingError as exc:
            raise UsageError(str(exc)) from None
    width = max(len(line.key) for line in lines)
    for line in lines:
        text = f"{line.key:<{width}}  {line.value}"
        if line.is_default:
            text += "  (default)"
        if args.describe:
            text += f"  # {line.description}"
        print(text)
    return 0


def _set(args: argparse.Namespace) -> int:
    engine = migrated_engine()
    with unit_of_work(engine) as session:
        try:
            after = set_setting(
                session,
                authority_id=args.authority,
                key=args.key,
                raw_value=args.value,
                actor=CLI_ACTOR,
                now=SystemClock().now(),
            )
        except RuleSettingError as exc:
            raise UsageError(str(exc)) from None
        session.commit()
    print(f"{args.key} = {spec_for(args.key).show(getattr(after, args.key))}")
    return 0
