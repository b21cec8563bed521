"""Benchmark on IC3 reported losses: speed of each model, of the backtest and of ``auto``, and accuracy.

Run ``make bench`` (or ``python benchmarks/run.py``). Prints:

1. fit + 6-year forecast time of each model on IC3 2001-2024;
2. the whole rolling-origin backtest of all of ``auto``'s candidates
   (origins 2012-2023, horizons 1-3), from cold (no fits cached);
3. ``auto`` end to end (its own backtest, choice, forecast);
4. the accuracy table of the candidates and of ``auto`` evaluated nested
   (at each origin ``auto`` chooses with the data up to that origin only),
   beside R's forecast package on the same design.

``--variants`` also evaluates variants of the ``auto`` rule (nested, same
design). They were looked at after the default rule was fixed; their numbers
come from the same windows, so they are optimistic for whichever looks best.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import forecast  # noqa: E402
from forecast.evaluate.auto import DEFAULT_CANDIDATES  # noqa: E402
from forecast.evaluate.backtest import fit_cache  # noqa: E402
from forecast.families import REGISTRY  # noqa: E402

ORIGINS = range(2012, 2024)
HORIZON = 3
GOLDEN = ROOT / "tests" / "golden" / "ic3_forecast_r.json"
R_NAMES = {"drift": "rwf_drift", "arima": "arima_110_drift", "ets": "ets_AAN", "exponential": "tslm"}
COLUMNS = ["model", "windows", "mape", "mase", "coverage_80", "nominal_80", "coverage_95", "nominal_95",
           "winkler_80", "winkler_95", "wis", "failures"]


def timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def section(title: str) -> None:
    print(f"\n== {title} ==")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true", help="also evaluate variants of the auto rule")
    args = parser.parse_args(argv)
    warnings.simplefilter("default")
    y = forecast.series("ic3")
    t0, _ = timed(lambda: forecast.fit(y, model="drift"))  # imports
    print(f"IC3 reported losses {y.index[0].year}-{y.index[-1].year}, {len(y)} observations "
          f"(missing: {y.attrs.get('gaps')}); first call incl. imports {t0:.2f} s")

    section("fit + 6-year forecast on IC3 (best of 3)")
    for name in REGISTRY:
        if name == "auto":
            continue
        try:
            sec, _ = timed(lambda name=name: forecast.fit(y, model=name).forecast(horizon=6), repeat=3)
            print(f"{name:<12} {sec * 1000:8.1f} ms")
        except forecast.ForecastError as exc:
            print(f"{name:<12} refused: {str(exc)[:110]}")

    section(f"backtest of all candidates ({', '.join(DEFAULT_CANDIDATES)}), origins 2012-2023, h 1-3, cold")
    sec, bt = timed(lambda: forecast.backtest(y, models=list(DEFAULT_CANDIDATES), origins=ORIGINS,
                                              horizon=HORIZON))
    print(f"{len(DEFAULT_CANDIDATES)} models x {len(ORIGINS)} origins: {sec:.2f} s (target: under 1 s)")
    for m in DEFAULT_CANDIDATES:
        s, _ = timed(lambda m=m: forecast.backtest(y, models=[m], origins=ORIGINS, horizon=HORIZON))
        print(f"  {m:<12} {s:6.2f} s")

    section("auto end to end (inner backtest, choice, 6-year forecast)")
    sec, res = timed(lambda: forecast.fit(y, model="auto"))
    f = res.forecast(horizon=6)
    print(f"{sec:.2f} s")
    print(f"choice: {res.choice}")
    print(res.candidates.round(3).to_string(index=False))
    print(f"calibration: {res.calibration.note()}")
    print(f.drop(columns="model").map(lambda v: forecast.format_money(v)).to_string())

    section("accuracy on IC3: candidates and nested auto (origins 2012-2023, h 1-3)")
    sec, bt = timed(lambda: forecast.backtest(y, models=[*DEFAULT_CANDIDATES, "auto"], origins=ORIGINS,
                                              horizon=HORIZON))
    acc = forecast.accuracy(bt)
    print(f"(nested backtest of auto and all candidates: {sec:.2f} s)")
    print(acc[COLUMNS].round(2).to_string(index=False))
    golden = json.loads(GOLDEN.read_text())["cv"] if GOLDEN.exists() else {}
    if golden:
        print("\nR forecast package, same design (MAPE %): " + ", ".join(
            f"{k} {v['mape']:.2f}" for k, v in golden.items()))
        interp = forecast.accuracy(forecast.backtest(y, models=["exponential"], origins=ORIGINS, horizon=HORIZON,
                                                     interpolate=True)).iloc[0]
        print(f"exponential with 2010 interpolated before fitting (R's tslm design): MAPE {interp['mape']:.2f}")
    by_h = forecast.accuracy(bt[bt["model"] == "auto"], by=["model", "horizon"])
    print("\nnested auto by horizon:")
    print(by_h[["horizon", "windows", "mape", "coverage_80", "coverage_95"]].round(2).to_string(index=False))

    if args.variants:
        section("variants of the auto rule (nested, same windows: optimistic for the best-looking)")
        variants = [{}, {"calibrate": "widen"}, {"calibrate": "none"}, {"calibrate": "by_level"},
                    {"combine": "auto", "top": 3}, {"combine": False}, {"combine": False, "criterion": "mape"},
                    {"recent": 6}]
        with fit_cache():
            for kw in variants:
                s, vbt = timed(lambda kw=kw: forecast.backtest(y, models=["auto"], origins=ORIGINS, horizon=HORIZON,
                                                               model_options={"auto": kw}))
                a = forecast.accuracy(vbt).iloc[0]
                print(f"{json.dumps(kw) or '{}':<50} MAPE {a['mape']:6.2f}  cov80 {a['coverage_80']:6.1f}  "
                      f"cov95 {a['coverage_95']:6.1f}  WIS {a['wis']:.3f}  ({s:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
