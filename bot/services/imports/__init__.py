"""Imports of the directory and case list from CSV (PRODUCT.md section 8).

Each import parses the whole file first and collects every bad row with its line number;
if any row is bad nothing is written. Otherwise the rows are upserted with set-based
statements in the caller's one transaction.
"""

from bot.services.imports.cases import CASE_COLUMNS, check_cases, import_cases
from bot.services.imports.outcome import ImportResult
from bot.services.imports.slack_ids import (
    FindSlackIds,
    SlackIdLookup,
    fill_slack_ids,
    staff_without_slack_ids,
    store_slack_ids,
)
from bot.services.imports.staff import STAFF_COLUMNS, STAFF_OPTIONAL, check_staff, import_staff
from bot.services.imports.table import Problem
from bot.services.imports.teams import TEAM_COLUMNS, check_teams, import_teams

__all__ = [
    "CASE_COLUMNS",
    "STAFF_COLUMNS",
    "STAFF_OPTIONAL",
    "TEAM_COLUMNS",
    "FindSlackIds",
    "ImportResult",
    "Problem",
    "SlackIdLookup",
    "check_cases",
    "check_staff",
    "check_teams",
    "fill_slack_ids",
    "import_cases",
    "import_staff",
    "import_teams",
    "staff_without_slack_ids",
    "store_slack_ids",
]
