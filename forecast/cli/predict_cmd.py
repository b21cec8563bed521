"""``predict`` and ``backtest`` commands.

``python -m forecast predict --dataset ic3 --horizon 6`` prints the forecast
of a series; ``python -m forecast backtest --dataset ic3`` prints the
rolling-origin accuracy of the models. Output is computed in full before
anything is printed, so an error leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from forecast.cli.file_options import add_file_options, file_options
from forecast.cli.output import add_format_option, horizon_arg, command_line_words, emit
from forecast.errors import ForecastError

CALIBRATION_MODES = ("rescale", "widen", "by_horizon", "by_level", "none")
AUTO_HELP = """\
auto (the default model):
  1. backtests each candidate on the series (rolling origin, horizons 1-3, every origin
     at which all candidates can be fitted), scored by the weighted interval score;
  2. uses the equal-weight combination of the candidates (--combine true), or the
     combination only when it scores no worse than the best one (--combine auto), or
     the best one (--combine false);
  3. calibrates the interval width from the backtest errors of its choice
     (--calibrate rescale|widen|by_horizon|by_level|none).
  The default candidates are the local time-series models drift, arima, ets and
  ets_damped. The global trend curves (exponential, quadratic, logistic, gompertz)
  are left out by default; add them with --candidates. The notes say what auto
  chose and why, and whether a model left out would have backtested better.

