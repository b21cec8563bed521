"""Coverage by simulation: series drawn from each model, fitted, and the next 3 years checked.

For each family, REPS series of 15-25 years are simulated from the model with
parameters drawn at random over a realistic range, the model is fitted and
the 80% and 95% intervals for h = 1, 2, 3 are checked against the simulated
future. Each empirical coverage must lie within 5 points of nominal. With
600 replications the binomial standard error is 1.6 points at 80% and 0.9 at
95%, so a 5-point miss is 3.1 and 5.6 standard errors away (21 checks in all).

Measured (seed 99; 80% / 95% at h = 1, 2, 3):
linear 79.3 76.8 82.2 / 94.7 93.5 95.2; exponential 79.8 80.0 79.3 / 95.0 96.2 95.0;
quadratic 78.3 80.5 81.7 / 95.3 95.2 96.3; drift 79.3 78.7 77.3 / 93.3 93.5 94.5;
ets 80.7 82.8 81.5 / 94.3 95.5 95.5; ets_damped 80.3 81.2 79.0 / 93.3 95.0 94.0;
arima 80.5 80.5 82.2 / 95.8 95.5 96.0. For comparison, statsmodels' own ETS(A,A,N)
intervals at the maximum-likelihood parameters (param_uncertainty=False) cover
far less: 65.5 65.5 58.5 / 84.5 81.0 80.0 (200 series; the last test below).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.families import _ets_grid as eg

REPS = 600
H = 3
N_DRAWS = 1000  # simulated paths per forecast (ETS, ARIMA); enough for 80/95% quantiles


def _gappy_years(rng, n, gaps):
    years = np.arange(2000, 2000 + n)
    if gaps:
        drop = rng.choice(np.arange(1, n - 1), size=int(rng.integers(0, 3)), replace=False)
        years = np.delete(years, drop)
    return years


def _trend(rng, n, degree):
    t = np.arange(n + H)
    tc = t - n / 2
    a, b, c = rng.uniform(0, 20), rng.uniform(-0.1, 0.4), rng.uniform(-0.01, 0.01) * (degree == 2)
    sigma = rng.uniform(0.05, 0.5)
    return a + b * tc + c * tc**2 + sigma * rng.standard_normal(n + H), True


def _linear(rng, n):
    t = np.arange(n + H)
    sigma = rng.uniform(1, 10)
    return 200 + rng.uniform(0, 10) * t + sigma * rng.standard_normal(n + H), True


def _drift(rng, n):
    return np.cumsum(rng.uniform(-0.1, 0.4) + rng.uniform(0.05, 0.4) * rng.standard_normal(n + H)), False


def _ets(rng, n, damped):
    # smoothing parameters uniform over the admissible region the fit searches
    # (statsmodels' bounds: 0 < alpha < 1, 0 < beta/alpha < 1, 0.8 <= phi <= 0.98)
    alpha = rng.uniform(0, 1)
    beta = alpha * rng.uniform(0, 1)
    phi = rng.uniform(0.8, 0.98) if damped else 1.0
    z = rng.standard_normal((1, n + H))
    return eg.simulate_forward(np.array([rng.uniform(0, 20)]), np.array([rng.uniform(-0.1, 0.4)]), alpha, beta,
                               phi, rng.uniform(0.05, 0.4), z)[0], False


def _arima(rng, n):
    phi, delta, sigma = rng.uniform(-0.7, 0.7), rng.uniform(-0.1, 0.4), rng.uniform(0.05, 0.4)
    d = np.empty(n + H + 50)
    prev = delta
    for i in range(len(d)):
        prev = delta + phi * (prev - delta) + sigma * rng.standard_normal()
        d[i] = prev
    return np.cumsum(d[50:]), False


SIMULATORS = {
    "linear": _linear,
    "exponential": lambda rng, n: _trend(rng, n, 1),
    "quadratic": lambda rng, n: _trend(rng, n, 2),
    "drift": _drift,
    "ets": lambda rng, n: _ets(rng, n, False),
    "ets_damped": lambda rng, n: _ets(rng, n, True),
    "arima": _arima,
}


def coverage(name: str, reps: int = REPS, seed: int = 99, plug_in: bool = False) -> pd.DataFrame:
    """Empirical coverage (percent) of the 80% and 95% intervals by horizon.

    With ``plug_in=True`` (ETS and ARIMA), the coverage of statsmodels' own
    intervals at the maximum-likelihood parameters (noise only) is computed
    from the same fits instead.
    """
    rng = np.random.default_rng(seed)
    hits = np.zeros((2, H))
    simulated = name in ("ets", "ets_damped", "arima")
    for rep in range(reps):
        # a different simulation seed per series: one seed for all would make
        # the Monte Carlo error of the intervals common to every replication
        opts = {"n_draws": N_DRAWS, "seed": rep} if simulated else {}
        n = int(rng.integers(15, 26))
        w, gaps = SIMULATORS[name](rng, n)
        values = w if name == "linear" else np.exp(w)
        years = _gappy_years(rng, n, gaps)
        y = pd.Series(values[years - 2000], index=years)
        future = values[n:n + H]
        res = forecast.fit(y, model=name, **opts)
        if plug_in:
            res.param_uncertainty = False  # statsmodels' intervals from the same fit
        f = res.forecast(horizon=H, levels=(80, 95))
        for i, lv in enumerate((80, 95)):
            hits[i] += (f[f"lower_{lv}"].to_numpy() <= future) & (future <= f[f"upper_{lv}"].to_numpy())
    return pd.DataFrame(100 * hits / reps, index=[80, 95], columns=[f"h{h}" for h in range(1, H + 1)])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SIMULATORS))
def test_intervals_cover_nominal(name):
    cov = coverage(name)
    print(f"\n{name} coverage (% of {REPS}):\n{cov.round(1)}")
    for lv in (80, 95):
        assert (np.abs(cov.loc[lv] - lv) <= 5).all(), f"{name}: {lv}% intervals cover {cov.loc[lv].round(1).tolist()}"


@pytest.mark.slow
def test_statsmodels_ets_intervals_without_parameter_uncertainty_undercover():
    # why the default intervals add parameter uncertainty: on the same kind of
    # series, the plug-in intervals miss far more often than they claim
    cov = coverage("ets", reps=200, plug_in=True)
    print(f"\nets plug-in coverage (% of 200):\n{cov.round(1)}")
    assert (cov.loc[80] < 75).all() and (cov.loc[95] < 91).all()
