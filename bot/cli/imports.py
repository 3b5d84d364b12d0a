"""`qabot import teams|staff|cases|supervision FILE.csv` (and `import cases --close-missing`)."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.cli.common import UsageError, migrated_engine
from bot.clock import SystemClock
from bot.config import Settings, SettingsError, load_settings
from bot.services.imports import (
    fill_slack_ids,
    import_cases,
    import_staff,
    import_teams,
    staff_without_slack_ids,
)
from bot.services.imports.outcome import ImportResult
from bot.services.imports.supervision import SUPERVISION_COLUMNS, import_supervision
from bot.services.rule_settings import RuleSettingError
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, Authority

#: Who the audit log says ran an import (models.AuditLogEntry.actor).
CLI_ACTOR = "system"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `import`."""
    group = sub.add_parser("import", help="import teams, staff, cases or supervision (CSV)")
    kinds = group.add_subparsers(dest="import_kind", required=True)
    for kind, what in (
        ("teams", "team,service,team_manager_email,service_manager_email,head_of_service_email"),
        ("staff", "email,name,roles,team,line_manager_email,slack_user_id,auditor[,active,...]"),
        ("cases", "case_ref,team,worker_email,case_type,opened_on,involved_emails"),
        ("supervision", ",".join(SUPERVISION_COLUMNS)),
    ):
        parser = kinds.add_parser(kind, help=f"upsert {kind} from a CSV file ({what})")
        parser.add_argument("file", type=Path, help="a UTF-8 CSV file with a header row")
        parser.add_argument(
            "--authority", type=int, default=DEFAULT_AUTHORITY_ID, help="authority id"
        )
        if kind == "cases":
            parser.add_argument(
                "--close-missing",
                action="store_true",
                help="close open cases that are not in the file (closed today)",
            )
        parser.set_defaults(func=_import, kind=kind)


def _import(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    engine = migrated_engine()
    now = SystemClock().now()
    with unit_of_work(engine) as session:
        if session.get(Authority, args.authority) is None:
            raise UsageError(f"no authority {args.authority}")
        common = {"authority_id": args.authority, "data": data, "actor": CLI_ACTOR, "now": now}
        try:
            result: ImportResult
            if args.kind == "teams":
                result = import_teams(session, **common)
            elif args.kind == "staff":
                result = import_staff(session, **common)
            elif args.kind == "supervision":
                result = import_supervision(session, **common)
            else:
                result = import_cases(session, close_missing=args.close_missing, **common)
        except RuleSettingError as exc:
            raise UsageError(str(exc)) from None
        if not result.ok:
            for problem in result.problems:
                print(problem, file=sys.stderr)
            noun = "problem" if len(result.problems) == 1 else "problems"
            print(
                f"nothing imported from {args.file}: {len(result.problems)} {noun}",
                file=sys.stderr,
            )
            return 1
        session.commit()
    print(result.summary())
    if args.kind == "staff":
        _look_up_slack_ids(engine, args.authority)
    return 0


def _look_up_slack_ids(engine: Engine, authority_id: int) -> None:
    """Find missing Slack ids by e-mail; a missing Slack setting never fails the import."""
    from bot.container import make_web_client
    from bot.slack.user_lookup import SlackLookupError, find_slack_ids

    with unit_of_work(engine) as session:
        if not staff_without_slack_ids(session, authority_id=authority_id):
            return
    try:
        settings = load_settings(Settings)
    except SettingsError as exc:
        print(f"Slack ids were not looked up: {str(exc).removeprefix('qabot: ')}")
        return
    find = functools.partial(find_slack_ids, make_web_client(settings))
    with unit_of_work(engine) as session:
        try:
            lookup = fill_slack_ids(
                session,
                authority_id=authority_id,
                find=find,
                actor=CLI_ACTOR,
                now=SystemClock().now(),
            )
        except SlackLookupError as exc:
            print(f"Slack ids were not looked up: {exc}")
            return
        session.commit()
    if lookup.found or lookup.not_found:
        print(f"Slack ids found by e-mail: {len(lookup.found)}")
    if lookup.not_found:
        print(f"not found in Slack ({len(lookup.not_found)}):")
        for email in lookup.not_found:
            print(f"  {email}")
