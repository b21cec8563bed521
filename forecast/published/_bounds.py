"""Bounds a reader applies anyway: the global cost is at least the IC3 reported US losses, at most world GDP.

The multi-publisher model *truncates* its predictive distributions to
``[lower(t), upper(t)]`` on every publisher's scale (it does not build the
bounds into the likelihood: with the bundled data no fitted figure is near
either bound, so the fit is unchanged and only the tails of the predictive,
and the paths, are cut):

- ``lower(t)``: the US losses reported to the FBI's IC3 in year ``t``
  (``forecast.series("ic3")``, as first reported; a missing year is
  interpolated log-linearly). After the last IC3 year, the 2.5% quantile of
  the package's random walk with drift on log IC3 (:func:`forecast.families.
  drift.fit_drift`): a lower bound that the extrapolation's uncertainty does
  not push above what could be. Before the first IC3 year: no lower bound
  (zero).
- ``upper(t)``: world GDP (``forecast.load("macro")``, current US$). After
  the last year, the 97.5% quantile of the random walk with drift on log world
  GDP (its uncertainty widens the ceiling, never lowers it); before the first
  year, the first year's GDP (GDP grows: an earlier year's ceiling is lower).

:class:`BoundedPredictive` is a :class:`~forecast.intervals.Predictive`
whose ``quantile``, ``cdf``, ``median``, ``mean`` and ``to_frame`` are those of
the distribution truncated to the bounds, so no interval crosses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special

from forecast.intervals import NORMAL_DF, Predictive, year_index

BOUND_LEVEL = 0.975  # quantile of the extrapolated bound that is used (upper for GDP, 1 - it for IC3)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, float], tuple[int, int, float, float], dict[int, float], tuple[int, int, float, float]]:
    """IC3 losses and world GDP by year (US$), and their drift fits ``(first, last, drift, sigma)``."""
    from forecast.data.registry import load, series
    from forecast.families.drift import fit_drift

    ic3 = series("ic3").dropna()
    ic3_years = np.array([p.year for p in ic3.index])
    full = np.arange(ic3_years.min(), ic3_years.max() + 1)
    ic3_vals = np.exp(np.interp(full, ic3_years, np.log(ic3.to_numpy(dtype=float))))
    macro = load("macro")
    gdp = macro.set_index("year")["world_gdp_usd_bn"].dropna().astype(float) * 1e9
    out = []
    for years, vals in ((full, ic3_vals), (gdp.index.to_numpy(dtype=int), gdp.to_numpy())):
        s = pd.Series(vals, index=year_index(years))
        out.append(({int(y): float(v) for y, v in zip(years, vals)}, fit_drift(s)))
    return out[0][0], out[0][1], out[1][0], out[1][1]


def _extrapolate(table: dict[int, float], fit, years: np.ndarray, q: float) -> np.ndarray:
    last = max(table)
    out = np.empty(len(years))
    after = years > last
    out[~after] = [table[int(y)] for y in years[~after]]
    if after.any():
        pred = fit.predictive(until=int(years.max()))
        qv = dict(zip([p.year for p in pred.years], pred.quantile(q)))
        out[after] = [qv[int(y)] for y in years[after]]
    return out


def bounds(years) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` bounds in US$ of the global cost for each of ``years`` (see the module docstring).

    Examples
    --------
    >>> lo, hi = bounds([2020, 2035])
    >>> bool(lo[0] < 1e11 < 5e13 < hi[0] < hi[1])
    True
    """
    years = np.asarray([int(y) for y in years])
    ic3, ic3_fit, gdp, gdp_fit = _tables()
    lower = np.zeros(len(years))
    known = years >= min(ic3)
    if known.any():
        lower[known] = _extrapolate(ic3, ic3_fit, years[known], 1 - BOUND_LEVEL)
    upper = np.empty(len(years))
    early = years < min(gdp)
    upper[early] = gdp[min(gdp)]
    if (~early).any():
        upper[~early] = _extrapolate(gdp, gdp_fit, years[~early], BOUND_LEVEL)
    return lower, upper


#: Composite Gauss-Legendre rule of :func:`truncated_log_mean`: panels x nodes on the asinh-transformed interval.
MEAN_PANELS, MEAN_NODES = 48, 12
Z_FLOOR = -40.0  # the standardised lower limit of the mean's integral when the lower bound is far below (or zero)


@lru_cache(maxsize=1)
def _mean_rule() -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(MEAN_NODES)
    edges = np.linspace(0.0, 1.0, MEAN_PANELS + 1)
    half = np.diff(edges) / 2
    mid = (edges[:-1] + edges[1:]) / 2
    return (mid[:, None] + half[:, None] * x).ravel(), (half[:, None] * w).ravel()


