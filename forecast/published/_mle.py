"""Restricted maximum likelihood for the multi-publisher measurement model.

For row ``i`` (publisher ``p``, year ``t``) the log figure is

    y_i = c(t) + b[p] + u[p] * (t - t_center) + e_i,   e_i ~ N(0, s[p]**2 + v_i)

with ``c(t)`` a polynomial in ``t - t_center`` (degree 1: exponential growth,
degree 2: quadratic-in-log), ``b[reference] = 0``, ``v_i`` the variance a
published range implies, and ``u[p] ~ N(0, tau**2)`` a publisher's own
deviation from the common growth rate (random slopes, only for the
publishers listed in ``slope_pubs``; none with common growth). The noise
variance of publisher ``p`` is ``M[p] @ exp(2 * phi)``: one free log-sd
``phi`` per publisher with its own noise, and for the others a fixed
row-weighted average of those variances (see :func:`noise_map`).

The variance parameters ``theta = (phi, log tau)`` are estimated by
restricted maximum likelihood (REML: the fixed effects integrated out). Given
them, the fixed effects ``beta`` (curve and offsets) are generalised least
squares and the slope deviations ``u`` their best linear unbiased predictors;
the covariance of ``(beta_hat, u_hat - u)`` is Henderson's
``C = [[X'R^-1 X, X'R^-1 Z], [Z'R^-1 X, Z'R^-1 Z + I / tau**2]]^-1``.

The restricted likelihood can have several local maxima (for example slow
growth with one publisher precise and another noisy, and fast growth with
the roles swapped). :func:`fit_core` starts from a grid that moves each noise
sd (and the slope sd) separately, keeps every distinct local maximum, and
returns them ordered by restricted log-likelihood; two optima are distinct
when the likelihood dips between them.

Hierarchical pooling of the noise sds (``noise_tau``, an option): the free
log noise sds are treated as draws ``phi_g ~ N(mu, noise_tau**2)`` with
``mu`` estimated (profiled: the mean of the ``phi_g``), and the restricted
log-likelihood is maximised with the penalty
``-sum((phi_g - mean(phi))**2) / (2 noise_tau**2)`` added (see
:func:`noise_penalty`). A noise sd the rows cannot tell from zero and one
over-estimated from a couple of residual degrees of freedom both move toward
the common noise; ``noise_tau -> inf`` gives the unpenalised fit and
``noise_tau -> 0`` one noise sd for the publishers that own one. The
covariance of the variance parameters is the inverse Hessian of the
*penalised* objective, so the Satterthwaite degrees of freedom count the
information the pooling adds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

LOG_SD_BOUNDS = (np.log(1e-4), np.log(20.0))
LOG_TAU_BOUNDS = (np.log(1e-4), np.log(2.0))
NOISE_STARTS = (np.log(0.05), np.log(0.25), np.log(1.0))
TAU_STARTS = (np.log(0.02), np.log(0.2))
GROWTH_SD_DROP = 1.35  # restricted log-likelihood drop of the one-sided 95% limit of a growth sd at zero
GROWTH_SD_AT_BOUND = "profile"  # how a growth sd at zero enters the Satterthwaite df: "profile" or "known"


@dataclass
class CoreFit:
    """Numbers of one (local) maximum of the restricted likelihood (internal).

    ``beta`` holds the fixed effects (curve coefficients, then offsets of
    publishers 1..P-1) followed by the slope deviations ``u`` of
    ``slope_pubs``; ``cov_beta`` is the covariance of their estimation errors:
    Henderson's ``C`` plus ``C_extra = J cov_theta J'``, the variance the
    estimated variance parameters add (``J`` the derivative of the estimates
    with respect to them). ``cov`` is block-diagonal: ``cov_beta`` then the
    covariance of ``theta`` (NaN for parameters at a bound).
    """

    beta: np.ndarray
    phi: np.ndarray             # free noise log-sds
    cov: np.ndarray
    loglik: float               # log-likelihood (ML form) at the estimates
    noise_map: np.ndarray       # (P, G): noise variance of publisher p is noise_map[p] @ exp(2 phi)
    phi_at_bound: np.ndarray    # bool per theta entry (phi, then log tau if any)
    converged: bool
    notes: list[str] = field(default_factory=list)
    X: np.ndarray | None = None         # full design [X Z] of the fitted rows
    v: np.ndarray | None = None         # range variances of the fitted rows
    M_rows: np.ndarray | None = None    # noise map of the fitted rows
    df_resid: float = np.inf            # rows - fixed coefficients - variance parameters
    range_var: np.ndarray | None = None  # per publisher: mean variance its published ranges imply
    k_fixed: int = 0
    slope_pubs: tuple[int, ...] = ()
    log_tau: float | None = None
    reml_loglik: float = np.nan
    degree: int = 1
    C_extra: np.ndarray | None = None   # J cov_theta J': the fixed effects' variance from estimated weights
    y: np.ndarray | None = None         # the fitted log figures (for profiles of the restricted likelihood)

    @property
    def theta(self) -> np.ndarray:
        return np.concatenate([self.phi, [] if self.log_tau is None else [self.log_tau]])

    @property
    def cov_beta(self) -> np.ndarray:
        k = len(self.beta)
        return self.cov[:k, :k]

    @property
    def cov_theta(self) -> np.ndarray:
        k = len(self.beta)
        return self.cov[k:, k:]

    @property
    def tau(self) -> float:
        """Sd of the publishers' own growth deviations (log scale per year); 0 with common growth."""
        return 0.0 if self.log_tau is None else float(np.exp(self.log_tau))

    def noise_var(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Noise variance (log scale) per publisher."""
        phi = self.phi if theta is None else theta[: len(self.phi)]
        return self.noise_map @ np.exp(2.0 * phi)

    def henderson(self, theta: np.ndarray) -> np.ndarray:
        """Covariance of ``(beta_hat, u_hat - u)`` at variance parameters ``theta``."""
        return _henderson(theta, self.X, self.v, self.M_rows, self.k_fixed, len(self.phi))

    def _variance(self, theta: np.ndarray, L: np.ndarray, pub: int | None) -> np.ndarray:
        C = self.henderson(theta)
        if self.C_extra is not None:
            C = C + self.C_extra  # constant in theta to first order: raises V, not Var(V_hat)
        out = np.einsum("ij,jk,ik->i", L, C, L)
        if pub is not None:
            out = out + self.noise_var(theta)[pub]
            if self.range_var is not None:
                out = out + self.range_var[pub]
        return out

    def growth_sd_upper(self, drop: float = GROWTH_SD_DROP) -> float:
        """Upper limit of the growth sd where the restricted likelihood has fallen by ``drop`` from its value at
        the estimates (the other variance parameters held at theirs); ``LOG_TAU_BOUNDS``' upper end when it never
        falls that far. With the growth sd at zero, ``drop = 1.35`` is the one-sided 95% limit (half of the
        chi-square(1) 90% point: the boundary's 50:50 mixture)."""
        if self.log_tau is None or self.y is None:
            return 0.0
        kept = self.__dict__.setdefault("_kept_growth_sd_upper", {})  # the fit does not change: compute once per drop
        if drop not in kept:
            kept[drop] = self._growth_sd_upper(drop)
        return kept[drop]

    def _growth_sd_upper(self, drop: float) -> float:
        G = len(self.phi)
        k = self.k_fixed

        def ll(log_tau: float) -> float:
            th = self.theta.copy()
            th[G] = log_tau
            return reml_loglik(th, self.y, self.X, self.v, self.M_rows, k, G)

        target = ll(self.log_tau) - drop
        lo, hi = self.log_tau, LOG_TAU_BOUNDS[1]
        if ll(hi) >= target:
            return float(np.exp(hi))
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            if ll(mid) >= target:
                lo = mid
            else:
                hi = mid
        return float(np.exp(0.5 * (lo + hi)))

    def satterthwaite_df(self, L: np.ndarray, pub: int | None = None, *, cap_growth_sd: bool = False) -> np.ndarray:
        """Degrees of freedom of ``L @ beta`` (plus a new figure of publisher ``pub``) by Satterthwaite's method.

        ``df = 2 V**2 / Var(V_hat)`` with ``V`` the variance of the estimate
        (or of a new figure) as a function of the variance parameters and
        ``Var(V_hat)`` from their REML covariance by the delta method (the
        approach of R's lmerTest). ``V`` is the same variance the predictive
        uses: with ``pub`` it includes the publisher's noise variance *and*
        the mean variance its published ranges imply (a constant that raises
        ``V`` but not ``Var(V_hat)``). The value is not floored: a df below 2
        is returned as is (the caller says so). Falls back to ``df_resid``
        when the variance parameters have no covariance (at a bound).

        A noise sd held at its lower bound caps the df at ``df_resid`` where
        ``V`` depends on it (it has no REML variance, and its data could not
        tell it from zero). A growth sd at its lower bound has no curvature
        either; it counts through its profile instead: the change of ``V``
        from zero to the growth sd's one-sided 95% limit
        (:meth:`growth_sd_upper`) is taken as 1.645 standard deviations of
        ``V_hat`` and added to ``Var(V_hat)``. Where the data pin the growth
        sd near zero this adds little; where they leave it open (three
        publishers growing at 10, 15 and 20% a year) it lowers the df.
        ``cap_growth_sd=True`` is the rule before 2026-12-03 (the growth sd
        treated as known, the df capped at ``df_resid``), which made the
        calibration study's 80% intervals 8-9 points too wide under common
        growth (``benchmarks/README.md``).
        """
        L = np.atleast_2d(np.asarray(L, dtype=float))
        theta = self.theta
        free = np.flatnonzero(~self.phi_at_bound)
        cov_t = self.cov_theta[np.ix_(free, free)]
        V = self._variance(theta, L, pub)
        fallback = np.full(len(V), self.df_resid if self.df_resid > 0 else np.inf)
        if len(free) == 0 or not np.all(np.isfinite(cov_t)):
            return fallback
        # a variance parameter held at its lower bound has no REML variance: the delta method would treat it as
        # known and give a df near infinity; where V depends on it, the residual df is used instead
        pinned = np.flatnonzero(self.phi_at_bound & (theta < 0))
        G = len(self.phi)
        tau_pinned = bool(self.log_tau is not None and self.phi_at_bound[G] and theta[G] < 0)
        if not cap_growth_sd:
            pinned = pinned[pinned < G]
        uses_pinned = np.zeros(len(V), dtype=bool)
        for g in pinned:
            up = theta.copy()
            up[g] = np.log(0.1)
            uses_pinned |= np.abs(self._variance(up, L, pub) - V) > 1e-3 * V
        grad = np.empty((len(V), len(free)))
        for j, g in enumerate(free):
            h = 1e-5
            up, dn = theta.copy(), theta.copy()
            up[g] += h
            dn[g] -= h
            grad[:, j] = (self._variance(up, L, pub) - self._variance(dn, L, pub)) / (2 * h)
        var_v = np.einsum("ij,jk,ik->i", grad, cov_t, grad)
        if tau_pinned and not cap_growth_sd and GROWTH_SD_AT_BOUND == "profile":
            # the growth sd at zero has no curvature to read a variance from; its one-sided 95% profile limit
            # stands for 1.645 sd of it: the change of V up to there counts as 1.645 sd of V_hat
            up = theta.copy()
            up[G] = np.log(max(self.growth_sd_upper(), np.exp(theta[G])))
            var_v = var_v + ((self._variance(up, L, pub) - V) / 1.6448536269514722) ** 2
        with np.errstate(divide="ignore"):
            df = np.where(var_v > 0, 2 * V**2 / var_v, np.inf)
        df = np.where(uses_pinned, np.minimum(df, fallback), df)
        return np.minimum(df, 1e6)


def design(t: np.ndarray, pub: np.ndarray, n_pubs: int, degree: int, t_center: float,
           slope_pubs: tuple[int, ...] = ()) -> np.ndarray:
    """Design ``[X Z]``: polynomial in ``t - t_center``, publisher dummies (publisher 0 is the reference),
    then one column ``(t - t_center) * [pub == q]`` per publisher ``q`` of ``slope_pubs``."""
    t = np.asarray(t, dtype=float) - t_center
    pub = np.asarray(pub)
    cols = [t**d for d in range(degree + 1)]
    for p in range(1, n_pubs):
        cols.append((pub == p).astype(float))
    for q in slope_pubs:
        cols.append(t * (pub == q))
    return np.column_stack(cols)


def noise_map(counts: np.ndarray, min_rows: int, common: bool,
              pooled: tuple[int, ...] = ()) -> tuple[np.ndarray, list[int]]:
    """Map publishers to free noise parameters.

    Publishers with at least ``min_rows`` rows get their own noise sd, unless
    listed in ``pooled``. The others cannot estimate one (with a free offset,
    one row has no residual and two rows have one degree of freedom; a
    publisher in ``pooled`` had its own sd at the lower bound: its data could
    not tell it from zero); their noise variance is the row-weighted mean of
    the own noise variances. With ``common=True``, or when no publisher has
    its own sd, all publishers share one noise sd.

    Returns the ``(P, G)`` map and the publishers owning each free parameter
    (empty list for the common case).

    Examples
    --------
    >>> m, own = noise_map(np.array([4, 5, 1]), 3, False)
    >>> own, m[2].round(3).tolist()
    ([0, 1], [0.444, 0.556])
    >>> noise_map(np.array([4, 5, 1]), 3, False, pooled=(0,))[1]
    [1]
    """
    counts = np.asarray(counts)
    own = [p for p in range(len(counts)) if counts[p] >= min_rows and p not in pooled]
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


def noise_penalty(phi: np.ndarray, noise_tau: float | None) -> tuple[float, np.ndarray]:
    """Log-penalty of hierarchical noise pooling and its gradient in ``phi``.

    ``-sum((phi - mean(phi))**2) / (2 noise_tau**2)``: the log density of
    ``phi_g ~ N(mu, noise_tau**2)`` at ``mu = mean(phi)`` (its maximiser), up to a
    constant. Zero (and a zero gradient) when ``noise_tau`` is ``None`` or
    infinite, or with fewer than two free noise sds.

    Examples
    --------
    >>> val, grad = noise_penalty(np.array([0.0, 2.0]), 1.0)
    >>> float(val), grad.tolist()
    (-1.0, [1.0, -1.0])
    """
    phi = np.asarray(phi, dtype=float)
    if noise_tau is None or not np.isfinite(noise_tau) or len(phi) < 2:
        return 0.0, np.zeros(len(phi))
    d = phi - phi.mean()
    t2 = float(noise_tau) ** 2
    return float(-0.5 * np.sum(d * d) / t2), -d / t2


def _split(theta: np.ndarray, G: int) -> tuple[np.ndarray, float | None]:
    return theta[:G], (float(theta[G]) if len(theta) > G else None)


def _henderson(theta, W, v, M_rows, k, G) -> np.ndarray:
    phi, log_tau = _split(np.asarray(theta, dtype=float), G)
    w = 1.0 / (M_rows @ np.exp(2.0 * phi) + v)
    A = W.T @ (W * w[:, None])
    if log_tau is not None:
        idx = np.arange(k, W.shape[1])
        A[idx, idx] += np.exp(-2.0 * log_tau)
    return np.linalg.inv(A)


def _gls(theta, y, W, v, M_rows, k, G):
    """Fixed effects, slope deviations and the pieces of the restricted likelihood at ``theta``."""
    phi, log_tau = _split(np.asarray(theta, dtype=float), G)
    r_var = M_rows @ np.exp(2.0 * phi) + v
    X = W[:, :k]
    V = np.diag(r_var)
    if log_tau is not None:
        Z = W[:, k:]
        V = V + np.exp(2.0 * log_tau) * (Z @ Z.T)
    Vi = np.linalg.inv(V)
    XtViX = X.T @ Vi @ X
    beta = np.linalg.solve(XtViX, X.T @ Vi @ y)
    r = y - X @ beta
    Vir = Vi @ r
    u = np.exp(2.0 * log_tau) * (W[:, k:].T @ Vir) if log_tau is not None else np.zeros(0)
    return beta, u, r, Vir, V, XtViX, r_var


def reml_loglik(theta, y, W, v, M_rows, k, G, method: str = "reml") -> float:
    """Restricted (``"reml"``) or profile (``"ml"``) log-likelihood of the variance parameters."""
    beta, u, r, Vir, V, XtViX, _ = _gls(theta, y, W, v, M_rows, k, G)
    _s, logdet_v = np.linalg.slogdet(V)
    ll = -0.5 * (len(y) * np.log(2 * np.pi) + logdet_v + r @ Vir)
    if method == "reml":
        _s2, logdet_x = np.linalg.slogdet(XtViX)
        ll -= 0.5 * logdet_x
    return float(ll)


def reml_value_and_grad(theta, y, W, v, M_rows, k, G, method: str = "reml") -> tuple[float, np.ndarray]:
    """:func:`reml_loglik` and its gradient in ``theta`` (analytic).

    With ``V_j = dV / d theta_j`` (``diag(2 M_rows[:, g] exp(2 phi_g))`` for a
    noise log-sd, ``2 tau**2 Z Z'`` for the log growth sd) the restricted
    log-likelihood has ``d ll / d theta_j = -tr(P V_j) / 2 + (P y)' V_j (P y) / 2``
    with ``P = V^-1 - V^-1 X (X' V^-1 X)^-1 X' V^-1`` (``P y = V^-1 r``); the
    profile likelihood (``"ml"``) the same with ``V^-1`` in place of ``P`` in
    the trace. Checked against central differences in the tests.
    """
    theta = np.asarray(theta, dtype=float)
    phi, log_tau = _split(theta, G)
    sd2 = np.exp(2.0 * phi)
    r_var = M_rows @ sd2 + v
    X = W[:, :k]
    d_inv = 1.0 / r_var
    logdet_v = float(np.sum(np.log(r_var)))
    DX = X * d_inv[:, None]
    if log_tau is not None:  # V = D + tau^2 Z Z' by Woodbury: only q x q algebra (q publishers with own growth)
        Z = W[:, k:]
        t2 = np.exp(2.0 * log_tau)
        DZ = Z * d_inv[:, None]
        S = np.eye(Z.shape[1]) / t2 + Z.T @ DZ
        S_inv = np.linalg.inv(S)
        logdet_v += float(np.linalg.slogdet(S)[1]) + Z.shape[1] * np.log(t2)
        DZS = DZ @ S_inv                                  # V^-1 = D^-1 - DZS DZ'
        ViX = DX - DZS @ (DZ.T @ X)
        ViZ = DZ - DZS @ (DZ.T @ Z)
        vi_diag = d_inv - np.einsum("ij,ij->i", DZS, DZ)
    else:
        ViX = DX
        vi_diag = d_inv
    XtViX = X.T @ ViX
    A = np.linalg.inv(XtViX)
    beta = A @ (ViX.T @ y)
    r = y - X @ beta
    Vir = d_inv * r if log_tau is None else d_inv * r - DZS @ (DZ.T @ r)
    ll = -0.5 * (len(y) * np.log(2 * np.pi) + logdet_v + r @ Vir)
    if method == "reml":
        ll -= 0.5 * float(np.linalg.slogdet(XtViX)[1])
        # diag(P) and P Z with P = V^-1 - V^-1 X A X' V^-1
        B = ViX @ A
        dP = vi_diag - np.einsum("ij,ij->i", B, ViX)
    else:
        dP = vi_diag
    grad = np.empty(len(theta))
    grad[:G] = (-0.5 * (dP @ M_rows) + 0.5 * ((Vir * Vir) @ M_rows)) * 2.0 * sd2
    if log_tau is not None:
        PZ = ViZ - (B @ (ViX.T @ Z) if method == "reml" else 0.0)
        zv = Z.T @ Vir
        grad[G] = t2 * (-float(np.sum(PZ * Z)) + float(zv @ zv))
    return float(ll), grad


# kept for callers of the earlier name
def profile_loglik(phi, y, X, v, M_rows, method: str = "reml") -> float:
    """Log-likelihood with common growth (no slope deviations); see :func:`reml_loglik`."""
    return reml_loglik(np.asarray(phi, dtype=float), y, X, v, M_rows, X.shape[1], len(phi), method)


def _bounds(G: int, slopes: bool) -> list[tuple[float, float]]:
    return [LOG_SD_BOUNDS] * G + ([LOG_TAU_BOUNDS] if slopes else [])


def _starts(G: int, slopes: bool, sd0: float, quick: bool) -> list[np.ndarray]:
    """Starting points that move each noise sd (and the slope sd) separately."""
    if quick:
        base = [np.full(G, np.log(sd0)), np.full(G, np.log(sd0) - 1.5)]
        grid = base + [np.where(np.arange(G) == g, np.log(sd0) + 1.0, np.log(sd0) - 1.0) for g in range(G)]
        taus = TAU_STARTS[1:] if slopes else (None,)
    else:
        vals = NOISE_STARTS if G <= 3 else NOISE_STARTS[::2]
        grid = [np.array(c) for c in itertools.product(vals, repeat=G)]
        taus = TAU_STARTS if slopes else (None,)
    out = []
    for g in grid:
        for t in taus:
            out.append(np.concatenate([g, [] if t is None else [t]]))
    return out


def _optimise(f, x0, bounds):
    """BFGS on the clipped objective (the bounds are far from any sensible value; a parameter that runs into
    one is reported as at its bound). ``f`` returns the value and its gradient."""
    return optimize.minimize(f, x0, jac=True, method="BFGS", options={"maxiter": 500, "gtol": 1e-6})


def _distinct(f, a, b, fa, fb) -> bool:
    """True when the objective rises between ``a`` and ``b`` (two separate minima, not one flat valley)."""
    if np.max(np.abs(a - b)) < 0.05:
        return False
    top = max(fa, fb)
    return any(f(a + s * (b - a)) > top + 0.05 for s in (0.25, 0.5, 0.75))


def fit_core(y: np.ndarray, t: np.ndarray, pub: np.ndarray, v: np.ndarray, n_pubs: int, degree: int,
             t_center: float, min_rows: int = 3, common: bool = False, method: str = "reml",
             slope_pubs: tuple[int, ...] = (), quick: bool = False, pooled: tuple[int, ...] = (),
             extra_starts: list[np.ndarray] | None = None, noise_tau: float | None = None) -> list[CoreFit]:
    """Fit the variance parameters by (restricted) maximum likelihood, then the curve, offsets and slopes.

    Returns every distinct local maximum found, best first (see the module
    docstring). ``slope_pubs`` lists the publishers with their own growth
    (random slopes); empty for common growth. ``quick=True`` uses fewer
    starting points (for simulation studies). ``pooled`` lists publishers
    whose noise variance is pooled although they have ``min_rows`` rows
    (see :func:`noise_map`). ``extra_starts`` are tried first (points of
    ``theta``: noise log-sds, then the log growth sd; for example the maxima
    of a related fit). ``noise_tau`` (default ``None``: none) pools the free
    log noise sds hierarchically with that sd (see the module docstring); the
    reported ``reml_loglik`` is then the penalised one.
    """
    if noise_tau is not None and not float(noise_tau) > 0:
        raise ValueError(f"noise_tau={noise_tau!r} must be positive")
    y, t, v = (np.asarray(a, dtype=float) for a in (y, t, v))
    pub = np.asarray(pub, dtype=int)
    slope_pubs = tuple(int(q) for q in slope_pubs)
    slopes = len(slope_pubs) > 0
    W = design(t, pub, n_pubs, degree, t_center, slope_pubs)
    k = W.shape[1] - len(slope_pubs)
    counts = np.bincount(pub, minlength=n_pubs)
    M, _own = noise_map(counts, min_rows, common, tuple(pooled))
    M_rows = M[pub]
    G = M.shape[1]
    beta0, *_ = np.linalg.lstsq(W[:, :k], y, rcond=None)
    dof = max(len(y) - k, 1)
    sd0 = float(np.clip(np.sqrt(np.sum((y - W[:, :k] @ beta0) ** 2) / dof), 0.05, 5.0))
    bounds = _bounds(G, slopes)
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])

    def negll(theta):
        th = np.clip(theta, lo, hi)
        return -reml_loglik(th, y, W, v, M_rows, k, G, method) - noise_penalty(th[:G], noise_tau)[0]

    def negll_grad(theta):
        # the objective is flat outside the bounds (clipped): no slope there
        th = np.clip(theta, lo, hi)
        val, grad = reml_value_and_grad(th, y, W, v, M_rows, k, G, method)
        pen, pgrad = noise_penalty(th[:G], noise_tau)
        grad = grad.copy()
        grad[:G] += pgrad
        return -(val + pen), np.where((theta < lo) | (theta > hi), 0.0, -grad)

    found: list[tuple[float, np.ndarray, bool]] = []
    points = [np.asarray(x, dtype=float) for x in (extra_starts or [])] + _starts(G, slopes, sd0, quick)
    for x0 in points:
        res = _optimise(negll_grad, np.clip(x0, lo, hi), bounds)
        x = np.clip(res.x, lo, hi)
        found.append((float(res.fun), x, bool(res.success) or res.status == 2))
    found.sort(key=lambda r: r[0])
    modes: list[tuple[float, np.ndarray, bool]] = []
    for fval, x, ok in found:
        if all(_distinct(negll, m[1], x, m[0], fval) for m in modes):
            modes.append((fval, x, ok))
    return [_core_at(x, ok, fval, y, W, v, M_rows, M, k, G, slope_pubs, degree, negll, lo, hi, n_pubs, pub)
            for fval, x, ok in modes]


