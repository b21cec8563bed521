"""``python -m forecast claim`` and ``python -m forecast scorecard``.

``claim`` assesses one figure ("3 trillion" in 2020) against the
multi-publisher model (default, on the reference publisher's scale, or on
``--publisher``'s), against a bundled series (``--dataset``) or against a
user's CSV (``--csv``), and prints the percentile, the scale judged on, the
crossing year with its interval and the figure's likely origin.
``scorecard`` prints every published forecast whose year has passed, scored
against later estimates and the multi-publisher model.
"""

from __future__ import annotations

import argparse
import math

import pandas as pd

from forecast.cli.file_options import add_file_options, file_options
from forecast.cli.output import FORMATS, emit

GLOBAL_DATASETS = ("global_estimates", "global")


def register(subparsers) -> None:
    """Add the ``claim`` and ``scorecard`` commands."""
    p = subparsers.add_parser(
        "claim", help="assess a published figure: percentile, crossing year, likely origin",
        description="Assess a claim 'VALUE in YEAR' against the multi-publisher model of the global cost "
        "(default, on the reference publisher's scale), a bundled series or your own CSV.")
    p.add_argument("--value", required=True,
                   help='claimed amount with a unit word or symbol, e.g. "3 trillion", "$2.1T", "445bn", '
                   '"US$ 600 billion" (a bare number is refused)')
    p.add_argument("--year", required=True, type=int, help="year the claim is about")
    p.add_argument("--label", help="a name for the claim (or a catalogued claim id)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--publisher", help="judge on this publisher's scale in the multi-publisher model")
    src.add_argument("--dataset", help="judge against a bundled series (e.g. ic3); "
                     "'global_estimates' means the multi-publisher model")
    src.add_argument("--csv", metavar="PATH", help="judge against a series read from your CSV file")
    p.add_argument("--year-column", default="year", help="year column of --csv (default: %(default)s)")
    p.add_argument("--value-column", default="value", help="value column of --csv (default: %(default)s)")
    add_file_options(p, what="--csv")
    p.add_argument("--model", default="exponential",
                   help="model: for the multi-publisher model the curve (exponential or quadratic); "
                   "for a series any of `forecast.models()` (default: %(default)s)")
    p.add_argument("--growth", choices=("publisher", "common"), default="publisher",
                   help="multi-publisher model: each publisher with three or more figures grows at its own rate "
                   "(publisher) or one rate for all (common, whose likelihood has two maxima on the bundled data: "
                   "the claim is judged under each) (default: %(default)s)")
    p.add_argument("--n", type=int, default=4000, help="simulated paths for the crossing year (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: %(default)s)")
    _scale_options(p)
    p.set_defaults(func=run_claim)

    s = subparsers.add_parser(
        "scorecard", help="score published forecasts whose year has passed",
        description="Every published forecast whose target year has passed, against later estimates of that "
        "year and the multi-publisher model's 95% interval on the publisher's scale.")
    s.add_argument("--format", choices=FORMATS, default="table", help="output format (default: %(default)s)")
    _scale_options(s)
    s.set_defaults(func=run_scorecard)


def _scale_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--real", type=int, metavar="BASE_YEAR", help="also show real US$ of BASE_YEAR (CPI-U)")
    p.add_argument("--share-of-gdp", action="store_true", help="also show shares of world GDP")


def _against(args):
    from forecast.published.publishers import CURVES, fit_publishers
    from forecast.cli import UsageError

    if args.csv is None and (args.dataset is None or args.dataset in GLOBAL_DATASETS):
        if args.model not in CURVES:
            raise UsageError(f"--model {args.model!r}: the multi-publisher model takes one of {', '.join(CURVES)}")
        return fit_publishers(curve=args.model, growth=args.growth)
    from forecast.families import fit

    if args.growth != "publisher":
        raise UsageError("--growth applies to the multi-publisher model only (not with --dataset or --csv)")
    if args.csv is not None:
        from forecast.data.userfile import read_series

        y = read_series(args.csv, year=args.year_column, value=args.value_column, **file_options(args))
    else:
        from forecast.data.registry import series

        y = series(args.dataset)
    return fit(y, model=args.model)


