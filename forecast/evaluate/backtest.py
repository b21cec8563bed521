"""Rolling-origin evaluation: fit on the data up to each origin, forecast ahead.

For each origin year ``T`` and each model, the model is fitted once to the
observations up to ``T`` and its predictive distribution for ``T+1 ... T+H``
is read in closed form (or from the model's own draws); every forecast year
that has an observed value is scored. A model that cannot be fitted at an
origin is recorded in ``attrs["failures"]`` and skipped.

Fits are cached by model, options and the exact data they were fitted to, so
a nested evaluation of ``"auto"`` (whose choice at each origin runs its own
backtest on the data up to that origin) refits nothing it has already fitted.
The cache key is the data itself, so it cannot carry information from later
years into an earlier fit.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError, ModelError
from forecast.intervals import DEFAULT_LEVELS, check_levels, index_years, level_label
from forecast.evaluate.defaults import DEFAULT_CANDIDATES, DEFAULT_MAX_ORIGINS, DEFAULT_MIN_TRAIN
from forecast.evaluate.fitcache import (
    cached_forecast,
    data_key,
    fit_cache,
    fit_cached,
    forecast_cached,
    predictive_rows,
)
from forecast.families import get_spec
from forecast.families.base import as_annual, fill_gaps_log, years_of

__all__ = ["Backtest", "backtest", "default_origins", "fit_cached", "fit_cache", "forecast_cached", "naive_scale",
           "predictive_rows"]  # the fit cache's names stay importable from here

def naive_scale(y: pd.Series) -> float:
    """Mean absolute one-step change of ``log y`` over consecutive observed years.

    The in-sample naive error that scales MASE (Hyndman & Koehler 2006), on
    the log scale; NaN when no two consecutive years are observed.

    Examples
    --------
    >>> naive_scale(pd.Series([1.0, 2.0, 4.0], index=[2000, 2001, 2002]))
    0.6931471805599453
    """
    if not isinstance(y.index, pd.PeriodIndex):
        y = as_annual(y)
    return _naive_scale(years_of(y), np.log(y.to_numpy(dtype=float)))


def _naive_scale(yrs: np.ndarray, logv: np.ndarray) -> float:
    """:func:`naive_scale` of the series with years ``yrs`` and log values ``logv``."""
    d = np.diff(logv)[np.diff(yrs) == 1]
    return float(np.mean(np.abs(d))) if len(d) else float("nan")


def default_origins(y: pd.Series, models: Sequence[str] | None = None, min_train: int | None = None) -> list[int]:
    """Every year from the first default origin through the last year but one; they depend on the series only.

    The first origin is the year by which the series holds ``min_train``
    observations: by default :data:`~forecast.evaluate.defaults.DEFAULT_MIN_TRAIN`
    (7, what the most demanding default candidate needs), or fewer (at least
    3) when the series is too short to leave two origins after it; at most
    the last :data:`~forecast.evaluate.defaults.DEFAULT_MAX_ORIGINS` (20)
    years, so the cost stops growing with a long series. ``models``
    is accepted for compatibility and does not change the origins: the same
    series gives the same origins whichever models are compared, so a
    model's scores do not depend on the company it keeps. A model that needs
    more observations than an origin has is recorded as a failure there.

    Examples
    --------
    >>> y = pd.Series(range(1, 16), index=range(2010, 2025), dtype=float)
    >>> default_origins(y)[:2], default_origins(y, ["drift"]) == default_origins(y, ["ets_damped"])
    ([2016, 2017], True)
    >>> default_origins(y.iloc[:7])
    [2014, 2015]
    >>> long = pd.Series(range(1, 101), index=range(1925, 2025), dtype=float)
    >>> o = default_origins(long); len(o), o[0], o[-1]
    (20, 2004, 2023)
    """
    y = as_annual(y)
    yrs = years_of(y)
    if min_train is None:
        need = min(DEFAULT_MIN_TRAIN, max(3, len(yrs) - 2))
    else:
        need = int(min_train)
    if len(yrs) < need + 1:
        return []
    first = max(int(yrs[need - 1]), int(yrs[-1]) - DEFAULT_MAX_ORIGINS)
    return list(range(first, int(yrs[-1])))


def _check_origins(y: pd.Series, origins: Iterable[int]) -> list[int]:
    yrs = years_of(y)
    out = []
    for o in origins:
        try:
            fo = float(o)
        except (TypeError, ValueError):
            raise ForecastError(f"origin {o!r} is not a year") from None
        if not fo.is_integer():
            raise ForecastError(f"origin {o!r} is not a whole year")
        oi = int(fo)
        if oi < yrs[0] or oi >= yrs[-1]:
            raise ForecastError(f"origin {oi} is outside the data: origins must lie in {yrs[0]}-{yrs[-1] - 1} "
                                f"(the data run to {yrs[-1]} and each origin needs a later year to score)")
        out.append(oi)
    return sorted(set(out))


class Backtest(pd.DataFrame):
    """The frame :func:`backtest` returns; ``plot()`` draws it with :func:`forecast.plots.backtest_chart`.

    Anything derived from it (a selection, a concatenation) is a plain
    :class:`pandas.DataFrame`.
    """

    def plot(self, model: str | None = None, ax: Any = None, **kwargs: Any):  # type: ignore[override]
        """What ``model`` forecast from each origin, over what happened (a matplotlib Figure)."""
        from forecast.plots.backtest import backtest_chart

        return backtest_chart(self, model=model, ax=ax, **kwargs)


def backtest(y: Any, models: Sequence[str] | str | None = None, origins: Iterable[int] | None = None,
             horizon: int = 3, levels: Sequence[float] = DEFAULT_LEVELS, *, interpolate: bool = False,
             model_options: Mapping[str, Mapping[str, Any]] | None = None, **options: Any) -> pd.DataFrame:
    """Rolling-origin backtest of one or more models.

    For each origin year ``T`` and each model, fit on the observations up to
    ``T`` and forecast ``T+1 ... T+horizon``; score each forecast year that has
    an observed value.

    Parameters
    ----------
    y : pd.Series
        Positive annual series (yearly ``PeriodIndex`` or integer years).
    models : sequence of str, optional
        Model names (see :func:`forecast.models`); default the candidates of
        ``"auto"``. ``"auto"`` itself may be included: its choice at each
        origin is made from the data up to that origin only.
    origins : iterable of int, optional
        Origin years; default :func:`default_origins`: every year from the
        one by which the series holds 7 observations (fewer for a short
        series) through the last year but one, whatever the models.
    horizon : int
        Years ahead of each origin (1 ... horizon).
    levels : sequence of float
        Interval levels in percent.
    interpolate : bool
        Fill missing years by log-linear interpolation before fitting every
        model (as R's ``na.interp``); filled years are still never scored.
        By default each model treats gaps its own way. (``"auto"`` fitted
        to an interpolated series sees the filled years as data in its own
        backtest too.)
    model_options : mapping, optional
        Options for one model only, e.g. ``{"logistic": {"capacity": 1e11}}``.
    **options
        Options passed to every model.

    Returns
    -------
    pd.DataFrame
        One row per (origin, model, forecast year) with an observed value:
        ``origin``, ``model``, ``horizon``, ``year`` (ints), ``actual``,
        ``mean``, ``median``, ``lower_L``/``upper_L``, ``error`` (log actual
        minus log median), ``ape`` (``|median/actual - 1|``) and ``scale``
        (the in-sample naive one-step error of ``log y`` at the origin, for
        MASE). ``attrs``: ``levels``, ``unit``, ``horizon``, ``origins``,
        ``models``, ``failures`` (list of ``{"origin", "model", "error"}``)
        and ``warnings`` (list of ``{"origin", "model", "warning"}``).

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 1.3, 1.5, 2.1, 2.4, 3.2, 3.9, 5.1], index=range(2013, 2021))
    >>> bt = backtest(y, models=["drift"], origins=[2017, 2018], horizon=2)
    >>> bt[["origin", "horizon", "year"]].values.tolist()
    [[2017, 1, 2018], [2017, 2, 2019], [2018, 1, 2019], [2018, 2, 2020]]
    """
    y = as_annual(y)
    if models is None:
        models = list(DEFAULT_CANDIDATES)
    elif isinstance(models, str):
        models = [models]
    models = list(dict.fromkeys(models))
    if not models:
        raise ForecastError("no models to backtest")
    for m in models:
        get_spec(m)  # unknown names fail at once, naming the choices
    try:
        horizon = int(horizon)
    except (TypeError, ValueError):
        raise ForecastError(f"horizon {horizon!r} is not a whole number") from None
    if horizon < 1:
        raise ForecastError(f"horizon must be at least 1, got {horizon}")
    levels = check_levels(levels)
    model_options = {k: dict(v) for k, v in (model_options or {}).items()}
    unknown = set(model_options) - set(models)
    if unknown:
        raise ForecastError(f"model_options given for {sorted(unknown)[0]!r}, which is not among the models")
    origins = default_origins(y) if origins is None else _check_origins(y, origins)
    if not origins:
        need = max(get_spec(m).min_obs for m in models)
        raise ModelError(f"the series has {len(y)} observations: too few to backtest {', '.join(models)} "
                         f"(the first origin needs {need} and a later year to score)")

    yrs = years_of(y)
    actual_of = dict(zip(yrs.tolist(), y.to_numpy(dtype=float).tolist(), strict=True))
    cols: dict[str, list] = {k: [] for k in ("origin", "model", "horizon", "year", "actual")}
    vals: dict[str, list[np.ndarray]] = {}
    scales: list[float] = []
    failures: list[dict] = []
    warned: list[dict] = []
    obs = y.to_numpy(dtype=float)
    logv = np.log(obs)
    with fit_cache():
        for origin in origins:
            upto = int(np.searchsorted(yrs, origin, side="right"))  # the years up to the origin
            scale = _naive_scale(yrs[:upto], logv[:upto])
            train = None
            if interpolate:
                train, _ = fill_gaps_log(y.iloc[:upto])
                data = data_key(train)
            else:
                data = (yrs[:upto].tobytes(), obs[:upto].tobytes())  # data_key of the prefix, without building it
            for m in models:
                opts = {**options, **model_options.get(m, {})}
                try:
                    hit = cached_forecast(m, opts, data, origin, horizon, levels)
                    if hit is None and train is None:
                        train = y.iloc[:upto]
                    pred, v, texts = hit or forecast_cached(train, m, opts, origin, horizon, levels, data=data)
                    # a NaN mean is a mean that does not exist (Predictive.mean), not a failure
                    every = np.array([a for k, a in v.items() if k != "mean"])
                    mean = np.asarray(v.get("mean", 1.0))
                    if not ((np.isfinite(every) & (every > 0)).all()
                            and ((np.isfinite(mean) & (mean > 0)) | np.isnan(mean)).all()):
                        bad = [k for k, a in v.items()
                               if not np.all((np.isfinite(a) & (a > 0)) | (k == "mean" and np.isnan(a)))]
                        if bad:
                            raise ModelError(f"model {m!r} gave a non-finite or non-positive {bad[0]}")
                except Exception as exc:  # a model that cannot be fitted here is recorded, not fatal
                    failures.append({"origin": origin, "model": m, "error": f"{type(exc).__name__}: {exc}"})
                    continue
                warned += [{"origin": origin, "model": m, "warning": t} for t in texts]
                fyears = index_years(pred.years)
                scored = np.array([fy in actual_of for fy in fyears])
                if not scored.any():
                    continue
                for fy in fyears[scored]:
                    cols["origin"].append(origin)
                    cols["model"].append(m)
                    cols["horizon"].append(int(fy - origin))
                    cols["year"].append(int(fy))
                    cols["actual"].append(actual_of[int(fy)])
                    scales.append(scale)
                for k, a in v.items():
                    vals.setdefault(k, []).append(np.asarray(a, dtype=float)[scored])
    frame = pd.DataFrame({k: pd.array(v, dtype="int64") if k in ("origin", "horizon", "year") else v
                          for k, v in cols.items()})
    frame["model"] = frame["model"].astype(object)
    frame["actual"] = frame["actual"].astype(float)
    value_cols = ["mean", "median"] + [f"{s}_{level_label(lv)}" for lv in levels for s in ("lower", "upper")]
    for k in value_cols:
        frame[k] = np.concatenate(vals[k]) if vals.get(k) else np.array([], dtype=float)
    frame["error"] = np.log(frame["actual"].to_numpy()) - np.log(frame["median"].to_numpy())
    frame["ape"] = np.abs(frame["median"].to_numpy() / frame["actual"].to_numpy() - 1)
    frame["scale"] = np.asarray(scales, dtype=float)
    frame.attrs.update({"levels": levels, "unit": str(y.attrs.get("unit", "")), "horizon": horizon,
                        "origins": list(origins), "models": list(models), "failures": failures,
                        "warnings": warned, "interpolate": bool(interpolate)})
    result = Backtest(frame)
    result.attrs.update(frame.attrs)
    return result
