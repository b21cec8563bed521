"""The fit cache: fitted models shared between (nested) backtests, keyed by the exact data.

Inside a :func:`fit_cache` block, :func:`fit_cached` fits a model to a series
once and hands the same result (or the same exception) to every later
request, and :func:`forecast_cached` reads each fit's forecast for an origin
once. A nested evaluation of ``"auto"`` (whose choice at each origin runs its
own backtest on the data up to that origin) thus refits nothing it has
already fitted. The key is the data itself (years and values), the model and
its options, so a fit can never carry information from later years into an
earlier one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
import pandas as pd

import forecast.families as families
from forecast.families.base import FitResult, years_of
from forecast.intervals import Predictive, index_years

__all__ = ["cache_key", "cached_forecast", "data_key", "fit_cache", "fit_cached", "forecast_cached", "predictive_rows"]

# (model, options, years, values) -> FitResult or the exception the fit raised
_CACHE: ContextVar[dict | None] = ContextVar("forecast_fit_cache", default=None)


@contextmanager
def fit_cache() -> Iterator[dict]:
    """Share fitted models between (nested) backtests inside this block.

    The outermost block creates the cache; nested blocks reuse it; it is
    dropped when the outermost block ends.

    Examples
    --------
    >>> with fit_cache() as cache:
    ...     isinstance(cache, dict)
    True
    """
    cache = _CACHE.get()
    if cache is not None:
        yield cache
        return
    token = _CACHE.set({})
    try:
        yield _CACHE.get()
    finally:
        _CACHE.reset(token)


def data_key(y: pd.Series) -> tuple[bytes, bytes]:
    """The data part of a cache key: the years and values of ``y`` (the same for every model fitted to it)."""
    return years_of(y).tobytes(), y.to_numpy(dtype=float).tobytes()


def cache_key(y: pd.Series | None, model: str, options: Mapping[str, Any],
              data: tuple[bytes, bytes] | None = None) -> tuple:
    """The key of ``model`` fitted to ``y`` with ``options``; ``data``, when given, is ``data_key(y)``."""
    return (model, repr(sorted(options.items())), *(data_key(y) if data is None else data))


def fit_cached(y: pd.Series, model: str, options: Mapping[str, Any] | None = None, *,
               data: tuple[bytes, bytes] | None = None) -> tuple[FitResult, list[str]]:
    """Fit ``model`` to ``y`` (or take it from the active :func:`fit_cache`).

    Warnings raised while fitting are caught and returned as text, so that a
    backtest can report them without stopping. A failed fit re-raises the
    same exception each time it is asked for.

    Returns
    -------
    (FitResult, list of str)
        The fit and the warnings it raised.
    """
    options = dict(options or {})
    cache = _CACHE.get()
    key = cache_key(y, model, options, data) if cache is not None else None
    if cache is not None and key in cache:
        entry = cache[key]
        if isinstance(entry[0], BaseException):
            raise entry[0]
        return entry
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = families.fit(y, model=model, **options)
        except Exception as exc:  # recorded by the caller; the same error each time
            if cache is not None:
                cache[key] = (exc, [])
            raise
    texts = [f"{w.category.__name__}: {w.message}" for w in caught]
    if cache is not None:
        cache[key] = (res, texts)
    return res, texts


def predictive_rows(res: FitResult, origin: int, horizon: int) -> Predictive:
    """Predictive distribution of ``res`` for the years ``origin+1 ... origin+horizon``.

    ``res`` may end before ``origin`` (when ``origin`` itself is a missing
    year); the forecast still runs to ``origin + horizon`` and only the years
    after ``origin`` are returned.
    """
    pred = res.predictive(until=origin + horizon)
    keep = index_years(pred.years) > origin
    return pred if keep.all() else pred.take(keep)


def cached_forecast(model: str, options: Mapping[str, Any], data: tuple[bytes, bytes], origin: int, horizon: int,
                    levels: Sequence[float]) -> tuple[Predictive, dict[str, np.ndarray], list[str]] | None:
    """What :func:`forecast_cached` returned for the data whose :func:`data_key` is ``data``; None if not cached.

    Lets a caller skip building the training series when its forecast is cached already.
    """
    cache = _CACHE.get()
    if cache is None:
        return None
    return cache.get((cache_key(None, model, dict(options or {}), data), "forecast", int(origin), int(horizon),
                      tuple(levels)))


def forecast_cached(y: pd.Series, model: str, options: Mapping[str, Any] | None, origin: int, horizon: int,
                    levels: Sequence[float], *, data: tuple[bytes, bytes] | None = None
                    ) -> tuple[Predictive, dict[str, np.ndarray], list[str]]:
    """Fit (or reuse) ``model`` on ``y`` and read its forecast for ``origin+1 ... origin+horizon``.

    Returns the predictive distribution, its mean, median and interval
    bounds at ``levels``, and the warnings of the fit. Inside a
    :func:`fit_cache` block the forecast is computed once per fit, origin,
    horizon and levels (models whose predictive is simulated are not
    simulated again).
    """
    options = dict(options or {})
    cache = _CACHE.get()
    if cache is not None and data is None:
        data = data_key(y)
    if cache is not None:
        key = (cache_key(y, model, options, data), "forecast", int(origin), int(horizon), tuple(levels))
        if key in cache:
            return cache[key]
    res, texts = fit_cached(y, model, options, data=data)
    pred = predictive_rows(res, origin, horizon)
    out = (pred, pred.values(levels), texts)
    if cache is not None:
        cache[key] = out
    return out
