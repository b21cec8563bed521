"""Maximum likelihood for the multi-publisher measurement model.

For row ``i`` (publisher ``p``, year ``t``) the log figure is

    y_i = c(t) + b[p] + e_i,   e_i ~ N(0, s[p]**2 + v_i)

with ``c(t)`` a polynomial in ``t - t_center`` (degree 1: exponential growth,
degree 2: quadratic-in-log), ``b[reference] = 0`` and ``v_i`` the variance a
published range implies. The noise variance of publisher ``p`` is
``M[p] @ exp(2 * phi)``: one free log-sd ``phi`` per publisher with its own
noise, and for the others a fixed row-weighted average of those variances (see
:func:`noise_map`).

The negative log-likelihood has an analytic gradient; the Hessian is the
central-difference Jacobian of that gradient at the optimum, and the
covariance of the free parameters is its inverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

LOG_SD_BOUNDS = (np.log(1e-4), np.log(20.0))


@dataclass
class CoreFit:
    """Numbers of one maximum-likelihood fit (internal)."""

    beta: np.ndarray            # curve coefficients then offsets of publishers 1..P-1
    phi: np.ndarray             # free noise log-sds
    cov: np.ndarray             # covariance of (beta, phi); NaN rows/cols for parameters fixed at a bound
    loglik: float
    noise_map: np.ndarray       # (P, G): noise variance of publisher p is noise_map[p] @ exp(2 phi)
    phi_at_bound: np.ndarray    # bool per phi
    converged: bool
    notes: list[str] = field(default_factory=list)

    @property
    def cov_beta(self) -> np.ndarray:
        k = len(self.beta)
        return self.cov[:k, :k]

    def noise_var(self) -> np.ndarray:
        """Noise variance (log scale) per publisher."""
        return self.noise_map @ np.exp(2.0 * self.phi)


def design(t: np.ndarray, pub: np.ndarray, n_pubs: int, degree: int, t_center: float) -> np.ndarray:
    """Design matrix: polynomial in ``t - t_center`` then publisher dummies (publisher 0 is the reference)."""
    t = np.asarray(t, dtype=float) - t_center
    cols = [t**d for d in range(degree + 1)]
    for p in range(1, n_pubs):
        cols.append((np.asarray(pub) == p).astype(float))
    return np.column_stack(cols)


def noise_map(counts: np.ndarray, min_rows: int, common: bool) -> tuple[np.ndarray, list[int]]:
    """Map publishers to free noise parameters.

    Publishers with at least ``min_rows`` rows get their own noise sd. The
    others cannot estimate one (with a free offset, one row has no residual and
    two rows have one degree of freedom); their noise variance is the
    row-weighted mean of the own noise variances. With ``common=True``, or when no publisher has
    ``min_rows`` rows, all publishers share one noise sd.

    Returns the ``(P, G)`` map and the publishers owning each free parameter
    (empty list for the common case).
    """
    counts = np.asarray(counts)
    own = [p for p in range(len(counts)) if counts[p] >= min_rows]
    if common or not own:
        return np.ones((len(counts), 1)), []
    m = np.zeros((len(counts), len(own)))
    w = counts[own] / counts[own].sum()
    for g, p in enumerate(own):
        m[p, g] = 1.0
    for p in range(len(counts)):
        if p not in own:
            m[p, :] = w
    return m, own


def _nll_grad(theta: np.ndarray, y, X, v, M_rows, k):
    beta, phi = theta[:k], theta[k:]
    mu = X @ beta
    sg2 = np.exp(2.0 * phi)
    var = M_rows @ sg2 + v
    r = y - mu
    w = 1.0 / var
    nll = 0.5 * np.sum(np.log(2 * np.pi * var) + r * r * w)
    g_beta = -X.T @ (r * w)
    g_phi = (M_rows.T @ (0.5 * (w - r * r * w * w))) * 2.0 * sg2
    return nll, np.concatenate([g_beta, g_phi])


def fit_core(y: np.ndarray, t: np.ndarray, pub: np.ndarray, v: np.ndarray, n_pubs: int, degree: int,
             t_center: float, min_rows: int = 3, common: bool = False) -> CoreFit:
    """Maximum-likelihood fit (deterministic: fixed starting points, L-BFGS-B)."""
    y, t, v = (np.asarray(a, dtype=float) for a in (y, t, v))
    pub = np.asarray(pub, dtype=int)
    X = design(t, pub, n_pubs, degree, t_center)
    k = X.shape[1]
    counts = np.bincount(pub, minlength=n_pubs)
    M, _own = noise_map(counts, min_rows, common)
    M_rows = M[pub]
    G = M.shape[1]
    # start: weighted least squares, residual sd
    beta0, *_ = np.linalg.lstsq(X, y, rcond=None)
    dof = max(len(y) - k, 1)
    sd0 = max(np.sqrt(np.sum((y - X @ beta0) ** 2) / dof), 0.05)
    bounds = [(None, None)] * k + [LOG_SD_BOUNDS] * G
    best = None
    for shift in (0.0, -1.0, 1.0):
        x0 = np.concatenate([beta0, np.full(G, np.log(sd0) + shift)])
        res = optimize.minimize(_nll_grad, x0, args=(y, X, v, M_rows, k), jac=True, method="L-BFGS-B",
                                bounds=bounds, options={"maxiter": 5000, "ftol": 1e-14, "gtol": 1e-9})
        if best is None or res.fun < best.fun - 1e-9:
            best = res
    theta = best.x
    phi = theta[k:]
    at_bound = (np.abs(phi - LOG_SD_BOUNDS[0]) < 1e-6) | (np.abs(phi - LOG_SD_BOUNDS[1]) < 1e-6)
    free = np.concatenate([np.ones(k, bool), ~at_bound])
    H = hessian(theta, y, X, v, M_rows, k)
    cov = np.full((len(theta), len(theta)), np.nan)
    notes: list[str] = []
    Hf = H[np.ix_(free, free)]
    eig = np.linalg.eigvalsh(Hf)
    if np.all(eig > 1e-10 * max(1.0, eig.max())):
        cov[np.ix_(free, free)] = np.linalg.inv(Hf)
    else:
        notes.append("the information matrix is singular: some parameters are not identified by the data")
    return CoreFit(beta=theta[:k], phi=phi, cov=cov, loglik=-float(best.fun), noise_map=M, phi_at_bound=at_bound,
                   converged=bool(best.success), notes=notes)


def hessian(theta, y, X, v, M_rows, k) -> np.ndarray:
    """Central-difference Jacobian of the analytic gradient, symmetrised."""
    n = len(theta)
    H = np.empty((n, n))
    for j in range(n):
        h = 1e-5 * max(1.0, abs(theta[j]))
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        H[:, j] = (_nll_grad(tp, y, X, v, M_rows, k)[1] - _nll_grad(tm, y, X, v, M_rows, k)[1]) / (2 * h)
    return (H + H.T) / 2
