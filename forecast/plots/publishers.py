"""Publisher chart: global cost figures by publisher, and the latent fit on one publisher's scale."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.style import BAND, MEDIAN, finish_axes, new_axes, plain_text, series_style, set_value_axis

__all__ = ["publisher_chart", "publisher_rows"]


def publisher_rows(source: Any) -> pd.DataFrame:
    """The figures a publisher chart draws, one row each.

    Columns: ``publisher``, ``year``, ``value_usd``, ``low_usd``,
    ``high_usd``, ``kind`` (``"estimate"`` or ``"forecast"``), ``included``
    (whether the multi-publisher model fitted the row; ``NA`` when unknown).

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
    })
    keep = np.isfinite(out["year"].to_numpy()) & np.isfinite(out["value_usd"].to_numpy()) & (out["value_usd"] > 0)
    out = out[keep].copy()
    out["year"] = out["year"].astype(int)
    return out.reset_index(drop=True)


def publisher_chart(source: Any, ax: Any = None, scale: str | None = None, until: int | None = None,
                    log: bool = True, show_excluded: bool = False, level: float = 80, show_fit: bool = True,
                    title: str | None = None):
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
        Last year of the fitted line (default: the last year with a figure).
    log : bool
        Logarithmic value axis (default).
    show_excluded : bool
        Also draw, in grey, the annual figures the model left out for
        another reason than being a forecast (other measures, echoes of
        another publisher's figure).
    level : float
        Level (percent) of the band around the fitted line: the interval for
        a new figure from the ``scale`` publisher.
    show_fit : bool
        Draw the fitted level of a fit (default); ``False`` draws the figures
        only, with what the fit included.
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each publisher has its own colour and marker. Estimates (a figure for a
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

    for i, p in enumerate(pubs):
        st = series_style(i)
        sub = rows[rows["publisher"] == p]
        est = sub[sub["kind"] != "forecast"]
        fc = sub[sub["kind"] == "forecast"]
        excluded = est["included"].fillna(True).to_numpy(dtype=bool) == False  # noqa: E712
        colour = st["color"]
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
    handles, labels = ax.get_legend_handles_labels()
    from matplotlib.lines import Line2D

    handles.append(Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor="white",
                          markeredgecolor="black", markeredgewidth=1.4))
    labels.append("hollow: a forecast when published")
    plain_text(ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8))
    return fig