def truncated_log_mean(loc, scale, df, lower, upper) -> np.ndarray:
    """Mean of ``exp(loc + scale * Z)`` with ``Z`` Student t (``df``; ``inf``: Normal), truncated to ``[lower, upper]``.

    Vectorised over its arguments (arrays of one length). The mean is
    ``exp(loc) * integral of exp(scale z) f(z) dz / (F(z_u) - F(z_l))`` over
    the standardised bounds ``z_l = (log lower - loc) / scale`` (at least
    ``-40``: below it the integrand is negligible) and ``z_u``. Normal:
    closed form, ``exp(loc + scale**2 / 2) (Phi(z_u - scale) - Phi(z_l -
    scale)) / mass``. Student t (no closed form; the mean exists only through
    the upper bound): a fixed composite Gauss-Legendre rule (48 panels of 12
    nodes) in ``u = asinh(z)``, which spreads the nodes over the t's centre and
    its tails alike; tested against adaptive quadrature (``scipy.integrate.quad``
    at a relative tolerance of 1e-12) to a relative error below 1e-9. An
    infinite upper bound gives ``inf`` for a Student t.

    Examples
    --------
    >>> m = truncated_log_mean(np.array([0.0]), np.array([1.0]), np.array([np.inf]), np.array([0.0]),
    ...                        np.array([np.inf]))
    >>> bool(abs(m[0] - np.exp(0.5)) < 1e-12)
    True
    """
    loc, scale, df, lower, upper = np.broadcast_arrays(*(np.asarray(a, dtype=float)
                                                         for a in (loc, scale, df, lower, upper)))
    with np.errstate(divide="ignore"):
        zl = np.where(lower > 0, (np.log(np.where(lower > 0, lower, 1.0)) - loc) / scale, -np.inf)
        zu = (np.log(upper) - loc) / scale
    lo = np.maximum(zl, Z_FLOOR)
    t = np.isfinite(df)
    out = np.empty(loc.shape)
    # Normal: closed form (upper-tail differences where the interval lies above the shifted centre, for accuracy)
    n = ~t
    if n.any():
        s = scale[n]
        a, b = lo[n] - s, zu[n] - s
        num = np.where(a > 0, special.ndtr(-a) - special.ndtr(-b), special.ndtr(b) - special.ndtr(a))
        mass = np.where(zl[n] > 0, special.ndtr(-zl[n]) - special.ndtr(-zu[n]),
                        special.ndtr(zu[n]) - special.ndtr(zl[n]))
        out[n] = np.exp(loc[n] + s * s / 2) * num / mass
    if t.any():
        d, s = df[t], scale[t]
        finite = np.isfinite(zu[t])
        ua, ub = np.arcsinh(lo[t]), np.arcsinh(np.where(finite, zu[t], 0.0))
        x, w = _mean_rule()
        u = ua[:, None] + (ub - ua)[:, None] * x[None, :]
        z = np.sinh(u)
        logc = special.gammaln((d + 1) / 2) - special.gammaln(d / 2) - 0.5 * np.log(d * np.pi)
        logf = s[:, None] * z + logc[:, None] - (d[:, None] + 1) / 2 * np.log1p(z * z / d[:, None])
        top = logf.max(axis=1)
        integral = np.sum(w[None, :] * np.cosh(u) * np.exp(logf - top[:, None]), axis=1) * (ub - ua)
        mass = special.stdtr(d, zu[t]) - special.stdtr(d, zl[t])
        with np.errstate(over="ignore"):
            out[t] = np.where(finite, np.exp(loc[t] + top) * integral / mass, np.inf)
    return out


