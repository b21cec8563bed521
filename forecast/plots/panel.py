"""Panels: small multiples of forecasts on one shared log scale, and contributions to growth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.fan import fan_chart
from forecast.plots.style import (
    TEXT_GREY,
    finish_axes,
    fixed_log_ticks,
    format_compact,
    series_style,
    source_note,
)

__all__ = ["contributions_chart", "panel_chart"]


def _largest(result: Any, top: int) -> list[str]:
    wide = result.panel.wide()
    last = wide.iloc[-1].dropna().sort_values(ascending=False)
    return [k for k in last.index if k in set(result.fitted_series) | set(result.pooled_)][:top]


def panel_chart(result: Any, horizon: int = 3, series: Sequence[str] | None = None, top: int = 8,
                levels: Sequence[float] = (80, 95), ncols: int = 3, forecast_frame: pd.DataFrame | None = None,
                title: str | None = None, source: str | None = None, axes: Any = None, legend: bool = True):
    """Small multiples: history, forecast median and intervals of several series on one log scale.

    Parameters
    ----------
    result : PanelResult
        A fitted panel (:func:`forecast.fit_panel`).
    horizon : int
        Years forecast.
    series : sequence of str, optional
        Which series to draw; by default the total (where there is one) and
        the ``top`` largest series in the last year.
    top : int
        Number of largest series when ``series`` is not given.
    levels : sequence of float
        Interval levels drawn as bands.
    ncols : int
        Panels per row.
    forecast_frame : pd.DataFrame, optional
        ``result.forecast(horizon=..., levels=...)`` if already made.
    title : str, optional
        Title over the figure.
    source : str, optional
        Source line under the figure (default: the panel's source).
    axes : sequence of matplotlib Axes, optional
        Where to draw, one per series (they should share their y axis).
    legend : bool
        A legend in the first panel (a caption can say it instead).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import forecast
    >>> res = forecast.fit_panel("ic3_by_state", model="drift", n_paths=200)
    >>> fig = forecast.plots.panel_chart(res, top=3)
    >>> [ax.get_title(loc="left") for ax in fig.axes][:2]
    ['Total', 'California']
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[1])
    ('log', True)
    """
    fc = forecast_frame if forecast_frame is not None else result.forecast(horizon=horizon, levels=levels)
    key = result.key
    names = list(series) if series is not None else \
        ([result.total] if result.total else []) + _largest(result, top)
    missing = [n for n in names if n not in set(fc[key])]
    if missing:
        raise ForecastError(f"panel_chart: no forecast for {missing[0]!r}")
    wide = result.panel.wide()
    for name, src in getattr(result, "sources_", {}).items():
        wide[name] = src
    n = len(names)
    if axes is None:
        import matplotlib.pyplot as plt

        nrows = int(np.ceil(n / ncols))
        fig, grid = plt.subplots(nrows, min(ncols, n), figsize=(3.1 * min(ncols, n), 2.5 * nrows + 0.6),
                                 sharey=True, squeeze=False, layout="constrained")
        axes = list(grid.ravel())
        for ax in axes[n:]:
            ax.set_visible(False)
    else:
        axes = list(axes)
        fig = axes[0].figure
    unit = result.panel.unit
    lows, highs = [], []
    for ax, name in zip(axes, names, strict=False):
        frame = fc[fc[key] == name].set_index("year").drop(columns=[key])
        frame.attrs.update({"unit": unit, "levels": tuple(fc.attrs.get("levels") or levels)})
        hist = wide[name].dropna() if name in wide else None
        fan_chart(hist, frame, ax=ax, log=True, title=str(name), source="")
        ax.set_title(str(name), loc="left", fontsize=10, parse_math=False, y=1.0)  # smaller: long names fit a panel
        from matplotlib import ticker

        ax.xaxis.set_major_locator(ticker.MultipleLocator(4))
        ax.set_xlabel("")
        leg = ax.get_legend()
        if leg is not None and (ax is not axes[0] or not legend):
            leg.remove()
        if ax is not axes[0]:
            ax.set_ylabel("")
        vals = frame[[c for c in frame.columns if c.startswith(("lower_", "upper_"))]].to_numpy(dtype=float)
        vals = vals[vals > 0]
        if hist is not None:
            vals = np.concatenate([vals, hist.to_numpy(dtype=float)[hist.to_numpy() > 0]])
        if len(vals):
            lows.append(vals.min())
            highs.append(vals.max())
    if lows:
        low, high = min(lows) / 1.5, max(highs) * 1.5
        axes[0].set_ylim(low, high)
        fixed_log_ticks(axes[0].yaxis, low, high)  # labels for the shared span, shared by every panel
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    src = result.panel.source if source is None else source
    if src:
        source_note(axes[0], f"Source: {src}" if not src.lower().startswith("source") else src)
    return fig


def contributions_chart(frame: pd.DataFrame, top: int = 8, ax: Any = None, title: str | None = None):
    """Bars: each series' contribution to the growth of the sum, one group of bars per period.

    Parameters
    ----------
    frame : pd.DataFrame
        The result of :func:`forecast.contributions`.
    top : int
        Series with the largest contributions in any period; the rest are
        summed into "all others".
    ax : matplotlib Axes, optional
        Where to draw.
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import forecast
    >>> fig = forecast.plots.contributions_chart(forecast.contributions("ic3_by_crime_type"), top=4)
    >>> len(fig.axes[0].patches)
    5
    """
    from forecast.plots.style import new_axes

    key = frame.columns[0]
    periods = list(dict.fromkeys(frame["period"]))
    pivot = frame.pivot_table(index=key, columns="period", values="contribution_pp", aggfunc="sum")[periods]
    order = pivot.abs().max(axis=1).sort_values(ascending=False).index
    keep = list(order[:top])
    rest = pivot.drop(index=keep).sum()
    table = pd.concat([pivot.loc[keep], pd.DataFrame([rest], index=["all others"])])
    fig, ax = new_axes(ax, figsize=(8.0, 0.45 * len(table) * max(1, len(periods)) + 1.2))
    height = 0.8 / len(periods)
    ypos = np.arange(len(table))[::-1]
    for j, period in enumerate(periods):
        growth = frame.loc[frame["period"] == period, "total_growth_pct"].iloc[0]
        style = series_style(j)
        ax.barh(ypos - j * height, table[period].to_numpy(dtype=float), height=height, color=style["color"],
                label=f"{period} (sum grew {format_compact(growth, money=False)}%)")
    ax.set_yticks(ypos - height * (len(periods) - 1) / 2, [str(k) for k in table.index])
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("contribution to the growth of the sum, percentage points")
    finish_axes(ax, title=title or "Which series drove the growth", legend=True, legend_loc="center right")
    notes = frame.attrs.get("notes") or []
    if notes:
        import textwrap

        text = "Caveat: " + notes[0]
        # from the figure's left edge (the axes start after the long category labels), so 90 characters fit
        ax.annotate(textwrap.fill(text, 90), xy=(0.01, 0.0), xycoords=("figure fraction", ax.xaxis.label),
                    xytext=(0, -3), textcoords="offset points", ha="left", va="top", fontsize=7.5,
                    color=TEXT_GREY, parse_math=False, annotation_clip=False)
    return fig
