"""Rolling-origin backtest of a panel: base and reconciled forecasts, scored per series and pooled.

For each origin year ``T`` the panel is cut to the years up to ``T``,
fitted (:func:`forecast.fit_panel`, on a Dask client when given one), and
forecast ``horizon`` years ahead, once unreconciled (``method="base"``) and
once per reconciliation method from the same base forecasts. Every forecast
year with an observed value is scored.

:func:`panel_accuracy` adds what a panel needs beside :func:`forecast.accuracy`'s
MAPE, MASE and coverage: **WAPE** (the sum of absolute errors of the
medians over the sum of the actual losses, so a series counts in proportion
to its losses) and the **median APE** (robust to the few tiny series, e.g.
territories with a few hundred dollars, whose percentage errors run into
the thousands and make the MAPE explode).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.evaluate.accuracy import accuracy
from forecast.evaluate.backtest import naive_scale
from forecast.intervals import DEFAULT_LEVELS, check_levels, interval_columns
from forecast.panel import reconcile as rc
from forecast.panel.data import read_panel
from forecast.panel.fit import DEFAULT_POOL_BELOW, OTHER, TOTAL, fit_panel

__all__ = ["backtest_panel", "panel_accuracy"]


def backtest_panel(data: Any, key: str | None = None, year: str = "year", value: str | None = None,
                   model: str = "auto", origins: Iterable[int] | None = None, horizon: int = 3,
                   methods: Sequence[str] | None = None, levels: Sequence[float] = DEFAULT_LEVELS,
                   seed: int = 0, n_paths: int = 1000, client: Any = None,
                   pool_below: float | None = DEFAULT_POOL_BELOW, options: dict | None = None) -> pd.DataFrame:
    """Fit the panel at each origin, forecast, and compare with what happened.

    Parameters
    ----------
    data, key, year, value
        As for :func:`forecast.fit_panel`.
    model : str
        Model of every series (as for :func:`forecast.fit_panel`).
    origins : iterable of int, optional
        Origin years (default: the last five before the last year of the panel).
    horizon : int
        Years forecast from each origin.
    methods : sequence of str, optional
        ``"base"`` and reconciliation methods to compare (default: all of them
        where the series add up to a total, ``"base"`` alone where they overlap).
    levels : sequence of float
        Interval levels in percent.
    seed, n_paths, client, pool_below, options
        As for :func:`forecast.fit_panel`.

    Returns
    -------
    pd.DataFrame
        One row per origin, method, series and scored year: ``origin``,
        ``method``, ``series``, ``level`` (``"total"`` or ``"series"``),
        ``model``, ``year``, ``horizon``, ``actual``, the interval schema
        columns, ``error`` (log actual minus log median), ``ape`` and
        ``scale`` (the series' in-sample naive one-step log error, for MASE).
        ``attrs``: ``levels``, ``failures`` (origins that could not be fitted).

    Examples
    --------
    >>> import forecast
    >>> bt = forecast.backtest_panel("ic3_by_state", model="drift", origins=[2022], horizon=1)  # doctest: +SKIP
    >>> forecast.panel_accuracy(bt)[["method", "wape", "median_ape"]]                          # doctest: +SKIP
    """
    panel = read_panel(data, key=key, year=year, value=value)
    levels = check_levels(levels)
    last = panel.last_year
    origins = sorted(int(o) for o in (origins if origins is not None else range(last - 5, last)))
    if not origins:
        raise ForecastError("give at least one origin year")
    if methods is None:
        methods = ("base", *rc.METHODS) if panel.summable else ("base",)
    methods = list(methods)
    recon = [m for m in methods if m != "base"]
    for m in recon:
        if m not in rc.METHODS:
            raise ForecastError(f"method {m!r} is not one of: base, {', '.join(rc.METHODS)}")
    wide = panel.wide()
    rows: list[pd.DataFrame] = []
    failures: list[dict] = []
    for origin in origins:
        if origin >= last or origin < panel.frame["year"].min():
            raise ForecastError(f"origin {origin} must be inside the data and before its last year {last}")
        try:
            res = fit_panel(panel.frame.rename(columns={"key": "series"}), key="series", value="value",
                            model=model, reconcile=(recon[0] if recon else None), client=client, through=origin,
                            seed=seed, n_paths=n_paths, pool_below=pool_below, options=options,
                            unit=panel.unit)
        except ForecastError as exc:
            failures.append({"origin": origin, "model": model, "error": f"{type(exc).__name__}: {exc}"})
            continue
        train = wide.loc[:origin]
        actual = wide.loc[origin + 1: origin + horizon]
        if res.total is not None:
            members = [b for b in res.bottoms_ if b != OTHER] + list(res.pooled_)
            actual = actual.assign(**{TOTAL: actual[members].sum(axis=1, min_count=len(members))})
            train = train.assign(**{TOTAL: res.sources_[TOTAL]})
        scales = {}
        for c in train.columns:
            pos = train[c][train[c] > 0]  # NaN and zero years left out (a zero has no log)
            if len(pos) >= 2:
                scales[c] = naive_scale(pos)
        for m in methods:
            fc = res.forecast(horizon=horizon, levels=levels, reconcile=None if m == "base" else m)
            fc = fc.rename(columns={res.key: "series"})
            fc = fc[fc["year"] <= actual.index.max()]
            act = actual.stack().rename("actual").reset_index()
            act.columns = ["year", "series", "actual"]
            merged = fc.merge(act, on=["series", "year"], how="inner")
            merged = merged[merged["actual"] > 0]
            merged.insert(0, "origin", origin)
            merged.insert(1, "method", m)
            merged["scale"] = merged["series"].map(scales).astype(float)
            rows.append(merged)
    if not rows:
        raise ForecastError("no origin could be fitted: " + "; ".join(f["error"] for f in failures))
    bt = pd.concat(rows, ignore_index=True)
    bt["horizon"] = bt["year"] - bt["origin"]
    bt["level"] = np.where(bt["series"] == TOTAL, "total", "series")
    with np.errstate(divide="ignore"):  # a reconciled median of zero: an infinite log error, kept as such
        bt["error"] = np.log(bt["actual"].to_numpy()) - np.log(bt["median"].to_numpy())
    bt["ape"] = np.abs(bt["median"].to_numpy() / bt["actual"].to_numpy() - 1)
    cols = ["origin", "method", "series", "level", "model", "year", "horizon", "actual",
            *[c for c in interval_columns(levels) if c != "model"], "error", "ape", "scale"]
    bt = bt[cols]
    bt.attrs = {"levels": levels, "failures": failures, "unit": panel.unit}
    return bt


def panel_accuracy(bt: pd.DataFrame, by: Sequence[str] | str = ("method", "level")) -> pd.DataFrame:
    """Accuracy of a panel backtest, pooled over series or per series.

    Parameters
    ----------
    bt : pd.DataFrame
        The frame of :func:`backtest_panel`.
    by : str or sequence of str
        Grouping: ``("method", "level")`` (default: pooled over the series,
        the total apart) or ``("method", "series")`` (per series), with
        ``"horizon"`` added for a breakdown by horizon.

    Returns
    -------
    pd.DataFrame
        One row per group: ``windows``, ``wape`` (%, the sum of absolute
        errors of the medians over the sum of actual losses), ``median_ape``
        (%), ``mape`` (%), ``mase``, ``coverage_L`` beside ``nominal_L``,
        ``winkler_L`` and ``wis`` (log scale).

    Examples
    --------
    >>> import forecast
    >>> bt = forecast.backtest_panel("ic3_by_state", model="drift", origins=[2023], horizon=1,
    ...                              methods=["base", "bottom_up"], n_paths=200)
    >>> acc = forecast.panel_accuracy(bt)
    >>> acc[["method", "level"]].values.tolist()
    [['base', 'total'], ['base', 'series'], ['bottom_up', 'total'], ['bottom_up', 'series']]
    """
    by = [by] if isinstance(by, str) else list(by)
    work = bt.copy()
    work.attrs = {"levels": bt.attrs.get("levels")}
    work["model_"] = work["model"]
    work["model"] = work[by].astype(str).agg("|".join, axis=1) if len(by) > 1 else work[by[0]].astype(str)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a reconciled lower bound of zero is an infinitely wide interval on the log scale: its score is inf
        acc = accuracy(work, by="model").drop(columns=["failures"], errors="ignore")
    keys = work.groupby("model", sort=False)[by].first()
    extra = work.assign(abs_err=np.abs(work["median"] - work["actual"])).groupby("model", sort=False).agg(
        abs_err=("abs_err", "sum"), actual=("actual", "sum"), median_ape=("ape", "median"))
    acc = acc.set_index("model")
    acc.insert(1, "wape", 100 * extra["abs_err"] / extra["actual"])
    acc.insert(2, "median_ape", 100 * extra["median_ape"])
    out = pd.concat([keys, acc], axis=1).reset_index(drop=True)
    out.attrs = {"levels": bt.attrs.get("levels"), "log_scale_scores": True}
    return out
