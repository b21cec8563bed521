"""ARIMA(1,1,0) with drift on the log scale.

The log differences ``d[t] = log y[t] - log y[t-1]`` follow a stationary
AR(1) around the drift ``delta``:
``d[t] - delta = phi (d[t-1] - delta) + e[t]``, ``e[t] ~ N(0, sigma**2)``.
Point estimates are exact maximum likelihood, the fit of statsmodels'
``ARIMA(order=(1, 1, 0), trend="t")`` (a linear time trend in levels is a
constant, the drift, in differences) and of R's
``Arima(..., include.drift=TRUE)``. For fixed ``phi`` the likelihood is
maximised in closed form, so the fit is a one-dimensional search over
``phi`` (the tests check it against statsmodels' likelihood and optimiser;
statsmodels' optimiser takes over should the exact likelihood fail).

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
    posterior_predictive,
    weighted_choice,
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
    # the parameter table, fit and notes (pandas objects) are made on first use: a backtest reads only forecasts
    _DEFERRED = frozenset({"params", "fitted", "residuals", "aicc", "notes"})

    def __init__(self, y: pd.Series, *, sm_model: Any = None, sm_params: np.ndarray, loglike: float,
                 sm_result: Any = None, mle: dict, grid: dict, param_uncertainty: bool, n_draws: int, seed: int,
                 fitted_log: np.ndarray, notes: list[str], options: dict) -> None:
        # FitResult.__init__ runs in _complete; until then only what the forecasts need is set
        self.y = y
        self.options = dict(options)
        self._fitted_log = fitted_log
        self._fit_notes = list(notes)
        self._incomplete = True
        self._sm_model = sm_model
        self.sm_params_ = sm_params
        self._loglike = loglike
        self._sm_result = sm_result
        self._draws: tuple[tuple[int, int], dict, dict] | None = None
        self.mle_ = mle
        self.grid_ = grid
        self.param_uncertainty = param_uncertainty
        self.n_draws = n_draws
        self.seed = seed
        logy = np.log(y.to_numpy())
        self.last_log_ = float(logy[-1])
        self.last_diff_ = float(logy[-1] - logy[-2])

    def _complete(self) -> None:
        """The parameter table (standard errors from the posterior draws), fitted values, residuals and notes."""
        delta, phi, sigma = self.mle_["delta"], self.mle_["phi"], self.mle_["sigma"]
        params = params_frame(["drift", "ar1", "sigma"], [delta, phi, sigma], [np.nan] * 3)
        draws = self._posterior_draws(np.random.default_rng(self.seed))
        params["std_err"] = [float(np.std(draws[k], ddof=1)) for k in ("delta", "phi", "sigma")]
        notes = list(self._fit_notes)
        notes.append("estimates: exact maximum likelihood (checked against statsmodels' ARIMA); std. errors: "
                     "posterior standard deviations (flat priors)")
        if self.param_uncertainty:
            notes.append(f"intervals include parameter uncertainty ({self.n_draws} simulated paths, "
                         f"seed {self.seed}); the median is that of the simulated predictive "
                         "distribution and can differ from the maximum-likelihood point forecast")
        else:
            notes.append("intervals omit parameter uncertainty (statsmodels' ARIMA intervals at the "
                         "maximum-likelihood parameters): they are too narrow")
        logy = np.log(self.y.to_numpy())
        idx = self.y.index[1:]
        fitted = pd.Series(np.exp(self._fitted_log), index=idx, name="fitted")
        residuals = pd.Series(logy[1:] - self._fitted_log, index=idx, name="residual")
        FitResult.__init__(self, self.y, params=params, fitted=fitted, residuals=residuals,
                           aicc=aicc(self._loglike, 3, len(logy) - 1), notes=notes, options=self.options)

    @property
    def loglike(self) -> float:
        """Exact log-likelihood of the fit (statsmodels' value when its optimiser had to take over)."""
        return self._loglike

    @property
    def sm_model_(self) -> Any:
        """statsmodels' ``ARIMA(1,1,0)`` model with drift of the (gap-filled) log series (built on first use)."""
        if self._sm_model is None:
            self._sm_model = _sm_model(self.y)
        return self._sm_model

    @property
    def sm_result_(self) -> Any:
        """statsmodels' results object at the maximum-likelihood parameters (built on first use)."""
        if self._sm_result is None:
            with single_thread_blas():
                self._sm_result = self.sm_model_.smooth(self.sm_params_, cov_type="none")
        return self._sm_result

    def _posterior_draws(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``draw_parameters(n_draws, rng)`` for a generator seeded with ``seed``, computed once.

        Later calls return the same draws and leave ``rng`` in the state the
        first draw left it in, so the numbers are exactly those of a fresh draw.
        """
        key = (self.n_draws, self.seed)
        if self._draws is None or self._draws[0] != key:
            draws = self.draw_parameters(self.n_draws, rng)
            self._draws = (key, draws, rng.bit_generator.state)
        else:
            rng.bit_generator.state = self._draws[2]
        return self._draws[1]

    def draw_parameters(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``n`` draws of ``(phi, delta, sigma)`` from their posterior (flat priors)."""
        g = self.grid_
        idx = weighted_choice(rng, g["weights"], n)  # rng.choice(len(weights), n, p=weights), faster
        sigma = np.sqrt(g["sse"][idx] / rng.chisquare(g["df"], size=n))
        delta = g["delta"][idx] + sigma / np.sqrt(g["xtx"][idx]) * rng.standard_normal(n)
        return {"phi": g["phi"][idx], "delta": delta, "sigma": sigma}

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator,
                  draws: dict[str, np.ndarray] | None = None) -> np.ndarray:
        steps = year_offsets(self.y, years)
        h = int(steps[-1])
        if draws is not None:
            p = draws
        else:
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
            return posterior_predictive(self, years)
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


def _profile_mle(d: np.ndarray, grid: dict) -> tuple[float, float, float]:
    """Exact maximum-likelihood ``(phi, delta, sigma^2)`` of an AR(1) with mean ``delta`` on ``d``.

    For fixed ``phi`` the maximising ``delta`` is the Prais-Winsten regression
    estimate and ``sigma^2 = SSE/T``, so the profile log-likelihood
    ``-T/2 log(SSE/T) + log(1 - phi^2)/2`` (plus a constant) is maximised over
    ``phi`` alone: by bounded Brent search between the neighbours of the best
    point of the posterior grid.
    """
    from scipy.optimize import minimize_scalar

    t = len(d)

    def fit_at(phi: float) -> tuple[float, float]:
        z, x = _transform(d, np.array([phi]))
        delta = float(x[0] @ z[0] / (x[0] @ x[0]))
        e = z[0] - x[0] * delta
        return delta, float(e @ e)

    def neg(phi: float) -> float:
        return t / 2 * np.log(max(fit_at(phi)[1], 1e-300) / t) - 0.5 * np.log1p(-phi * phi)

    phis = grid["phi"]
    prof = -t / 2 * np.log(grid["sse"] / t) + 0.5 * np.log(1 - phis**2)
    i0 = int(np.argmax(prof))
    lo = phis[i0 - 1] if i0 > 0 else -1 + 1e-9
    hi = phis[i0 + 1] if i0 < len(phis) - 1 else 1 - 1e-9
    opt = minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    phi = float(opt.x) if neg(float(opt.x)) <= neg(float(phis[i0])) else float(phis[i0])
    delta, sse = fit_at(phi)
    return phi, delta, sse / t


def _sm_model(yc: pd.Series) -> Any:
    """statsmodels' model of the log series (imported here: only the tests and the fallback need it)."""
    from statsmodels.tsa.arima.model import ARIMA

    return ARIMA(pd.Series(np.log(yc.to_numpy()), index=yc.index), order=(1, 1, 0), trend="t")


def _sm_fit(sm_model: Any, start: np.ndarray, notes: list[str]) -> Any:
    """statsmodels' own maximum-likelihood fit from ``start`` (notes convergence trouble)."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught, single_thread_blas():
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.filterwarnings("always", message="Non-stationary starting autoregressive", category=UserWarning)
        sm_res = sm_model.fit(start_params=start, cov_type="none")
    if any(issubclass(w.category, ConvergenceWarning) for w in caught) or \
            (sm_res.mle_retvals or {}).get("converged") is False:
        notes.append("the optimiser reported convergence trouble for the maximum-likelihood fit")
    return sm_res


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
    options = {"gaps": gaps, "param_uncertainty": bool(param_uncertainty), "n_draws": int(n_draws),
               "seed": int(seed), "grid_size": int(grid_size)}
    if int(n_draws) < 100:
        raise ModelError(f"n_draws={n_draws} is too few for quantiles; use at least 100")
    y = prepare(y, "arima", MIN_OBS)
    yc, notes = consecutive(y, "arima", gaps)
    logy = np.log(yc.to_numpy())
    d = np.diff(logy)
    check_sigma(float(np.std(d)), "arima", "log-difference")

    grid = _posterior_grid(d, int(grid_size))
    # exact maximum likelihood: for fixed phi, delta and sigma^2 have closed forms, so the likelihood is
    # maximised over phi alone (bracketed by the best grid point); the tests check it against statsmodels'
    # likelihood and optimiser (statsmodels treats the first observation as approximately diffuse, which shifts
    # its value by about 5e-6). Should the exact likelihood not be finite inside the bounds, statsmodels' own
    # optimiser is run from that point instead (statsmodels is imported only then: importing it costs more than
    # many fits)
    phi, delta, sigma2 = _profile_mle(d, grid)
    sm_params = np.array([delta, phi, sigma2])
    sm_model = sm_res = None
    llf = float(exact_loglike(d, phi, delta, sigma2))
    if not (np.isfinite(llf) and -1 < phi < 1 and sigma2 > 0):
        sm_model = _sm_model(yc)
        sm_res = _sm_fit(sm_model, sm_params, notes)
        sm_params = np.asarray(sm_res.params, dtype=float)
        llf = float(sm_res.llf)
    if not np.isfinite(sm_params).all() or sm_params[2] <= 0:
        raise ModelError("model 'arima': maximum likelihood failed for this series")
    delta, phi, sigma = float(sm_params[0]), float(sm_params[1]), float(np.sqrt(sm_params[2]))
    check_sigma(sigma, "arima")
    mle = {"delta": delta, "phi": phi, "sigma": sigma}

    # one-step predictions of log y[t] (t >= 1); the first difference is predicted by its mean
    pred_d = delta + phi * (np.concatenate([[delta], d[:-1]]) - delta)
    fittedvalues = logy[:-1] + pred_d
    result = ArimaResult(yc, sm_model=sm_model, sm_params=sm_params, loglike=llf, sm_result=sm_res, mle=mle,
                         grid=grid, param_uncertainty=bool(param_uncertainty), n_draws=int(n_draws), seed=int(seed),
                         fitted_log=fittedvalues, notes=notes, options=options)
    result._posterior_draws(np.random.default_rng(seed))  # the draws behind every forecast, made once
    return result
