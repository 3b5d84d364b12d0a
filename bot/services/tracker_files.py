"""A tracker's cells as a file: CSV cells defused, and an XLSX sheet with a bold frozen header.

Shared by `qabot export` (bot/cli/export.py) and the summary's downloads
(bot/services/summaries/downloads.py), so a tracker reads the same whichever way it is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

#: A spreadsheet reads a CSV cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A value as a CSV cell, defused if a spreadsheet would run it as a formula."""
    # Case references and team names come from imported files; a leading quote keeps
    # "=HYPERLINK(…)" as text when the tracker is opened in a spreadsheet (OWASP advice).
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def tracker_sheet(book: Any, tracker: str, header: Sequence[str]) -> Any:
    """A new sheet of a write-only workbook named after the tracker, its header bold, frozen."""
    sheet = book.create_sheet(title=tracker)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


def xlsx_value(sheet: Any, value: str) -> Any:
    """A value as an XLSX cell: empty as no cell at all, a formula kept as text."""
    if not value:
        return None  # an empty cell, not an empty string
    if value.startswith("="):
        # openpyxl would store it as a formula: keep it text, exactly as recorded.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value