def _fmt_pct(p: float) -> str:
    from forecast.published._format import percentile

    num = ">99.9999" if p > 99.9999 else ("<0.0001" if p < 0.0001 else f"{p:.6g}")
    return f"{percentile(p)} ({num})"


def run_claim(args) -> int:
    """Handler of ``claim``."""
    import json

    from forecast.published._format import money, rate
    from forecast.published.check import check_claim, parse_claim_text

    value = parse_claim_text(args.value)  # a bad amount or a bare number fails before any fitting
    against = _against(args)
    c = check_claim(value, args.year, against=against, label=args.label, publisher=args.publisher, n=args.n,
                    seed=args.seed, real=args.real, share_of_gdp=args.share_of_gdp)
    if args.format == "json":
        print(json.dumps([c.to_dict()], indent=2))
        return 0
    if args.format != "table":
        emit(c.to_frame(), args.format)
        return 0
    growth = (f"{rate(c.implied_growth)} from the {c.growth_from_year} figure ({money(c.growth_from_value)}), "
              f"against a fitted {rate(c.fitted_growth)}" if c.growth_from_year is not None else "n/a")
    fields = [
        ("claim", f"{money(c.value)} for {c.year}" + (f" ({args.label})" if args.label else "")),
        ("verdict", f"{c.verdict} (on the {c.scale} scale)"),
        ("judged against", f"{c.model}, {c.scale} scale"),
        ("distribution", c.judged_on),
        ("percentile", _fmt_pct(c.percentile)),
        ("median", money(c.median)),
        ("80% interval", f"{money(c.lower_80)} to {money(c.upper_80)}"),
        ("95% interval", f"{money(c.lower_95)} to {money(c.upper_95)}"),
        ("ratio to median", f"{c.ratio_to_median:.3g}"),
        ("to fall outside 95%", f"a claim would need to exceed {c.reject_multiple:.3g} times the median"),
        ("implied growth", growth),
        ("crossing year", c.crossing),
        ("likely origin", c.likely_origin),
        ("origin measure", (c.origin_measure.replace("_", " ") or "n/a")
         + (f": {c.origin_note}" if c.origin_note else "")),
    ]
    for k, v in c.extra.items():
        fields.append((k.replace("_", " "), _fmt_extra(k, v)))
    for note in c.notes:
        fields.append(("note", note))
    width = max(len(k) for k, _ in fields)
    print(c.statement)
    print()
    for k, v in fields:
        print(f"{k:<{width}}  {v}")
    if len(c.scales):
        print()
        print("On each publisher scale with three or more figures:")
        t = pd.DataFrame({
            "scale": c.scales["scale"], "figures": c.scales["n_figures"],
            "percentile": c.scales["percentile"].map(lambda p: f"{p:.1f}"), "verdict": c.scales["verdict"],
            "median": c.scales["median"].map(money),
            "80% interval": [f"{money(a)}-{money(b)}" for a, b in zip(c.scales["lower_80"], c.scales["upper_80"])],
            "95% interval": [f"{money(a)}-{money(b)}" for a, b in zip(c.scales["lower_95"], c.scales["upper_95"])],
            "own figure": c.scales["figure"].map(lambda v: money(v) if math.isfinite(v) else "none"),
            "claim / figure": c.scales["ratio_to_figure"].map(lambda r: f"{r:.2f}" if math.isfinite(r) else ""),
        })
        emit(t, "table")
    if len(c.modes):
        print()
        print(f"Under each maximum of the likelihood within 2 log-likelihood units ({c.scale} scale):")
        m = c.modes
        t = pd.DataFrame({
            "maximum": ["best" if int(i) == 0 else str(int(i)) for i in m["mode"]],
            "log-likelihood": [f"{a:.2f}" + ("" if d == 0 else f" ({d:.2f} below)")
                               for a, d in zip(m["reml_loglik"], m["delta"])],
            "growth": m["growth"].map(rate), "percentile": m["percentile"].map(lambda p: f"{p:.1f}"),
            "verdict": m["verdict"], "median": m["median"].map(money),
            "95% interval": [f"{money(a)}-{money(b)}" for a, b in zip(m["lower_95"], m["upper_95"])],
        })
        emit(t, "table")
    if len(c.figures):
        print()
        print(f"Published figures for {c.year} (and the nearest years of the publishers the model fits):")
        f = c.figures
        t = pd.DataFrame({
            "publisher": f["publisher"], "year": f["year"], "figure": f["value_usd"].map(money),
            "range": [f"{money(a)}-{money(b)}" if math.isfinite(a) and math.isfinite(b) else ""
                      for a, b in zip(f["low_usd"], f["high_usd"])],
            "measure": f["measure"].str.replace("_", " "), "in model": f["in_model"].map({True: "yes", False: "no"}),
            "claim / figure": f["claim_ratio"].map(lambda r: f"{r:.2f}"), "id": f["id"],
        })
        emit(t, "table")
    return 0


