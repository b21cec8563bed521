"""Vectorised additive-error ETS(A,A,N) / ETS(A,Ad,N) recursions in numpy.

State space form (the one statsmodels' ``ETSModel`` uses):

    yhat[t] = l[t-1] + phi*b[t-1]
    e[t]    = y[t] - yhat[t]
    l[t]    = yhat[t] + alpha*e[t]
    b[t]    = phi*b[t-1] + beta*e[t]

(``phi = 1`` without damping). For fixed smoothing parameters the one-step
errors are *linear* in the initial states ``x0 = (l[-1], b[-1])``:
``e = c - M x0``. So the initial states are profiled out by least squares,
which gives, on a grid over ``(alpha, beta/alpha, phi)``:

- the concentrated log-likelihood ``-n/2 (log(2 pi S/n) + 1)`` (``S`` the
  minimum sum of squared errors), the objective statsmodels maximises; its
  grid maximum supplies starting values;
- the marginal posterior of the smoothing parameters under flat priors on
  ``(alpha, beta/alpha, phi, x0)`` and ``p(sigma) ~ 1/sigma``, proportional to
  ``|M'M|^(-1/2) S^(-(n-2)/2)``; given them, ``sigma^2 ~ S/chi2(n-2)`` and
  ``x0 ~ N(x0_hat, sigma^2 (M'M)^-1)``.

Draws from that posterior, pushed through the recursions and simulated
forward, give predictive paths that include parameter uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# statsmodels' default bounds for the smoothing parameters
ALPHA_BOUNDS = (1e-4, 1 - 1e-4)
BETA_STAR_BOUNDS = (1e-4, 1 - 1e-4)
PHI_BOUNDS = (0.8, 0.98)


def errors_linear(y: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """One-step errors as ``e = c - M x0`` for each parameter set.

    Returns ``c`` with shape ``(G, n)`` and ``M`` with shape ``(G, n, 2)``.
    """
    g = alpha.shape[0]
    n = len(y)
    lvl = np.zeros((3, g))
    trd = np.zeros((3, g))
    lvl[1] = 1.0
    trd[2] = 1.0
    data = np.zeros((3, 1))
    out = np.empty((3, g, n))
    for t in range(n):
        data[0, 0] = y[t]
        yhat = lvl + phi * trd
        e = data - yhat
        out[:, :, t] = e
        lvl = yhat + alpha * e
        trd = phi * trd + beta * e
    return out[0], -np.stack([out[1], out[2]], axis=-1)


@dataclass
class Profile:
    """Least-squares initial states and sums of squares on a parameter grid."""

    alpha: np.ndarray
    beta: np.ndarray
    phi: np.ndarray
    x0: np.ndarray       # (G, 2)
    mtm_inv: np.ndarray  # (G, 2, 2)
    sse: np.ndarray      # (G,)
    logdet_mtm: np.ndarray
    n: int

    @property
    def loglike(self) -> np.ndarray:
        """Concentrated Gaussian log-likelihood at each grid point."""
        return -self.n / 2 * (np.log(2 * np.pi * self.sse / self.n) + 1)

    @property
    def log_posterior(self) -> np.ndarray:
        """Unnormalised log marginal posterior of the smoothing parameters."""
        return -0.5 * self.logdet_mtm - (self.n - 2) / 2 * np.log(self.sse)


def profile(y: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray) -> Profile:
    """Profile out the initial states at each parameter set."""
    c, m = errors_linear(y, alpha, beta, phi)
    m0, m1 = m[:, :, 0], m[:, :, 1]
    a, b, d = (m0 * m0).sum(axis=1), (m0 * m1).sum(axis=1), (m1 * m1).sum(axis=1)
    det = np.maximum(a * d - b**2, 1e-300)
    inv = np.empty((len(a), 2, 2))
    inv[:, 0, 0] = d / det
    inv[:, 1, 1] = a / det
    inv[:, 0, 1] = inv[:, 1, 0] = -b / det
    u, v = (m0 * c).sum(axis=1), (m1 * c).sum(axis=1)
    x0 = np.column_stack([inv[:, 0, 0] * u + inv[:, 0, 1] * v, inv[:, 1, 0] * u + inv[:, 1, 1] * v])
    resid = c - m0 * x0[:, :1] - m1 * x0[:, 1:]
    sse = np.maximum((resid * resid).sum(axis=1), 1e-300)
    return Profile(alpha, beta, phi, x0, inv, sse, np.log(det), len(y))


def grid(damped: bool, size: int = 30, phi_size: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid over ``(alpha, beta, phi)``: cell midpoints in ``alpha`` and ``beta/alpha``."""
    a = (np.arange(size) + 0.5) / size
    bs = (np.arange(size) + 0.5) / size
    ph = np.linspace(*PHI_BOUNDS, phi_size) if damped else np.array([1.0])
    aa, bb, pp = np.meshgrid(a, bs, ph, indexing="ij")
    aa, bb, pp = aa.ravel(), bb.ravel(), pp.ravel()
    return aa, aa * bb, pp


def final_states(y: np.ndarray, x0: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Run the recursions over ``y`` from initial states ``x0`` (``(G, 2)``); return ``(l[n], b[n])``."""
    lvl = x0[:, 0].copy()
    trd = x0[:, 1].copy()
    for t in range(len(y)):
        yhat = lvl + phi * trd
        e = y[t] - yhat
        lvl = yhat + alpha * e
        trd = phi * trd + beta * e
    return lvl, trd


def simulate_forward(lvl: np.ndarray, trd: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray,
                     sigma: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Paths ``(n, h)`` of the working variable from final states, with standard normal noise ``z``."""
    n, h = z.shape
    out = np.empty((n, h))
    lvl = np.broadcast_to(lvl, (n,)).astype(float)
    trd = np.broadcast_to(trd, (n,)).astype(float)
    for j in range(h):
        yhat = lvl + phi * trd
        e = sigma * z[:, j]
        out[:, j] = yhat + e
        lvl = yhat + alpha * e
        trd = phi * trd + beta * e
    return out
