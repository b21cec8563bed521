"""Backtest chart: the forecasts made from each origin against what happened."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.style import OBSERVED, finish_axes, new_axes, plain_text, set_value_axis, to_years

__all__ = ["backtest_chart"]

_NEEDED = ("origin", "model", "horizon", "year", "actual", "median")


def backtest_chart(bt: pd.DataFrame, model: str | None = None, ax: Any = None, log: bool = True,
                   history: pd.Series | None = None, level: float | None = None, title: str | None = None):
    """Draw what one model forecast from each backtest origin, over what happened.

    Parameters
    ----------
    bt : pd.DataFrame
        A rolling-origin backtest, as returned by :func:`forecast.backtest`
        (columns ``origin``, ``model``, ``horizon``, ``year``, ``actual``,
        ``median`` and ``lower_L``/``upper_L``).
    model : str, optional
        Which model to draw; needed when ``bt`` holds several.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    log : bool
        Logarithmic value axis (default).
    history : pd.Series, optional
        The whole observed series, drawn in black above the forecasts; by
        default only the actual values the backtest scored are drawn.
    level : float, optional
        Also draw each forecast's interval at this level (e.g. 80) as a thin
        vertical bar.
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    One line per origin: it starts at the value observed in the origin year
    (when known; hollow marker) and joins the median forecasts for the
    following years (filled markers). Lines are coloured from dark (early
    origins) to light (late origins) on the colour-blind safe, grayscale
    monotone *cividis* scale; the colour bar names the origin years. A model
    that failed at an origin has no line there (``bt.attrs["failures"]``).

    Examples
    --------
    >>> import forecast
    >>> bt = forecast.backtest(forecast.series("ic3"), models=["drift"], horizon=3)   # doctest: +SKIP
    >>> fig = forecast.plots.backtest_chart(bt, model="drift")                         # doctest: +SKIP
    """
    import matplotlib as mpl

    if not isinstance(bt, pd.DataFrame) or any(c not in bt.columns for c in _NEEDED):
        raise ForecastError(f"backtest_chart: expected a backtest frame with columns {', '.join(_NEEDED)}")
    models = list(dict.fromkeys(bt["model"].astype(str)))
    if model is None:
        if len(models) != 1:
            raise ForecastError(f"backtest_chart: the backtest holds several models; choose one with model=: "
                                f"{', '.join(models)}")
        model = models[0]
    if model not in models:
        raise ForecastError(f"backtest_chart: model {model!r} is not in the backtest; it holds {', '.join(models)}")
    sub = bt[bt["model"].astype(str) == model].sort_values(["origin", "year"])
    unit = bt.attrs.get("unit", "") or ""
    fig, ax = new_axes(ax)

    actual = sub.drop_duplicates("year").set_index("year")["actual"].sort_index()
    if history is not None:
        hist = pd.Series(pd.Series(history).dropna().to_numpy(dtype=float), index=to_years(history.dropna().index))
    else:
        hist = pd.Series(actual.to_numpy(dtype=float), index=actual.index.to_numpy(dtype=int))
    known = dict(zip(hist.index.tolist(), hist.to_numpy().tolist(), strict=True))
    # the observations are drawn above the forecasts (zorder), so no forecast line hides them; a missing
    # year breaks the line instead of being bridged
    full = hist.reindex(range(int(hist.index.min()), int(hist.index.max()) + 1)) if len(hist) else hist
    ax.plot(full.index.to_numpy(), full.to_numpy(), color=OBSERVED, marker="o", markersize=4, linewidth=1.1,
            label="Observed", zorder=5)
    values = list(hist.to_numpy())

    origins = sorted(int(o) for o in sub["origin"].unique())
    cmap = mpl.colormaps["cividis"]
    norm = mpl.colors.Normalize(vmin=min(origins) if origins else 0, vmax=max(origins) + 1e-9 if origins else 1)
    for o in origins:
        rows = sub[sub["origin"] == o]
        colour = cmap(norm(o) * 0.85)  # keep the lightest end visible on white
        xs, ys = rows["year"].to_numpy(dtype=int), rows["median"].to_numpy(dtype=float)
        if o in known:
            ax.plot([o], [known[o]], linestyle="none", marker="o", markersize=5, markerfacecolor="white",
                    markeredgecolor=colour, zorder=3)
            xs, ys = np.concatenate([[o], xs]), np.concatenate([[known[o]], ys])
        ax.plot(xs, ys, color=colour, linewidth=1.6, marker=".", markersize=7, zorder=3,
                label=f"Forecast from {o}", gid=f"origin-{o}")
        values += list(rows["median"])
        if level is not None:
            lo, hi = f"lower_{level:g}", f"upper_{level:g}"
            if lo not in rows.columns:
                raise ForecastError(f"backtest_chart: the backtest has no {level:g}% interval")
            ax.vlines(rows["year"].to_numpy(dtype=float), rows[lo].to_numpy(), rows[hi].to_numpy(),
                      color=colour, linewidth=0.8, alpha=0.7)
            values += list(rows[lo]) + list(rows[hi])

    set_value_axis(ax, unit, log, values)
    horizon = int(sub["horizon"].max()) if len(sub) else 0
    if title is None:
        title = f"Backtest of {model}: forecasts 1-{horizon} years ahead from each origin"
    finish_axes(ax, title=title, xlabel="Year", legend=False)
    handles = [ax.lines[0]]
    plain_text(ax.legend(handles, ["Observed"], loc="upper left", frameon=False, fontsize=8.5))
    if origins:
        sm = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(vmin=min(origins), vmax=max(origins)),
                                   cmap=_trimmed(cmap))
        cb = fig.colorbar(sm, ax=ax, pad=0.01, fraction=0.04)
        cb.set_label("Forecast origin (last year of data used)")
        cb.locator = mpl.ticker.MaxNLocator(integer=True)
        cb.update_ticks()
    return fig


def _trimmed(cmap: Any):
    """The part of ``cmap`` the origin lines use (its first 85%)."""
    import matplotlib as mpl

    return mpl.colors.ListedColormap(cmap(np.linspace(0.0, 0.85, 256)))
