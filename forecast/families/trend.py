"""Polynomial trends fitted by ordinary least squares.

- ``linear``: ``y = a + b*t`` in levels (for comparison only; it can go
  negative, so its predictive distribution is truncated at zero);
- ``exponential``: ``log y = a + b*t`` (constant growth rate);
- ``quadratic``: ``log y = a + b*t + c*t**2`` (accelerating or slowing growth).

``t`` is the calendar year minus the mean observed year, so gaps between years
are fine: the regression uses the actual years. Prediction intervals include
parameter uncertainty exactly: the predictive of the working variable is
Student t with ``n - k`` degrees of freedom, location ``x'b`` and scale
``s * sqrt(1 + x'(X'X)^-1 x)`` (the ``obs_ci`` of statsmodels' OLS
``get_prediction``, and R's ``forecast(tslm(...))``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.intervals import Predictive
from forecast.families._common import aicc, check_sigma, checked, draw_normals, params_frame, prepare
from forecast.families.base import FitResult, years_of

__all__ = ["TrendResult", "fit_exponential", "fit_linear", "fit_quadratic"]

_NAMES = ("intercept", "slope", "curvature")


class TrendResult(FitResult):
    """Fitted polynomial trend (see :func:`fit_linear`, :func:`fit_exponential`, :func:`fit_quadratic`)."""

    in_sample_curve = True  # the curve is defined at every year: predictive_at uses it inside the data too

    def __init__(self, y: pd.Series, *, model: str, space: str, degree: int, center: float, coef: np.ndarray,
                 xtx_inv: np.ndarray, s2: float, df: int, **kwargs: Any) -> None:
        super().__init__(y, model=model, **kwargs)
        self.space = space
        self.degree_ = int(degree)
        self.center_ = float(center)
        self.coef_ = np.asarray(coef, dtype=float)
        self.xtx_inv_ = np.asarray(xtx_inv, dtype=float)
        self.s2_ = float(s2)
        self.df_ = int(df)

    def design(self, years: np.ndarray) -> np.ndarray:
        """Regressor matrix (1, t, t**2 ...) for calendar ``years``."""
        t = np.asarray(years, dtype=float) - self.center_
        return np.vander(t, self.degree_ + 1, increasing=True)

    def _predictive(self, years: pd.PeriodIndex) -> Predictive:
        x = self.design(np.array([p.year for p in years]))
        loc = x @ self.coef_
        scale = np.sqrt(self.s2_ * (1.0 + np.einsum("ij,jk,ik->i", x, self.xtx_inv_, x)))
        return checked(Predictive(years, loc=loc, scale=scale, df=self.df_, space=self.space), self.model)

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator) -> np.ndarray:
        x = self.design(np.array([p.year for p in years]))
        out = self._draw_paths(x, n, rng)
        if self.space == "level":
            # the level predictive is truncated at zero: a negative value is
            # replaced by a fresh draw for that year (rejection sampling), so
            # each year's marginal is exactly the truncated Student t
            for _ in range(200):
                bad = np.argwhere(out < 0)
                if not len(bad):
                    break
                fresh = self._draw_paths(x, len(bad), rng)
                out[bad[:, 0], bad[:, 1]] = fresh[np.arange(len(bad)), bad[:, 1]]
        return out

    def _draw_paths(self, x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        # sigma^2 ~ s^2 * df / chi2(df), coefficients ~ N(b, sigma^2 (X'X)^-1):
        # the marginal of each path value is then exactly the Student t of _predictive
        sigma = np.sqrt(self.s2_ * self.df_ / rng.chisquare(self.df_, size=n))
        chol = np.linalg.cholesky(self.xtx_inv_)
        coef = self.coef_[None, :] + sigma[:, None] * (rng.standard_normal((n, len(self.coef_))) @ chol.T)
        return coef @ x.T + sigma[:, None] * draw_normals(rng, n, x.shape[0])


def _fit_trend(y: pd.Series, *, model: str, degree: int, space: str) -> TrendResult:
    k = degree + 1
    y = prepare(y, model, k + 1)
    yrs = years_of(y).astype(float)
    center = float(yrs.mean())
    z = np.log(y.to_numpy()) if space == "log" else y.to_numpy(dtype=float)
    t = yrs - center
    x = np.vander(t, k, increasing=True)
    n = len(z)
    df = n - k
    q, r = np.linalg.qr(x)
    if np.abs(np.diag(r)).min() < 1e-10 * np.abs(np.diag(r)).max():  # pragma: no cover - distinct years
        raise ModelError(f"model {model!r}: the years do not determine {k} coefficients")
    coef = np.linalg.solve(r, q.T @ z)
    fit_w = x @ coef
    resid = z - fit_w
    s2 = float(resid @ resid / df)
    sigma = np.sqrt(s2)
    if space == "log":
        check_sigma(sigma, model)
    else:
        check_sigma(sigma / float(np.abs(z).mean()), model, "relative residual")
    r_inv = np.linalg.inv(r)
    xtx_inv = r_inv @ r_inv.T
    se = np.sqrt(s2 * np.diag(xtx_inv))
    names = list(_NAMES[:k]) + ["sigma"]
    est = list(coef) + [sigma]
    ses = list(se) + [sigma / np.sqrt(2 * df)]
    if space == "log" and degree == 1:
        names.append("growth_rate")
        est.append(np.expm1(coef[1]))
        ses.append(np.exp(coef[1]) * se[1])
    params = params_frame(names, est, ses)
    sigma_ml2 = float(resid @ resid / n)
    llf = -n / 2 * (np.log(2 * np.pi * sigma_ml2) + 1)
    fitted = pd.Series(np.exp(fit_w) if space == "log" else fit_w, index=y.index, name="fitted")
    residuals = pd.Series(resid, index=y.index, name="residual")
    scale = "log y" if space == "log" else "y"
    notes = [f"intercept is {scale} at {center:g} (the mean observed year); slope per year"
             + ("; curvature per year squared" if degree == 2 else "")]
    if space == "level":
        notes.append("a straight line in levels is for comparison only: its errors are not proportional "
                     "to the level, and its predictive distribution is truncated at zero")
    return TrendResult(y, model=model, space=space, degree=degree, center=center, coef=coef, xtx_inv=xtx_inv,
                       s2=s2, df=df, params=params, fitted=fitted, residuals=residuals,
                       aicc=aicc(llf, k + 1, n), notes=notes, options={})


def fit_linear(y: pd.Series) -> TrendResult:
    """Straight line in levels, ``y = a + b*t``, by OLS (for comparison only).

    Parameters
    ----------
    y : pd.Series
        Positive annual values (at least 3; gaps allowed).

    Returns
    -------
    TrendResult
        Working space ``"level"``; the Student t predictive is truncated at 0.

    Examples
    --------
    >>> import pandas as pd
    >>> res = fit_linear(pd.Series([1.0, 2.1, 2.9, 4.2], index=[2001, 2002, 2003, 2005]))
    >>> round(float(res.params.loc["slope", "estimate"]), 4)
    0.7829
    """
    return _fit_trend(y, model="linear", degree=1, space="level")


def fit_exponential(y: pd.Series) -> TrendResult:
    """Log-linear trend ``log y = a + b*t`` (constant growth rate), by OLS.

    Parameters
    ----------
    y : pd.Series
        Positive annual values (at least 3; gaps allowed).

    Returns
    -------
    TrendResult
        ``params``: ``intercept`` (log y at the mean observed year), ``slope``
        (annual log growth), ``sigma`` and ``growth_rate`` (``exp(slope)-1``).
        Intervals: Student t on the log scale with ``n - 2`` degrees of freedom
        (exact, with parameter uncertainty).

    Examples
    --------
    >>> import pandas as pd
    >>> res = fit_exponential(pd.Series([1.0, 1.2, 1.5, 1.7, 2.1, 2.4], index=range(2015, 2021)))
    >>> round(float(res.params.loc["growth_rate", "estimate"]), 4)
    0.1932
    >>> res.forecast(horizon=1)["median"].round(3).tolist()
    [2.927]
    """
    return _fit_trend(y, model="exponential", degree=1, space="log")


def fit_quadratic(y: pd.Series) -> TrendResult:
    """Quadratic trend in ``log y`` (accelerating or slowing growth), by OLS.

    Parameters
    ----------
    y : pd.Series
        Positive annual values (at least 4; gaps allowed).

    Returns
    -------
    TrendResult
        ``params``: ``intercept``, ``slope``, ``curvature`` (around the mean
        observed year), ``sigma``. Intervals: Student t with ``n - 3``
        degrees of freedom.

    Examples
    --------
    >>> import pandas as pd
    >>> res = fit_quadratic(pd.Series([1.0, 1.2, 1.5, 1.7, 2.1, 2.4], index=range(2015, 2021)))
    >>> res.params.index.tolist()
    ['intercept', 'slope', 'curvature', 'sigma']
    """
    return _fit_trend(y, model="quadratic", degree=2, space="log")
