"""Residual diagnostics of a fitted model: residuals by year, autocorrelation, normal QQ plot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.style import GRID, OBSERVED, OKABE_ITO, finish_axes, to_years

__all__ = ["residual_diagnostics", "residual_acf"]


def residual_acf(residuals: Any, nlags: int | None = None) -> pd.Series:
    """Sample autocorrelation of residuals in year order, lags 1 to ``nlags``.

    Computed by :func:`statsmodels.tsa.stattools.acf` (missing values
    dropped). The default number of lags is ``min(10, n // 2)``.

    Examples
    --------
    >>> r = pd.Series([0.1, -0.2, 0.15, -0.05, 0.0, 0.12, -0.1, 0.05])
    >>> residual_acf(r, nlags=2).index.tolist()
    [1, 2]
    """
    from statsmodels.tsa.stattools import acf

    r = pd.Series(residuals).dropna().to_numpy(dtype=float)
    if len(r) < 3:
        raise ForecastError(f"residual diagnostics need at least 3 residuals, got {len(r)}")
    if nlags is None:
        nlags = max(1, min(10, len(r) // 2))
    nlags = int(min(nlags, len(r) - 1))
    values = acf(r, nlags=nlags, fft=False)
    return pd.Series(values[1:], index=pd.RangeIndex(1, nlags + 1, name="lag"), name="acf")


def residual_diagnostics(fit: Any, ax: Sequence[Any] | None = None, nlags: int | None = None):
    """Three panels to judge a fit: residuals by year, their autocorrelation, and a normal QQ plot.

    Parameters
    ----------
    fit : FitResult
        A fitted model (``forecast.fit(...)``); its ``residuals`` are on the
        model's working scale (log scale for the log models).
    ax : sequence of three matplotlib Axes, optional
        Where to draw the three panels; a new 1 x 3 figure when omitted.
    nlags : int, optional
        Number of autocorrelation lags (default ``min(10, n // 2)``).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    What to look for: residuals scattered around zero with no trend or
    funnel (left); autocorrelation bars inside the dashed band
    ``+-1.96/sqrt(n)``, the approximate 95% limits for white noise (middle);
    points near the line in the QQ plot, or the normal-based intervals are
    suspect in the tails (right). With 10 to 25 annual points these checks
    have little power: a clean picture is weak evidence, a bad one is strong.

    Examples
    --------
    >>> import forecast
    >>> fit = forecast.fit(forecast.series("ic3"), model="exponential")   # doctest: +SKIP
    >>> fig = forecast.plots.residual_diagnostics(fit)                    # doctest: +SKIP
    """
    from scipy import stats

    resid = getattr(fit, "residuals", None)
    if not isinstance(resid, pd.Series):
        raise ForecastError("residual_diagnostics: expected a fitted model with a residuals series")
    resid = resid.dropna()
    if ax is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.6), layout="constrained")
    else:
        axes = list(ax)
        if len(axes) != 3:
            raise ForecastError(f"residual_diagnostics: ax must hold three axes, got {len(axes)}")
        fig = axes[0].figure
    a_res, a_acf, a_qq = axes
    scale = getattr(fit, "space", "log")
    what = "log-scale residual" if scale == "log" else "residual"
    model = getattr(fit, "model", "")

    # 1. residuals by year
    years = to_years(resid.index)
    values = resid.to_numpy(dtype=float)
    a_res.axhline(0.0, color=GRID, linewidth=1.0, zorder=0)
    a_res.vlines(years, 0.0, values, color=OKABE_ITO["blue"], linewidth=1.0)
    a_res.plot(years, values, linestyle="none", marker="o", markersize=4, color=OBSERVED, label="Residual")
    a_res.set_ylabel(what)
    finish_axes(a_res, title=f"Residuals by year ({model})" if model else "Residuals by year", xlabel="Year",
                legend=False)

    # 2. autocorrelation
    ac = residual_acf(resid, nlags)
    bound = 1.96 / np.sqrt(len(values))
    a_acf.axhline(0.0, color="black", linewidth=0.8)
    a_acf.vlines(ac.index.to_numpy(), 0.0, ac.to_numpy(), color=OKABE_ITO["blue"], linewidth=2.5,
                 label="Autocorrelation")
    a_acf.axhline(bound, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.0,
                  label="95% limits for white noise")
    a_acf.axhline(-bound, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.0)
    a_acf.set_ylim(-1.05, 1.05)
    a_acf.set_ylabel("autocorrelation")
    a_acf.xaxis.set_major_locator(_integer_locator())
    finish_axes(a_acf, title="Autocorrelation of residuals", xlabel="Lag (years)", legend_loc="upper right")

    # 3. normal QQ plot
    (osm, osr), (slope, intercept, _r) = stats.probplot(values, dist="norm")
    a_qq.plot(osm, osr, linestyle="none", marker="o", markersize=4, color=OBSERVED, label="Residuals")
    a_qq.plot(osm, intercept + slope * np.asarray(osm), color=OKABE_ITO["vermillion"], linestyle="--",
              linewidth=1.2, label="Normal reference")
    a_qq.set_ylabel(f"ordered {what}")
    finish_axes(a_qq, title="Normal QQ plot", xlabel="Normal quantile", legend_loc="upper left")
    return fig


def _integer_locator():
    from matplotlib import ticker

    return ticker.MaxNLocator(integer=True)
