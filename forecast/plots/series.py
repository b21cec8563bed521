"""Series chart: one or more annual series on one value axis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.style import finish_axes, new_axes, series_style, set_value_axis, source_note, to_years

__all__ = ["series_chart"]


def series_chart(series: Any, ax: Any = None, log: bool = True, title: str | None = None,
                 source: str | None = None):
    """Draw one or more annual series, each with its own colour, marker and line style.

    Parameters
    ----------
    series : pd.Series, mapping of label to pd.Series, or list of pd.Series
        Annual values indexed by year (PeriodIndex or ints). Labels default to
        each series' ``attrs["name"]`` or ``name``. All series must share one
        unit (``attrs["unit"]``): draw nominal and real dollars together, a
        share of GDP on its own chart.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    log : bool
        Logarithmic value axis (default).
    title : str, optional
        Chart title.
    source : str, optional
        Where the data come from, written under the chart ("Source: ...");
        by default the series' ``attrs["source"]`` (the package's datasets
        and ``forecast.read_series`` set it); ``""`` writes none.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Missing years are not bridged: a gap in the data is a gap in the line.
    When the series differ in price basis (nominal and real dollars), the
    axis says "US dollars" and the legend carries each series' basis.

    Examples
    --------
    >>> import forecast
    >>> y = forecast.series("ic3")                                           # doctest: +SKIP
    >>> fig = forecast.plots.series_chart({"nominal": y, "real": forecast.to_real(y)})  # doctest: +SKIP
    """
    if isinstance(series, pd.Series):
        items = [(None, series)]
    elif isinstance(series, Mapping):
        items = list(series.items())
    else:
        items = [(None, s) for s in series]
    if not items or not all(isinstance(s, pd.Series) for _, s in items):
        raise ForecastError("series_chart: expected a pandas Series, a list of them, or a mapping label -> Series")
    units = {str(s.attrs.get("unit", "") or "") for _, s in items}
    if len(units) > 1:
        raise ForecastError(f"series_chart: the series have different units ({', '.join(sorted(units))}); "
                            "draw each unit on its own chart")
    unit = units.pop()
    bases = {s.attrs.get("price_basis") for _, s in items}
    fig, ax = new_axes(ax)
    values: list[float] = []
    for i, (label, s) in enumerate(items):
        s = s.dropna()
        years = to_years(s.index)
        full = pd.Series(s.to_numpy(dtype=float), index=years).reindex(range(years.min(), years.max() + 1))
        name = label or s.attrs.get("name") or s.name or f"series {i + 1}"
        if len(bases) > 1 and label is None:
            name = f"{name} ({s.attrs.get('price_basis') or 'nominal US$'})"
        st = series_style(i)
        ax.plot(full.index.to_numpy(), full.to_numpy(), color=st["color"], marker=st["marker"],
                linestyle=st["linestyle"], markersize=4, linewidth=1.4, label=str(name))
        values += list(s.to_numpy(dtype=float))
    basis = bases.pop() if len(bases) == 1 else "US dollars"
    names = {str(s.attrs.get("name") or s.name or "") for _, s in items}
    set_value_axis(ax, unit, log, values, basis=basis, name=names.pop() if len(names) == 1 else None)
    finish_axes(ax, title=title, xlabel="Year", legend_loc="upper left")
    if source is None:
        sources = list(dict.fromkeys(str(s.attrs["source"]) for _, s in items if s.attrs.get("source")))
        source = "; ".join(sources)
    source_note(ax, source)
    return fig
