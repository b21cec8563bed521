"""Logistic growth to a capacity K, fitted by maximum likelihood on log y.

``y_t = K / (1 + exp(-r (t - t0))) * exp(e_t)``, ``e_t ~ N(0, sigma^2)``.
See :mod:`forecast.families._curve` for the estimation, the capacity
identification check and the simulated prediction intervals.
"""

from __future__ import annotations

from typing import Any

from forecast.families._curve import DEFAULT_SEED, N_DRAWS, CurveResult, LogisticCurve, fit_curve
from forecast.families.base import as_annual

__all__ = ["fit_logistic"]


def fit_logistic(y: Any, *, capacity: float | None = None, capacity_share_of_gdp: float | None = None,
                 world_gdp: float | None = None, capacity_max: float | None = None, seed: int = DEFAULT_SEED,
                 n_draws: int = N_DRAWS) -> CurveResult:
    """Fit a logistic curve ``K / (1 + exp(-r (t - t0)))`` to a positive annual series.

    Maximum likelihood on the log scale (multiplicative errors) with
    ``log K``, ``log r`` and ``t0`` as the working parameters, time centred
    at the mean observed year, several starting values from a linearisation
    of the curve; years may be irregular (gaps are skipped, not filled).

    The capacity K is checked for identification: when the estimate runs far
    beyond the data (more than 50 times the largest observation), its
    standard error on the log scale exceeds 2, the optimiser does not
    converge, or a ceiling 1000 times the largest observation lowers the
    log-likelihood by less than 1.92 (no finite upper limit of the 95%
    profile-likelihood interval), ``K`` and ``t0`` are reported as not
    identified, ``notes`` say so, and ``forecast()``/``simulate()`` raise
    :class:`forecast.errors.ModelError` rather than print a meaningless
    interval. :meth:`CurveResult.profile_capacity` shows the profile
    likelihood behind the decision.

    Parameters
    ----------
    y : pd.Series
        Positive annual values (yearly ``PeriodIndex`` or integer years);
        at least 5 observations.
    capacity : float, optional
        A capacity supplied by the user, in the series' unit (US$ for the
        loss series). K is then fixed and the intervals are conditional on it.
    capacity_share_of_gdp : float, optional
        A capacity as a fraction of world GDP in the last observed year
        (e.g. ``0.01`` for 1%); the series must be in US dollars. World GDP
        comes from the package's ``world_gdp`` data set unless ``world_gdp``
        is given.
    world_gdp : float, optional
        World GDP in US$ to use with ``capacity_share_of_gdp``.
    capacity_max : float, optional
        Upper bound on K. If the estimate exceeds it, or K is not
        identified, K is set to the bound and the intervals are conditional
        on it (``notes`` say so).
    seed : int
        Seed of the simulation behind ``forecast()`` (same seed, same
        numbers).
    n_draws : int
        Number of simulated draws behind each interval (default 4000).

    Returns
    -------
    CurveResult
        ``params`` rows ``K`` (series unit), ``r`` (per year), ``t0``
        (inflection year), ``sigma`` (log-scale residual sd,
        ``sqrt(RSS / (n - p))``), with delta-method standard errors.
        ``aicc`` is computed from the log-scale likelihood and is comparable
        only with other models of log y fitted to the same observations.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(2000, 2025)
    >>> y = pd.Series(100 / (1 + np.exp(-0.4 * (t - 2010))), index=t)
    >>> res = fit_logistic(y)
    >>> round(float(res.params.loc["K", "estimate"]), 3)
    100.0
    >>> res.forecast(horizon=2).columns.tolist()
    ['mean', 'median', 'lower_80', 'upper_80', 'lower_95', 'upper_95', 'model']
    """
    return fit_curve(LogisticCurve(), as_annual(y), capacity=capacity, capacity_share_of_gdp=capacity_share_of_gdp,
                     world_gdp=world_gdp, capacity_max=capacity_max, seed=seed, n_draws=n_draws)