def _fmt_extra(key: str, v: float) -> str:
    from forecast.published._format import money

    if not math.isfinite(v):
        return "n/a"
    return f"{100 * v:.2f}% of world GDP" if "share" in key else money(v)


def run_scorecard(args) -> int:
    """Handler of ``scorecard``."""
    from forecast.published._format import money
    from forecast.published.scorecard import describe, scorecard

    sc = scorecard(real=args.real, share_of_gdp=args.share_of_gdp)
    if args.format != "table":
        emit(sc, args.format)
        return 0

    def num(v, fmt="{:.2f}"):
        return fmt.format(v) if isinstance(v, float) and math.isfinite(v) else ""

    def usd(v):
        return money(v) if isinstance(v, float) and math.isfinite(v) else ""

    notes = list(dict.fromkeys(n for n in sc["note"] if n))
    t = pd.DataFrame({
        "id": sc["id"], "publisher": sc["publisher"], "published": sc["published_year"],
        "year": sc["target_year"], "measure": sc["measure"].str.replace("_", " "),
        "forecast": sc["forecast_usd"].map(usd), "own later": sc["outcome_usd"].map(usd),
        "CRPS": sc["forecast_crps"].map(num), "model CRPS": sc["model_crps"].map(num),
        "scale": sc["scale"], "model 80%": [f"{usd(a)}-{usd(b)}" if usd(a) else "" for a, b in
                                            zip(sc["model_lower_80_usd"], sc["model_upper_80_usd"])],
        "model 95%": [f"{usd(a)}-{usd(b)}" if usd(a) else "" for a, b in
                      zip(sc["model_lower_95_usd"], sc["model_upper_95_usd"])],
        "pct": sc["model_percentile"].map(lambda p: num(p, "{:.1f}")),
        "E[CRPS]": sc["expected_crps_under_model"].map(num),
        "note": [f"[{notes.index(n) + 1}]" if n else "" for n in sc["note"]],
    })
    for c in sc.columns:
        if "_real_" in c or c.endswith("_share_of_gdp"):
            t[c] = sc[c].map(usd) if "_real_" in c else sc[c].map(lambda v: f"{100 * v:.2f}%")
    emit(t, "table")
    print()
    print(describe(sc))
    print(f"Forecasts whose target year is at or before {sc.attrs.get('latest_year')}, the latest year of the "
          "fitted estimates. Scores on the log scale, lower is better: CRPS of the forecast against the same "
          "publisher's later estimate ('own later'); model CRPS: the model refitted on the figures published "
          "before the forecast, on the same outcome; model 80%/95% and pct: today's model on the publisher's "
          "scale; E[CRPS]: the forecast's expected CRPS if that publisher's figure is distributed as the model "
          "says. No outcome is a mean across publishers.")
    print()
    for i, n in enumerate(notes, 1):
        print(f"[{i}] {n}")
    return 0
