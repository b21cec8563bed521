"""Forecast reconciliation: make the forecasts of the series add up to their total.

For ``m`` bottom series and their aggregates, ``S`` is the summing matrix
(aggregates first, then the bottom series). Base forecasts ``yhat`` of every
node are projected onto coherent forecasts ``S P yhat`` with

    P = J - J W U (U' W U)^-1 U',     U' = [I, -C],  J = [0, I]

(Wickramasuriya, Athanasopoulos & Hyndman 2019, the form hierarchicalforecast
uses; it equals ``(S' W^-1 S)^-1 S' W^-1`` without inverting ``W``):

- ``bottom_up``: ``P = J`` (the bottom forecasts, summed);
- ``ols``: ``W = I``;
- ``wls_struct``: ``W = diag(S 1)`` (the number of bottom series under each node);
- ``mint_shrink``: ``W`` the covariance of the in-sample one-step errors (in
  levels) shrunk toward its diagonal (Schäfer & Strimmer 2005: the off-diagonal
  entries are multiplied by ``1 - lambda``, ``lambda`` estimated from the
  errors; pairwise-complete years where a series is shorter).

Sample paths are reconciled with the same ``P``: each simulated vector of
all nodes is projected, so every reconciled path is coherent, and so are the
means (reconciliation is linear). Before projection the paths of the series
are made dependent like their in-sample errors: each series' paths are
reordered so that their ranks follow a Gaussian copula with the shrunk
correlation of the log-scale one-step errors (the marginals are unchanged).

Positivity: base forecasts are positive (log scale). ``bottom_up`` keeps them
positive. The other methods can push a small series below zero (a share of a
large correction to the total lands on it). Reconciled bottom values below
zero are set to zero in each path and the aggregates are summed again from
the bottom (so paths stay coherent); the share of paths this touched is
reported for each series.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forecast.errors import ForecastError

__all__ = ["METHODS", "copula_reorder", "projection", "reconcile_paths", "reconcile_point", "shrunk_covariance",
           "summing_matrix"]

METHODS = ("bottom_up", "ols", "wls_struct", "mint_shrink")
_EPS = 2e-8


def summing_matrix(n_bottom: int) -> np.ndarray:
    """``S`` of one total over ``n_bottom`` series: a row of ones above the identity.

    Examples
    --------
    >>> summing_matrix(2)
    array([[1., 1.],
           [1., 0.],
           [0., 1.]])
    """
    return np.vstack([np.ones((1, n_bottom)), np.eye(n_bottom)])


def shrunk_covariance(residuals: np.ndarray, ridge: float = 2e-8) -> tuple[np.ndarray, float]:
    """Schäfer-Strimmer shrinkage of the covariance of ``residuals`` toward its diagonal.

    Parameters
    ----------
    residuals : np.ndarray
        ``(n_nodes, n_obs)``, NaN where a node has no error that year (pairs
        use the years both have).
    ridge : float
        Smallest diagonal value.

    Returns
    -------
    (W, lambda)
        The shrunk covariance and the shrinkage intensity (0: the sample
        covariance, 1: its diagonal).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w, lam = shrunk_covariance(rng.standard_normal((3, 40)))
    >>> bool(0 <= lam <= 1), w.shape
    (True, (3, 3))
    """
    r = np.asarray(residuals, dtype=float)
    mask = np.isfinite(r)
    if mask.all():
        return _shrunk_complete(r, ridge)
    k = r.shape[0]
    w = np.zeros((k, k))
    num = 0.0
    den = 0.0
    # rows with the same missing years share every joint mask: one block of pairs at a time
    patterns: dict[bytes, list[int]] = {}
    for i in range(k):
        patterns.setdefault(mask[i].tobytes(), []).append(i)
    groups = [(np.asarray(ix), mask[ix[0]]) for ix in patterns.values()]
    for gi, (ia, ma) in enumerate(groups):
        for ib, mb in groups[gi:]:
            both = ma & mb
            n = int(both.sum())
            if n <= 1:
                continue
            xa = r[np.ix_(ia, both)]
            xb = r[np.ix_(ib, both)]
            xa = xa - xa.mean(axis=1, keepdims=True)
            xb = xb - xb.mean(axis=1, keepdims=True)
            cov = xa @ xb.T / (n - 1)
            w[np.ix_(ia, ib)] = cov
            w[np.ix_(ib, ia)] = cov.T
            # hierarchicalforecast's masked path adds its guard twice to the standard deviations
            sa = np.sqrt((xa * xa).mean(axis=1)) + 2 * _EPS
            sb = np.sqrt((xb * xb).mean(axis=1)) + 2 * _EPS
            za, zb = xa / sa[:, None], xb / sb[:, None]
            wbar = za @ zb.T / n
            var = (za**2) @ (zb**2).T - n * wbar**2
            off = ia[:, None] != ib[None, :]
            if ia is ib or np.array_equal(ia, ib):
                off = off & (ia[:, None] > ib[None, :])  # each unordered pair once within a block
            num += n / (n - 1) ** 3 * float(var[off].sum())
            den += float(((n / (n - 1) * wbar[off]) ** 2).sum())
    # the sums above count each unordered pair once; the ratio is the same as over all ordered pairs
    lam = float(np.clip(num / (den + _EPS), 0.0, 1.0))
    out = w * (1 - lam)
    np.fill_diagonal(out, np.maximum(np.diag(w), ridge))
    return out, lam


def _shrunk_complete(r: np.ndarray, ridge: float) -> tuple[np.ndarray, float]:
    """:func:`shrunk_covariance` without missing values, in matrix products."""
    n = r.shape[1]
    x = r - r.mean(axis=1, keepdims=True)
    w = x @ x.T / (n - 1)
    xs = x / (np.sqrt((x * x).mean(axis=1)) + _EPS)[:, None]
    wbar = xs @ xs.T / n
    sq = xs**2
    var = sq @ sq.T - n * wbar**2
    off = ~np.eye(len(r), dtype=bool)
    num = n / (n - 1) ** 3 * var[off].sum() / 2
    den = ((n / (n - 1) * wbar[off]) ** 2).sum() / 2
    lam = float(np.clip(num / (den + _EPS), 0.0, 1.0))
    out = w * (1 - lam)
    np.fill_diagonal(out, np.maximum(np.diag(w), ridge))
    return out, lam


def projection(method: str, s: np.ndarray, residuals: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """The matrix ``P`` (``(n_bottom, n_nodes)``) of a reconciliation method.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    s : np.ndarray
        Summing matrix, aggregates first.
    residuals : np.ndarray, optional
        In-sample one-step errors ``(n_nodes, n_obs)`` in levels (``mint_shrink``).

    Returns
    -------
    (P, info)
        ``info`` holds the shrinkage intensity for ``mint_shrink``.

    Examples
    --------
    >>> p, _ = projection("ols", summing_matrix(2))
    >>> (summing_matrix(2) @ p @ np.array([4.0, 1.0, 2.0])).round(4).tolist()
    [3.6667, 1.3333, 2.3333]
    """
    if method not in METHODS:
        raise ForecastError(f"reconcile={method!r} is not one of: {', '.join(METHODS)}")
    n_nodes, n_bottom = s.shape
    n_agg = n_nodes - n_bottom
    j = np.hstack([np.zeros((n_bottom, n_agg)), np.eye(n_bottom)])
    info: dict = {}
    if method == "bottom_up":
        return j, info
    ut = np.hstack([np.eye(n_agg), -s[:n_agg]])
    if method == "ols":
        w = np.eye(n_nodes)
    elif method == "wls_struct":
        w = np.diag(s.sum(axis=1))
    else:
        if residuals is None:
            raise ForecastError("mint_shrink needs the in-sample errors of every node")
        w, lam = shrunk_covariance(residuals)
        info["shrinkage"] = lam
    utw = ut @ w
    coef = utw @ ut.T
    dep = utw @ j.T
    try:
        p = j - np.linalg.solve(coef, dep).T @ ut
    except np.linalg.LinAlgError:
        raise ForecastError(f"reconcile={method!r}: the weight matrix is singular; use another method") from None
    return p, info


def reconcile_point(base: np.ndarray, s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Coherent forecasts ``S P base`` (``base``: ``(n_nodes, ...)``)."""
    return s @ (p @ base)


