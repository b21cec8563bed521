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
    return pd.DataFrame(_scores(bt, _levels_of(bt)), index=bt.index)


def _scores(bt: pd.DataFrame, levels: tuple) -> dict[str, np.ndarray]:
    """The columns of :func:`score_columns` as arrays."""
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
    return out


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
    cols = _scores(bt, levels)
    cols["ape"] = bt["ape"].to_numpy(dtype=float)
    # groups in order of first appearance, rows in frame order (as pandas' groupby(sort=False)); means as pandas
    # takes them (missing values counted out, the sum over the rest in place), so the numbers are pandas' own
    if len(by) == 1:
        codes = pd.factorize(bt[by[0]], sort=False)[0]
    else:
        codes = bt.groupby(by, sort=False).ngroup().to_numpy() if len(bt) else np.array([], dtype=np.int64)
    key_values = [bt[b].to_numpy() for b in by]
    origin = pd.to_numeric(bt["origin"], errors="coerce").to_numpy(dtype=float) if "origin" in bt else None
    horizon = pd.to_numeric(bt["horizon"], errors="coerce").to_numpy(dtype=float) if "horizon" in bt else None
    table: dict[str, list] = {}
    spans = []
    for code in range(int(codes.max()) + 1 if len(codes) else 0):
        at = np.flatnonzero(codes == code)
        row: dict = {b: v[at[0]] for b, v in zip(by, key_values, strict=True)}
        row["windows"] = len(at)
        row["mape"] = 100 * _mean(cols["ape"][at])
        scaled = cols["scaled_error"][at]
        scaled = scaled[np.isfinite(scaled)]
        row["mase"] = float(scaled.mean()) if len(scaled) else float("nan")
        for lv in levels:
            lab = level_label(lv)
            row[f"coverage_{lab}"] = 100 * _mean(cols[f"inside_{lab}"][at])
            row[f"nominal_{lab}"] = lv
            row[f"winkler_{lab}"] = _mean(cols[f"winkler_{lab}"][at])
        row["wis"] = _mean(cols["wis"][at])
        for k, v in row.items():
            table.setdefault(k, []).append(v)
        if origin is not None and horizon is not None:
            spans.append((_span_of(origin[at]), _span_of(horizon[at])))
    out = pd.DataFrame(table)
    if out.empty:
        out = pd.DataFrame(columns=[*by, "windows", "mape", "mase"])
    failures = bt.attrs.get("failures") or []
    if "model" in by and not failures:
        out["failures"] = np.zeros(len(out), dtype=int)
    elif "model" in by:
        fails = pd.DataFrame(failures, columns=["origin", "model", "error"])
        counts = fails.groupby("model").size()
        # a model that failed at every origin still gets a row
        for m in counts.index if by == ["model"] else []:
            if m not in set(out["model"]):
                out = pd.concat([out, pd.DataFrame([{"model": m, "windows": 0}])], ignore_index=True)
        out["failures"] = out["model"].map(counts).fillna(0).astype(int)
    if origin is not None and horizon is not None and len(out):
        # every output of a backtest says on which origins and horizons it was scored
        spans += [("", "")] * (len(out) - len(spans))  # rows of models that failed at every origin
        out["origins"] = [sp[0] for sp in spans]
        out["horizons"] = [sp[1] for sp in spans]
    out.attrs = {"levels": levels, "log_scale_scores": True}
    return out


def _mean(x: np.ndarray) -> float:
    """Mean over the values that are not NaN, summed as pandas sums them (NaN as 0 in place): pandas' own number."""
    missing = np.isnan(x)
    if not missing.any():
        return x.sum() / len(x) if len(x) else np.float64("nan")
    n = len(x) - int(missing.sum())
    return np.where(missing, 0.0, x).sum() / n if n else np.float64("nan")


def _span_of(values: np.ndarray) -> str:
    """:func:`_span` of an array of numbers (NaN left out)."""
    v = values[~np.isnan(values)]
    if not len(v):
        return ""
    lo, hi = int(v.min()), int(v.max())
    return str(lo) if lo == hi else f"{lo}-{hi}"


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
