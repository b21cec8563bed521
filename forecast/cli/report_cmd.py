"""``python -m forecast report``: the one-command PDF report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forecast.cli import UsageError
from forecast.cli.file_options import add_file_options, file_options
from forecast.cli.predict_cmd import _levels


DEFAULT_OUTPUT = "reports/cybercrime-damage-forecast.pdf"


def register(subparsers) -> None:
    """Add the ``report`` command."""
    p = subparsers.add_parser(
        "report",
        help="write the PDF report (data, forecasts with intervals, global estimates, claims)",
        description="Write the PDF report: the data and its sources, the forecast of reported losses with 80% and "
                    "95% intervals and the model's backtest record, the multi-publisher model of the global cost, "
                    "and the headline claims tested. Progress goes to stderr; the last line names the file written.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--dataset", metavar="NAME", help="bundled series to forecast (default: ic3)")
    src.add_argument("--csv", metavar="PATH", help="your own CSV file (with --year-column and --value-column); "
                     "the sections built on the bundled global estimates are then left out")
    p.add_argument("--year-column", metavar="C", help="column of years in --csv (default: year)")
    p.add_argument("--value-column", metavar="C", help="column of values in --csv (default: value)")
    p.add_argument("--unit", metavar="U", help="unit of the --csv values, e.g. USD (default: the unit the header "
                   "states, as in 'Losses (USD)')")
    add_file_options(p, what="--csv")
    p.add_argument("--model", default="auto", metavar="NAME",
                   help="the model of the series (default: auto, chosen or combined by backtest; see "
                        "`python -m forecast predict --help`)")
    p.add_argument("--levels", default="80,95", metavar="L,L",
                   help="the two interval levels shown, in percent (default: 80,95)")
    p.add_argument("--through", metavar="YEAR", type=_year, help="use the data up to YEAR only")
    p.add_argument("--horizon", metavar="N", type=_horizon, default=6,
                   help="years to forecast after the last observation (default: %(default)s)")
    p.add_argument("--claim", metavar="AMOUNT@YEAR", action="append", dest="claims",
                   help='a published figure to test, e.g. "3 trillion@2020" (repeatable; default: the '
                        '$2 trillion in 2019 and $3 trillion in 2020 figures)')
    p.add_argument("--output", metavar="PATH", default=None,
                   help=f"PDF to write (default: {DEFAULT_OUTPUT}, the folder made if missing)")
    p.set_defaults(func=run)


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1900 <= int(text) <= 2200:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year")
    return int(text)


def _horizon(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 30:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of years between 1 and 30")
    return int(text)


def run(args: argparse.Namespace) -> int:
    """Build the report; one line per problem on stderr, the file written last."""
    from forecast.report import build_report, parse_claim

    if args.csv is None and (args.year_column or args.value_column):
        raise UsageError("--year-column and --value-column go with --csv")
    read_options = file_options(args)
    if args.csv is None and (args.unit is not None or read_options):
        flag = "--unit" if args.unit is not None else "--" + next(iter(read_options)).replace("_", "-")
        raise UsageError(f"{flag} goes with --csv (a bundled dataset carries its unit)")
    if "," in args.model:
        raise UsageError(f"--model {args.model!r}: the report forecasts with one model")
    import forecast.evaluate  # noqa: F401 - registers the model "auto"
    from forecast.families import get_spec

    get_spec(args.model)
    levels = _levels(args.levels)
    if len(levels) != 2:
        raise UsageError(f"--levels {args.levels!r}: the report shows two interval levels, e.g. 80,95")
    claims = [parse_claim(c) for c in args.claims] if args.claims else None
    output = args.output
    if output is None:  # the default folder is the report's own: make it when run from elsewhere
        output = DEFAULT_OUTPUT
        Path(output).parent.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")  # a command-line run draws into files only
    from forecast.report import ReportOptions, check_output, load_series

    check_output(output)
    # the data is loaded here, --through applied once as it is; the report is handed the series
    csv_options = {}
    if args.csv is not None:  # the same default columns as predict --csv
        csv_options = {"year_column": args.year_column or "year", "value_column": args.value_column or "value",
                       "unit": args.unit, "read_options": read_options}
    y = load_series(ReportOptions(dataset=args.dataset, csv=args.csv, through=args.through, **csv_options))
    result = build_report(output, series=y, through=args.through, horizon=args.horizon, claims=claims,
                          progress=sys.stderr, model=args.model, levels=levels)
    for title in result.omitted:
        print(f"left out (needs the bundled global estimates): {title}", file=sys.stderr)
    if result.problems:
        print(f"{len(result.problems)} part(s) could not be built; the PDF says which and why.", file=sys.stderr)
    sys.stderr.flush()
    print(f"Wrote {result.path} ({result.pages} pages, {result.seconds:.1f} s)", flush=True)
    return 0
