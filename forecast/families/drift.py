"""Random walk with drift on the log scale.

``log y[t] = log y[t-1] + delta + e[t]``, ``e[t] ~ N(0, sigma**2)``. The
drift ``delta`` is the mean of the ``T`` log differences and ``sigma`` their
standard deviation (``ddof=1``). The h-step predictive of ``log y`` is Normal
with mean ``log y[n] + h*delta`` and standard deviation
``sigma * sqrt(h * (1 + h/T))``: the second term is the uncertainty of the
estimated drift (as in R's ``forecast::rwf(drift=TRUE)``, whose numbers this
reproduces).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.intervals import Predictive
from forecast.families._common import (
    check_sigma,
    checked,
    consecutive,
    draw_normals,
    params_frame,
    prepare,
    year_offsets,
)
from forecast.families.base import FitResult

__all__ = ["DriftResult", "fit_drift"]

MIN_OBS = 3


class DriftResult(FitResult):
    """Fitted random walk with drift on ``log y`` (see :func:`fit_drift`)."""

    model = "drift"
    space = "log"

    def __init__(self, y: pd.Series, *, last_log: float, drift: float, sigma: float, n_diff: int,
                 **kwargs: Any) -> None:
        super().__init__(y, **kwargs)
        self.last_log_ = float(last_log)
        self.drift_ = float(drift)
        self.sigma_ = float(sigma)
        self.n_diff_ = int(n_diff)

    def _predictive(self, years: pd.PeriodIndex) -> Predictive:
        h = year_offsets(self.y, years).astype(float)
        loc = self.last_log_ + h * self.drift_
        scale = self.sigma_ * np.sqrt(h * (1 + h / self.n_diff_))
        return checked(Predictive(years, loc=loc, scale=scale, df=np.inf, space="log"), self.model)

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator) -> np.ndarray:
        h = len(years)
        # drift drawn from its sampling distribution, then iid noise: the
        # marginals are exactly those of _predictive
        drift = self.drift_ + self.sigma_ / np.sqrt(self.n_diff_) * rng.standard_normal(n)
        steps = drift[:, None] + self.sigma_ * draw_normals(rng, n, h)
        return self.last_log_ + np.cumsum(steps, axis=1)


def fit_drift(y: pd.Series, *, gaps: str = "interpolate") -> DriftResult:
    """Fit a random walk with drift to ``log y``.

    Parameters
    ----------
    y : pd.Series
        Positive annual values (at least 3 years).
    gaps : {"interpolate", "refuse"}
        Missing years are filled by linear interpolation of the log values
        (with a note), or refused with a :class:`ModelError` naming them.

    Returns
    -------
    DriftResult
        ``params`` holds ``drift`` (mean annual log growth, with standard error
        ``sigma/sqrt(T)``) and ``sigma``; intervals are Normal on the log scale
        with ``sd_h = sigma*sqrt(h*(1 + h/T))``.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 1.3, 1.5, 2.1, 2.4, 3.2], index=range(2015, 2021))
    >>> res = fit_drift(y)
    >>> round(float(res.params.loc["drift", "estimate"]), 4)
    0.2326
    >>> res.forecast(horizon=2)["median"].round(3).tolist()
    [4.038, 5.096]
    """
    options = {"gaps": gaps}
    y = prepare(y, "drift", MIN_OBS)
    yc, notes = consecutive(y, "drift", gaps)
    logy = np.log(yc.to_numpy())
    d = np.diff(logy)
    n_diff = len(d)
    if n_diff < 2:  # pragma: no cover - guarded by MIN_OBS
        raise ModelError(f"model 'drift' needs at least {MIN_OBS} consecutive years")
    drift = float(d.mean())
    sigma = float(d.std(ddof=1))
    check_sigma(sigma, "drift", "log-difference")
    params = params_frame(["drift", "sigma"], [drift, sigma],
                          [sigma / np.sqrt(n_diff), sigma / np.sqrt(2 * (n_diff - 1))])
    idx = yc.index[1:]
    fitted = pd.Series(np.exp(logy[:-1] + drift), index=idx, name="fitted")
    residuals = pd.Series(d - drift, index=idx, name="residual")
    return DriftResult(yc, last_log=logy[-1], drift=drift, sigma=sigma, n_diff=n_diff, params=params,
                       fitted=fitted, residuals=residuals, aicc=None, notes=notes, options=options)
