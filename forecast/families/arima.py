"""ARIMA(1,1,0) with drift on the log scale.

The log differences ``d[t] = log y[t] - log y[t-1]`` follow a stationary
AR(1) around the drift ``delta``:
``d[t] - delta = phi (d[t-1] - delta) + e[t]``, ``e[t] ~ N(0, sigma**2)``.
Point estimates are statsmodels' exact maximum likelihood
(``ARIMA(order=(1, 1, 0), trend="t")``: a linear time trend in levels is a
constant, the drift, in differences), as R's ``Arima(..., include.drift=TRUE)``.

statsmodels' intervals omit parameter uncertainty. By default the intervals
here are simulated instead, from the exact posterior under flat priors on
``(phi, delta, log sigma)``: for fixed ``phi`` the exact likelihood is a
regression (Prais-Winsten transform), so ``delta`` and ``sigma`` have closed
form conditionals and ``phi`` is drawn from its marginal on a fine grid over
``(-1, 1)``. ``param_uncertainty=False`` gives statsmodels' own intervals.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.intervals import Predictive
from forecast.families._common import (
    aicc,
    check_sigma,
    checked,
    consecutive,
    draw_normals,
    params_frame,
    prepare,
    single_thread_blas,
    year_offsets,
)
from forecast.families.base import FitResult

__all__ = ["ArimaResult", "exact_loglike", "fit_arima"]

MIN_OBS = 5


def _transform(d: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prais-Winsten transform: ``z = x*delta + e`` with iid errors, for each ``phi``."""
    r = np.sqrt(1 - phi**2)[:, None]
    z = np.concatenate([r * d[0], d[None, 1:] - phi[:, None] * d[None, :-1]], axis=1)
    x = np.concatenate([r, np.broadcast_to((1 - phi)[:, None], (len(phi), len(d) - 1))], axis=1)
    return z, x


def exact_loglike(d: np.ndarray, phi: float, delta: float, sigma2: float) -> float:
    """Exact Gaussian log-likelihood of the differences ``d`` under AR(1) with mean ``delta``.

    Examples
    --------
    >>> round(exact_loglike(np.array([0.1, 0.3, 0.2]), 0.0, 0.2, 0.01), 4)
    3.1509
    """
    z, x = _transform(np.asarray(d, dtype=float), np.array([phi]))
    e = z[0] - x[0] * delta
    t = len(d)
    return float(-t / 2 * np.log(2 * np.pi * sigma2) + 0.5 * np.log(1 - phi**2) - e @ e / (2 * sigma2))


