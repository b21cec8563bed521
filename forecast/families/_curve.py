"""Shared machinery of the saturating growth curves (logistic, Gompertz).

Both curves are fitted by maximum likelihood on the log scale::

    log y_t = log f(t; theta) + e_t,    e_t ~ N(0, s^2)

with time centred at the mean observed year (``tau = t - tbar``) and the
parameters bounded by reparameterisation (``log K`` and the log of every
positive rate). With Normal errors the maximum-likelihood estimate of the
curve is the least-squares fit of ``log y``; it is found with
:func:`scipy.optimize.least_squares` from several starting values (a
linearisation of the curve at capacities 1.2, 1.5, 3, 10 and 100 times the
largest observation) and the best fit is kept.

Standard errors come from the Gauss-Newton (expected) information
``J'J / s^2`` with ``s^2 = RSS / (n - p)`` on the reparameterised scale and
are carried to the reported parameters by the delta method.

Capacity identification: when the observations lie on the exponential part of
the curve the likelihood is flat in ``K`` and the capacity is not identified.
The fit then reports ``K`` (and the parameters tied to it) as not identified,
says so in ``notes``, and :meth:`CurveResult.forecast` / ``simulate`` raise
:class:`forecast.errors.ModelError` instead of printing a meaningless interval.
A user may supply the capacity (``capacity=``), a ceiling as a share of world
GDP (``capacity_share_of_gdp=``) or an upper bound (``capacity_max=``).

Prediction intervals are simulated: ``s^2`` is drawn as ``RSS / chi2(n - p)``,
the parameters from ``N(theta_hat, s^2 (J'J)^-1)`` on the reparameterised
scale, the curve is evaluated and residual noise ``N(0, s^2)`` added. For a
curve that is linear in its parameters this reproduces the exact Student-t
prediction interval of least squares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from forecast.errors import ModelError
from forecast.intervals import Predictive
from forecast.families.base import FitResult, years_of

DEFAULT_SEED = 20240521
"""Seed of the internal random generator behind ``forecast()`` (stored in ``options``)."""
N_DRAWS = 4000
"""Number of simulated draws behind each forecast interval."""
START_MULTIPLES = (1.2, 1.5, 3.0, 10.0, 100.0)
"""Starting capacities, as multiples of the largest observation."""
RATIO_LIMIT = 50.0
"""A capacity estimate beyond this multiple of the largest observation is not identified."""
FAR_MULTIPLE = 1000.0
"""A capacity this many times the largest observation stands for 'no ceiling' in the profile check."""
PROFILE_CRIT = 1.92
"""Half the 95% point of chi-square(1): the profile-likelihood drop of a 95% interval."""
SE_LOGK_LIMIT = 2.0
"""A standard error of log K above this (a factor e^2 per standard error) means K is not identified."""
L_SPAN = 15.0
"""log K is searched between log(max y) - 3 and log(max y) + L_SPAN."""

NOT_IDENTIFIED = ("capacity K is not identified by the data: the observations lie on the exponential part "
                  "of the curve")


def _alternatives(unit: str) -> str:
    u = unit or "the series' unit"
    return (f"use model='exponential', or fit again with capacity=<ceiling in {u}> or "
            "capacity_share_of_gdp=<fraction of world GDP>")


# --------------------------------------------------------------------- curves
class Curve:
    """A growth curve on the log scale: ``log f(tau; theta)`` with ``theta[0] = log K``."""

    name: str = ""
    internal: tuple[str, ...] = ()          # names on the reparameterised scale
    tied_to_capacity: tuple[str, ...] = ()  # public parameters not identified when K is not
    bounds: tuple[tuple[float, float], ...] = ()  # bounds of theta[1:]

    def log_f(self, theta: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """log f at times ``tau``.

        ``theta`` of shape ``(p,)`` gives ``(len(tau),)``; ``(n, p)`` gives ``(n, len(tau))``.
        """
        raise NotImplementedError

    def jac(self, theta: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """d log f / d theta, shape ``(len(tau), len(theta))``."""
        raise NotImplementedError

    def start(self, logk: float, tau: np.ndarray, logy: np.ndarray) -> np.ndarray:
        """Starting values of ``theta[1:]`` for a given ``log K`` (a linearisation)."""
        raise NotImplementedError

    def public(self, theta: np.ndarray, cov: np.ndarray, tbar: float) -> list[tuple[str, float, float]]:
        """Reported parameters except K and sigma: ``(name, estimate, std_err)``."""
        raise NotImplementedError


def _slope_intercept(x: np.ndarray, z: np.ndarray) -> tuple[float, float]:
    xm, zm = x.mean(), z.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (z - zm)).sum() / sxx) if sxx > 0 else 0.0
    return slope, float(zm - slope * xm)


class LogisticCurve(Curve):
    """``f = K / (1 + exp(-r (t - t0)))``; theta = (log K, log r, t0 - tbar)."""

    name = "logistic"
    internal = ("log_K", "log_r", "t0_centred")
    tied_to_capacity = ("K", "t0")
    bounds = ((-10.0, 5.0), (-np.inf, np.inf))

    def log_f(self, theta, tau):
        th = np.asarray(theta)[..., None]  # (..., p, 1): one row of tau per parameter vector
        return th[..., 0, :] - np.logaddexp(0.0, -np.exp(th[..., 1, :]) * (tau - th[..., 2, :]))

    def jac(self, theta, tau):
        r = np.exp(theta[1])
        u = -r * (tau - theta[2])
        sig = np.exp(-np.logaddexp(0.0, -u))  # logistic function of u, overflow-free
        return np.column_stack([np.ones_like(tau), sig * r * (tau - theta[2]), -sig * r])

    def start(self, logk, tau, logy):
        logk = max(logk, float(logy.max()) + 0.05)
        z = np.log(np.expm1(logk - logy))  # log(K/y - 1) = -r (tau - t0)
        slope, icpt = _slope_intercept(tau, z)
        r = -slope if slope < -1e-3 else 1e-3
        r = min(r, 100.0)
        return np.array([math.log(r), icpt / r])

    def public(self, theta, cov, tbar):
        r = math.exp(theta[1])
        return [("r", r, r * _sd(cov, 1)), ("t0", float(theta[2]) + tbar, _sd(cov, 2))]


class GompertzCurve(Curve):
    """``f = K exp(-b exp(-c (t - tref)))`` with ``tref = tbar``; theta = (log K, log b, log c)."""

    name = "gompertz"
    internal = ("log_K", "log_b", "log_c")
    tied_to_capacity = ("K", "b", "c")
    bounds = ((-np.inf, np.inf), (-10.0, 3.0))
    _CAP = 300.0  # exp() argument cap: keeps squares finite where a draw is absurd

    def _g(self, theta, tau):
        th = np.asarray(theta)[..., None]
        return np.exp(np.minimum(th[..., 1, :] - np.exp(th[..., 2, :]) * tau, self._CAP))

    def log_f(self, theta, tau):
        return np.asarray(theta)[..., 0, None] - self._g(theta, tau)

    def jac(self, theta, tau):
        g = self._g(theta, tau)
        c = np.exp(theta[2])
        return np.column_stack([np.ones_like(tau), -g, g * c * tau])

    def start(self, logk, tau, logy):
        logk = max(logk, float(logy.max()) + 0.05)
        w = np.log(logk - logy)  # log(log K - log y) = log b - c tau
        slope, icpt = _slope_intercept(tau, w)
        c = -slope if slope < -1e-3 else 1e-3
        c = min(c, 10.0)
        return np.array([icpt, math.log(c)])

    def public(self, theta, cov, tbar):
        b, c = math.exp(theta[1]), math.exp(theta[2])
        return [("b", b, b * _sd(cov, 1)), ("c", c, c * _sd(cov, 2))]


def _sd(cov: np.ndarray | None, i: int) -> float:
    if cov is None:
        return float("nan")
    v = cov[i, i]
    return float(math.sqrt(v)) if np.isfinite(v) and v >= 0 else float("nan")


# ------------------------------------------------------------------ fitting
@dataclass
class _Solution:
    theta: np.ndarray      # full parameter vector (log K first)
    rss: float
    converged: bool
    free: np.ndarray       # mask of estimated entries of theta


def _loglik(rss: float, n: int) -> float:
    """Maximised Normal log-likelihood for a residual sum of squares ``rss``."""
    if not np.isfinite(rss):
        return -np.inf
    return -0.5 * n * (math.log(2 * math.pi * max(rss, 1e-300) / n) + 1.0)


def _solve(curve: Curve, tau: np.ndarray, logy: np.ndarray, starts: Sequence[np.ndarray],
           logk_fixed: float | None, logk_bounds: tuple[float, float]) -> _Solution | None:
    """Least squares of ``log y`` on the curve from several starts; the best is kept."""
    free = np.ones(len(curve.internal), dtype=bool)
    if logk_fixed is not None:
        free[0] = False
    lo = np.array([logk_bounds[0]] + [b[0] for b in curve.bounds])[free]
    hi = np.array([logk_bounds[1]] + [b[1] for b in curve.bounds])[free]

    fin_lo, fin_hi = np.isfinite(lo), np.isfinite(hi)
    inner_lo = np.where(fin_lo, lo + 1e-6 * (1 + np.abs(np.where(fin_lo, lo, 0.0))), lo)
    inner_hi = np.where(fin_hi, hi - 1e-6 * (1 + np.abs(np.where(fin_hi, hi, 0.0))), hi)

    def full(x):
        th = np.empty(len(free))
        if logk_fixed is not None:
            th[0] = logk_fixed
        th[free] = x
        return th

    def resid(x):
        return logy - curve.log_f(full(x), tau)

    def jac(x):
        return -curve.jac(full(x), tau)[:, free]

    def run(x0, max_nfev):
        with np.errstate(over="ignore", under="ignore"):
            sol = optimize.least_squares(resid, x0, jac=jac, bounds=(lo, hi), method="trf", x_scale="jac",
                                         max_nfev=max_nfev, xtol=1e-10, ftol=1e-12, gtol=1e-10)
        rss = float(2.0 * sol.cost)
        return _Solution(full(sol.x), rss, bool(sol.status > 0), free) if np.isfinite(rss) else None

    best: _Solution | None = None
    for s in starts:
        x0 = np.clip(np.asarray(s, dtype=float)[free], inner_lo, inner_hi)
        if not np.all(np.isfinite(x0)) or not np.all(np.isfinite(resid(x0))):
            continue
        cand = run(x0, 100)
        if cand is None:
            continue
        if best is None or cand.rss < best.rss - 1e-12 or (cand.rss <= best.rss + 1e-12 and cand.converged):
            best = cand
    if best is not None and not best.converged:  # polish the best start with a larger budget
        cand = run(np.clip(best.theta[free], inner_lo, inner_hi), 500)
        if cand is not None and cand.rss <= best.rss * (1 + 1e-12):
            best = cand
    return best


def _free_starts(curve: Curve, tau, logy, extra: Sequence[np.ndarray] = ()) -> list[np.ndarray]:
    ymax = float(logy.max())
    out = []
    for m in START_MULTIPLES:
        lk = ymax + math.log(m)
        out.append(np.concatenate([[lk], curve.start(lk, tau, logy)]))
    return out + [np.asarray(e, dtype=float) for e in extra]


def _fixed_starts(curve: Curve, tau, logy, logk: float, extra: Sequence[np.ndarray] = ()) -> list[np.ndarray]:
    out = [np.concatenate([[logk], curve.start(logk, tau, logy)])]
    for e in extra:
        e = np.array(e, dtype=float)
        e[0] = logk
        out.append(e)
    return out


def _unscaled_cov(curve: Curve, sol: _Solution, tau: np.ndarray) -> np.ndarray | None:
    """(J'J)^-1 over the estimated entries of theta, or None when singular."""
    j = curve.jac(sol.theta, tau)[:, sol.free]
    if not np.all(np.isfinite(j)):
        return None
    jtj = j.T @ j
    try:
        w, v = np.linalg.eigh(jtj)
    except np.linalg.LinAlgError:
        return None
    if w.min() <= w.max() * 1e-14 or w.min() <= 0:
        return None
    return (v / w) @ v.T


# ------------------------------------------------------------------- result
class CurveResult(FitResult):
    """A fitted logistic or Gompertz curve (see the module docstring).

    Attributes beyond :class:`forecast.families.base.FitResult`: ``identified``
    (is the capacity identified by the data or supplied), ``capacity_source``
    (``"estimated"``, ``"supplied"`` or ``"bound"``), ``loglik`` (maximised
    log-likelihood of ``log y``) and ``diagnostics`` (``tref``, the centring
    year; and for an estimated capacity the profile drops at ``e`` and 1000
    times the largest observation, the ratio of K-hat to it, the standard
    error of log K and the reasons it is not identified, if any).
    ``options`` holds exactly the keyword arguments that refit the model.
    """

    in_sample_curve = True  # the curve is defined at every year: predictive_at uses it inside the data too

    def __init__(self, y: pd.Series, *, curve: Curve, sol: _Solution, tau: np.ndarray, tbar: float,
                 cov: np.ndarray | None, identified: bool, capacity_source: str, params: pd.DataFrame,
                 notes: list[str], options: dict, aicc: float | None, loglik: float,
                 diagnostics: dict | None = None) -> None:
        logy = np.log(y.to_numpy(dtype=float))
        logf = curve.log_f(sol.theta, tau)
        fitted = pd.Series(np.exp(logf), index=y.index, name="fitted")
        residuals = pd.Series(logy - logf, index=y.index, name="residual")
        super().__init__(y, params=params, fitted=fitted, residuals=residuals, aicc=aicc, notes=notes,
                         options=options, model=curve.name)
        self.curve = curve
        self.theta = sol.theta
        self.free = sol.free
        self.rss = sol.rss
        self.df_resid = int(len(y) - sol.free.sum())
        self.cov_unscaled = cov
        self.tbar = tbar
        self.identified = identified
        self.capacity_source = capacity_source
        self.loglik = loglik
        self.diagnostics = dict(diagnostics or {})
        self._tau = tau
        self._logy = logy

    # ------------------------------------------------------------ profile
    def profile_capacity(self, grid: Sequence[float] | None = None) -> pd.DataFrame:
        """Profile log-likelihood of the capacity K.

        For each capacity in ``grid`` (in the series' unit) the other
        parameters are re-estimated with K fixed; ``drop`` is the maximised
        log-likelihood minus the profile value. Capacities whose drop is
        below 1.92 lie inside the 95% profile-likelihood interval: a drop that
        stays below 1.92 up to very large capacities means the data cannot
        tell a ceiling from none.

        Parameters
        ----------
        grid : sequence of float, optional
            Capacities to evaluate; by default 1.1, 1.5, 2, e, 5, 10, 50 and
            1000 times the largest observation.

        Returns
        -------
        pd.DataFrame
            Columns ``capacity``, ``multiple_of_max`` (capacity over the
            largest observation), ``loglik`` and ``drop``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> t = np.arange(2000, 2025)
        >>> y = pd.Series(100 / (1 + np.exp(-0.4 * (t - 2010))), index=t)
        >>> prof = fit_curve(LogisticCurve(), y).profile_capacity([120, 1000])  # doctest: +SKIP
        >>> list(prof.columns)  # doctest: +SKIP
        ['capacity', 'multiple_of_max', 'loglik', 'drop']
        """
        ymax = float(self.y.max())
        if grid is None:
            grid = [m * ymax for m in (1.1, 1.5, 2.0, math.e, 5.0, 10.0, 50.0, FAR_MULTIPLE)]
        best_ll = self.loglik
        rows = []
        for cap in grid:
            cap = float(cap)
            if not np.isfinite(cap) or cap <= 0:
                raise ModelError(f"profile capacity {cap!r} must be a positive finite number")
            ll = _profile_loglik(self.curve, self._tau, self._logy, math.log(cap), [self.theta])
            rows.append((cap, cap / ymax, ll))
        frame = pd.DataFrame(rows, columns=["capacity", "multiple_of_max", "loglik"])
        frame["drop"] = best_ll - frame["loglik"]
        frame.attrs["unit"] = self.unit
        return frame

    # -------------------------------------------------------- simulation
    def _check_identified(self) -> None:
        if not self.identified:
            raise ModelError(f"{NOT_IDENTIFIED}, so no honest interval can be given; {_alternatives(self.unit)}")

    def _draw_log_paths(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` joint paths of log y: one parameter draw per path, independent noise per year."""
        self._check_identified()
        tau = np.array([p.year for p in years], dtype=float) - self.tbar
        k = int(self.free.sum())
        dfr = self.df_resid
        s2 = self.rss / rng.chisquare(dfr, size=n)  # s^2 | data ~ RSS / chi2(n - p)
        z = rng.standard_normal((n, k))
        w, v = np.linalg.eigh(self.cov_unscaled)
        root = v * np.sqrt(np.clip(w, 0.0, None))
        delta = (z @ root.T) * np.sqrt(s2)[:, None]
        theta = np.broadcast_to(self.theta, (n, len(self.theta))).copy()
        theta[:, self.free] += delta
        with np.errstate(over="ignore", under="ignore"):
            out = self.curve.log_f(theta, tau)
        out = out + rng.standard_normal((n, len(tau))) * np.sqrt(s2)[:, None]
        return out

    def _predictive(self, years: pd.PeriodIndex) -> Predictive:
        self._check_identified()
        rng = np.random.default_rng(int(self.options.get("seed", DEFAULT_SEED)))
        draws = self._draw_log_paths(years, int(self.options.get("n_draws", N_DRAWS)), rng)
        return Predictive(years, samples=draws, space="log",
                          meta={"method": "simulation", "n_draws": draws.shape[0], "model": self.model})

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._draw_log_paths(years, n, rng)


def _profile_loglik(curve: Curve, tau, logy, logk: float, extra: Sequence[np.ndarray] = ()) -> float:
    sol = _solve(curve, tau, logy, _fixed_starts(curve, tau, logy, logk, extra), logk, (logk, logk))
    return -np.inf if sol is None else _loglik(sol.rss, len(logy))


# ---------------------------------------------------------------- capacity
_USD_UNITS = {"", "usd", "us$", "us dollars", "$"}


def _world_gdp_for(year: int, world_gdp: float | None) -> tuple[float, str]:
    """World GDP in US$ for ``year``: the value given, or the data layer's series."""
    if world_gdp is not None:
        v = float(world_gdp)
        if not np.isfinite(v) or v <= 0:
            raise ModelError(f"world_gdp={world_gdp!r} must be a positive number of US dollars")
        return v, "world GDP as given (world_gdp=)"
    try:
        from forecast.data.registry import series as _series
    except ImportError:
        raise ModelError("capacity_share_of_gdp needs world GDP: the world GDP data set is not available; "
                         "give world_gdp=<US$> too") from None
    gdp = _series("world_gdp")
    unit = str(gdp.attrs.get("unit", "USD"))
    scale = _unit_scale(unit)
    yrs = years_of(gdp)
    usable = yrs[yrs <= year]
    if len(usable) == 0:
        raise ModelError(f"capacity_share_of_gdp: no world GDP figure for {year} or earlier; give world_gdp=<US$>")
    gy = int(usable.max())
    value = float(gdp.to_numpy(dtype=float)[list(yrs).index(gy)]) * scale
    src = f"world GDP of {gy}" + ("" if gy == year else f" (latest available; none for {year})")
    return value, src


def _unit_scale(unit: str, what: str = "world GDP") -> float:
    """Multiplier from a US-dollar unit such as ``"USD"`` or ``"USD bn"`` to US$."""
    u = unit.strip().lower()
    if u in _USD_UNITS:
        return 1.0
    words = u.replace("us$", " usd ").replace("$", " usd ").replace("_", " ").split()
    if "usd" in words:
        for word, f in (("trillion", 1e12), ("tn", 1e12), ("billion", 1e9), ("bn", 1e9), ("million", 1e6),
                        ("mn", 1e6), ("m", 1e6)):
            if word in words:
                return f
        return 1.0
    raise ModelError(f"{what} unit {unit!r} is not a US dollar unit this model can read")


def _fmt_money(v: float, unit: str) -> str:
    return f"{v:.4g} {unit}".strip()


# ------------------------------------------------------------------ driver
def fit_curve(curve: Curve, y: pd.Series, *, capacity: float | None = None,
              capacity_share_of_gdp: float | None = None, world_gdp: float | None = None,
              capacity_max: float | None = None, seed: int = DEFAULT_SEED, n_draws: int = N_DRAWS) -> CurveResult:
    """Fit ``curve`` to ``y`` by maximum likelihood on the log scale (see module docstring).

    Parameters are those of :func:`forecast.families.logistic.fit_logistic`.
    """
    y = y.astype(float)
    unit = str(y.attrs.get("unit", ""))
    n = len(y)
    p_all = len(curve.internal)
    t = years_of(y).astype(float)
    tbar = float(t.mean())
    tau = t - tbar
    logy = np.log(y.to_numpy(dtype=float))
    ymax = float(y.max())
    ymax_year = int(years_of(y)[int(np.argmax(y.to_numpy()))])
    notes: list[str] = []
    options: dict = {"seed": int(seed), "n_draws": int(n_draws)}  # exactly what a refit needs
    diagnostics: dict = {"tref": tbar}

    given = [name for name, v in (("capacity", capacity), ("capacity_share_of_gdp", capacity_share_of_gdp))
             if v is not None]
    if len(given) > 1:
        raise ModelError("give at most one of capacity= and capacity_share_of_gdp=")
    if world_gdp is not None and capacity_share_of_gdp is None:
        raise ModelError("world_gdp= is only used with capacity_share_of_gdp=")
    if int(n_draws) < 100:
        raise ModelError(f"n_draws={n_draws!r} is too few for interval quantiles; use at least 100")

    k_fixed: float | None = None
    source = "estimated"
    if capacity is not None:
        k_fixed = _positive(capacity, "capacity")
        options["capacity"] = k_fixed
        source = "supplied"
        notes.append(f"capacity K fixed at {_fmt_money(k_fixed, unit)} as supplied; the other parameters are "
                     "estimated and the intervals are conditional on this capacity")
    elif capacity_share_of_gdp is not None:
        share = _positive(capacity_share_of_gdp, "capacity_share_of_gdp")
        if share >= 1:
            raise ModelError(f"capacity_share_of_gdp={capacity_share_of_gdp!r} must be a fraction below 1 "
                             "(e.g. 0.01 for 1% of world GDP)")
        try:
            series_scale = _unit_scale(unit, "series")
        except ModelError:
            raise ModelError(f"capacity_share_of_gdp needs a series in US dollars; the series unit is {unit!r}") from None
        gdp, src = _world_gdp_for(int(years_of(y)[-1]), world_gdp)
        k_fixed = share * gdp / series_scale
        options["capacity_share_of_gdp"] = share
        if world_gdp is not None:
            options["world_gdp"] = float(world_gdp)
        diagnostics["world_gdp_source"] = src
        source = "supplied"
        notes.append(f"capacity K fixed at {share:g} x {src} = {_fmt_money(k_fixed, unit or 'USD')}; the other "
                     "parameters are estimated and the intervals are conditional on this capacity")
    if k_fixed is not None and k_fixed <= ymax:
        raise ModelError(f"capacity {k_fixed:.6g} is not above the largest observation ({ymax:.6g} in {ymax_year}); "
                         "a ceiling must exceed the data")

    if capacity_max is not None:
        cmax = _positive(capacity_max, "capacity_max")
        if k_fixed is not None:
            raise ModelError("capacity_max= cannot be combined with a fixed capacity")
        if cmax <= ymax:
            raise ModelError(f"capacity_max={cmax:.6g} is not above the largest observation ({ymax:.6g} in "
                             f"{ymax_year})")
        options["capacity_max"] = cmax

    logk_bounds = (float(logy.max()) - 3.0, float(logy.max()) + L_SPAN)
    identified = True
    reasons: list[str] = []

    if k_fixed is not None:
        lk = math.log(k_fixed)
        sol = _solve(curve, tau, logy, _fixed_starts(curve, tau, logy, lk), lk, (lk, lk))
        if sol is None:
            raise ModelError(f"the {curve.name} curve with capacity {k_fixed:.6g} could not be fitted to the series")
    else:
        sol = _solve(curve, tau, logy, _free_starts(curve, tau, logy), None, logk_bounds)
        if sol is None:
            raise ModelError(f"the {curve.name} curve could not be fitted to the series from any starting value")
        # profile checks; a profile point above the fit means a missed maximum: refit from it
        ll_far, ll_e = (_profile_sol(curve, tau, logy, math.log(m * ymax), sol) for m in (FAR_MULTIPLE, math.e))
        for cand in (ll_far, ll_e):
            if cand is not None and cand.rss < sol.rss * (1 - 1e-9):
                better = _solve(curve, tau, logy, [cand.theta], None, logk_bounds)
                if better is not None and better.rss < sol.rss:
                    sol = better
        ll_hat = _loglik(sol.rss, n)
        drop_far = ll_hat - (_loglik(ll_far.rss, n) if ll_far else -np.inf)
        drop_e = ll_hat - (_loglik(ll_e.rss, n) if ll_e else -np.inf)
        ratio = math.exp(sol.theta[0]) / ymax
        cov_try = _unscaled_cov(curve, sol, tau)
        s2 = sol.rss / max(n - p_all, 1)
        se_logk = math.sqrt(s2 * cov_try[0, 0]) if cov_try is not None else float("inf")
        if not sol.converged:
            reasons.append("the optimiser did not converge")
        if sol.theta[0] >= logk_bounds[1] - 1e-6:
            reasons.append(f"the estimate runs off to the search limit ({ratio:.3g} times the largest observation)")
        elif ratio > RATIO_LIMIT:
            reasons.append(f"the estimate runs off to {ratio:.3g} times the largest observation")
        if not np.isfinite(se_logk) or se_logk > SE_LOGK_LIMIT:
            reasons.append("the standard error of log K is " + ("undefined" if not np.isfinite(se_logk)
                                                                  else f"{se_logk:.3g}"))
        if drop_far < PROFILE_CRIT:
            reasons.append(f"a capacity {FAR_MULTIPLE:g} times the largest observation lowers the log-likelihood "
                           f"by only {max(drop_far, 0.0):.2g} (below {PROFILE_CRIT}), so the data cannot exclude "
                           "having no ceiling at all")
        diagnostics.update({"profile_drop_e_x_max": float(drop_e), "profile_drop_far": float(drop_far),
                            "capacity_ratio": ratio, "se_log_capacity": se_logk, "reasons": list(reasons)})
        if reasons:
            if capacity_max is not None:
                # bounded fit: the best capacity under the bound, reported as at the bound
                lk = math.log(options["capacity_max"])
                bsol = _solve(curve, tau, logy, _fixed_starts(curve, tau, logy, lk, [sol.theta]), lk, (lk, lk))
                if bsol is None:
                    raise ModelError(f"the {curve.name} curve with capacity {options['capacity_max']:.6g} could not "
                                     "be fitted to the series")
                sol, k_fixed, source = bsol, options["capacity_max"], "bound"
                notes.append(f"capacity K is not identified by the data ({'; '.join(reasons)}); it is set to the "
                             f"upper bound capacity_max = {_fmt_money(k_fixed, unit)} and the intervals are "
                             "conditional on this capacity")
            else:
                identified = False
                tail = (" The growth rate r is then that of the exponential limit." if curve.name == "logistic"
                        else "")
                notes.append(f"{NOT_IDENTIFIED}: {'; '.join(reasons)}.{tail} Forecasts are refused rather than given "
                             f"meaningless intervals; {_alternatives(unit)}")
        elif capacity_max is not None and math.exp(sol.theta[0]) > options["capacity_max"]:
            lk = math.log(options["capacity_max"])
            bsol = _solve(curve, tau, logy, _fixed_starts(curve, tau, logy, lk, [sol.theta]), lk, (lk, lk))
            if bsol is None:
                raise ModelError(f"the {curve.name} curve with capacity {options['capacity_max']:.6g} could not be "
                                 "fitted to the series")
            sol, k_fixed, source = bsol, options["capacity_max"], "bound"
            notes.append(f"the estimated capacity exceeds capacity_max; K is set to the bound "
                         f"{_fmt_money(k_fixed, unit)} and the intervals are conditional on it")
        else:
            lo_k = math.exp(sol.theta[0] - 1.96 * se_logk)
            hi_k = math.exp(sol.theta[0] + 1.96 * se_logk)
            if drop_e < PROFILE_CRIT and ratio < math.e:
                notes.append(f"capacity K is weakly determined: a capacity e times the largest observation lowers "
                             f"the log-likelihood by only {drop_e:.2g}; approximate 95% range of K "
                             f"{lo_k:.3g} to {hi_k:.3g}")

    if not sol.converged and identified:
        notes.append("the optimiser stopped before its convergence criteria were met; the best fit found is used")
    k_free = int(sol.free.sum())
    dfr = n - k_free
    if dfr < 1:
        raise ModelError(f"model {curve.name!r} needs more observations than its {k_free} curve parameters; "
                         f"the series has {n}")
    cov = _unscaled_cov(curve, sol, tau)
    if cov is None and identified:
        raise ModelError(f"the {curve.name} curve's parameters are not identified by this series "
                         "(singular information matrix); try model='exponential'")
    s2u = sol.rss / dfr
    sigma = math.sqrt(s2u)

    # covariance of the full theta on the reparameterised scale (zeros for a fixed K)
    full_cov = np.full((p_all, p_all), np.nan)
    if cov is not None:
        full_cov = np.zeros((p_all, p_all))
        idx = np.flatnonzero(sol.free)
        full_cov[np.ix_(idx, idx)] = s2u * cov
        if not sol.free[0]:
            full_cov[0, 0] = np.nan
    K = math.exp(sol.theta[0])
    rows = [("K", K, K * _sd(full_cov, 0))]
    rows += curve.public(sol.theta, full_cov, tbar)
    rows.append(("sigma", sigma, sigma / math.sqrt(2.0 * dfr)))
    params = pd.DataFrame(rows, columns=["param", "estimate", "std_err"]).set_index("param")
    params.index.name = None
    params["identified"] = True
    if not identified:
        tied = list(curve.tied_to_capacity)
        params.loc[tied, ["estimate", "std_err"]] = np.nan
        params.loc[tied, "identified"] = False
    if curve.name == "gompertz":
        notes.append(f"Gompertz b is defined at the reference year tref = {tbar:g} (mean observed year)")

    ll = _loglik(sol.rss, n)
    kk = k_free + 1  # curve parameters and sigma
    aicc = (-2 * ll + 2 * kk + 2 * kk * (kk + 1) / (n - kk - 1)) if n - kk - 1 > 0 else None
    yrs = years_of(y)
    if len(yrs) > 1 and np.any(np.diff(yrs) > 1):
        missing = sorted(set(range(int(yrs[0]), int(yrs[-1]) + 1)) - set(int(v) for v in yrs))
        notes.append(f"years without data ({', '.join(map(str, missing))}) are skipped; the curve is fitted to the "
                     "observed years only")
    return CurveResult(y, curve=curve, sol=sol, tau=tau, tbar=tbar, cov=cov, identified=identified,
                       capacity_source=source, params=params, notes=notes, options=options, aicc=aicc, loglik=ll,
                       diagnostics=diagnostics)


def _profile_sol(curve: Curve, tau, logy, logk: float, sol: _Solution) -> _Solution | None:
    return _solve(curve, tau, logy, _fixed_starts(curve, tau, logy, logk, [sol.theta]), logk, (logk, logk))


def _positive(v, name: str) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ModelError(f"{name}={v!r} is not a number") from None
    if not np.isfinite(f) or f <= 0:
        raise ModelError(f"{name}={v!r} must be a positive finite number")
    return f
