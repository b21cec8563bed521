"""Gompertz growth to a capacity K, fitted by maximum likelihood on log y.

``y_t = K exp(-b exp(-c (t - tref))) * exp(e_t)``, ``e_t ~ N(0, sigma^2)``,
with ``tref`` the mean observed year. Growth slows asymmetrically: the
inflection (at ``tref + log(b) / c``) comes at ``K / e``, earlier than the
logistic's ``K / 2``. See :mod:`forecast.families._curve` for the estimation,
the capacity identification check and the simulated prediction intervals.
"""

from __future__ import annotations

from typing import Any

from forecast.families._curve import DEFAULT_SEED, N_DRAWS, CurveResult, GompertzCurve, fit_curve
from forecast.families.base import as_annual

__all__ = ["fit_gompertz"]


def fit_gompertz(y: Any, *, capacity: float | None = None, capacity_share_of_gdp: float | None = None,
                 world_gdp: float | None = None, capacity_max: float | None = None, seed: int = DEFAULT_SEED,
                 n_draws: int = N_DRAWS) -> CurveResult:
    """Fit a Gompertz curve ``K exp(-b exp(-c (t - tref)))`` to a positive annual series.

    Maximum likelihood on the log scale with ``log K``, ``log b`` and
    ``log c`` as the working parameters and ``tref`` the mean observed year
    (stored in ``options["tref"]``); several starting values from the
    linearisation ``log(log K - log y) = log b - c (t - tref)``; years may
    be irregular. The capacity identification check, the options and the
    simulated intervals are those of
    :func:`forecast.families.logistic.fit_logistic`; when K is not identified,
    ``K``, ``b`` and ``c`` are all reported as not identified (they move
    together along the flat ridge of the likelihood).

    Parameters
    ----------
    y : pd.Series
        Positive annual values (yearly ``PeriodIndex`` or integer years);
        at least 5 observations.
    capacity : float, optional
        A capacity supplied by the user, in the series' unit; K is then fixed
        and the intervals are conditional on it.
    capacity_share_of_gdp : float, optional
        A capacity as a fraction of world GDP in the last observed year; the
        series must be in US dollars.
    world_gdp : float, optional
        World GDP in US$ to use with ``capacity_share_of_gdp``.
    capacity_max : float, optional
        Upper bound on K (see :func:`~forecast.families.logistic.fit_logistic`).
    seed : int
        Seed of the simulation behind ``forecast()``.
    n_draws : int
        Number of simulated draws behind each interval (default 4000).

    Returns
    -------
    CurveResult
        ``params`` rows ``K``, ``b``, ``c`` (per year), ``sigma``, with
        delta-method standard errors; ``aicc`` from the log-scale likelihood
        (comparable only with models of log y on the same observations).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(2000, 2025)
    >>> y = pd.Series(50 * np.exp(-2.0 * np.exp(-0.25 * (t - 2012))), index=t)
    >>> res = fit_gompertz(y)
    >>> round(float(res.params.loc["K", "estimate"]), 3)
    50.0
    """
    return fit_curve(GompertzCurve(), as_annual(y), capacity=capacity, capacity_share_of_gdp=capacity_share_of_gdp,
                     world_gdp=world_gdp, capacity_max=capacity_max, seed=seed, n_draws=n_draws)