columns: year, model, mean (bias-adjusted), median, lower_L/upper_L for each level,
growth_pct (annual growth of the median from the last observation, in percent)."""
MODEL_NAMES = ("linear, exponential, quadratic, logistic, gompertz, drift, ets, ets_damped, arima, auto "
               "(forecast.models() describes them)")


class _UsageError(ForecastError):
    """An argument value that cannot be used."""


def _add_source(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", metavar="NAME", help="a curated dataset (see `python -m forecast data list`)")
    src.add_argument("--csv", metavar="PATH", help="a CSV file (or .xlsx workbook) with a year column and a value "
                     "column")
    parser.add_argument("--year-column", default="year", metavar="C", help="year column of --csv (default: year)")
    parser.add_argument("--value-column", default="value", metavar="C",
                        help="value column of --csv (default: value)")
    parser.add_argument("--unit", metavar="U",
                        help="unit of the --csv values, e.g. USD (money is then printed as $1.2bn; default: the "
                        "unit the header states, as in 'Losses (USD)')")
    add_file_options(parser, what="--csv")
    parser.add_argument("--state", metavar="NAME", help="--dataset ic3_by_state: the state")
    parser.add_argument("--crime-type", metavar="NAME", help="--dataset ic3_by_crime_type: the crime type, e.g. BEC")
    parser.add_argument("--column", metavar="C", help="--dataset: another column, e.g. complaints")
    parser.add_argument("--revised", action="store_true", help="--dataset ic3: later revisions where there are some")
    parser.add_argument("--through", type=int, metavar="YEAR", help="use only the years up to YEAR")


def register(subparsers: Any) -> None:
    """Add the ``predict`` and ``backtest`` commands."""
    p = subparsers.add_parser(
        "predict", help="forecast a series with intervals",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Forecast an annual series: medians, bias-adjusted means, prediction intervals and the annual "
        "growth of the median from the last observation (growth_pct). Several models at once: --model "
        "exponential,drift,auto (one block of rows per model, told apart by the model column).",
        epilog=AUTO_HELP)
    _add_source(p)
    p.add_argument("--horizon", type=horizon_arg, default=6, metavar="N", help="years ahead (default: 6)")
    p.add_argument("--model", default="auto", metavar="NAME[,NAME]",
                   help="model name(s), comma-separated (default: auto): " + MODEL_NAMES)
    p.add_argument("--levels", default="80,95", metavar="L,L",
                   help="interval levels in percent, above 1 (default: 80,95)")
    p.add_argument("--capacity", metavar="AMOUNT",
                   help="logistic/gompertz: the ceiling K, e.g. '1 trillion' (when the data do not identify it)")
    p.add_argument("--capacity-share-of-gdp", type=float, metavar="F",
                   help="logistic/gompertz: the ceiling K as a fraction of world GDP, e.g. 0.01")
    a = p.add_argument_group("auto's options (see below)")
    a.add_argument("--candidates", metavar="A,B", help="models auto combines or chooses from "
                   "(default: drift,arima,ets,ets_damped)")
    a.add_argument("--combine", choices=("true", "auto", "false"),
                   help="true: the equal-weight combination of the candidates (default); auto: the combination "
                   "only when it backtests no worse than the best candidate; false: the best candidate")
    a.add_argument("--calibrate", choices=CALIBRATION_MODES,
                   help="conformal calibration of the interval width from the backtest errors (default: rescale)")
    add_format_option(p)
    p.set_defaults(func=run_predict)

    b = subparsers.add_parser("backtest", help="rolling-origin accuracy of models",
                              description="Fit each model on the data up to each origin year, forecast the next "
                              "years and score the forecasts against what happened.")
    _add_source(b)
    b.add_argument("--models", metavar="A,B,C", help="models to compare (default: auto's candidates and auto)")
    b.add_argument("--horizon", type=horizon_arg, default=3, metavar="N", help="years ahead (default: 3)")
    b.add_argument("--origins", metavar="FIRST-LAST", help="origin years, e.g. 2012-2023 (default: all possible)")
    b.add_argument("--levels", default="80,95", metavar="L,L", help="interval levels in percent (default: 80,95)")
    add_format_option(b)
    b.set_defaults(func=run_backtest)


def _load(args: argparse.Namespace):
    import forecast
    from forecast.families.base import as_annual, years_of

    select = {k: v for k, v in (("state", args.state), ("crime_type", args.crime_type), ("column", args.column))
              if v is not None}
    if args.revised:
        select["revised"] = True
    if args.dataset is not None:
        if args.unit is not None:
            raise _UsageError("--unit applies to --csv only (a dataset carries its unit)")
        given = [k for k in file_options(args)]
        if given:
            raise _UsageError(f"--{given[0].replace('_', '-')} applies to --csv only")
        for key, only in (("state", "ic3_by_state"), ("crime_type", "ic3_by_crime_type"), ("revised", "ic3")):
            if key in select and args.dataset != only:
                raise _UsageError(f"--{key.replace('_', '-')} applies to --dataset {only} only")
        y = forecast.series(args.dataset, **select)
    else:
        if select:
            flag = "--" + next(iter(select)).replace("_", "-")
            raise _UsageError(f"{flag} applies to --dataset only")
        extra = {"unit": args.unit} if args.unit is not None else {}
        extra.update(file_options(args))
        y = forecast.read_series(args.csv, year=args.year_column, value=args.value_column, **extra)
    y = as_annual(y)
    if args.through is not None:
        yrs = years_of(y)
        if not yrs[0] <= args.through <= yrs[-1]:
            raise _UsageError(f"--through {args.through} is outside the data ({yrs[0]}-{yrs[-1]})")
        attrs = dict(y.attrs)
        y = y[yrs <= args.through]
        y.attrs.update(attrs)
    return y


def _levels(text: str) -> tuple:
    from forecast.intervals import check_levels

    parts = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in parts):
        raise _UsageError(f"--levels {text!r}: give levels in percent separated by commas, e.g. 80,95")
    try:
        return check_levels(parts)
    except ForecastError as exc:
        raise _UsageError(f"--levels: {exc}") from None


def _models(text: str, flag: str = "--model") -> list[str]:
    import forecast.evaluate  # noqa: F401 - registers the model "auto"
    from forecast.families import get_spec

    models = [m.strip() for m in text.split(",")]
    if not text.strip() or not all(models):
        raise _UsageError(f"{flag} {text!r}: give model names separated by commas, e.g. exponential,drift,auto")
    for m in models:
        get_spec(m)  # unknown model: one line naming the choices
    return list(dict.fromkeys(models))


def _capacity_options(args: argparse.Namespace, models: list[str]) -> dict:
    """``capacity=`` / ``capacity_share_of_gdp=`` for the saturating curves, checked."""
    import forecast

    given = [o for o in ("capacity", "capacity_share_of_gdp") if getattr(args, o) is not None]
    if not given:
        return {}
    if len(given) == 2:
        raise _UsageError("give --capacity or --capacity-share-of-gdp, not both")
    if not any(m in ("logistic", "gompertz") for m in models):
        raise _UsageError(f"--{given[0].replace('_', '-')} applies to --model logistic or gompertz, not {args.model!r}")
    if args.capacity is not None:
        return {"capacity": forecast.parse_money(args.capacity)}
    share = args.capacity_share_of_gdp
    if not 0 < share < 1:
        raise _UsageError(f"--capacity-share-of-gdp must be a fraction between 0 and 1, got {share:g}")
    return {"capacity_share_of_gdp": share}


def _auto_options(args: argparse.Namespace, models: list[str]) -> dict:
    """``candidates=``, ``combine=``, ``calibrate=`` of ``auto``, checked."""
    out: dict[str, Any] = {}
    if args.candidates is not None:
        out["candidates"] = _models(args.candidates, "--candidates")
    if args.combine is not None:
        out["combine"] = {"true": True, "false": False, "auto": "auto"}[args.combine]
    if args.calibrate is not None:
        out["calibrate"] = args.calibrate
    if out and "auto" not in models:
        flag = "--" + next(iter(out))
        raise _UsageError(f"{flag} applies to --model auto, not {args.model!r}")
    return out


def _growth_pct(frame, last_value: float, last_year: int) -> list[float]:
    """Annual growth of the median from the last observation, in percent."""
    return [100.0 * ((m / last_value) ** (1.0 / (p.year - last_year)) - 1.0)
            for p, m in zip(frame.index, frame["median"])]


def left_out_better(res, y) -> str | None:
    """A note when a model ``auto`` leaves out by default backtests better than what it used, on the same windows.

    The global trend curves are not among ``auto``'s default candidates; the
    cheapest of them, ``exponential``, is backtested at the origins and
    horizons ``auto`` kept from its own backtest and compared by the same
    score (weighted interval score).
    """
    from forecast.evaluate import accuracy, backtest
    from forecast.evaluate.defaults import DEFAULT_CANDIDATES

    table = getattr(res, "candidates", None)
    origins = list(getattr(res, "origins", None) or [])
    if (table is None or "wis" not in table or not origins
            or list(res.options.get("candidates", [])) != list(DEFAULT_CANDIDATES)
            or res.options.get("recent") is not None):
        return None
    scored = table[table["windows"].fillna(0) > 0]
    if scored.empty:
        return None
    try:
        acc = accuracy(backtest(y, ["exponential"], origins=origins, horizon=int(res.horizon), levels=(80, 95)))
    except ForecastError:
        return None
    row = acc[acc["model"] == "exponential"]
    if row.empty or int(row["windows"].iloc[0]) != int(scored["windows"].max()):
        return None
    if len(res.weights) > 1 and "combination" in set(scored["model"]):
        used = scored[scored["model"] == "combination"]
    else:
        used = scored[scored["model"].isin(list(res.weights))]
    if used.empty:
        return None
    own, other = float(used["wis"].min()), float(row["wis"].iloc[0])
    if not other < own:
        return None
    kept = [m for m in scored["model"] if m in DEFAULT_CANDIDATES]
    return (f"exponential, left out of auto's candidates by default, backtests better than what auto used "
            f"(weighted interval score {other:.3f} against {own:.3f} on the same {int(row['windows'].iloc[0])} "
            f"forecasts); to let auto use it: candidates=['exponential', {', '.join(repr(c) for c in kept)}]")


def run_predict(args: argparse.Namespace) -> int:
    """Handler of ``predict``."""
    import forecast
    from forecast.data.money import format_amount
    from forecast.families.base import merge_notes

    levels = _levels(args.levels)
    models = _models(args.model)
    options = _capacity_options(args, models)
    auto_opts = _auto_options(args, models)
    y = _load(args)
    frames, notes, failed = [], [], []
    for m in models:
        opts = dict(options) if m in ("logistic", "gompertz") else (auto_opts if m == "auto" else {})
        try:
            res = forecast.fit(y, model=m, **opts)
            frame = res.forecast(horizon=args.horizon, levels=levels)
        except ForecastError as exc:
            if len(models) == 1:
                raise
            failed.append(f"{m}: not fitted: {exc}")
            continue
        frame["growth_pct"] = _growth_pct(frame, float(y.iloc[-1]), int(y.index[-1].year))
        frames.append(frame)
        prefix = f"{m}: " if len(models) > 1 else ""
        notes += [n if n.startswith(f"{m} ") else prefix + n for n in merge_notes(res.notes)]
        if m == "auto":
            better = left_out_better(res, y)
            if better:
                notes.append(prefix + better)
    if not frames:
        raise _UsageError("no model could be fitted: " + "; ".join(failed))
    notes = [command_line_words(n) for n in [*y.attrs.get("notes", []), *failed, *notes]]
    warnings = []
    if args.horizon > len(y):
        warnings.append(f"the horizon ({args.horizon} years) runs past the length of the data itself ({len(y)} "
                        "observations): the forecast for the last years rests on little")
    import pandas as pd

    frame = pd.concat(frames)
    out = frame.reset_index()
    out["year"] = [p.year for p in out["year"]]
    cols = ["year", "model"] + [c for c in frames[0].columns if c != "model"]
    out = out[cols]
    unit = str(frames[0].attrs.get("unit", ""))
    if args.format != "table":
        for w in warnings:
            sys.stderr.write(f"Warning: {w}\n")
        emit(out, args.format)
        return 0
    shown = out.copy()
    for c in cols:
        if c == "growth_pct":
            shown[c] = [f"{v:+.1f}%" for v in shown[c]]
        elif c not in ("year", "model"):
            shown[c] = [format_amount(v, unit) for v in shown[c]]
    shown = shown.rename(columns={"growth_pct": "growth/yr"})
    name = y.attrs.get("name") or y.name or "series"
    yrs = [p.year for p in y.index]
    lines = [f"{name}: {len(y)} observations {yrs[0]}-{yrs[-1]}" + (f" ({unit})" if unit else "")
             + f", last {format_amount(float(y.iloc[-1]), unit)}",
             f"model{'s' if len(frames) > 1 else ''}: {', '.join(dict.fromkeys(frame['model']))}; median = "
             "back-transformed log-scale median, mean = bias-adjusted mean; "
             f"intervals {', '.join(f'{lv}%' for lv in levels)}; growth/yr = annual growth of the median from the "
             f"last observation ({yrs[-1]})"]
    sys.stdout.write("\n".join(lines) + "\n\n")
    emit(shown, "table")
    if warnings or notes:
        sys.stdout.write("\n" + "\n".join([f"Warning: {w}" for w in warnings] + [f"Note: {n}" for n in notes])
                         + "\n")
    return 0


def _origins(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        if "-" in text.strip()[1:]:
            a, b = text.strip().split("-", 1)
            first, last = int(a), int(b)
        else:
            first = last = int(text)
    except ValueError:
        raise _UsageError(f"--origins {text!r}: give FIRST-LAST, e.g. 2012-2023") from None
    if first > last:
        raise _UsageError(f"--origins {text!r}: the first year is after the last")
    return list(range(first, last + 1))


def run_backtest(args: argparse.Namespace) -> int:
    """Handler of ``backtest``."""
    import forecast
    from forecast.evaluate.defaults import DEFAULT_CANDIDATES
    from forecast.families import get_spec

    levels = _levels(args.levels)
    if args.models is None:
        models = [*DEFAULT_CANDIDATES, "auto"]
    else:
        models = [m.strip() for m in args.models.split(",")]
        if not all(models):
            raise _UsageError(f"--models {args.models!r}: give model names separated by commas")
    for m in models:
        get_spec(m)
    origins = _origins(args.origins)
    y = _load(args)
    bt = forecast.backtest(y, models=models, origins=origins, horizon=args.horizon, levels=levels)
    acc = forecast.accuracy(bt)
    if args.format != "table":
        emit(acc, args.format)
        return 0
    o = bt.attrs["origins"]
    sys.stdout.write(f"Rolling-origin backtest: origins {o[0]}-{o[-1]}, horizons 1-{args.horizon}; "
                     "MAPE of the medians (%), MASE on the log scale, coverage of the intervals (%) beside the "
                     "nominal level, Winkler and weighted interval scores on the log scale (lower is better)\n\n")
    emit(acc.round(3), "table")
    fails = bt.attrs.get("failures") or []
    if fails:  # one line per model and reason, naming every origin it applies to
        groups: dict[tuple[str, str], list] = {}
        for f in fails:
            groups.setdefault((str(f["model"]), command_line_words(str(f["error"]))), []).append(f["origin"])
        lines = [f"Not fitted: {m} at origin{'s' if len(o) > 1 else ''} {', '.join(str(x) for x in o)}: {e}"
                 for (m, e), o in groups.items()]
        sys.stdout.write("\n" + "\n".join(lines[:20]) + "\n")
        if len(lines) > 20:
            sys.stdout.write(f"... and {len(lines) - 20} more\n")
    return 0
