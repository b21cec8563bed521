"""``python -m forecast data``: list and show the bundled datasets, check a user's CSV.

Examples
--------
``python -m forecast data list``
``python -m forecast data show ic3 --format csv``
``python -m forecast data check losses.csv --year-column year --value-column loss --unit USD``
"""

from __future__ import annotations

import argparse
import sys

from forecast.cli.file_options import add_file_options, file_options
from forecast.cli.output import add_format_option, command_line_words, emit


def register(subparsers) -> None:
    """Add the ``data`` command and its ``list``, ``show`` and ``check`` subcommands."""
    data = subparsers.add_parser(
        "data",
        help="list, show and check datasets",
        description="The bundled, sourced datasets, and a check of your own CSV file.",
    )
    sub = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND", parser_class=type(data))
    sub.required = True

    p_list = sub.add_parser("list", help="list the bundled datasets",
                            description="List the bundled datasets with a one-line description, rows and years.")
    add_format_option(p_list)
    p_list.set_defaults(func=_list)

    p_show = sub.add_parser("show", help="print one dataset",
                            description="Print a bundled dataset, every row with its source URL.")
    p_show.add_argument("name", metavar="NAME", help="dataset name (see `data list`)")
    add_format_option(p_show)
    p_show.set_defaults(func=_show)

    p_check = sub.add_parser(
        "check", help="validate your own CSV file",
        description="Read a CSV file as an annual series and print what was found (years, gaps, range), "
                    "or one line saying what is wrong (exit status 2).",
    )
    p_check.add_argument("path", metavar="PATH", help="CSV file (UTF-8, one header line) or Excel workbook (.xlsx)")
    p_check.add_argument("--year-column", default="year", metavar="C", help="column holding the years (default: year)")
    p_check.add_argument("--value-column", default="value", metavar="C", help="column holding the values (default: value)")
    p_check.add_argument("--unit", default="", help="unit of the values, e.g. USD (money is then printed as $1.2bn; "
                         "default: the unit the header states, as in 'Losses (USD)')")
    add_file_options(p_check)
    p_check.set_defaults(func=_check)


def _list(args: argparse.Namespace) -> int:
    from forecast.data.registry import datasets

    emit(datasets(), args.format)
    return 0


def _show(args: argparse.Namespace) -> int:
    from forecast.data.registry import load

    emit(load(args.name), args.format, float_format="%.15g")
    return 0


def _check(args: argparse.Namespace) -> int:
    from forecast.data.money import format_amount
    from forecast.data.userfile import read_series

    y = read_series(args.path, year=args.year_column, value=args.value_column, unit=args.unit, **file_options(args))
    years = [p.year for p in y.index]
    unit = y.attrs.get("unit", "")
    gaps = y.attrs.get("gaps", [])
    imin, imax = int(y.to_numpy().argmin()), int(y.to_numpy().argmax())
    lines = [
        f"file:    {args.path}",
        f"columns: year {args.year_column!r}, value {args.value_column!r}" + (f", unit {unit}" if unit else ""),
        f"years:   {years[0]}-{years[-1]}, {len(years)} values",
        f"gaps:    {', '.join(str(g) for g in gaps) if gaps else 'none'}",
        f"min:     {format_amount(float(y.iloc[imin]), unit)} ({years[imin]})",
        f"max:     {format_amount(float(y.iloc[imax]), unit)} ({years[imax]})",
        f"last:    {format_amount(float(y.iloc[-1]), unit)} ({years[-1]})",
    ]
    lines += [f"note:    {command_line_words(n)}" for n in y.attrs.get("notes", [])]
    lines.append("ok: the file can be used as an annual series")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
