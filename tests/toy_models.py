"""A toy model for evaluation tests: a Gaussian random walk on log y without drift.

Its forecast median stays at the last value, so tests can tell what data a fit saw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.families.base import FitResult
from forecast.intervals import Predictive


class ToyRandomWalk(FitResult):
    """Gaussian random walk on log y (no drift): median = last value."""

    model = "toy_rw"

    def __init__(self, y, sigma, **kw):
        super().__init__(y, **kw)
        self.sigma = sigma

    def _predictive(self, years):
        h = np.array([p.year for p in years]) - self.last_year
        return Predictive(years, loc=np.full(len(h), np.log(self.y.iloc[-1])), scale=self.sigma * np.sqrt(h))

    def _simulate(self, years, n, rng):
        steps = self.sigma * rng.standard_normal((n, len(years)))
        return np.log(self.y.iloc[-1]) + np.cumsum(steps, axis=1)


def fit_random_walk(y: pd.Series, model: str = "toy_rw", options: dict | None = None) -> ToyRandomWalk:
    """Fit the toy: sigma is the root mean square of the log differences."""
    d = np.diff(np.log(y.to_numpy()))
    sigma = float(np.sqrt(np.mean(d**2)))
    params = pd.DataFrame({"estimate": [sigma], "std_err": [np.nan]}, index=["sigma"])
    return ToyRandomWalk(y, sigma, params=params, fitted=y.shift(1).dropna(),
                         residuals=pd.Series(d, index=y.index[1:]), options=options, model=model)
