"""Exponential smoothing ETS(A,A,N) and ETS(A,Ad,N) on the log scale.

The point estimates maximise statsmodels' ``ETSModel`` likelihood. It often
has more than one peak on short growth series and statsmodels' default start
can find the lower one (on log IC3 losses: -7.8 against -7.1 for A,A,N). So
the model is fitted from several starts and the highest likelihood is kept:
the optimum of a grid over the smoothing parameters (initial states profiled
out by least squares, see :mod:`forecast.families._ets_grid`), the best grid
points well apart from each other, each climbed to its local maximum of that
concentrated likelihood (:func:`forecast.families._ets_grid.polish`), and the
best point on the faces of the parameter bounds climbed the same way (a
likelihood rising towards a bound peaks where the grid's cell midpoints never
look, and where a gradient optimiser such as statsmodels' ends). The concentrated likelihood is statsmodels' log-likelihood
at the profiled initial states (the tests check both against statsmodels,
which is no longer run by a fit: building its model costs more than the
whole fit here). ``result.starts_`` lists every start and its likelihood.

statsmodels' exact intervals omit parameter uncertainty. By default the
intervals here are simulated instead: smoothing parameters drawn from their
grid posterior (flat priors), initial states and noise level from their exact
conditional distributions, each draw run through the data and simulated
forward. ``param_uncertainty=False`` gives statsmodels' own intervals for the
maximum-likelihood parameters (too narrow; for comparison).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.intervals import Predictive
from forecast.families import _ets_grid as eg
from forecast.families._common import (
    aicc,
    check_sigma,
    checked,
    consecutive,
    single_thread_blas,
    draw_normals,
    params_frame,
    prepare,
    posterior_predictive,
    weighted_choice,
    year_offsets,
)
from forecast.families.base import FitResult

__all__ = ["ETSResult", "fit_ets", "fit_ets_damped"]


class ETSResult(FitResult):
    """Fitted ETS(A,A,N) or ETS(A,Ad,N) on ``log y`` (see :func:`fit_ets`).

    The forecasts come from the grid posterior, made at fit time. The
    maximum-likelihood estimate (the climbs from several starts) is made the
    first time something needs it (``params``, ``fitted``, ``residuals``,
    ``aicc``, ``notes``, ``loglike``, ``starts_``, ...): a backtest, which
    reads only forecasts, never pays for it. The numbers are the same either
    way.
    """

    space = "log"

    # attributes made by the maximum-likelihood estimate, on first use
    _DEFERRED = frozenset({"params", "fitted", "residuals", "aicc", "notes", "_loglike", "sm_params_", "mle_",
                           "starts_"})

    def __init__(self, y: pd.Series, *, model: str, damped: bool, prof: eg.Profile, weights: np.ndarray,
                 param_uncertainty: bool, n_draws: int, seed: int, grid_size: int, notes: list[str],
                 options: dict) -> None:
        # FitResult.__init__ runs in _complete, with the estimate; until then only what the forecasts need is set
        self.y = y
        self.model = model
        self.options = dict(options)
        self.damped_ = damped
        self._sm_model: Any = None
        self._sm_result: Any = None
        self._draws: tuple[tuple[int, int], dict, dict] | None = None
        self.profile_ = prof
        self.weights_ = weights
        self.param_uncertainty = param_uncertainty
        self.n_draws = n_draws
        self.seed = seed
        self.grid_size = grid_size
        self.logy_ = np.log(y.to_numpy())
        self._fit_notes = list(notes)
        self._incomplete = True

    def _complete(self) -> None:
        """Maximum likelihood from several starts, and the parameter table, fit and notes it gives."""
        notes = list(self._fit_notes)
        est = _estimate(self.logy_, self.profile_, self.damped_, self.grid_size, notes)
        draws = self._posterior_draws(np.random.default_rng(self.seed))
        post = [draws["alpha"], draws["beta"]] + ([draws["phi"]] if self.damped_ else []) \
            + [draws["x0"][:, 0], draws["x0"][:, 1], draws["sigma"]]
        params = est["params"]
        params["std_err"] = [float(np.std(v, ddof=1)) for v in post]
        notes.append("estimates: maximum likelihood (statsmodels' ETSModel likelihood, highest of several "
                     "starts); std. errors: posterior standard deviations (flat priors)")
        if self.param_uncertainty:
            notes.append(f"intervals include parameter uncertainty ({self.n_draws} simulated paths, "
                         f"seed {self.seed}); the median is that of the simulated predictive "
                         "distribution and can differ from the maximum-likelihood point forecast")
        else:
            notes.append("intervals omit parameter uncertainty (statsmodels' exact ETS intervals at the "
                         "maximum-likelihood parameters): they are too narrow")
        n = len(self.logy_)
        fitted = pd.Series(np.exp(self.logy_ - est["err"]), index=self.y.index, name="fitted")
        residuals = pd.Series(est["err"], index=self.y.index, name="residual")
        FitResult.__init__(self, self.y, params=params, fitted=fitted, residuals=residuals,
                           aicc=aicc(est["loglike"], len(est["sm_params"]) + 1, n), notes=notes,
                           options=self.options, model=self.model)
        self._loglike = est["loglike"]
        self.sm_params_ = est["sm_params"]
        self.mle_ = est["mle"]
        self.starts_ = est["starts"]

    @property
    def loglike(self) -> float:
        """Log-likelihood of the chosen fit (statsmodels' value)."""
        return self._loglike

    @property
    def sm_model_(self) -> Any:
        """statsmodels' ``ETSModel`` of the (gap-filled) log series (built on first use)."""
        if self._sm_model is None:
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            self._sm_model = ETSModel(pd.Series(self.logy_, index=self.y.index), error="add", trend="add",
                                      damped_trend=self.damped_)
        return self._sm_model

    @property
    def sm_result_(self) -> Any:
        """statsmodels' results object at the chosen parameters (built on first use)."""
        if self._sm_result is None:
            with single_thread_blas():
                self._sm_result = self.sm_model_.smooth(self.sm_params_)
        return self._sm_result

    def _posterior_draws(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``draw_parameters(n_draws, rng)`` for a generator seeded with ``seed``, computed once.

        The first call keeps the draws and the generator's state after them;
        later calls return the same draws and leave ``rng`` in that state, so
        the numbers are exactly those of a fresh draw.
        """
        key = (self.n_draws, self.seed)
        if self._draws is None or self._draws[0] != key:
            draws = self.draw_parameters(self.n_draws, rng)
            self._draws = (key, draws, rng.bit_generator.state)
        else:
            rng.bit_generator.state = self._draws[2]
        return self._draws[1]

    def draw_parameters(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``n`` draws of the parameters from their posterior, with the final states they imply."""
        p = self.profile_
        idx = weighted_choice(rng, self.weights_, n)  # rng.choice(len(weights), n, p=weights), faster
        chi = rng.chisquare(p.n - 2, size=n)
        # everything a draw needs of its grid point, gathered at once (the same numbers as gathering each)
        sse, l11, l21, l22, x00, x01, alpha, beta, phi, f00, f01, f02, f10, f11, f12 = p.draw_table()[:, idx]
        sigma = np.sqrt(sse / chi)
        z = rng.standard_normal((n, 2))
        x0 = np.column_stack([x00, x01]) + sigma[:, None] * np.column_stack([l11 * z[:, 0],
                                                                            l21 * z[:, 0] + l22 * z[:, 1]])
        lvl = f00 + f01 * x0[:, 0] + f02 * x0[:, 1]
        trd = f10 + f11 * x0[:, 0] + f12 * x0[:, 1]
        alpha, beta, phi = alpha.copy(), beta.copy(), phi.copy()  # rows of the gathered block: kept without it
        return {"alpha": alpha, "beta": beta, "phi": phi, "x0": x0, "sigma": sigma, "level": lvl, "trend": trd}

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator,
                  draws: dict[str, np.ndarray] | None = None) -> np.ndarray:
        h = int(year_offsets(self.y, years)[-1])
        if draws is not None:
            d = draws
        elif self.param_uncertainty:
            d = self.draw_parameters(n, rng)
        else:
            d = self.mle_
        paths = eg.simulate_forward(d["level"], d["trend"], d["alpha"], d["beta"], d["phi"], d["sigma"],
                                    draw_normals(rng, n, h))
        return paths[:, year_offsets(self.y, years) - 1]

    def _predictive(self, years: pd.PeriodIndex) -> Predictive:
        if self.param_uncertainty:
            return posterior_predictive(self, years)
        steps = year_offsets(self.y, years)
        pred = self.sm_result_.get_prediction(start=self.nobs, end=self.nobs + int(steps[-1]) - 1)
        loc = np.asarray(pred.predicted_mean, dtype=float)[steps - 1]
        scale = np.sqrt(np.asarray(pred.var_pred_mean, dtype=float))[steps - 1]
        return checked(Predictive(years, loc=loc, scale=scale, df=np.inf, space="log"), self.model)


def _start_indices(prof: eg.Profile, damped: bool, k: int = 2) -> list[int]:
    """The best grid point and the best ones well apart from those already taken."""
    ll = prof.loglike
    order = np.argsort(-ll)
    taken: list[int] = []
    for i in order:
        far = all(abs(prof.alpha[i] - prof.alpha[j]) > 0.25 or
                  abs(prof.beta[i] / prof.alpha[i] - prof.beta[j] / prof.alpha[j]) > 0.25 or
                  (damped and abs(prof.phi[i] - prof.phi[j]) > 0.08) for j in taken)
        if far:
            taken.append(int(i))
        if len(taken) == k:
            break
    return taken


def _estimate(logy: np.ndarray, prof: eg.Profile, damped: bool, grid_size: int, notes: list[str]) -> dict:
    """Maximum likelihood from several starts (appends to ``notes``): estimates, fit, starts table, MLE draws.

    The starts: the grid optimum as it is, then the best grid points well
    apart from each other and the best point on the faces of the bounds, each
    climbed to its local maximum of the concentrated likelihood (initial
    states profiled out); every candidate is scored by the concentrated
    likelihood (statsmodels' log-likelihood at the profiled initial states)
    and the highest is kept.
    """
    n = len(logy)
    phi_size = 8 if damped else 1
    starts_at = _start_indices(prof, damped)
    pts = np.column_stack([prof.alpha[starts_at], prof.beta[starts_at] / prof.alpha[starts_at]]
                          + ([prof.phi[starts_at]] if damped else []))
    step = np.array([0.5 / grid_size] * 2
                    + ([0.5 * (eg.PHI_BOUNDS[1] - eg.PHI_BOUNDS[0]) / (phi_size - 1)] if damped else []))
    edges = eg.edge_points(damped, size=grid_size, phi_size=phi_size)
    with np.errstate(all="ignore"):
        eprof = eg.profile(logy, edges[:, 0], edges[:, 0] * edges[:, 1],
                           edges[:, 2] if damped else np.ones(len(edges)))
    edge_ll = np.where(np.isfinite(eprof.loglike), eprof.loglike, -np.inf)
    pts = np.vstack([pts, edges[[int(np.argmax(edge_ll))]]])
    top, _, converged = eg.polish(logy, pts, step)
    labels = [f"grid start {j + 1}" for j in range(len(top) - 1)] + ["best point on the bounds"]
    tphi = top[:, 2] if damped else np.ones(len(top))
    tprof = eg.profile(logy, top[:, 0], top[:, 0] * top[:, 1], tphi)
    i0 = int(np.argmax(prof.loglike))
    fits = [(np.array([prof.alpha[i0], prof.beta[i0]] + ([prof.phi[i0]] if damped else []) + list(prof.x0[i0])),
             False, "grid optimum", float(prof.loglike[i0]))]
    for j in range(len(top)):
        par = np.array([tprof.alpha[j], tprof.beta[j]] + ([tprof.phi[j]] if damped else []) + list(tprof.x0[j]))
        fits.append((par, not bool(converged[j]), labels[j], float(tprof.loglike[j])))
    starts = pd.DataFrame([{"start": label, "loglike": ll, "convergence_trouble": trouble}
                           for _, trouble, label, ll in fits])
    lls = starts["loglike"].to_numpy()
    best = int(np.argmax(np.where(np.isfinite(lls), lls, -np.inf)))
    starts["chosen"] = np.arange(len(starts)) == best
    est, trouble, _, _ = fits[best]
    if trouble:
        notes.append("the optimiser reported convergence trouble for the chosen fit")
    climbed = lls[1:][np.isfinite(lls[1:])]
    if len(climbed) and lls[best] - climbed.min() > 0.01:
        notes.append(f"the likelihood has more than one peak: kept log-likelihood {lls[best]:.2f} "
                     f"(another start reaches {climbed.min():.2f})")

    alpha, beta = float(est[0]), float(est[1])
    phi = float(est[2]) if damped else 1.0
    x0 = np.asarray(est[-2:], dtype=float)
    one = eg.errors_stacked(logy, np.array([alpha]), np.array([beta]), np.array([phi]))[:, :, 0]
    err = one[:, 0] + one[:, 1] * x0[0] + one[:, 2] * x0[1]  # one-step errors from x0
    sigma_mle = float(np.sqrt(err @ err / n))
    lvl, trd = eg.final_states(logy, x0[None, :], np.array([alpha]), np.array([beta]), np.array([phi]))
    mle = {"alpha": alpha, "beta": beta, "phi": phi, "sigma": sigma_mle, "level": lvl, "trend": trd}
    names = ["smoothing_level", "smoothing_trend"] + (["damping_trend"] if damped else []) \
        + ["initial_level", "initial_trend", "sigma"]
    return {"params": params_frame(names, list(est) + [sigma_mle], [np.nan] * len(names)), "err": err,
            "loglike": float(lls[best]), "sm_params": est, "mle": mle, "starts": starts}


def _fit_ets(y: pd.Series, *, damped: bool, gaps: str, param_uncertainty: bool, n_draws: int, seed: int,
             grid_size: int) -> ETSResult:
    model = "ets_damped" if damped else "ets"
    min_obs = 7 if damped else 6
    options = {"gaps": gaps, "param_uncertainty": bool(param_uncertainty), "n_draws": int(n_draws),
               "seed": int(seed), "grid_size": int(grid_size)}
    if int(n_draws) < 100:
        raise ModelError(f"n_draws={n_draws} is too few for quantiles; use at least 100")
    y = prepare(y, model, min_obs)
    yc, notes = consecutive(y, model, gaps)
    if len(yc) < min_obs:  # pragma: no cover - filling only adds years
        raise ModelError(f"model {model!r} needs at least {min_obs} observations")
    logy = np.log(yc.to_numpy())
    n = len(logy)

    phi_size = 8 if damped else 1
    prof = eg.profile(logy, *eg.grid(damped, size=int(grid_size), phi_size=phi_size))
    check_sigma(float(np.sqrt(prof.sse.min() / n)), model)
    lp = prof.log_posterior
    if not np.isfinite(lp).all():
        raise ModelError(f"model {model!r}: the likelihood could not be evaluated for this series")
    weights = np.exp(lp - lp.max())
    weights /= weights.sum()

    result = ETSResult(yc, model=model, damped=damped, prof=prof, weights=weights,
                       param_uncertainty=bool(param_uncertainty), n_draws=int(n_draws), seed=int(seed),
                       grid_size=int(grid_size), notes=notes, options=options)
    result._posterior_draws(np.random.default_rng(seed))  # the draws behind every forecast, made once
    return result


def fit_ets(y: pd.Series, *, gaps: str = "interpolate", param_uncertainty: bool = True, n_draws: int = 10000,
            seed: int = 0, grid_size: int = 30) -> ETSResult:
    """Fit ETS(A,A,N) (additive errors, additive trend) to ``log y``.

    Parameters
    ----------
    y : pd.Series
        Positive annual values (at least 6 consecutive years).
    gaps : {"interpolate", "refuse"}
        Missing years are filled by log-linear interpolation (with a note) or
        refused with a :class:`ModelError`.
    param_uncertainty : bool
        True (default): intervals simulated with parameter uncertainty.
        False: statsmodels' exact intervals at the maximum-likelihood
        parameters (noise only).
    n_draws : int
        Number of simulated paths behind the intervals.
    seed : int
        Seed of those simulations (same seed, same numbers).
    grid_size : int
        Grid points per smoothing parameter for starts and posterior.

    Returns
    -------
    ETSResult
        ``starts_`` lists the log-likelihood reached from each start and the
        one chosen (the highest).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.exp(np.linspace(0, 2, 12) + 0.1 * np.sin(np.arange(12))), index=range(2010, 2022))
    >>> res = fit_ets(y)
    >>> bool(res.starts_.loc[res.starts_["chosen"], "loglike"].iloc[0] == res.starts_["loglike"].max())
    True
    """
    return _fit_ets(y, damped=False, gaps=gaps, param_uncertainty=param_uncertainty, n_draws=n_draws,
                    seed=seed, grid_size=grid_size)


def fit_ets_damped(y: pd.Series, *, gaps: str = "interpolate", param_uncertainty: bool = True,
                   n_draws: int = 10000, seed: int = 0, grid_size: int = 30) -> ETSResult:
    """Fit ETS(A,Ad,N) (damped additive trend, ``0.8 <= phi <= 0.98``) to ``log y``.

    Parameters are those of :func:`fit_ets`; at least 7 consecutive years.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.exp(np.linspace(0, 2, 12) + 0.1 * np.sin(np.arange(12))), index=range(2010, 2022))
    >>> res = fit_ets_damped(y)
    >>> "damping_trend" in res.params.index
    True
    """
    return _fit_ets(y, damped=True, gaps=gaps, param_uncertainty=param_uncertainty, n_draws=n_draws,
                    seed=seed, grid_size=grid_size)
