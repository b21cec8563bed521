"""Benchmark on IC3 reported losses: speed of each model, of the backtest and of ``auto``, and accuracy.

Run ``make bench`` (or ``python benchmarks/run.py``). Prints:

1. fit + 6-year forecast time of each model on IC3 2001-2024;
2. the whole rolling-origin backtest of all of ``auto``'s candidates
   (origins 2012-2023, horizons 1-3), from cold (no fits cached);
3. ``auto`` end to end (its own backtest, choice, forecast);
4. the accuracy table of the candidates and of ``auto`` evaluated nested
   (at each origin ``auto`` chooses with the data up to that origin only),
   beside R's forecast package on the same design.

``--speed`` instead measures the command-line speed against the import floor
(``python -c "import pandas, statsmodels.tsa.api, matplotlib.pyplot"``) in
one run, the warm backtest of the candidates, and the curve of
``predict --model auto`` on synthetic annual series of 25 to 225 years (time
and peak memory); ``--profile`` adds where the time of ``predict --model
auto`` and of the report goes (cProfile, top entries).

``--backtest-only`` prints only the warm backtest of the candidates (wall and
CPU, per family) and the report's ``auto`` step (``auto`` on IC3, its forecast
and the re-run of its rule at each origin): a quick measurement.

``--variants`` also evaluates variants of the ``auto`` rule (nested, same
design). They were looked at after the default rule was fixed; their numbers
come from the same windows, so they are optimistic for whichever looks best.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import forecast  # noqa: E402
from forecast.evaluate.defaults import DEFAULT_CANDIDATES  # noqa: E402
from forecast.evaluate.fitcache import fit_cache  # noqa: E402
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
    parser.add_argument("--speed", action="store_true", help="command-line speed against the import floor, "
                        "and the cost curve of predict --model auto by series length")
    parser.add_argument("--profile", action="store_true", help="with --speed: where the time goes (cProfile)")
    parser.add_argument("--runs", type=int, default=3, help="with --speed: runs of each command (default 3)")
    parser.add_argument("--backtest-only", action="store_true",
                        help="only the warm backtest of auto's candidates and auto's step of the report (quick)")
    args = parser.parse_args(argv)
    warnings.simplefilter("default")
    if args.backtest_only:
        return warm_backtest(forecast.series("ic3"), repeat=max(args.runs, 3))
    if args.speed:
        return speed(args.runs, args.profile)
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


# ------------------------------------------------------------------ speed

FLOOR = [sys.executable, "-c", "import pandas, statsmodels.tsa.api, matplotlib.pyplot"]
PEAK = ("import atexit, resource, runpy, sys; "
        "atexit.register(lambda: sys.stderr.write(f'PEAK_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')); "
        "sys.argv = ['forecast'] + sys.argv[1:]; runpy.run_module('forecast', run_name='__main__')")


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as `make` runs it: byte-code caches used
    env["MPLBACKEND"] = "Agg"
    return env


def _run(cmd: list[str], cwd: str | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one command (its own peak, printed at exit)."""
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=cwd)
    sec = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    peak = [ln for ln in out.stderr.splitlines() if ln.startswith("PEAK_KB ")]
    return sec, (int(peak[-1].split()[1]) / 1024 if peak else float("nan"))


def _forecast_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", PEAK, *args]


def synthetic(n: int, seed: int = 1) -> pd.Series:
    """An annual series of ``n`` years growing about 8% a year with 10% noise on the log scale."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    logv = 20 + np.cumsum(0.08 + 0.1 * rng.standard_normal(n))
    return pd.Series(np.exp(logv), index=range(2025 - n, 2025))


def _cpu_wall(fn, repeat: int) -> tuple[float, float]:
    """Best wall and best CPU (user + sys of this process) seconds of ``fn`` over ``repeat`` runs."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu


