"""Model comparison chart: backtest accuracy and interval coverage against nominal, per model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.style import BAND, MARKERS, OKABE_ITO, finish_axes, plain_text

__all__ = ["comparison_chart"]

_METRIC_LABELS = {
    "mape": "MAPE of the median forecast (%)",
    "mase": "MASE (errors of log values; below 1 beats the naive one-step error)",
    "wis": "Weighted interval score (of log values)",
}
_LEVEL_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"], OKABE_ITO["orange"])


def _levels(acc: pd.DataFrame) -> list[float]:
    levels = acc.attrs.get("levels")
    if levels:
        return sorted(levels)
    found = []
    for c in acc.columns:
        if str(c).startswith("coverage_"):
            v = float(str(c)[9:])
            found.append(int(v) if v.is_integer() else v)
    return sorted(found)


def comparison_chart(accuracy: pd.DataFrame, ax: Sequence[Any] | None = None, metric: str = "mape",
                     title: str | None = None):
    """Compare models by backtest accuracy (left) and interval coverage against nominal (right).

    Parameters
    ----------
    accuracy : pd.DataFrame
        One row per model, as returned by :func:`forecast.accuracy`
        (columns ``model``, ``windows``, ``mape``, ``mase``, ``coverage_L``,
        ``nominal_L``...).
    ax : pair of matplotlib Axes, optional
        Where to draw the two panels; a new 1 x 2 figure when omitted.
    metric : str
        Accuracy column for the left panel: ``"mape"`` (default), ``"mase"``
        or ``"wis"`` (lower is better for all three).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Left: one horizontal bar per model, best (lowest) at the top, with its
    value written at the end of the bar. Right: for each model, the share of
    actual values that fell inside each interval (one marker shape per
    level) and a dashed vertical line at each nominal level; a marker left of
    its line means the intervals were too narrow. Model labels carry the
    number of scored forecasts, which bounds how precisely coverage is known.

    Examples
    --------
    >>> import forecast
    >>> y = forecast.series("ic3")                                              # doctest: +SKIP
    >>> acc = forecast.accuracy(forecast.backtest(y, models=["drift", "ets"]))  # doctest: +SKIP
    >>> fig = forecast.plots.comparison_chart(acc)                              # doctest: +SKIP
    """
    if not isinstance(accuracy, pd.DataFrame):
        raise ForecastError("comparison_chart: expected the accuracy frame of forecast.accuracy(backtest)")
    acc = accuracy.reset_index() if "model" not in accuracy.columns else accuracy
    if "model" not in acc.columns or metric not in acc.columns:
        raise ForecastError(f"comparison_chart: the accuracy frame needs columns 'model' and {metric!r}; "
                            f"it has {list(accuracy.columns)}")
    if acc["model"].duplicated().any():
        raise ForecastError("comparison_chart: one row per model is needed; use forecast.accuracy(bt) "
                            "without by=[..., 'horizon']")
    acc = acc[np.isfinite(pd.to_numeric(acc[metric], errors="coerce").to_numpy(dtype=float))]
    if acc.empty:
        raise ForecastError("comparison_chart: no model has a score to draw")
    acc = acc.sort_values(metric, ascending=True).reset_index(drop=True)
    levels = _levels(acc)

    own_figure = ax is None
    if ax is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10.5, 1.8 + 0.5 * len(acc)), layout="constrained",
                                 sharey=True)
    else:
        axes = list(ax)
        if len(axes) != 2:
            raise ForecastError(f"comparison_chart: ax must hold two axes, got {len(axes)}")
        fig = axes[0].figure
    a_acc, a_cov = axes

    pos = np.arange(len(acc))[::-1]  # best at the top
    windows = acc["windows"] if "windows" in acc.columns else pd.Series([None] * len(acc))
    names = [f"{m} (n={int(w)})" if pd.notna(w) else str(m) for m, w in zip(acc["model"], windows, strict=True)]
    vals = acc[metric].to_numpy(dtype=float)
    a_acc.barh(pos, vals, color=BAND, alpha=0.75, edgecolor="black", linewidth=0.6, height=0.6)
    fmt = "{:.1f}%" if metric == "mape" else "{:.3g}"
    for p, v in zip(pos, vals, strict=True):
        a_acc.annotate(fmt.format(v), (v, p), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8.5,
                       parse_math=False)
    a_acc.set_yticks(pos, names)
    a_acc.set_xlim(0, vals.max() * 1.18)
    finish_axes(a_acc, title="Accuracy (lower is better)", xlabel=_METRIC_LABELS.get(metric, metric),
                legend=False)

    for i, lv in enumerate(levels):
        col = f"coverage_{lv:g}"
        if col not in acc.columns:
            continue
        colour = _LEVEL_COLOURS[i % len(_LEVEL_COLOURS)]
        nominal = float(acc[f"nominal_{lv:g}"].iloc[0]) if f"nominal_{lv:g}" in acc.columns else float(lv)
        a_cov.axvline(nominal, color=colour, linestyle=("--", ":", "-.")[i % 3], linewidth=1.2,
                      label=f"nominal {lv:g}%")
        cov = acc[col].to_numpy(dtype=float)
        offset = (i - (len(levels) - 1) / 2) * 0.22  # levels side by side within a model's row
        a_cov.hlines(pos + offset, np.minimum(cov, nominal), np.maximum(cov, nominal), color=colour,
                     linewidth=1.0, alpha=0.6)
        a_cov.plot(cov, pos + offset, linestyle="none", marker=MARKERS[i % len(MARKERS)], markersize=7,
                   markerfacecolor=colour, markeredgecolor="black", markeredgewidth=0.6,
                   label=f"{lv:g}% interval: share covered")
    a_cov.set_xlim(min(0.0, a_cov.get_xlim()[0]), 102)
    a_cov.set_ylim(-0.7, len(acc) - 0.3)
    finish_axes(a_cov, title="Interval coverage against nominal", xlabel="Actual values inside the interval (%)",
                legend=False)
    if own_figure:  # below both panels, laid out with them
        handles, labels = a_cov.get_legend_handles_labels()
        plain_text(fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False,
                              fontsize=8))
    else:
        plain_text(a_cov.legend(loc="best", frameon=True, framealpha=0.9, fontsize=8))
    a_cov.tick_params(axis="y", length=0)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12, parse_math=False)
    return fig
