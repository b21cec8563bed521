"""The options of every command that reads a user's file: number format, sheet, jumps, unit."""

from __future__ import annotations

import argparse
from typing import Any

_THOUSANDS = {",": ",", ".": ".", "space": " ", "'": "'", "none": ""}


def add_file_options(parser: argparse.ArgumentParser, *, what: str = "the file") -> None:
    """Add ``--decimal``, ``--thousands``, ``--sheet`` and ``--allow-jumps``."""
    parser.add_argument("--decimal", choices=(".", ","), metavar="MARK", help="\".\" or \",\": the "
                        + f"decimal mark of {what}, when its values do not "
                        "decide it (e.g. 1.300 in a ';'-separated file)")
    parser.add_argument("--thousands", choices=tuple(_THOUSANDS), metavar="MARK", help=f"thousands mark of {what} "
                        "(space, none, or the character)")
    parser.add_argument("--sheet", metavar="NAME", help="the sheet of an Excel workbook (default: the first)")
    parser.add_argument("--allow-jumps", action="store_true",
                        help="accept a change of more than 10 times from one year to the next "
                             "(refused by default as a likely misread number or unit)")


def file_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :func:`forecast.read_series` from the parsed options."""
    out: dict[str, Any] = {}
    if getattr(args, "decimal", None) is not None:
        out["decimal"] = args.decimal
    if getattr(args, "thousands", None) is not None:
        out["thousands"] = _THOUSANDS[args.thousands]
    sheet = getattr(args, "sheet", None)
    if sheet is not None:
        out["sheet"] = int(sheet) if sheet.strip().isdigit() else sheet
    if getattr(args, "allow_jumps", False):
        out["allow_jumps"] = True
    return out
