"""Publisher chart: global cost figures by publisher, and the latent fit on one publisher's scale."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.style import (
    BAND,
    MEDIAN,
    MARKERS,
    finish_axes,
    new_axes,
    plain_text,
    series_style,
    set_value_axis,
    source_note,
)

__all__ = ["publisher_chart", "publisher_rows", "OFF_SCALE_MEASURES"]

#: Measures that are not a global figure at all: drawn only with ``show_excluded="all"``
#: (a $1.8bn survey-sample total would stretch the axis three orders of magnitude below the rest).
OFF_SCALE_MEASURES = ("survey_sample_total", "per_breach_cost")
#: Grey shades for the publishers beyond the palette: each palette colour names one publisher only.
_OTHER_GREYS = ("#595959", "#a6a6a6")
DEFAULT_SOURCE = "published figures, the package's global_estimates dataset (data/global_estimates.csv)"


def publisher_rows(source: Any) -> pd.DataFrame:
    """The figures a publisher chart draws, one row each.

    Columns: ``publisher``, ``year``, ``value_usd``, ``low_usd``,
    ``high_usd``, ``kind`` (``"estimate"`` or ``"forecast"``), ``included``
    (whether the multi-publisher model fitted the row; ``NA`` when unknown),
    ``measure`` (what the figure counts; empty when unknown).

    ``source`` is a :class:`~forecast.published.publishers.PublisherFit` (its
    ``inclusion`` table), that table itself, or global estimates in the
    columns of ``forecast.load("global_estimates")``. Rows without a single
    year or a value (multi-year totals, per-breach costs) are left out.
    """
    if hasattr(source, "inclusion") and isinstance(source.inclusion, pd.DataFrame):
        frame = source.inclusion
    elif isinstance(source, pd.DataFrame):
        frame = source
    else:
        raise ForecastError("publisher_chart: expected a publisher fit (forecast.fit_publishers()) or "
                            "global estimates (forecast.load('global_estimates'))")
    if "value_usd" not in frame.columns or "year" not in frame.columns:
        from forecast.published._data import prepare

        frame = prepare(frame)
    out = pd.DataFrame({
        "publisher": frame["publisher"].astype(str).to_numpy(),
        "year": pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype=float),
        "value_usd": pd.to_numeric(frame["value_usd"], errors="coerce").to_numpy(dtype=float),
        "low_usd": pd.to_numeric(frame.get("low_usd", np.nan), errors="coerce"),
        "high_usd": pd.to_numeric(frame.get("high_usd", np.nan), errors="coerce"),
        "kind": frame["kind"].astype(str).str.lower().to_numpy() if "kind" in frame else "estimate",
        "included": (frame["included"].astype("boolean").to_numpy() if "included" in frame
                     else pd.array([pd.NA] * len(frame), dtype="boolean")),
        "measure": frame["measure"].fillna("").astype(str).to_numpy() if "measure" in frame else "",
    })
    keep = np.isfinite(out["year"].to_numpy()) & np.isfinite(out["value_usd"].to_numpy()) & (out["value_usd"] > 0)
    out = out[keep].copy()
    out["year"] = out["year"].astype(int)
    return out.reset_index(drop=True)


def publisher_chart(source: Any, ax: Any = None, scale: str | None = None, until: int | None = None,
                    log: bool = True, show_excluded: bool | str = False, level: float = 80, show_fit: bool = True,
                    title: str | None = None, data_source: str | None = None):
    """Draw the global cost figures by publisher and, for a fit, the latent level on one publisher's scale.

    Parameters
    ----------
    source : PublisherFit or pd.DataFrame
        ``forecast.fit_publishers()`` (its rows, with what was fitted, and
        its curve), or global estimates (``forecast.load("global_estimates")``,
        figures only).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    scale : str, optional
        Publisher on whose scale the fitted level is drawn (default: the
        fit's reference publisher).
    until : int, optional
        Last year of the fitted line and of the year axis (default: the last
        year with a figure); pass the last year of a forecast table shown
        beside the chart so that both end in the same year.
    log : bool
        Logarithmic value axis (default).
    show_excluded : bool or "all"
        Also draw, in grey, the annual figures the model left out for
        another reason than being a forecast (other measures, echoes of
        another publisher's figure). Figures that are not global at all
        (``OFF_SCALE_MEASURES``: a survey sample's total, a cost per
        breach) are drawn only with ``"all"``; the source note under the
        chart names those left out.
    level : float
        Level (percent) of the band around the fitted line: the interval for
        a new figure from the ``scale`` publisher.
    show_fit : bool
        Draw the fitted level of a fit (default); ``False`` draws the figures
        only, with what the fit included.
    title : str, optional
        Chart title.
    data_source : str, optional
        The source note under the chart; by default the package's dataset;
        ``""`` writes none.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each publisher has its own marker; each palette colour is used by one
    publisher only (the fitted publishers first), and publishers beyond the
    palette are drawn in grey. The legend sits under the plot, so the plot
    keeps the figure's width. Estimates (a figure for a
    year already past when published) are filled markers; forecasts at
    publication time are hollow markers of the same shape: they are claims
    to test, not data. A published low-high range is a vertical bar. With a
    fit, a line (median) and a band show the latent level on the chosen
    publisher's scale: publishers differ by a constant factor on a log axis.

    Examples
    --------
    >>> import forecast
    >>> fit = forecast.fit_publishers()                                        # doctest: +SKIP
    >>> fig = forecast.plots.publisher_chart(fit, scale="Cybersecurity Ventures")  # doctest: +SKIP
    """
    rows = publisher_rows(source)
    is_fit = hasattr(source, "predictive_at")
    draw_fit = is_fit and show_fit
    fig, ax = new_axes(ax, figsize=(9.5, 5.2))
    values: list[float] = []

    if not show_excluded and rows["included"].notna().any():
        drop = (rows["kind"] != "forecast") & (rows["included"] == False)  # noqa: E712 - nullable boolean
        rows = rows[~drop.fillna(False).to_numpy(dtype=bool)]
    off = rows["measure"].isin(OFF_SCALE_MEASURES).to_numpy(dtype=bool)
    left_out = rows[off] if show_excluded != "all" else rows.iloc[:0]
    rows = rows[~off] if show_excluded != "all" else rows
    counts = rows["publisher"].value_counts()
    pubs = sorted(counts.index, key=lambda p: (-counts[p], p))
    if is_fit:  # the fitted publishers first, in the fit's order, so their styles stay put
        pubs = [p for p in source.publishers if p in counts.index] + [p for p in pubs if p not in source.publishers]

    if draw_fit:
        name = source.publisher_name(scale)
        last = int(rows["year"].max()) if until is None else int(until)
        years = list(range(int(source.first_year), max(last, int(source.first_year)) + 1))
        frame = source.predictive_at(years, publisher=name).to_frame(levels=(level,), model=source.model,
                                                                      unit=source.unit)
        yr = np.asarray(years)
        lo, hi = frame[f"lower_{level:g}"].to_numpy(), frame[f"upper_{level:g}"].to_numpy()
        ax.fill_between(yr, lo, hi, color=BAND, alpha=0.18, linewidth=0,
                        label=f"{level:g}% interval for a new {name} figure")
        ax.plot(yr, frame["median"].to_numpy(), color=MEDIAN, linewidth=2.0, label=f"Fitted level, {name} scale")
        values += list(lo) + list(hi)

    n_colours = len({series_style(i)["color"] for i in range(len(MARKERS))})
    for i, p in enumerate(pubs):
        st = series_style(i)
        sub = rows[rows["publisher"] == p]
        est = sub[sub["kind"] != "forecast"]
        fc = sub[sub["kind"] == "forecast"]
        excluded = est["included"].fillna(True).to_numpy(dtype=bool) == False  # noqa: E712
        colour = st["color"] if i < n_colours else _OTHER_GREYS[(i - n_colours) % len(_OTHER_GREYS)]
        st["marker"] = MARKERS[i % len(MARKERS)] if i < n_colours else MARKERS[(i - n_colours) % len(MARKERS)]
        ranged = sub[np.isfinite(sub["low_usd"]) & np.isfinite(sub["high_usd"])]
        if len(ranged):
            ax.vlines(ranged["year"].to_numpy(), ranged["low_usd"].to_numpy(), ranged["high_usd"].to_numpy(),
                      color=colour, linewidth=1.4, alpha=0.8)
            values += list(ranged["low_usd"]) + list(ranged["high_usd"])
        shown = est[~excluded]
        if len(shown):
            ax.plot(shown["year"].to_numpy(), shown["value_usd"].to_numpy(), linestyle="none", marker=st["marker"],
                    markersize=7, markerfacecolor=colour, markeredgecolor="black", markeredgewidth=0.6,
                    label=p, gid=f"estimate:{p}")
        if excluded.any():
            ex = est[excluded]
            ax.plot(ex["year"].to_numpy(), ex["value_usd"].to_numpy(), linestyle="none", marker=st["marker"],
                    markersize=6, markerfacecolor="#bbbbbb", markeredgecolor=colour, markeredgewidth=1.0,
                    label=f"{p} (not fitted)" if not len(shown) else None, gid=f"excluded:{p}")
        if len(fc):
            ax.plot(fc["year"].to_numpy(), fc["value_usd"].to_numpy(), linestyle="none", marker=st["marker"],
                    markersize=7, markerfacecolor="white", markeredgecolor=colour, markeredgewidth=1.6,
                    label=(f"{p} (forecast)" if not len(shown) else None), gid=f"forecast:{p}")
        values += list(sub["value_usd"])

    set_value_axis(ax, "USD", log, values)
    if title is None:
        title = "Global cost of cybercrime: figures by publisher"
    finish_axes(ax, title=title, xlabel="Year the figure refers to", legend=False)
    first = int(rows["year"].min()) if len(rows) else None
    last = int(rows["year"].max()) if len(rows) else None
    if until is not None and last is not None:
        last = max(last, int(until))
    if first is not None and last is not None:
        ax.set_xlim(first - 0.7, last + 0.7)
    handles, labels = ax.get_legend_handles_labels()
    from matplotlib.lines import Line2D

    handles.append(Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor="white",
                          markeredgecolor="black", markeredgewidth=1.4))
    labels.append("hollow: a forecast when published")
    width = fig.get_size_inches()[0]
    ncol = (4 if width >= 8.5 else 3) if len(labels) > 9 else min(3, len(labels))
    if fig.get_layout_engine() is not None and len(fig.axes) == 1:
        legend = fig.legend(handles, labels, loc="outside lower center", ncol=ncol, frameon=False,
                            fontsize=8 if width >= 8.5 else 7, columnspacing=1.0)
    else:  # drawing into someone else's layout: keep the legend with the axes
        legend = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=ncol,
                           frameon=False, fontsize=8)
    plain_text(legend)
    note = DEFAULT_SOURCE if data_source is None else data_source
    if note and len(left_out):
        shown = "; ".join(f"{r.publisher} {r.year} ({r.measure.replace('_', ' ')})" for r in left_out.itertuples())
        note += f". Not drawn, not a global figure: {shown}"
    source_note(ax, note)
    return fig
