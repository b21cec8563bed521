"""Which series drove the growth of their sum: over the data, and in the forecast.

For a period from year ``a`` to year ``b``, the growth of the sum
``T = sum_i y_i`` splits exactly into the contributions of the series:

    (T_b - T_a) / T_a = sum_i (y_i,b - y_i,a) / T_a

``contribution_pp`` is series ``i``'s term in percentage points, and
``share_of_growth`` its share of the change ``T_b - T_a`` (shares add up to
100%; a series that shrank has a negative share). A series without a value in
a year counts as zero there (a crime type that was not reported yet, or no
longer).

In the forecast the same split is applied to the forecast medians by
default: it then decomposes the growth of the sum of the series' medians
(the typical outcome of each; the median of the sum is not the sum of the
medians). ``point="mean"`` uses the forecast means instead, whose sum is the
mean of the sum; but on the log scale a short, noisy series has a mean far
above its median (a heavy right tail), and a few such series then dominate
the decomposition. The caveat goes with every result: IC3's crime types overlap (one
complaint can carry several types; the types sum to 97-126% of the national
losses), so this decomposes the growth of the *sum of the types' losses*, not
of the national total; the states decompose the *total of states* (82-92% of
the national losses).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.panel.data import read_panel

__all__ = ["contributions"]


def _split(start: pd.Series, end: pd.Series, period: str, key: str, years: int) -> pd.DataFrame:
    idx = start.index.union(end.index)
    a = start.reindex(idx).fillna(0.0)
    b = end.reindex(idx).fillna(0.0)
    ta, tb = float(a.sum()), float(b.sum())
    change = b - a
    out = pd.DataFrame({key: idx, "period": period, "start": a.to_numpy(), "end": b.to_numpy(),
                        "change": change.to_numpy()})
    out["contribution_pp"] = 100 * out["change"] / ta if ta > 0 else np.nan
    out["share_of_growth"] = 100 * out["change"] / (tb - ta) if tb != ta else np.nan
    out["total_growth_pct"] = 100 * (tb / ta - 1) if ta > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((a.to_numpy() > 0) & (b.to_numpy() > 0), b.to_numpy() / a.to_numpy(), np.nan)
    out["annual_growth_pct"] = 100 * (ratio ** (1 / years) - 1)
    return out.sort_values("change", ascending=False, key=np.abs, kind="stable").reset_index(drop=True)


def contributions(data: Any = "ic3_by_crime_type", key: str | None = None, year: str = "year",
                  value: str | None = None, *, start: int | None = None, end: int | None = None,
                  result: Any = None, horizon: int = 3, point: str = "median") -> pd.DataFrame:
    """Decompose the growth of a panel's sum by series, over the data and in the forecast.

    Parameters
    ----------
    data, key, year, value
        The panel (as for :func:`forecast.fit_panel`); by default IC3's crime types.
    start, end : int, optional
        Years of the data period (default: the first and last year of the panel).
    result : PanelResult, optional
        A fitted panel (:func:`forecast.fit_panel`) on the same data: adds the
        forecast period, from the last year to ``horizon`` years later, on the
        forecast medians or means (reconciled ones where the panel has a total).
    horizon : int
        Years ahead for the forecast period.
    point : {"median", "mean"}
        Which forecast is decomposed (see the module docstring).

    Returns
    -------
    pd.DataFrame
        One row per series and period (``"2015-2024"``, ``"2024-2027 forecast"``):
        ``start``, ``end``, ``change`` (in the panel's unit), ``contribution_pp``
        (percentage points of the sum's growth), ``share_of_growth`` (% of the
        change of the sum), ``total_growth_pct`` (growth of the sum over the
        period), ``annual_growth_pct`` (the series' compound annual growth,
        NaN where it starts or ends at zero). Sorted by the size of the
        change. ``attrs["notes"]`` carries the caveat of the data.

    Examples
    --------
    >>> c = contributions("ic3_by_crime_type", start=2023, end=2024)
    >>> round(float(c["share_of_growth"].sum()), 6)
    100.0
    >>> c.iloc[0]["canonical_type"]
    'Investment'
    """
    panel = read_panel(data, key=key, year=year, value=value)
    wide = panel.wide()
    first = int(wide.index.min()) if start is None else int(start)
    last = int(wide.index.max()) if end is None else int(end)
    for y in (first, last):
        if y not in wide.index:
            raise ForecastError(f"{panel.source}: no data for year {y} (years {wide.index.min()}-{wide.index.max()})")
    if last <= first:
        raise ForecastError(f"end={last} must be after start={first}")
    parts = [_split(wide.loc[first].dropna(), wide.loc[last].dropna(), f"{first}-{last}", panel.key, last - first)]
    notes = list(panel.notes)
    if point not in ("median", "mean"):
        raise ForecastError(f"point={point!r}: use 'median' or 'mean'")
    if result is not None:
        fc = result.forecast(horizon=int(horizon))
        fc = fc[fc[result.key] != "Total"]
        fy = panel.last_year + int(horizon)
        end_vals = fc[fc["year"] == fy].set_index(result.key)[point]
        start_vals = wide.loc[panel.last_year].reindex(end_vals.index)
        parts.append(_split(start_vals.dropna(), end_vals, f"{panel.last_year}-{fy} forecast", panel.key,
                            int(horizon)))
        left = sorted(set(wide.columns[wide.loc[panel.last_year].notna()]) - set(end_vals.index))
        notes.append(("forecast period: the growth of the sum of the series' forecast medians (the median of the sum "
                      "differs)" if point == "median" else "forecast period: forecast means (the mean of the sum)")
                     + (f"; series without a forecast left out: {', '.join(left)}" if left else ""))
    out = pd.concat(parts, ignore_index=True)
    out.attrs["notes"] = notes
    out.attrs["unit"] = panel.unit
    return out
