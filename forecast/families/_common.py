"""Small helpers shared by the trend, drift, ETS and ARIMA families."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.intervals import Predictive, index_years, year_index
from forecast.families.base import as_annual, fill_gaps_log, years_of

GAP_POLICIES = ("interpolate", "refuse")

# A log-scale residual standard deviation below this is rounding noise: the
# series follows the model exactly and no interval can be estimated from it.
MIN_LOG_SIGMA = 1e-8


def prepare(y: pd.Series, model: str, min_obs: int) -> pd.Series:
    """Coerce ``y`` to an annual series and check it has ``min_obs`` points."""
    y = as_annual(y)
    if len(y) < min_obs:
        raise ModelError(f"model {model!r} needs at least {min_obs} observations; the series has {len(y)}")
    return y


def consecutive(y: pd.Series, model: str, gaps: str) -> tuple[pd.Series, list[str]]:
    """Return ``y`` on consecutive years, interpolating gaps on the log scale.

    ``gaps="interpolate"`` fills missing years by log-linear interpolation and
    returns a note naming them; ``gaps="refuse"`` raises :class:`ModelError`
    naming the missing years instead.
    """
    if gaps not in GAP_POLICIES:
        raise ModelError(f"gaps={gaps!r} is not one of {', '.join(GAP_POLICIES)}")
    filled, missing = fill_gaps_log(y)
    if not missing:
        return y, []
    listed = ", ".join(str(m) for m in missing)
    if gaps == "refuse":
        raise ModelError(f"model {model!r} needs consecutive years; missing: {listed} "
                         "(pass gaps='interpolate' to fill them on the log scale)")
    one = len(missing) == 1
    return filled, [f"missing {'year' if one else 'years'} {listed} filled by linear interpolation of log values "
                    f"({model!r} needs consecutive years); the filled "
                    f"{'year counts' if one else 'years count'} as data"]


def params_frame(names: Sequence[str], estimate: Sequence[float], std_err: Sequence[float]) -> pd.DataFrame:
    """Parameter table with ``estimate``, ``std_err`` and ``identified``."""
    return pd.DataFrame({"estimate": np.asarray(estimate, dtype=float),
                         "std_err": np.asarray(std_err, dtype=float),
                         "identified": True}, index=pd.Index(list(names), name="parameter"))


def aicc(llf: float, k: int, n: int) -> float | None:
    """Small-sample AIC, ``None`` when ``n - k - 1 <= 0`` (undefined)."""
    if n - k - 1 <= 0 or not np.isfinite(llf):
        return None
    return float(-2 * llf + 2 * k + 2 * k * (k + 1) / (n - k - 1))


def check_sigma(sigma: float, model: str, what: str = "residual") -> None:
    """Refuse a zero (rounding-level) log-scale noise: intervals would be empty."""
    if not np.isfinite(sigma) or sigma < MIN_LOG_SIGMA:
        raise ModelError(f"model {model!r}: the {what} standard deviation is {sigma:.3g}; the series follows "
                         "the model exactly, so no prediction interval can be estimated from it")


def checked(pred: Predictive, model: str) -> Predictive:
    """Return ``pred`` after checking its quantiles and mean are finite and positive.

    A model that extrapolates to overflow (or, in levels, far below zero)
    raises :class:`ModelError` rather than returning numbers that mean nothing.
    """
    probs = (0.005, 0.5, 0.995)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        mean = pred.mean()
        vals = np.vstack([pred.quantiles(probs), np.where(np.isnan(mean), 1.0, mean)])  # NaN: no mean (said in meta)
    bad = ~np.isfinite(vals) | (vals <= 0)
    if bad.any():
        year = pred.years[np.argmax(bad.any(axis=0))].year
        raise ModelError(f"model {model!r}: the forecast for {year} is not a finite positive number "
                         "(the model extrapolates beyond what it can represent for this series)")
    return pred


def year_offsets(y: pd.Series, years: pd.PeriodIndex) -> np.ndarray:
    """Steps ahead of the last observed year for each of ``years`` (1, 2, ...)."""
    return index_years(year_index(years)).astype(int) - int(years_of(y)[-1])


def remembered_predictive(res: object, years: pd.PeriodIndex, make: Callable[[], Predictive]) -> Predictive:
    """``make()``, the simulated predictive of ``res`` for ``years``, made once per years, draws and seed.

    A fit whose forecast is simulated keeps the last one it made; asked again for
    the same years (a nested backtest of ``auto`` asks each candidate's fit for
    the same years twice) it hands out the same numbers without simulating them
    again, as a new object (:meth:`Predictive.shared`).
    """
    key = (index_years(years).tobytes(), getattr(res, "n_draws", None), getattr(res, "seed", None))
    memo = res.__dict__.get("_predictive_memo")
    if memo is None or memo[0] != key:
        memo = (key, make())
        res.__dict__["_predictive_memo"] = memo
    return memo[1].shared()


def posterior_predictive(res: Any, years: pd.PeriodIndex) -> Predictive:
    """The predictive of a fit with parameter uncertainty: its posterior draws run forward, kept per years.

    ``res`` has ``seed``, ``n_draws``, ``model``, ``_posterior_draws(rng)`` and
    ``_simulate(years, n, rng, draws)`` (ETS and ARIMA). The draws and paths
    come from one generator seeded with ``res.seed``, so the same fit gives the
    same numbers; :func:`remembered_predictive` keeps the last one made.
    """
    def make() -> Predictive:
        rng = np.random.default_rng(res.seed)
        samples = res._simulate(years, res.n_draws, rng, res._posterior_draws(rng))
        return checked(Predictive(years, samples=samples, space="log",
                                  meta={"n_draws": res.n_draws, "seed": res.seed}), res.model)
    return remembered_predictive(res, years, make)


def weighted_choice(rng: np.random.Generator, p: np.ndarray, n: int, buckets: int = 8192,
                    width: int = 4) -> np.ndarray:
    """``rng.choice(len(p), size=n, p=p)``: the same indices and the same generator state after, about twice as fast.

    numpy draws ``n`` uniforms and finds each in the cumulative weights by
    binary search. Here the search starts from a table of where each of
    ``buckets`` equal slices of (0, 1) begins in the cumulative weights, and
    counts the few weights inside the uniform's slice; uniforms in a slice
    holding more than ``width`` weights (grid points of negligible weight
    pile up there) are searched as numpy does. ``p`` must be valid weights
    (non-negative, summing to one), as for ``rng.choice``.

    Examples
    --------
    >>> w = np.array([0.1, 0.0, 0.6, 0.3])
    >>> a = weighted_choice(np.random.default_rng(1), w, 1000)
    >>> bool((a == np.random.default_rng(1).choice(4, size=1000, p=w)).all())
    True
    """
    cdf = np.cumsum(p, dtype=float)
    cdf /= cdf[-1]
    u = rng.random(n)
    lo = np.searchsorted(cdf, np.arange(buckets + 1) / buckets, side="right")  # weights up to each slice's start
    b = (u * buckets).astype(np.intp)  # exact: buckets is a power of two
    start, end = lo[b], lo[b + 1]
    idx = start.astype(np.int64)
    last = len(cdf) - 1
    for j in range(width):
        idx += (start + j < end) & (cdf[np.minimum(start + j, last)] <= u)
    wide = np.flatnonzero(end - start > width)
    if len(wide):
        idx[wide] = np.searchsorted(cdf, u[wide], side="right")
    return idx


def draw_normals(rng: np.random.Generator, n: int, h: int) -> np.ndarray:
    """``(n, h)`` standard normals drawn one year at a time.

    Drawing column by column keeps the first years' draws identical whatever
    the horizon, so ``forecast(horizon=3)`` and ``forecast(horizon=6)`` agree
    on the years they share.
    """
    out = np.empty((n, h))
    for j in range(h):
        out[:, j] = rng.standard_normal(n)
    return out


_CONTROLLER: list = []


def single_thread_blas():
    """Context manager limiting BLAS to one thread (a no-op without threadpoolctl).

    statsmodels' small optimisations (L-BFGS-B on five parameters) run several
    times slower when OpenBLAS spreads its tiny vector operations over threads
    on a busy machine (measured: 0.36 s against 0.05 s for one ETS(A,Ad,N) fit
    on two cores).
    """
    from contextlib import nullcontext

    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - optional speed-up
            _CONTROLLER.append(None)
        else:
            _CONTROLLER.append(ThreadpoolController())
    ctl = _CONTROLLER[0]
    return nullcontext() if ctl is None else ctl.limit(limits=1, user_api="blas")
