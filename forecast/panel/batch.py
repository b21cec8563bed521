"""Random walk with drift and ETS(A,A,N) fitted to many series at once.

The same models as :mod:`forecast.families.drift` and
:mod:`forecast.families.ets`, on the log scale, computed for a whole block of
series of one length with matrix products instead of a loop over series.

Drift: the mean and standard deviation of the log differences of every series
at once; the predictive is Normal with ``sd_h = sigma*sqrt(h*(1 + h/T))``,
exactly as :func:`forecast.families.fit_drift`.

ETS(A,A,N): for fixed smoothing parameters the one-step errors are linear in
the data and in the initial states, ``e = A y - M x0`` (see
:mod:`forecast.families._ets_grid`). ``A``, ``M`` and the final-state maps
depend only on the parameters and the series length, so they are computed
once per grid point and length; the profiled sums of squares of every series
at every grid point then come from two matrix products. Forecasts are drawn
from the same grid posterior as :func:`forecast.families.fit_ets` with
``param_uncertainty=True`` (smoothing parameters from their grid posterior,
initial states and noise from their exact conditionals), with the same calls
on the same random generator: given the same seed, the draws are those of
``fit_ets(y, seed=seed)`` (a test checks it). What the batch leaves out is the
polishing of the maximum-likelihood point (``fit_ets`` climbs the likelihood
from the best grid points and compares statsmodels' own fit): it affects the
reported smoothing parameters and in-sample fitted values (taken here at the
best grid point) but not the forecasts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from forecast.families import _ets_grid as eg
from forecast.families._common import MIN_LOG_SIGMA, draw_normals

__all__ = ["DriftBatch", "ETSBatch", "fit_drift_batch", "fit_ets_batch"]

ETS_MIN_OBS = 6
DRIFT_MIN_OBS = 3
_BLOCK = 128  # series per matrix product (bounds the memory of the grid arrays)


@dataclass
class DriftBatch:
    """Drift fits of ``S`` series: arrays of shape ``(S,)``."""

    last_log: np.ndarray
    drift: np.ndarray
    sigma: np.ndarray
    n_diff: np.ndarray

    def loc_scale(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Log-scale mean and sd of the predictive, shape ``(S, h)``."""
        steps = np.arange(1, h + 1, dtype=float)[None, :]
        loc = self.last_log[:, None] + steps * self.drift[:, None]
        scale = self.sigma[:, None] * np.sqrt(steps * (1 + steps / self.n_diff[:, None]))
        return loc, scale

    def paths(self, i: int, h: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, h)`` log-scale paths of series ``i`` (the draws of ``DriftResult._simulate``)."""
        drift = self.drift[i] + self.sigma[i] / np.sqrt(self.n_diff[i]) * rng.standard_normal(n)
        steps = drift[:, None] + self.sigma[i] * draw_normals(rng, n, h)
        return self.last_log[i] + np.cumsum(steps, axis=1)


def fit_drift_batch(logy: np.ndarray) -> tuple[DriftBatch, np.ndarray]:
    """Fit drift to each row of ``logy`` (``(S, n)``, consecutive years).

    Returns the fits and the one-step fitted log values ``(S, n - 1)``.
    Rows whose log differences have zero spread get ``sigma = 0``; the caller
    skips them.

    Examples
    --------
    >>> fit, _ = fit_drift_batch(np.log([[1.0, 1.3, 1.5, 2.1, 2.4, 3.2]]))
    >>> round(float(fit.drift[0]), 4)
    0.2326
    """
    d = np.diff(logy, axis=1)
    drift = d.mean(axis=1)
    sigma = d.std(axis=1, ddof=1)
    fitted = logy[:, :-1] + drift[:, None]
    return DriftBatch(logy[:, -1].copy(), drift, sigma, np.full(len(logy), d.shape[1], dtype=float)), fitted


@dataclass(frozen=True)
class _Tables:
    """Grid quantities of ETS(A,A,N) that depend only on the series length."""

    alpha: np.ndarray
    beta: np.ndarray
    phi: np.ndarray
    a_rows: np.ndarray   # (G*n, n): one-step errors from the data, e = A y (x0 = 0), stacked by grid point
    k_rows: np.ndarray   # (G*2, n): M'A, so that M'c = K y
    f_rows: np.ndarray   # (G*2, n): final states from the data (x0 = 0)
    m: np.ndarray        # (G, n, 2): e = A y - M x0
    ffix: np.ndarray     # (G, 2, 2): final states per unit initial state
    mtm_inv: np.ndarray  # (G, 2, 2)
    logdet: np.ndarray   # (G,)


@functools.lru_cache(maxsize=32)
def _tables(n: int, grid_size: int) -> _Tables:
    alpha, beta, phi = eg.grid(False, size=grid_size, phi_size=1)
    g = len(alpha)
    a = np.empty((g, n, n))
    f0 = np.empty((g, 2, n))
    final = np.empty((g, 2, 3))
    out = None
    for k in range(n):
        unit = np.zeros(n)
        unit[k] = 1.0
        out = eg.errors_stacked(unit, alpha, beta, phi, final)
        a[:, :, k] = out[:, 0, :].T
        f0[:, :, k] = final[:, :, 0]
    assert out is not None
    r = np.moveaxis(out[:, 1:, :], 2, 0)  # (G, n, 2) = -M
    m = -r
    ffix = final[:, :, 1:].copy()
    mtm = np.einsum("gti,gtj->gij", m, m)
    det = np.maximum(mtm[:, 0, 0] * mtm[:, 1, 1] - mtm[:, 0, 1] ** 2, 1e-300)
    inv = np.empty_like(mtm)
    inv[:, 0, 0] = mtm[:, 1, 1] / det
    inv[:, 1, 1] = mtm[:, 0, 0] / det
    inv[:, 0, 1] = inv[:, 1, 0] = -mtm[:, 0, 1] / det
    k_mat = np.einsum("gti,gtk->gik", m, a)  # M'A
    return _Tables(alpha, beta, phi, a.reshape(g * n, n), k_mat.reshape(g * 2, n), f0.reshape(g * 2, n),
                   m, ffix, inv, np.log(det))


@dataclass
class ETSBatch:
    """ETS(A,A,N) grid posteriors of ``S`` series of one length ``n``."""

    n: int
    grid_size: int
    center: np.ndarray   # (S,) constant subtracted from each series (the first log value)
    sse: np.ndarray      # (S, G)
    x0: np.ndarray       # (S, G, 2) least-squares initial states of the centred series
    fdata: np.ndarray    # (S, G, 2) final states from the centred data (x0 = 0)
    weights: np.ndarray  # (S, G) posterior weights
    best: np.ndarray     # (S,) grid point with the highest likelihood

    @property
    def tables(self) -> _Tables:
        return _tables(self.n, self.grid_size)

    def sigma_ok(self) -> np.ndarray:
        """False where the series follows the model exactly (no interval can be estimated)."""
        return np.sqrt(self.sse.min(axis=1) / self.n) >= MIN_LOG_SIGMA

    def paths(self, i: int, h: int, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        """``(n_draws, h)`` log-scale paths of series ``i``.

        The calls on ``rng`` are those of ``ETSResult`` with parameter
        uncertainty: posterior draws (grid point, noise level, initial
        states), then the forward simulation.
        """
        t = self.tables
        idx = rng.choice(self.weights.shape[1], size=n_draws, p=self.weights[i])
        sigma = np.sqrt(self.sse[i, idx] / rng.chisquare(self.n - 2, size=n_draws))
        inv = t.mtm_inv[idx]
        l11 = np.sqrt(inv[:, 0, 0])
        l21 = inv[:, 1, 0] / l11
        l22 = np.sqrt(np.maximum(inv[:, 1, 1] - l21**2, 0.0))
        z = rng.standard_normal((n_draws, 2))
        x0 = self.x0[i, idx] + sigma[:, None] * np.column_stack([l11 * z[:, 0], l21 * z[:, 0] + l22 * z[:, 1]])
        f = t.ffix[idx]
        fd = self.fdata[i, idx]
        lvl = fd[:, 0] + f[:, 0, 0] * x0[:, 0] + f[:, 0, 1] * x0[:, 1] + self.center[i]
        trd = fd[:, 1] + f[:, 1, 0] * x0[:, 0] + f[:, 1, 1] * x0[:, 1]
        return eg.simulate_forward(lvl, trd, t.alpha[idx], t.beta[idx], t.phi[idx], sigma,
                                   draw_normals(rng, n_draws, h))

    def params(self) -> tuple[np.ndarray, np.ndarray]:
        """Smoothing parameters ``(alpha, beta)`` at the best grid point of each series."""
        t = self.tables
        return t.alpha[self.best], t.beta[self.best]


def fit_ets_batch(logy: np.ndarray, grid_size: int = 30) -> tuple[ETSBatch, np.ndarray]:
    """Grid posteriors of ETS(A,A,N) for each row of ``logy`` (``(S, n)``, consecutive years).

    Returns the batch and the in-sample one-step fitted log values ``(S, n)``
    at the best grid point.

    Examples
    --------
    >>> y = np.log(np.exp(np.linspace(0, 2, 12) + 0.1 * np.sin(np.arange(12))))[None, :]
    >>> b, fitted = fit_ets_batch(y)
    >>> b.weights.shape, fitted.shape
    ((1, 900), (1, 12))
    """
    logy = np.asarray(logy, dtype=float)
    s, n = logy.shape
    t = _tables(n, grid_size)
    g = t.alpha.shape[0]
    center = logy[:, 0].copy()
    yc = logy - center[:, None]
    sse = np.empty((s, g))
    x0 = np.empty((s, g, 2))
    fdata = np.empty((s, g, 2))
    # work buffers allocated once and reused for every block: Dask workers set MALLOC_TRIM_THRESHOLD_, which
    # turns each large temporary into a fresh mmap (measured: the grid twice as slow with fresh temporaries)
    blk_n = min(_BLOCK, s)
    c_buf = np.empty((blk_n, g * n))
    cc_buf = np.empty((blk_n, g))
    u_buf = np.empty((blk_n, g * 2))
    for lo in range(0, s, _BLOCK):
        blk = yc[lo:lo + _BLOCK]
        m = len(blk)
        c = np.matmul(blk, t.a_rows.T, out=c_buf[:m]).reshape(m, g, n)
        cc = np.einsum("sgt,sgt->sg", c, c, out=cc_buf[:m])
        u = np.matmul(blk, t.k_rows.T, out=u_buf[:m]).reshape(m, g, 2)
        xb = x0[lo:lo + m]
        np.einsum("gij,sgj->sgi", t.mtm_inv, u, out=xb)
        np.subtract(cc, np.einsum("sgi,sgi->sg", u, xb), out=sse[lo:lo + m])
        np.maximum(sse[lo:lo + m], 1e-300, out=sse[lo:lo + m])
        np.matmul(blk, t.f_rows.T, out=fdata[lo:lo + m].reshape(m, g * 2))
    lp = -0.5 * t.logdet[None, :] - (n - 2) / 2 * np.log(sse)
    weights = np.exp(lp - lp.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    best = np.argmin(sse, axis=1)  # highest concentrated likelihood
    rows = np.arange(s)
    a = t.a_rows.reshape(g, n, n)[best]
    err = np.einsum("stk,sk->st", a, yc) - np.einsum("sti,si->st", t.m[best], x0[rows, best])
    fitted = logy - err
    return ETSBatch(n, grid_size, center, sse, x0, fdata, weights, best), fitted
