"""Variants of the ``auto`` rule on simulated series (not IC3), evaluated nested.

The design was fixed before it was run, so that a rule can be chosen without
looking at IC3's test windows:

- four data-generating processes for a positive annual series of 22 years
  (2001-2022), all on the log scale: a random walk with drift (growth 0.25,
  sd 0.2); a deterministic trend with AR(1) noise (slope 0.25, phi 0.6,
  innovation sd 0.15); a local linear trend (growth itself a random walk,
  sd 0.05, observation noise sd 0.1); damped growth (growth starting at
  0.5 and shrinking by 15% a year, noise sd 0.1); 6 series of each (seeds 0-5);
- nested backtest of each variant, origins 2012-2021, horizons 1-3;
- decision: a variant replaces the default only if its mean weighted interval
  score (log scale) over the 24 series is lower than the default's by more
  than two standard errors of the paired differences.

Run: ``python benchmarks/rule_study.py`` (several minutes).
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import forecast  # noqa: E402
from forecast.evaluate.backtest import fit_cache  # noqa: E402

YEARS = np.arange(2001, 2023)
ORIGINS = range(2012, 2022)
VARIANTS = {
    "default": {},
    "combine top 3 always": {"combine": True},
    "equal mixture of all 6": {"combine": True, "top": 6},
    "min_train 10": {"min_train": 10},
    "widen only": {"calibrate": "widen"},
}


def simulate(dgp: str, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    n = len(YEARS)
    if dgp == "rw_drift":
        logy = np.cumsum(0.25 + 0.2 * rng.standard_normal(n))
    elif dgp == "trend_ar1":
        u = np.zeros(n)
        for t in range(1, n):
            u[t] = 0.6 * u[t - 1] + 0.15 * rng.standard_normal()
        logy = 0.25 * np.arange(n) + u
    elif dgp == "local_trend":
        g = 0.25 + np.cumsum(0.05 * rng.standard_normal(n))
        logy = np.cumsum(g) + 0.1 * rng.standard_normal(n)
    elif dgp == "damped":
        g = 0.5 * 0.85 ** np.arange(n)
        logy = np.cumsum(g) + 0.1 * rng.standard_normal(n)
    else:  # pragma: no cover
        raise ValueError(dgp)
    return pd.Series(1e8 * np.exp(logy), index=YEARS)


def main() -> int:
    rows = []
    t0 = time.perf_counter()
    for dgp in ("rw_drift", "trend_ar1", "local_trend", "damped"):
        for seed in range(6):
            y = simulate(dgp, seed)
            with fit_cache():
                for name, kw in VARIANTS.items():
                    bt = forecast.backtest(y, models=["auto"], origins=ORIGINS, horizon=3,
                                           model_options={"auto": kw})
                    a = forecast.accuracy(bt).iloc[0]
                    rows.append({"dgp": dgp, "seed": seed, "variant": name, "mape": a["mape"], "wis": a["wis"],
                                 "coverage_80": a["coverage_80"], "coverage_95": a["coverage_95"]})
            print(f"{dgp} seed {seed} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    res = pd.DataFrame(rows)
    print(res.groupby(["dgp", "variant"])[["mape", "wis", "coverage_80", "coverage_95"]].mean().round(3).to_string())
    overall = res.groupby("variant")[["mape", "wis", "coverage_80", "coverage_95"]].mean()
    base = res[res.variant == "default"].set_index(["dgp", "seed"])["wis"]
    diffs = {}
    for name in VARIANTS:
        d = res[res.variant == name].set_index(["dgp", "seed"])["wis"] - base
        diffs[name] = (d.mean(), d.std(ddof=1) / np.sqrt(len(d)) if name != "default" else 0.0)
    overall["wis_minus_default"] = [diffs[v][0] for v in overall.index]
    overall["se"] = [diffs[v][1] for v in overall.index]
    print(overall.round(4).to_string())
    better = [v for v in VARIANTS if v != "default" and diffs[v][0] < -2 * diffs[v][1]]
    best = min(better, key=lambda v: diffs[v][0]) if better else "default"
    print(f"decision: {best} {json.dumps(VARIANTS[best])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
