"""Maximum likelihood for the multi-publisher measurement model.

For row ``i`` (publisher ``p``, year ``t``) the log figure is

    y_i = c(t) + b[p] + e_i,   e_i ~ N(0, s[p]**2 + v_i)

with ``c(t)`` a polynomial in ``t - t_center`` (degree 1: exponential growth,
degree 2: quadratic-in-log), ``b[reference] = 0`` and ``v_i`` the variance a
published range implies. The noise variance of publisher ``p`` is
``M[p] @ exp(2 * phi)``: one free log-sd ``phi`` per publisher with its own
noise, and for the others a fixed row-weighted average of those variances (see
:func:`noise_map`).

The noise sds are estimated by restricted maximum likelihood (REML) with the
curve and offsets integrated out; given them, the curve and offsets are
generalised least squares (see :func:`fit_core`).
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
    X: np.ndarray | None = None         # design of the fitted rows
    v: np.ndarray | None = None         # range variances of the fitted rows
    M_rows: np.ndarray | None = None    # noise map of the fitted rows
    df_resid: float = np.inf            # rows - coefficients - noise parameters (fallback df)
    range_var: np.ndarray | None = None  # per publisher: mean variance its published ranges imply

    @property
    def cov_beta(self) -> np.ndarray:
        k = len(self.beta)
        return self.cov[:k, :k]

    def noise_var(self) -> np.ndarray:
        """Noise variance (log scale) per publisher."""
        return self.noise_map @ np.exp(2.0 * self.phi)

    def _variance(self, phi: np.ndarray, L: np.ndarray, pub: int | None) -> np.ndarray:
        var = self.M_rows @ np.exp(2.0 * phi) + self.v
        XtWX = self.X.T @ (self.X / var[:, None])
        out = np.einsum("ij,ji->i", L, np.linalg.solve(XtWX, L.T))
        if pub is not None:
            out = out + self.noise_map[pub] @ np.exp(2.0 * phi)
            if self.range_var is not None:
                out = out + self.range_var[pub]
        return out

    def satterthwaite_df(self, L: np.ndarray, pub: int | None = None) -> np.ndarray:
        """Degrees of freedom of ``L @ beta`` (plus a new figure of publisher ``pub``) by Satterthwaite's method.

        ``df = 2 V**2 / Var(V_hat)`` with ``V`` the variance of the estimate
        (or of a new figure) as a function of the noise log-sds and
        ``Var(V_hat)`` from their REML covariance by the delta method (the
        approach of R's lmerTest). ``V`` is the same variance the predictive
        uses: with ``pub`` it includes the publisher's noise variance *and*
        the mean variance its published ranges imply (a constant that raises
        ``V`` but not ``Var(V_hat)``). The value is not floored: a df below 2
        is returned as is (the caller says so). Falls back to ``df_resid``
        when the noise parameters have no covariance (at a bound).
        """
        L = np.atleast_2d(np.asarray(L, dtype=float))
        k = len(self.beta)
        free = np.flatnonzero(~self.phi_at_bound)
        cov_phi = self.cov[np.ix_(k + free, k + free)]
        V = self._variance(self.phi, L, pub)
        if len(free) == 0 or not np.all(np.isfinite(cov_phi)):
            return np.full(len(V), self.df_resid if self.df_resid > 0 else np.inf)
        grad = np.empty((len(V), len(free)))
        for j, g in enumerate(free):
            h = 1e-5
            up, dn = self.phi.copy(), self.phi.copy()
            up[g] += h
            dn[g] -= h
            grad[:, j] = (self._variance(up, L, pub) - self._variance(dn, L, pub)) / (2 * h)
        var_v = np.einsum("ij,jk,ik->i", grad, cov_phi, grad)
        with np.errstate(divide="ignore"):
            df = np.where(var_v > 0, 2 * V**2 / var_v, np.inf)
        return np.minimum(df, 1e6)


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


def _gls(phi: np.ndarray, y, X, v, M_rows):
    """Generalised least squares given the noise log-sds: (beta, residuals, weights, X'WX)."""
    var = M_rows @ np.exp(2.0 * phi) + v
    w = 1.0 / var
    XtWX = X.T @ (X * w[:, None])
    beta = np.linalg.solve(XtWX, X.T @ (w * y))
    r = y - X @ beta
    return beta, r, w, XtWX, var


def profile_loglik(phi: np.ndarray, y, X, v, M_rows, method: str = "reml") -> float:
    """Log-likelihood with the curve and offsets profiled out (``"ml"``) or integrated out (``"reml"``)."""
    _beta, r, w, XtWX, var = _gls(phi, y, X, v, M_rows)
    ll = -0.5 * np.sum(np.log(2 * np.pi * var) + r * r * w)
    if method == "reml":
        sign, logdet = np.linalg.slogdet(XtWX)
        ll -= 0.5 * logdet
    return float(ll)


def fit_core(y: np.ndarray, t: np.ndarray, pub: np.ndarray, v: np.ndarray, n_pubs: int, degree: int,
             t_center: float, min_rows: int = 3, common: bool = False, method: str = "reml") -> CoreFit:
    """Fit the noise sds by (restricted) maximum likelihood, then the curve and offsets by GLS.

    ``method="reml"`` (default) maximises the restricted likelihood, which
    integrates the curve and offsets out: a publisher's free offset then costs
    one degree of freedom, so a publisher with one row does not pull the noise
    estimates towards zero and small-sample variance estimates are not biased
    down as in plain maximum likelihood (``method="ml"``). Given the noise
    sds, the curve and offsets are the generalised least-squares estimates with
    covariance ``(X' W X)^-1``. Deterministic: a fixed grid of starting points,
    then BFGS (log-sds clipped to ``LOG_SD_BOUNDS``).
    """
    y, t, v = (np.asarray(a, dtype=float) for a in (y, t, v))
    pub = np.asarray(pub, dtype=int)
    X = design(t, pub, n_pubs, degree, t_center)
    k = X.shape[1]
    counts = np.bincount(pub, minlength=n_pubs)
    M, _own = noise_map(counts, min_rows, common)
    M_rows = M[pub]
    G = M.shape[1]
    beta0, *_ = np.linalg.lstsq(X, y, rcond=None)
    dof = max(len(y) - k, 1)
    sd0 = max(np.sqrt(np.sum((y - X @ beta0) ** 2) / dof), 0.05)

    def negll(phi):
        return -profile_loglik(np.clip(phi, *LOG_SD_BOUNDS), y, X, v, M_rows, method)

    best = None
    for shift in (0.0, -1.5, 1.0):
        x0 = np.full(G, np.clip(np.log(sd0) + shift, *LOG_SD_BOUNDS))
        res = optimize.minimize(negll, x0, method="BFGS", options={"maxiter": 2000, "gtol": 1e-7})
        if best is None or res.fun < best.fun - 1e-9:
            best = res
    phi = np.clip(best.x, *LOG_SD_BOUNDS)
    at_bound = (np.abs(phi - LOG_SD_BOUNDS[0]) < 1e-4) | (np.abs(phi - LOG_SD_BOUNDS[1]) < 1e-4)
    beta, r, w, XtWX, var = _gls(phi, y, X, v, M_rows)
    cov = np.full((k + G, k + G), np.nan)
    cov[:k, :k] = np.linalg.inv(XtWX)
    notes: list[str] = []
    free = np.flatnonzero(~at_bound)
    if len(free):
        H = _hessian(lambda f: negll(_put(phi, free, f)), phi[free])
        eig = np.linalg.eigvalsh(H)
        if np.all(eig > 1e-10 * max(1.0, eig.max())):
            cov[np.ix_(k + free, k + free)] = np.linalg.inv(H)
        else:
            notes.append("the likelihood is flat in a noise sd: it is not identified by the data")
    loglik = -0.5 * float(np.sum(np.log(2 * np.pi * var) + r * r * w))
    range_var = np.array([v[pub == p].mean() if np.any(pub == p) else 0.0 for p in range(n_pubs)])
    return CoreFit(beta=beta, phi=phi, cov=cov, loglik=loglik, noise_map=M, phi_at_bound=at_bound,
                   converged=bool(best.success) or best.status == 2, notes=notes, X=X, v=v, M_rows=M_rows,
                   df_resid=float(len(y) - k - G), range_var=range_var)


def _put(phi: np.ndarray, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = phi.copy()
    out[idx] = values
    return out


def _hessian(f, x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of a scalar function."""
    n = len(x)
    H = np.empty((n, n))
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    f0 = f(x)
    for i in range(n):
        for j in range(i, n):
            if i == j:
                e = np.zeros(n)
                e[i] = h[i]
                H[i, i] = (f(x + e) - 2 * f0 + f(x - e)) / h[i] ** 2
            else:
                ei, ej = np.zeros(n), np.zeros(n)
                ei[i], ej[j] = h[i], h[j]
                H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                    4 * h[i] * h[j])
    return H