def warm_backtest(y: pd.Series, repeat: int = 3) -> int:
    """The warm backtest of auto's candidates (each run from an empty fit cache) and auto's step of the report."""
    from forecast.evaluate.record import rerun_backtest

    section(f"backtest of auto's candidates on IC3, warm (imports done; best of {repeat}, each from an empty "
            "fit cache; wall and CPU)")
    models = list(DEFAULT_CANDIDATES)
    forecast.backtest(y, models=models, origins=ORIGINS, horizon=HORIZON)
    wall, cpu = _cpu_wall(lambda: forecast.backtest(y, models=models, origins=ORIGINS, horizon=HORIZON), repeat)
    print(f"{len(models)} models x {len(ORIGINS)} origins = {len(models) * len(ORIGINS)} fits: wall {wall:.3f} s, "
          f"CPU {cpu:.3f} s (goal: under 0.25 s)")
    for m in models:
        w_m, c_m = _cpu_wall(lambda m=m: forecast.backtest(y, models=[m], origins=ORIGINS, horizon=HORIZON), repeat)
        print(f"  {m:<12} wall {1000 * w_m / len(ORIGINS):5.1f} ms, CPU {1000 * c_m / len(ORIGINS):5.1f} ms "
              "a fit and its forecast")

    def auto_step() -> None:  # what the report's auto step computes: the fit, its forecast, the re-run row
        with fit_cache():
            fit = forecast.fit(y, model="auto")
            fit.forecast(horizon=6)
            rerun_backtest(fit)
    wall, cpu = _cpu_wall(auto_step, repeat)
    print(f"auto on IC3 with its forecast and the re-run of its rule at each origin (the report's auto step): "
          f"wall {wall:.3f} s, CPU {cpu:.3f} s (goal: under 0.6 s)")
    return 0


def speed(runs: int = 3, profile: bool = False) -> int:
    """Print the speed figures of the benchmarks README (the ratios are measured in one run, interleaved)."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = str(pathlib.Path(tmp) / "report.pdf")
        commands = {"floor (import pandas, statsmodels.tsa.api, matplotlib.pyplot)": FLOOR,
                    "predict --dataset ic3 --model auto": _forecast_cmd("predict", "--dataset", "ic3", "--model",
                                                                        "auto"),
                    "report": _forecast_cmd("report", "--output", pdf)}
        times: dict[str, list[float]] = {k: [] for k in commands}
        peaks: dict[str, float] = {}
        _run(commands["report"][:])  # warm the byte-code and font caches once
        for _ in range(runs):
            for k, cmd in commands.items():
                sec, peak = _run(cmd)
                times[k].append(sec)
                peaks[k] = max(peaks.get(k, 0.0), peak) if peak == peak else peaks.get(k, float("nan"))
        floor = statistics.median(times[next(iter(commands))])
        section(f"command line against the import floor ({runs} interleaved runs, medians)")
        for k, ts in times.items():
            print(f"{k:<66} {statistics.median(ts):6.2f} s  x{statistics.median(ts) / floor:4.2f}  "
                  f"(runs {', '.join(f'{t:.2f}' for t in ts)})" + (f"  peak {peaks[k]:.0f} MB" if k in peaks
                                                                     and peaks[k] == peaks[k] else ""))

        y = forecast.series("ic3")
        warm_backtest(y)

        section("predict --model auto by series length (synthetic annual series; wall time and peak memory)")
        rows = []
        for n in (25, 50, 100, 225):
            path = pathlib.Path(tmp) / f"synthetic_{n}.csv"
            s_ = synthetic(n)
            path.write_text("year,value\n" + "".join(f"{yr},{v:.6g}\n" for yr, v in s_.items()))
            sec, peak = _run(_forecast_cmd("predict", "--csv", str(path), "--model", "auto"))
            rows.append((n, sec, peak))
            print(f"{n:>4} years: {sec:6.2f} s, peak {peak:6.0f} MB")
        base = rows[0][1]
        print(f"100 years minus 25 years: {rows[2][1] - base:+.2f} s (goal: at most +1 s); "
              f"largest peak {max(r[2] for r in rows):.0f} MB (goal: under 300 MB)")

        if profile:
            import cProfile
            import io
            import pstats

            for what, fn in (("auto on IC3 (in process, imports done)", lambda: forecast.fit(y, model="auto")),):
                pr = cProfile.Profile()
                pr.enable()
                fn()
                pr.disable()
                out = io.StringIO()
                pstats.Stats(pr, stream=out).sort_stats("cumulative").print_stats(25)
                section(f"profile: {what}")
                print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