def _core_at(theta, ok, fval, y, W, v, M_rows, M, k, G, slope_pubs, degree, negll, lo, hi, n_pubs, pub) -> CoreFit:
    at_bound = (np.abs(theta - lo) < 1e-4) | (np.abs(theta - hi) < 1e-4)
    beta, u, r, Vir, V, XtViX, r_var = _gls(theta, y, W, v, M_rows, k, G)
    gamma = np.concatenate([beta, u])
    C = _henderson(theta, W, v, M_rows, k, G)
    nt = len(theta)
    cov = np.full((len(gamma) + nt, len(gamma) + nt), np.nan)
    cov[: len(gamma), : len(gamma)] = C
    notes: list[str] = []
    free = np.flatnonzero(~at_bound)
    if len(free):
        H = _hessian(lambda f: negll(_put(theta, free, f)), theta[free])
        eig = np.linalg.eigvalsh(H)
        if np.all(eig > 1e-10 * max(1.0, eig.max())):
            cov[np.ix_(len(gamma) + free, len(gamma) + free)] = np.linalg.inv(H)
        else:
            notes.append("the likelihood is flat in a variance parameter: it is not identified by the data")
    # the estimates depend on the estimated variance parameters (through the GLS weights and the shrinkage):
    # add that variance, J cov_theta J' with J = d gamma_hat / d theta (delta method; Henderson's C treats
    # the variance parameters as known and is too small with a handful of rows per publisher)
    C_extra = None
    cov_tf = cov[np.ix_(len(gamma) + free, len(gamma) + free)] if len(free) else np.zeros((0, 0))
    if len(free) and np.all(np.isfinite(cov_tf)):
        J = np.empty((len(gamma), len(free)))
        for j, g in enumerate(free):
            h = 1e-4
            up, dn = theta.copy(), theta.copy()
            up[g] += h
            dn[g] -= h
            b_up, u_up, *_ = _gls(up, y, W, v, M_rows, k, G)
            b_dn, u_dn, *_ = _gls(dn, y, W, v, M_rows, k, G)
            J[:, j] = (np.concatenate([b_up, u_up]) - np.concatenate([b_dn, u_dn])) / (2 * h)
        C_extra = J @ cov_tf @ J.T
        cov[: len(gamma), : len(gamma)] = C + C_extra
    resid = y - W @ gamma
    loglik = -0.5 * float(np.sum(np.log(2 * np.pi * r_var) + resid * resid / r_var))
    range_var = np.array([v[pub == p].mean() if np.any(pub == p) else 0.0 for p in range(n_pubs)])
    return CoreFit(beta=gamma, phi=theta[:G], cov=cov, loglik=loglik, noise_map=M, phi_at_bound=at_bound,
                   converged=ok, notes=notes, X=W, v=v, M_rows=M_rows, df_resid=float(len(y) - k - nt),
                   range_var=range_var, k_fixed=k, slope_pubs=tuple(slope_pubs),
                   log_tau=(float(theta[G]) if nt > G else None), reml_loglik=-fval, degree=degree,
                   C_extra=C_extra, y=y)


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