def copula_reorder(paths: np.ndarray, corr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder each node's paths so that their ranks follow a Gaussian copula with correlation ``corr``.

    ``paths`` is ``(n_nodes, n_paths, h)``; whole paths are moved (ranked by
    their last value), so each path keeps its shape over the horizon and
    every node keeps its marginal distribution.
    """
    k, n, _ = paths.shape
    vals, vecs = np.linalg.eigh(corr)
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    z = rng.standard_normal((n, k)) @ root.T
    target_rank = np.argsort(np.argsort(z, axis=0), axis=0)  # (n, k)
    out = np.empty_like(paths)
    for i in range(k):
        order = np.argsort(paths[i, :, -1], kind="stable")
        out[i] = paths[i, order[target_rank[:, i]]]
    return out


def reconcile_paths(values: np.ndarray, s: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project level-scale paths ``(n_nodes, n_paths, h)``; bottoms below zero are set to zero and re-summed.

    Returns the coherent paths and, per node, the share of paths whose
    bottom values were clipped.
    """
    k, n, h = values.shape
    flat = values.reshape(k, n * h)
    bottom = p @ flat
    neg = bottom < 0
    bottom = np.where(neg, 0.0, bottom)
    out = (s @ bottom).reshape(k, n, h)
    n_agg = k - bottom.shape[0]
    touched_b = neg.reshape(-1, n, h).any(axis=2).mean(axis=1)
    any_path = neg.reshape(-1, n, h).any(axis=(0, 2)).mean()
    share = np.concatenate([np.full(n_agg, any_path), touched_b])
    return out, share


def correlation(residuals: np.ndarray) -> np.ndarray:
    """Shrunk correlation of log-scale errors ``(n_nodes, n_obs)`` (identity where undefined)."""
    w, _ = shrunk_covariance(residuals)
    d = np.sqrt(np.diag(w))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = w / np.outer(d, d)
    c[~np.isfinite(c)] = 0.0
    np.fill_diagonal(c, 1.0)
    return c


def node_order(keys: Sequence[str], total: str) -> list[str]:
    """Node order used with :func:`summing_matrix`: the total, then the series."""
    return [total, *keys]
