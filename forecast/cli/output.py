"""Printing frames on the terminal as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from typing import TextIO

import pandas as pd

FORMATS = ("table", "csv", "json")

#: The longest horizon a command accepts, in years.
MAX_HORIZON = 100


def horizon_arg(text: str) -> int:
    """``--horizon``'s value: a whole number of years from 1 to :data:`MAX_HORIZON`.

    Examples
    --------
    >>> horizon_arg("6")
    6
    """
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= v <= MAX_HORIZON:
        raise argparse.ArgumentTypeError(f"{v} is not between 1 and {MAX_HORIZON}")
    return v


def add_format_option(parser, default: str = "table") -> None:
    """Add ``--format table|csv|json`` to ``parser``."""
    parser.add_argument("--format", choices=FORMATS, default=default, help="output format (default: %(default)s)")


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value


def emit(frame: pd.DataFrame, fmt: str, out: TextIO | None = None, *, index: bool = False,
         float_format: str | None = None) -> None:
    """Write ``frame`` to ``out`` (stdout by default) in format ``fmt``.

    Examples
    --------
    >>> emit(pd.DataFrame({"year": [2024], "value": [1.5]}), "csv")
    year,value
    2024,1.5
    """
    out = out or sys.stdout
    if index:
        frame = frame.reset_index()
    if fmt == "csv":
        frame.to_csv(out, index=False, lineterminator="\n", float_format=float_format)
    elif fmt == "json":
        records = [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        json.dump(records, out, indent=2)
        out.write("\n")
    elif fmt == "table":
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            out.write(frame.to_string(index=False, float_format=(lambda v: float_format % v) if float_format else None))
            out.write("\n")
    else:  # pragma: no cover - argparse restricts choices
        raise ValueError(f"unknown format {fmt!r}")


#: keyword arguments named in library messages, and the command-line options that set them
_OPTIONS = ("allow_jumps", "capacity_share_of_gdp", "capacity", "decimal", "thousands", "sheet", "levels",
            "horizon", "model", "unit", "candidates", "combine", "calibrate")
_KEYWORD = re.compile(r"\b(?P<name>" + "|".join(_OPTIONS) + r")=(?P<value>'[^']*'|<[^>]*>|True\b|[0-9][0-9.]*)?")


def command_line_words(text: str) -> str:
    """Say a library message in the words of the command line: ``capacity=`` becomes ``--capacity``.

    Examples
    --------
    >>> command_line_words("use model='exponential', or fit again with capacity=<ceiling in USD>")
    'use --model exponential, or fit again with --capacity <ceiling in USD>'
    >>> command_line_words("say which: decimal=',' (1.300 = 1300); or accept them with allow_jumps=True")
    'say which: --decimal , (1.300 = 1300); or accept them with --allow-jumps'
    """
    def flag(m: re.Match) -> str:
        name, value = "--" + m.group("name").replace("_", "-"), m.group("value")
        if value is None or value == "True":
            return name
        return f"{name} {value.strip(chr(39))}"

    return _KEYWORD.sub(flag, text)
