"""Model families and :func:`fit`, the one entry point to all of them.

Each family lives in its own module and returns a
:class:`forecast.families.base.FitResult`. The registry below names them with a
one-line description and the minimum number of observations each needs.
Models defined in a higher layer register themselves with :func:`register`
when their module is imported: ``"auto"`` (:mod:`forecast.evaluate.auto`,
imported by ``forecast.fit`` and ``forecast.models``) is one.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from forecast.errors import ModelError
from forecast.families.base import FitResult, as_annual


@dataclass(frozen=True)
class ModelSpec:
    """What :func:`models` lists about a model family."""

    name: str
    description: str
    min_obs: int
    consecutive: bool  # needs consecutive years (gaps are interpolated with a note)
    target: str | Callable[..., FitResult]  # the function that fits it, or "module:function" (imported on use)

    def fitter(self) -> Callable[..., FitResult]:
        """The function that fits this model."""
        if callable(self.target):
            return self.target
        module, func = self.target.split(":")
        return getattr(importlib.import_module(module), func)


REGISTRY: dict[str, ModelSpec] = {s.name: s for s in (
    ModelSpec("linear", "straight line in levels, y = a + b*t (for comparison only)", 3, False,
              "forecast.families.trend:fit_linear"),
    ModelSpec("exponential", "log-linear trend, log y = a + b*t (constant growth rate), OLS", 3, False,
              "forecast.families.trend:fit_exponential"),
    ModelSpec("quadratic", "quadratic trend in log y (accelerating or slowing growth), OLS", 4, False,
              "forecast.families.trend:fit_quadratic"),
    ModelSpec("logistic", "logistic growth to an estimated capacity K, maximum likelihood on log y", 5, False,
              "forecast.families.logistic:fit_logistic"),
    ModelSpec("gompertz", "Gompertz growth to an estimated capacity K, maximum likelihood on log y", 5, False,
              "forecast.families.gompertz:fit_gompertz"),
    ModelSpec("drift", "random walk with drift on log y (drift uncertainty included)", 3, True,
              "forecast.families.drift:fit_drift"),
    ModelSpec("ets", "exponential smoothing ETS(A,A,N) on log y, best of several starts", 6, True,
              "forecast.families.ets:fit_ets"),
    ModelSpec("ets_damped", "damped-trend exponential smoothing ETS(A,Ad,N) on log y", 7, True,
              "forecast.families.ets:fit_ets_damped"),
    ModelSpec("arima", "ARIMA(1,1,0) with drift on log y", 5, True,
              "forecast.families.arima:fit_arima"),
)}


def register(spec: ModelSpec) -> ModelSpec:
    """Add a model to the registry (or replace the one of the same name); returns ``spec``.

    Examples
    --------
    >>> from forecast.families.trend import fit_exponential
    >>> spec = register(ModelSpec("doc_example", "an example", 3, False, fit_exponential))
    >>> get_spec("doc_example").fitter() is fit_exponential
    True
    >>> del REGISTRY["doc_example"]
    """
    REGISTRY[spec.name] = spec
    return spec


def models() -> pd.DataFrame:
    """List the model families with a one-line description and minimum length.

    Returns
    -------
    pd.DataFrame
        Columns ``model``, ``description``, ``min_obs``, ``consecutive``.

    Examples
    --------
    >>> "drift" in set(models()["model"])
    True
    """
    return pd.DataFrame([{"model": s.name, "description": s.description, "min_obs": s.min_obs,
                          "consecutive": s.consecutive} for s in REGISTRY.values()])


def get_spec(name: str) -> ModelSpec:
    """The registry entry of ``name``, or a :class:`ModelError` listing the names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; choose one of: {', '.join(REGISTRY)}") from None


def fit(y: Any, model: str = "auto", **options: Any) -> FitResult:
    """Fit a model to a positive annual series.

    Parameters
    ----------
    y : pd.Series
        Positive annual values, indexed by a yearly ``PeriodIndex`` or by
        integer years (converted). Gaps between years are allowed for the curve
        families; ETS, ARIMA and drift interpolate them on the log scale and
        say so in ``notes``.
    model : str
        One of :func:`models` (default ``"auto"``).
    **options
        Passed to the model family (e.g. ``capacity=`` for logistic). For
        ``model="auto"`` (see :func:`forecast.evaluate.auto.fit_auto`):

        - ``candidates`` -- models to combine or choose from (default
          ``("drift", "arima", "ets", "ets_damped")``; the global trend
          curves ``exponential``, ``quadratic``, ``logistic``, ``gompertz``
          are left out by default and can be added here);
        - ``combine`` -- ``True`` (default): the equal-weight combination of
          the candidates; ``"auto"``: the combination only when its backtest
          score is no worse than the best candidate's; ``False``: the best one;
        - ``calibrate`` -- conformal calibration of the interval width from
          the backtest errors: ``"rescale"`` (default), ``"widen"``,
          ``"by_horizon"``, ``"by_level"`` or ``"none"``;
        - ``horizon``, ``top``, ``criterion``, ``recent``, ``min_train``,
          ``candidate_options``: see ``fit_auto``.

        The result's ``choice`` says what was used and why, ``candidates``
        holds the backtest table.

    Returns
    -------
    FitResult

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 1.2, 1.5, 1.7, 2.1, 2.4], index=range(2015, 2021))
    >>> res = fit(y, model="exponential")  # doctest: +SKIP
    >>> res.forecast(horizon=2).columns.tolist()  # doctest: +SKIP
    ['mean', 'median', 'lower_80', 'upper_80', 'lower_95', 'upper_95', 'model']
    """
    spec = get_spec(model)
    y = as_annual(y)
    if len(y) < spec.min_obs:
        raise ModelError(f"model {model!r} needs at least {spec.min_obs} observations; the series has {len(y)}")
    fitter = spec.fitter()
    _check_options(model, fitter, options)
    return fitter(y, **options)


@functools.lru_cache(maxsize=64)
def _parameters(fitter: Any) -> Any:
    """The parameters of a fitting function (read once: a backtest fits thousands of times)."""
    return inspect.signature(fitter).parameters


def _check_options(model: str, fitter: Any, options: dict[str, Any]) -> None:
    """Raise :class:`ModelError` for an option the model family does not take."""
    params = _parameters(fitter)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    known = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
             or (p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and n != "y")]
    unknown = sorted(set(options) - set(known))
    if unknown:
        takes = ", ".join(known) if known else "no options"
        raise ModelError(f"model {model!r} has no option {unknown[0]!r}; it takes: {takes}")
