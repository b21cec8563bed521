"""Command line: ``python -m forecast <command> ...``.

Each command lives in its own module exposing ``register(subparsers)``; the
module adds its parser(s) and sets ``func`` to a handler taking the parsed
arguments and returning an exit status. Errors a user can cause (any
:class:`forecast.ForecastError`, or a bad argument) print one line on stderr
and exit with status 2, with no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from forecast.errors import ForecastError

# modules that register subcommands, in the order they appear in --help
COMMAND_MODULES = (
    "forecast.cli.data_cmd",
    "forecast.cli.predict_cmd",
    "forecast.cli.claim_cmd",
    "forecast.cli.panel_cmd",
    "forecast.cli.report_cmd",
)

USAGE_ERROR = 2


class UsageError(ForecastError):
    """A command-line argument that cannot be used."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:  # noqa: D102 - argparse hook
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> Parser:
    """Return the parser with every subcommand registered."""
    parser = Parser(
        prog="python -m forecast",
        description="Sourced data, forecasts with honest intervals, claim checks and reports "
        "on the economic damage of cybercrime.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Examples
    --------
    >>> main(["data", "list"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    import forecast.evaluate  # noqa: F401 - registers the model "auto" before any command looks it up

    try:
        return int(args.func(args) or 0)
    except ForecastError as exc:
        from forecast.cli.output import command_line_words

        print(f"error: {command_line_words(str(exc))}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
