"""The ``auto`` rule on simulated series (not IC3), evaluated nested.

An independent check of the default rule and of its interval calibration.
Everything below was fixed before the study was run:

- six data-generating processes for a positive annual series of 22 years
  (2001-2022), all on the log scale:

  * ``rw_drift``: random walk with drift (growth 0.25, sd 0.2);
  * ``trend_ar1``: deterministic trend with AR(1) noise (slope 0.25,
    phi 0.6, innovation sd 0.15);
  * ``local_trend``: local linear trend (growth a random walk with sd 0.05,
    observation noise sd 0.1);
  * ``damped``: damped growth (growth 0.5 shrinking by 15% a year, noise
    sd 0.1);
  * ``volatile_start``: random walk with drift 0.2 whose innovation sd is
    0.4 for the first 6 years and 0.1 after (early years far noisier than
    the later ones);
  * ``growth_shift``: random walk with drift 0.05 for 12 years, then 0.25
    (growth accelerating late), sd 0.1;

  7 series of each (seeds 100-106, not the seeds an earlier version of this
  study used), 42 in all;
- nested backtest (at each origin ``auto`` runs its whole rule on the data
  up to that origin only), origins 2012-2021, horizons 1-3: 27 scored
  forecasts per series;
- rules: the default (equal-weight mixture of drift, arima, ets,
  ets_damped; conformal ``calibrate="rescale"``); the earlier default (six
  candidates including exponential and quadratic, ranked by backtest WIS,
  the mixture of the best 3 only when its WIS is no worse than the best
  single candidate's); the best single candidate by backtest WIS
  (``combine=False``); and the default with other calibrations: ``"none"``
  (the models' own widths), ``"widen"`` (never narrow), ``"by_horizon"`` (a
  factor per horizon). Each candidate alone (not chosen, fixed in advance)
  is shown for reference;
- scores per series: MAPE of the medians (%), weighted interval score (log
  scale, median and 80%/95% intervals), coverage of the 80% and 95%
  intervals; the table gives their means over the 42 series with standard
  errors (sd / sqrt(42)), and for WIS and MAPE the mean paired difference
  from the default with its standard error;
- decisions: (1) another rule replaces the default only if its mean WIS is
  lower than the default's by more than two standard errors of the paired
  differences; (2) another calibration replaces ``"rescale"`` only if the
  same holds and its mean coverage is within 5 points of nominal at both
  levels; (3) the default's own coverage is reported as a failure if it is
  more than 5 points from nominal at either level.

Run: ``python benchmarks/rule_study.py`` (about 4 minutes on 2 cores).
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
from forecast.evaluate.auto import DEFAULT_CANDIDATES  # noqa: E402
from forecast.evaluate.backtest import fit_cache  # noqa: E402

YEARS = np.arange(2001, 2023)
ORIGINS = range(2012, 2022)
DGPS = ("rw_drift", "trend_ar1", "local_trend", "damped", "volatile_start", "growth_shift")
SEEDS = range(100, 107)
OLD_RULE = {"candidates": ["drift", "arima", "ets", "ets_damped", "exponential", "quadratic"],
            "combine": "auto", "top": 3}
RULES = {
    "default": {},
    "earlier default (6 candidates, top 3 if better)": OLD_RULE,
    "best single by backtest": {"combine": False},
    "default, calibrate=none": {"calibrate": "none"},
    "default, calibrate=widen": {"calibrate": "widen"},
    "default, calibrate=by_horizon": {"calibrate": "by_horizon"},
    "default, calibrate=by_level": {"calibrate": "by_level"},
}
REFERENCES = tuple(DEFAULT_CANDIDATES)
METRICS = ["mape", "wis", "coverage_80", "coverage_95"]


def simulate(dgp: str, seed: int) -> pd.Series:
    """One simulated series of the process ``dgp`` (level scale, base 1e8)."""
    rng = np.random.default_rng(seed)
    n = len(YEARS)
    eps = rng.standard_normal(n)
    if dgp == "rw_drift":
        logy = np.cumsum(0.25 + 0.2 * eps)
    elif dgp == "trend_ar1":
        u = np.zeros(n)
        for t in range(1, n):
            u[t] = 0.6 * u[t - 1] + 0.15 * eps[t]
        logy = 0.25 * np.arange(n) + u
    elif dgp == "local_trend":
        g = 0.25 + np.cumsum(0.05 * eps)
        logy = np.cumsum(g) + 0.1 * rng.standard_normal(n)
    elif dgp == "damped":
        g = 0.5 * 0.85 ** np.arange(n)
        logy = np.cumsum(g) + 0.1 * eps
    elif dgp == "volatile_start":
        sd = np.where(np.arange(n) < 6, 0.4, 0.1)
        logy = np.cumsum(0.2 + sd * eps)
    elif dgp == "growth_shift":
        g = np.where(np.arange(n) < 12, 0.05, 0.25)
        logy = np.cumsum(g + 0.1 * eps)
    else:  # pragma: no cover
        raise ValueError(dgp)
    return pd.Series(1e8 * np.exp(logy), index=YEARS)


def _mean_se(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    g = frame.groupby(by, sort=False)[METRICS]
    mean, se = g.mean(), g.std(ddof=1) / np.sqrt(g.size().to_numpy()[:, None])
    out = pd.DataFrame(index=mean.index)
    for m in METRICS:
        out[m] = mean[m]
        out[f"{m}_se"] = se[m]
    return out


def main() -> int:
    rows = []
    t0 = time.perf_counter()
    for dgp in DGPS:
        for seed in SEEDS:
            y = simulate(dgp, seed)
            with fit_cache():
                for name, kw in RULES.items():
                    bt = forecast.backtest(y, models=["auto"], origins=ORIGINS, horizon=3,
                                           model_options={"auto": kw})
                    a = forecast.accuracy(bt).iloc[0]
                    rows.append({"dgp": dgp, "seed": seed, "rule": name, **{m: a[m] for m in METRICS}})
                bt = forecast.backtest(y, models=list(REFERENCES), origins=ORIGINS, horizon=3)
                for _, a in forecast.accuracy(bt).iterrows():
                    rows.append({"dgp": dgp, "seed": seed, "rule": f"{a['model']} alone (reference)",
                                 **{m: a[m] for m in METRICS}})
            print(f"{dgp} seed {seed} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    res = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print("\nby process (means over seeds):")
    print(res.groupby(["dgp", "rule"], sort=False)[METRICS].mean().round(3).to_string())
    overall = _mean_se(res, "rule")
    base = res[res.rule == "default"].set_index(["dgp", "seed"])
    for m in ("wis", "mape"):
        d = {r: res[res.rule == r].set_index(["dgp", "seed"])[m] - base[m] for r in overall.index}
        overall[f"{m}_minus_default"] = [d[r].mean() for r in overall.index]
        overall[f"{m}_diff_se"] = [d[r].std(ddof=1) / np.sqrt(len(d[r])) for r in overall.index]
    print(f"\noverall ({res.groupby(['dgp', 'seed']).ngroups} series, {time.perf_counter() - t0:.0f} s):")
    print(overall.round(4).to_string())

    def better(r: str) -> bool:
        return bool(overall.loc[r, "wis_minus_default"] < -2 * overall.loc[r, "wis_diff_se"])

    def honest(r: str) -> bool:
        return bool(abs(overall.loc[r, "coverage_80"] - 80) <= 5 and abs(overall.loc[r, "coverage_95"] - 95) <= 5)

    rules = [r for r in RULES if r != "default" and not r.startswith("default,") and better(r)]
    calibs = [r for r in RULES if r.startswith("default,") and better(r) and honest(r)]
    print("decision 1 (rule): " + (f"replace the default by {rules}" if rules else "keep the default rule"))
    print("decision 2 (calibration): " + (f"replace rescale by {calibs}" if calibs else "keep calibrate='rescale'"))
    print("decision 3 (default coverage within 5 points of nominal): "
          + ("yes" if honest("default") else "NO: " + json.dumps(
              {k: round(float(overall.loc["default", k]), 1) for k in ("coverage_80", "coverage_95")})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
