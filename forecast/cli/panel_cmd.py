"""``panel`` command: forecasts of every series of a panel, reconciled to the total.

``python -m forecast panel --dataset ic3_by_state --through 2024 --horizon 3
--format csv`` prints one row per series and year (columns ``series, year,
model, mean, median, lower_80, upper_80, lower_95, upper_95``), with the
reconciled total as ``series = "Total"`` where the series add up to one.
Everything is computed before anything is printed, so an error leaves
nothing half-written.
"""

from __future__ import annotations

import argparse
from typing import Any

from forecast.cli.output import add_format_option, horizon_arg, emit
from forecast.errors import ForecastError


class _UsageError(ForecastError):
    """An argument value that cannot be used."""


def register(subparsers: Any) -> None:
    """Add the ``panel`` command."""
    p = subparsers.add_parser("panel", help="forecast every series of a panel (by state, crime type, ...)",
                              description="Fit one model per series of a panel and forecast them with intervals; "
                              "where the series add up to a total, the forecasts are reconciled so that they add "
                              "up too (the total is the row 'Total').")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", metavar="NAME", help="ic3_by_state or ic3_by_crime_type")
    src.add_argument("--csv", metavar="PATH", help="a long CSV file: one row per series and year")
    p.add_argument("--key-column", metavar="C", help="--csv: the column naming the series (required with --csv)")
    p.add_argument("--year-column", default="year", metavar="C", help="--csv: the year column (default: year)")
    p.add_argument("--value-column", metavar="C", help="--csv: the value column (required with --csv)")
    p.add_argument("--through", type=int, metavar="YEAR", help="use only the years up to YEAR")
    p.add_argument("--horizon", type=horizon_arg, default=3, metavar="N", help="years ahead (default: 3)")
    p.add_argument("--model", default="auto", metavar="NAME",
                   help="auto (drift and ETS mixed), drift, ets, or another model of `forecast.models()`")
    p.add_argument("--reconcile", default="auto", metavar="METHOD",
                   help="auto, none, bottom_up, ols, wls_struct or mint_shrink (default: auto = mint_shrink where "
                        "the series add up to a total, none where they overlap)")
    p.add_argument("--levels", default="80,95", metavar="L,L", help="interval levels in percent (default: 80,95)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the simulated paths (default: 0)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run the fits on a Dask cluster at ADDRESS")
    add_format_option(p)
    p.set_defaults(func=run_panel)


def run_panel(args: argparse.Namespace) -> int:
    """Handler of ``panel``."""
    from forecast.panel import fit_panel

    if args.csv and (not args.key_column or not args.value_column):
        raise _UsageError("--csv needs --key-column and --value-column")
    if args.dataset and (args.key_column or args.value_column):
        raise _UsageError("--key-column and --value-column go with --csv")
    try:
        levels = [float(v) for v in args.levels.split(",") if v.strip()]
    except ValueError:
        raise _UsageError(f"--levels {args.levels!r}: give numbers in percent, e.g. 80,95") from None
    reconcile = None if args.reconcile == "none" else args.reconcile
    res = fit_panel(args.dataset or args.csv, key=args.key_column, year=args.year_column, value=args.value_column,
                    model=args.model, reconcile=reconcile, through=args.through, seed=args.seed,
                    client=args.scheduler)
    fc = res.forecast(horizon=args.horizon, levels=levels)
    fc = fc.rename(columns={res.key: "series"})
    cols = ["series", "year", "model", *[c for c in fc.columns if c not in ("series", "year", "model")]]
    emit(fc[cols], args.format)
    return 0