class ArimaResult(FitResult):
    """Fitted ARIMA(1,1,0) with drift on ``log y`` (see :func:`fit_arima`)."""

    model = "arima"
    space = "log"

    def __init__(self, y: pd.Series, *, sm_result: Any, mle: dict, grid: dict, param_uncertainty: bool,
                 n_draws: int, seed: int, **kwargs: Any) -> None:
        super().__init__(y, **kwargs)
        self.sm_result_ = sm_result
        self.mle_ = mle
        self.grid_ = grid
        self.param_uncertainty = param_uncertainty
        self.n_draws = n_draws
        self.seed = seed
        logy = np.log(y.to_numpy())
        self.last_log_ = float(logy[-1])
        self.last_diff_ = float(logy[-1] - logy[-2])

    @property
    def loglike(self) -> float:
        """Log-likelihood of the fit (statsmodels' value)."""
        return float(self.sm_result_.llf)

    def draw_parameters(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``n`` draws of ``(phi, delta, sigma)`` from their posterior (flat priors)."""
        g = self.grid_
        idx = rng.choice(len(g["phi"]), size=n, p=g["weights"])
        sigma = np.sqrt(g["sse"][idx] / rng.chisquare(g["df"], size=n))
        delta = g["delta"][idx] + sigma / np.sqrt(g["xtx"][idx]) * rng.standard_normal(n)
        return {"phi": g["phi"][idx], "delta": delta, "sigma": sigma}

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator) -> np.ndarray:
        steps = year_offsets(self.y, years)
        h = int(steps[-1])
        p = self.draw_parameters(n, rng) if self.param_uncertainty else self.mle_
        z = draw_normals(rng, n, h)
        d = np.full(n, self.last_diff_)
        out = np.empty((n, h))
        level = np.full(n, self.last_log_)
        for j in range(h):
            d = p["delta"] + p["phi"] * (d - p["delta"]) + p["sigma"] * z[:, j]
            level = level + d
            out[:, j] = level
        return out[:, steps - 1]

    def _predictive(self, years: pd.PeriodIndex) -> Predictive:
        if self.param_uncertainty:
            samples = self._simulate(years, self.n_draws, np.random.default_rng(self.seed))
            return checked(Predictive(years, samples=samples, space="log",
                                      meta={"n_draws": self.n_draws, "seed": self.seed}), self.model)
        steps = year_offsets(self.y, years)
        fc = self.sm_result_.get_forecast(int(steps[-1]))
        loc = np.asarray(fc.predicted_mean, dtype=float)[steps - 1]
        scale = np.asarray(fc.se_mean, dtype=float)[steps - 1]
        return checked(Predictive(years, loc=loc, scale=scale, df=np.inf, space="log"), self.model)


def _posterior_grid(d: np.ndarray, size: int) -> dict:
    phi = -1 + (np.arange(size) + 0.5) * 2 / size
    z, x = _transform(d, phi)
    xtx = np.einsum("gt,gt->g", x, x)
    delta = np.einsum("gt,gt->g", x, z) / xtx
    e = z - x * delta[:, None]
    sse = np.maximum(np.einsum("gt,gt->g", e, e), 1e-300)
    df = len(d) - 1
    logw = 0.5 * np.log(1 - phi**2) - 0.5 * np.log(xtx) - df / 2 * np.log(sse)
    w = np.exp(logw - logw.max())
    return {"phi": phi, "delta": delta, "sse": sse, "xtx": xtx, "df": df, "weights": w / w.sum()}


def fit_arima(y: pd.Series, *, gaps: str = "interpolate", param_uncertainty: bool = True, n_draws: int = 10000,
              seed: int = 0, grid_size: int = 400) -> ArimaResult:
    """Fit ARIMA(1,1,0) with drift to ``log y`` by exact maximum likelihood.

    Parameters
    ----------
    y : pd.Series
        Positive annual values (at least 5 consecutive years).
    gaps : {"interpolate", "refuse"}
        Missing years are filled by log-linear interpolation (with a note) or
        refused with a :class:`ModelError`.
    param_uncertainty : bool
        True (default): intervals simulated with parameter uncertainty.
        False: statsmodels' intervals at the maximum-likelihood parameters.
    n_draws : int
        Number of simulated paths behind the intervals.
    seed : int
        Seed of those simulations (same seed, same numbers).
    grid_size : int
        Grid points over ``phi`` in ``(-1, 1)`` for the posterior.

    Returns
    -------
    ArimaResult
        ``params``: ``drift`` (mean log growth), ``ar1`` and ``sigma``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.exp(np.cumsum([0.2, 0.3, 0.1, 0.25, 0.2, 0.35, 0.15, 0.2])), index=range(2010, 2018))
    >>> res = fit_arima(y)
    >>> res.params.index.tolist()
    ['drift', 'ar1', 'sigma']
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.arima.model import ARIMA

    options = {"gaps": gaps, "param_uncertainty": bool(param_uncertainty), "n_draws": int(n_draws),
               "seed": int(seed), "grid_size": int(grid_size)}
    if int(n_draws) < 100:
        raise ModelError(f"n_draws={n_draws} is too few for quantiles; use at least 100")
    y = prepare(y, "arima", MIN_OBS)
    yc, notes = consecutive(y, "arima", gaps)
    logy = np.log(yc.to_numpy())
    d = np.diff(logy)
    check_sigma(float(np.std(d)), "arima", "log-difference")
    n = len(logy)

    grid = _posterior_grid(d, int(grid_size))
    # start at the maximum of the exact profile likelihood on the grid
    prof_ll = -len(d) / 2 * np.log(grid["sse"] / len(d)) + 0.5 * np.log(1 - grid["phi"] ** 2)
    i0 = int(np.argmax(prof_ll))
    start = np.array([grid["delta"][i0], grid["phi"][i0], grid["sse"][i0] / len(d)])
    sm_model = ARIMA(pd.Series(logy, index=yc.index), order=(1, 1, 0), trend="t")
    with warnings.catch_warnings(record=True) as caught, single_thread_blas():
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.filterwarnings("always", message="Non-stationary starting autoregressive", category=UserWarning)
        sm_res = sm_model.fit(start_params=start, cov_type="none")
    if any(issubclass(w.category, ConvergenceWarning) for w in caught) or \
            (sm_res.mle_retvals or {}).get("converged") is False:
        notes.append("the optimiser reported convergence trouble for the maximum-likelihood fit")
    est = np.asarray(sm_res.params, dtype=float)  # drift, ar.L1, sigma2
    if not np.isfinite(est).all() or est[2] <= 0:
        raise ModelError("model 'arima': maximum likelihood failed for this series")
    delta, phi, sigma = float(est[0]), float(est[1]), float(np.sqrt(est[2]))
    check_sigma(sigma, "arima")
    mle = {"delta": delta, "phi": phi, "sigma": sigma}

    fittedvalues = np.asarray(sm_res.fittedvalues, dtype=float)[1:]  # the first one is diffuse
    idx = yc.index[1:]
    fitted = pd.Series(np.exp(fittedvalues), index=idx, name="fitted")
    residuals = pd.Series(logy[1:] - fittedvalues, index=idx, name="residual")
    result = ArimaResult(yc, sm_result=sm_res, mle=mle, grid=grid, param_uncertainty=bool(param_uncertainty),
                         n_draws=int(n_draws), seed=int(seed),
                         params=params_frame(["drift", "ar1", "sigma"], [delta, phi, sigma], [np.nan] * 3),
                         fitted=fitted, residuals=residuals, aicc=aicc(float(sm_res.llf), 3, n - 1),
                         notes=notes, options=options)
    draws = result.draw_parameters(int(n_draws), np.random.default_rng(seed))
    result.params["std_err"] = [float(np.std(draws[k], ddof=1)) for k in ("delta", "phi", "sigma")]
    result.notes.append("estimates: exact maximum likelihood (statsmodels ARIMA); std. errors: posterior "
                        "standard deviations (flat priors)")
    if param_uncertainty:
        result.notes.append(f"intervals include parameter uncertainty ({int(n_draws)} simulated paths, "
                            f"seed {int(seed)}); the median is that of the simulated predictive "
                            "distribution and can differ from the maximum-likelihood point forecast")
    else:
        result.notes.append("intervals omit parameter uncertainty (statsmodels' ARIMA intervals at the "
                            "maximum-likelihood parameters): they are too narrow")
    return result
