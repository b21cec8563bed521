"""Accuracy of backtest forecasts: MAPE, MASE, coverage, interval scores.

All scores are computed from a :func:`forecast.evaluate.backtest` frame:

- ``mape``: mean of ``|median/actual - 1|``, in percent (the median is the
  point forecast);
- ``mase``: mean absolute log error divided by the in-sample one-step naive
  error of ``log y`` at each origin (Hyndman & Koehler 2006, on the log
  scale);
- ``coverage_L``: percent of actuals inside the ``L``% interval, beside
  ``nominal_L`` = ``L``;
- ``winkler_L``: Winkler (interval) score of the ``L``% interval on the
  **log scale** (Gneiting & Raftery 2007): ``log(u/l) + 2/a * distance of
  log actual outside [log l, log u]`` with ``a = 1 - L/100``; lower is
  better, and a log-scale score means a year with losses of billions counts
  as much as a year with losses of millions;
- ``wis``: weighted interval score on the log scale over the median and all
  levels (Bracher et al. 2021), a proper score of the whole quantile forecast
  that approximates the CRPS; lower is better;
- ``windows``: number of scored forecasts (errors);
- ``origins``, ``horizons``: the origins and horizons they were scored on
  (``"2012-2023"``, ``"1-3"``), so a table, CSV or JSON of scores always says
  on which windows they rest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.intervals import level_label

__all__ = ["accuracy", "interval_score", "score_columns"]


def interval_score(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float) -> np.ndarray:
    """Winkler score of ``level``% intervals on the log scale, one per forecast.

    Examples
    --------
    >>> import numpy as np
    >>> float(interval_score(np.array([np.e]), np.array([1.0]), np.array([np.e**2]), 80)[0])
    2.0
    """
    a = 1 - level / 100
    la, ll, lu = np.log(actual), np.log(lower), np.log(upper)
    return (lu - ll) + 2 / a * np.maximum(ll - la, 0) + 2 / a * np.maximum(la - lu, 0)


def _levels_of(bt: pd.DataFrame) -> tuple:
    levels = bt.attrs.get("levels")
    if not levels:
        levels = tuple(sorted(float(c[6:]) if "." in c[6:] else int(c[6:])
                              for c in bt.columns if c.startswith("lower_")))
    return tuple(levels)


def score_columns(bt: pd.DataFrame) -> pd.DataFrame:
    """Per-forecast scores: ``abs_error``, ``scaled_error``, ``inside_L``, ``winkler_L``, ``wis``."""
    levels = _levels_of(bt)
    actual = bt["actual"].to_numpy(dtype=float)
    err = np.abs(bt["error"].to_numpy(dtype=float))
    out = {"abs_error": err, "scaled_error": err / bt["scale"].to_numpy(dtype=float)}
    wis = 0.5 * err
    for lv in levels:
        lab = level_label(lv)
        lo = bt[f"lower_{lab}"].to_numpy(dtype=float)
        hi = bt[f"upper_{lab}"].to_numpy(dtype=float)
        out[f"inside_{lab}"] = ((actual >= lo) & (actual <= hi)).astype(float)
        w = interval_score(actual, lo, hi, lv)
        out[f"winkler_{lab}"] = w
        wis = wis + (1 - lv / 100) / 2 * w
    out["wis"] = wis / (len(levels) + 0.5)
    return pd.DataFrame(out, index=bt.index)


def accuracy(bt: pd.DataFrame, by: Sequence[str] | str = "model") -> pd.DataFrame:
    """Accuracy of each model in a backtest.

    Parameters
    ----------
    bt : pd.DataFrame
        The frame returned by :func:`forecast.backtest`.
    by : str or sequence of str
        Grouping columns: ``"model"`` (default) or e.g. ``["model", "horizon"]``.

    Returns
    -------
    pd.DataFrame
        One row per group: ``windows`` (number of scored forecasts), ``mape``
        (%), ``mase``, then for each level ``coverage_L`` (%), ``nominal_L``
        and ``winkler_L`` (log scale), then ``wis`` (log scale) and
        ``failures`` (origins at which the model could not be fitted). See the
        module docstring for the definitions.

    Examples
    --------
    >>> import pandas as pd
    >>> import forecast
    >>> y = pd.Series([1.0, 1.3, 1.5, 2.1, 2.4, 3.2, 3.9, 5.1], index=range(2013, 2021))
    >>> acc = forecast.accuracy(forecast.backtest(y, models=["drift"], horizon=2))
    >>> acc.columns.tolist()[:4]
    ['model', 'windows', 'mape', 'mase']
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in ["actual", "median", "error", "ape", "scale", *by] if c not in bt.columns]
    if missing:
        raise ForecastError(f"not a backtest frame: column {missing[0]!r} is missing")
    levels = _levels_of(bt)
    sc = score_columns(bt)
    work = pd.concat([bt[by].reset_index(drop=True), sc.reset_index(drop=True),
                      bt[["ape"]].reset_index(drop=True)], axis=1)
    work.attrs = {}
    rows = []
    for key, g in work.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        row: dict = dict(zip(by, key, strict=True))
        row["windows"] = len(g)
        row["mape"] = 100 * g["ape"].mean()
        scaled = g["scaled_error"].to_numpy()
        scaled = scaled[np.isfinite(scaled)]
        row["mase"] = float(scaled.mean()) if len(scaled) else float("nan")
        for lv in levels:
            lab = level_label(lv)
            row[f"coverage_{lab}"] = 100 * g[f"inside_{lab}"].mean()
            row[f"nominal_{lab}"] = lv
            row[f"winkler_{lab}"] = g[f"winkler_{lab}"].mean()
        row["wis"] = g["wis"].mean()
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        out = pd.DataFrame(columns=[*by, "windows", "mape", "mase"])
    fails = pd.DataFrame(bt.attrs.get("failures") or [], columns=["origin", "model", "error"])
    if "model" in by:
        counts = fails.groupby("model").size()
        # a model that failed at every origin still gets a row
        for m in counts.index if by == ["model"] else []:
            if m not in set(out["model"]):
                out = pd.concat([out, pd.DataFrame([{"model": m, "windows": 0}])], ignore_index=True)
        out["failures"] = out["model"].map(counts).fillna(0).astype(int)
    if "origin" in bt.columns and "horizon" in bt.columns and len(out):
        # every output of a backtest says on which origins and horizons it was scored
        span = {(k if isinstance(k, tuple) else (k,)): (_span(g["origin"]), _span(g["horizon"]))
                for k, g in bt.groupby(by, sort=False)}
        keys = [tuple(r) for r in out[by].itertuples(index=False)]
        out["origins"] = [span.get(k, ("", ""))[0] for k in keys]
        out["horizons"] = [span.get(k, ("", ""))[1] for k in keys]
    out.attrs = {"levels": levels, "log_scale_scores": True}
    return out


def _span(values: pd.Series) -> str:
    """``"2012-2023"`` for the years (or horizons) in ``values``; one value alone; ``""`` for none.

    Examples
    --------
    >>> _span(pd.Series([2014, 2012, 2013])), _span(pd.Series([1])), _span(pd.Series([], dtype=int))
    ('2012-2014', '1', '')
    """
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty:
        return ""
    lo, hi = int(v.min()), int(v.max())
    return str(lo) if lo == hi else f"{lo}-{hi}"