@dataclass
class BoundedPredictive(Predictive):
    """A log-scale :class:`~forecast.intervals.Predictive` truncated to ``[lower, upper]`` (US$, per year).

    Quantiles, cdf, median and mean are those of the truncated distribution.
    The mean of a Student t on the log scale exists only because of the
    truncation and is then set by the upper bound: it is reported only when
    halving the upper bound moves it by less than 1%, else NaN with a note.

    Examples
    --------
    >>> from forecast.intervals import year_index
    >>> p = BoundedPredictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]), df=3.0,
    ...                       lower=np.array([0.5]), upper=np.array([3.0]))
    >>> bool(0.5 <= p.quantile(0.001)[0] and p.quantile(0.999)[0] <= 3.0)
    True
    """

    lower: np.ndarray | None = None
    upper: np.ndarray | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.samples is not None or self.space != "log":
            raise ValueError("BoundedPredictive is a closed-form distribution on the log scale")
        n = len(self.years)
        self.lower = np.broadcast_to(np.asarray(0.0 if self.lower is None else self.lower, dtype=float), (n,)).copy()
        self.upper = np.broadcast_to(np.asarray(np.inf if self.upper is None else self.upper, dtype=float),
                                     (n,)).copy()
        if np.any(self.lower >= self.upper):
            raise ValueError("lower bound must be below the upper bound")

    def _std(self):
        df = np.where(np.asarray(self.df) < NORMAL_DF, self.df, np.inf)
        return df

    def _z_cdf(self, z: np.ndarray) -> np.ndarray:
        df = self._std()
        return np.where(np.isfinite(df), special.stdtr(np.where(np.isfinite(df), df, 1.0), z), special.ndtr(z))

    def _z_ppf(self, p: np.ndarray) -> np.ndarray:
        df = self._std()
        return np.where(np.isfinite(df), special.stdtrit(np.where(np.isfinite(df), df, 1.0), p), special.ndtri(p))

    def _mass(self) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore"):
            zl = (np.log(self.lower) - self.loc) / self.scale
        zu = (np.log(self.upper) - self.loc) / self.scale
        return self._z_cdf(zl), self._z_cdf(zu)

    def truncated_mass(self) -> np.ndarray:
        """Probability the untruncated distribution puts outside the bounds, per year."""
        a, b = self._mass()
        return a + (1 - b)

    def working_quantiles(self, probs) -> np.ndarray:
        """Quantiles of the log value at ``probs``: array ``(len(probs), n_years)``, inside the bounds."""
        probs = np.asarray(probs, dtype=float).reshape(-1, 1)
        a, b = self._mass()
        p = np.clip(a + probs * (b - a), 1e-300, 1 - 1e-16)
        w = self.loc + self.scale * self._z_ppf(p)
        with np.errstate(divide="ignore"):
            return np.clip(w, np.log(self.lower), np.log(self.upper))

    def quantile(self, q) -> np.ndarray:
        """Quantile ``q`` (0-1) of the truncated distribution for each year (an array ``q`` broadcasts)."""
        q = np.asarray(q, dtype=float)
        if q.ndim == 0:
            return self.quantiles([float(q)])[0]
        a, b = self._mass()
        p = np.clip(a + q * (b - a), 1e-300, 1 - 1e-16)
        with np.errstate(over="ignore"):
            v = np.exp(self.loc + self.scale * self._z_ppf(p))
        return np.clip(v, self.lower, self.upper)

    def cdf(self, value) -> np.ndarray:
        """P(Y <= value) under the truncated distribution."""
        value = np.broadcast_to(np.asarray(value, dtype=float), (len(self.years),))
        a, b = self._mass()
        with np.errstate(divide="ignore"):
            z = (np.log(value) - self.loc) / self.scale
        return np.clip((self._z_cdf(z) - a) / (b - a), 0.0, 1.0)

    def _trunc_mean(self, upper: np.ndarray) -> np.ndarray:
        """Mean of the distribution truncated to ``[lower, upper]``, per year (see :func:`truncated_log_mean`)."""
        df = np.broadcast_to(self._std(), (len(self.years),))
        return truncated_log_mean(self.loc, self.scale, df, self.lower, upper)

    def mean(self) -> np.ndarray:
        """Mean of the truncated distribution; NaN (with ``meta["mean_note"]``) where the upper bound sets it."""
        self.meta["mean_note"] = ""
        m = self._trunc_mean(self.upper)
        half = self._trunc_mean(np.maximum(self.upper / 2, self.lower * 1.01 + 1.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            bad = ~(np.abs(m / half - 1) < 0.01)
        if bad.any():
            self.meta["mean_note"] = (
                f"mean not reported for {int(bad.sum())} of {len(m)} years: the predictive is heavy-tailed (Student t "
                "on the log scale, which has no mean) and its mean exists only through the upper bound (world GDP), "
                "which then sets it; the median and intervals are shown")
        return np.where(bad, np.nan, m)

    def take(self, keep) -> "BoundedPredictive":
        """The distribution for a subset of the years (a boolean mask or positions), bounds kept."""
        idx = np.atleast_1d(np.asarray(keep))
        return BoundedPredictive(self.years[idx], loc=self.loc[idx], scale=self.scale[idx],
                                 df=np.asarray(self.df)[idx], space="log", meta=dict(self.meta),
                                 lower=self.lower[idx], upper=self.upper[idx])
