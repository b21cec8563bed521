"""Fan chart: the observed history, the forecast median and its interval bands."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots._claims import claims_frame
from forecast.plots.style import (
    BAND,
    CLAIM,
    MEDIAN,
    OBSERVED,
    TEXT_GREY,
    band_alphas,
    finish_axes,
    format_compact,
    money_multiplier,
    new_axes,
    set_value_axis,
    source_note,
    to_years,
)

__all__ = ["fan_chart", "frame_levels"]


def frame_levels(frame: pd.DataFrame) -> list[float]:
    """Interval levels present in a forecast frame, ascending (e.g. ``[80, 95]``)."""
    levels = frame.attrs.get("levels")
    if levels:
        return sorted(float(v) if not float(v).is_integer() else int(v) for v in levels)
    found = []
    for col in frame.columns:
        if str(col).startswith("lower_") and f"upper_{str(col)[6:]}" in frame.columns:
            v = float(str(col)[6:])
            found.append(int(v) if v.is_integer() else v)
    return sorted(found)


def _history_series(history: Any) -> pd.Series:
    if isinstance(history, pd.DataFrame):
        if history.shape[1] != 1:
            raise ForecastError(f"history: expected one column of values, got {history.shape[1]}")
        history = history.iloc[:, 0]
    if not isinstance(history, pd.Series):
        raise ForecastError(f"history: expected a pandas Series of annual values, got {type(history).__name__}")
    return history.dropna()


def fan_chart(history: pd.Series | None, forecast_frame: pd.DataFrame, ax: Any = None, log: bool = True,
              claims: Any = None, title: str | None = None, label_claims: bool | None = None,
              ceiling: float | None = None, ceiling_label: str = "Assumed ceiling", source: str | None = None):
    """Draw the history, the forecast median and its interval bands.

    Parameters
    ----------
    history : pd.Series or None
        Observed values indexed by year (PeriodIndex or ints); drawn as black
        points joined by a thin line. ``None`` draws the forecast only.
    forecast_frame : pd.DataFrame
        A forecast in the package's interval schema (``median``,
        ``lower_L``/``upper_L``, unit in ``attrs``), e.g.
        ``fit.forecast(horizon=6)``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    log : bool
        Logarithmic value axis (default): constant growth is a straight line.
    claims : optional
        Published figures to mark: ``[(year, value, label), ...]``,
        ``{label: (year, value)}``, a frame with ``year``/``value``/``label``
        columns, or claim-check records. Values in the forecast's unit.
    title : str, optional
        Chart title; by default the model's name.
    label_claims : bool, optional
        Write each claim's label beside its marker; by default only when
        there are at most six claims (more labels would overlap).
    ceiling : float, optional
        A capacity the forecast assumes (e.g. a logistic curve's supplied
        ``K``, in the forecast's unit), drawn as a dashed horizontal line and
        named in the legend with ``ceiling_label`` and its value.
    ceiling_label : str
        Legend text of the ceiling line.
    source : str, optional
        Where the data come from, written under the chart; by default the
        history's ``attrs["source"]``; ``""`` writes none.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` was given).

    Notes
    -----
    Artists, in drawing order: one line for the history (a missing year is
    a gap, drawn as NaN), a dotted vertical line at the last observed year
    (where the forecast starts), one filled band per level (widest first,
    lighter), one line for the median, and, with claims, one line of diamond
    markers with a text label beside each claim. When the forecast starts
    the year after the last observation, the bands and the median start
    from that observation (zero width there), so the forecast visibly
    continues the data.

    Examples
    --------
    >>> import forecast
    >>> fit = forecast.fit(forecast.series("ic3"), model="drift")   # doctest: +SKIP
    >>> fig = forecast.plots.fan_chart(fit.y, fit.forecast(horizon=6),
    ...                                claims=[(2030, 1e11, "$100bn")])  # doctest: +SKIP
    """
    if not isinstance(forecast_frame, pd.DataFrame) or "median" not in forecast_frame.columns:
        raise ForecastError("fan_chart: forecast_frame must be a forecast frame with a 'median' column")
    unit = forecast_frame.attrs.get("unit", "") or ""
    model = forecast_frame.attrs.get("model") or (
        str(forecast_frame["model"].iloc[0]) if "model" in forecast_frame.columns and len(forecast_frame) else "")
    fig, ax = new_axes(ax)
    years = to_years(forecast_frame.index)
    values: list[float] = []

    anchor: tuple[int, float] | None = None  # the last observation, where the forecast starts
    if history is not None:
        hist = _history_series(history)
        hy = to_years(hist.index)
        hv = hist.to_numpy(dtype=float)
        # a missing year is a gap in the line, not a bridge
        full = pd.Series(hv, index=hy).reindex(range(hy.min(), hy.max() + 1)) if len(hy) else pd.Series(hv)
        ax.plot(full.index.to_numpy(), full.to_numpy(), color=OBSERVED, marker="o", markersize=3.5,
                linewidth=0.8, label="Observed", zorder=4)
        values += list(hv)
        if len(hy) and len(years) and int(years[0]) == int(hy[-1]) + 1:
            anchor = (int(hy[-1]), float(hv[-1]))
        if len(hy) and len(years) and int(years[0]) > int(hy[-1]):
            ax.axvline(int(hy[-1]), color=TEXT_GREY, linestyle=":", linewidth=1.0, zorder=1, gid="forecast-start",
                       label="_forecast starts")

    def _from_anchor(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if anchor is None:
            return years, v
        return np.concatenate([[anchor[0]], years]), np.concatenate([[anchor[1]], v])

    levels = frame_levels(forecast_frame)
    alphas = band_alphas(len(levels))  # narrowest first
    for lv, alpha in sorted(zip(levels, alphas, strict=True), key=lambda t: -t[0]):  # widest drawn first, below
        lo = forecast_frame[f"lower_{lv:g}"].to_numpy(dtype=float)
        hi = forecast_frame[f"upper_{lv:g}"].to_numpy(dtype=float)
        bx, blo = _from_anchor(lo)
        ax.fill_between(bx, blo, _from_anchor(hi)[1], color=BAND, alpha=alpha, linewidth=0,
                        label=f"{lv:g}% interval")
        values += list(lo) + list(hi)

    med = forecast_frame["median"].to_numpy(dtype=float)
    ax.plot(*_from_anchor(med), color=MEDIAN, linewidth=2.0,
            label="Median forecast" + (f" ({model})" if model else ""))
    values += list(med)

    if ceiling is not None:
        mult = money_multiplier(unit)
        shown = format_compact(float(ceiling) * (mult or 1.0), money=mult is not None)
        ax.axhline(float(ceiling), color=CLAIM, linestyle="--", linewidth=1.3, gid="ceiling",
                   label=f"{ceiling_label} ({shown})")
        values.append(float(ceiling))

    cl = claims_frame(claims, unit)
    if len(cl):
        ax.plot(cl["year"].to_numpy(), cl["value"].to_numpy(), linestyle="none", marker="D", markersize=7,
                markerfacecolor=CLAIM, markeredgecolor="black", markeredgewidth=0.8, label="Claim")
        mult = money_multiplier(unit)
        for _, row in (cl.iterrows() if (label_claims if label_claims is not None else len(cl) <= 6) else ()):
            text = row["label"] or format_compact(row["value"] * (mult or 1.0), money=mult is not None)
            ax.annotate(text, (row["year"], row["value"]), xytext=(6, 4), textcoords="offset points",
                        fontsize=8.5, color="black", parse_math=False)
        values += list(cl["value"])

    name = None
    if history is not None:
        name = history.attrs.get("name") or (history.name if isinstance(history, pd.Series) else None)
    set_value_axis(ax, unit, log, values, basis=forecast_frame.attrs.get("price_basis"),
                   name=str(name) if name else None)
    if title is None:
        title = f"Forecast: {model}" if model else "Forecast"
    finish_axes(ax, title=title, xlabel="Year", legend_loc="upper left")
    if source is None:
        source = str(history.attrs.get("source") or "") if history is not None else ""
    source_note(ax, source)
    all_years = np.concatenate([years, hy if history is not None else [], cl["year"].to_numpy()])
    if len(all_years):
        ax.set_xlim(all_years.min() - 0.5, all_years.max() + 0.8)
    return fig
