"""Reconciliation: projections, shrunk covariance, paths, and Nixtla's hierarchicalforecast as the oracle."""

from __future__ import annotations

import numpy as np
import pytest

import forecast
from forecast.errors import ForecastError
from forecast.panel import reconcile as rc

hf_methods = pytest.importorskip("hierarchicalforecast.methods")


@pytest.fixture(scope="module")
def states():
    return forecast.fit_panel("ic3_by_state", model="drift", n_paths=500)


def _insample(res, nodes):
    fitted, _ = res.insample()
    actual = res._insample_actuals(fitted.index)
    return actual[nodes].to_numpy(dtype=float).T, fitted[nodes].to_numpy(dtype=float).T


@pytest.mark.parametrize("method", rc.METHODS)
def test_reconciled_points_equal_hierarchicalforecast(states, method):
    point = states.reconciled_point(3, method)
    nodes = list(point.index)
    base = point.attrs["base"].to_numpy()
    s = rc.summing_matrix(len(nodes) - 1)
    if method == "bottom_up":
        peer = hf_methods.BottomUp().fit_predict(S=s, y_hat=base)["mean"]
        # bottom-up is exact: the bottoms unchanged, the total their sum
        assert np.array_equal(point.to_numpy()[1:], base[1:])
        assert np.allclose(point.to_numpy()[0], base[1:].sum(axis=0), rtol=1e-14)
    else:
        kw = {}
        if method == "mint_shrink":
            y, yhat = _insample(states, nodes)
            assert np.isnan(y - yhat).any()  # series of different lengths: the masked estimator is exercised
            kw = {"y_insample": y, "y_hat_insample": yhat}
        peer = hf_methods.MinTrace(method=method).fit_predict(S=s, y_hat=base, **kw)["mean"]
    np.testing.assert_allclose(point.to_numpy(), peer, rtol=1e-6)
    # coherent: the total is the sum of the bottoms
    np.testing.assert_allclose(point.to_numpy()[0], point.to_numpy()[1:].sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("masked", [False, True])
def test_shrunk_covariance_equals_hierarchicalforecast(masked):
    rng = np.random.default_rng(3)
    n_bottom, n_obs = 6, 12
    bottom = rng.standard_normal((n_bottom, n_obs)) * np.arange(1, n_bottom + 1)[:, None] \
        + rng.standard_normal(n_obs)[None, :]
    resid = np.vstack([bottom.sum(axis=0) + rng.standard_normal(n_obs), bottom])
    if masked:
        resid[3, :2] = np.nan
    s = rc.summing_matrix(n_bottom)
    mt = hf_methods.MinTrace(method="mint_shrink")
    _, w_peer = mt._get_PW_matrices(S=s, y_hat=np.ones((n_bottom + 1, 1)), y_insample=resid,
                                    y_hat_insample=np.zeros_like(resid))
    w, lam = rc.shrunk_covariance(resid)
    assert 0 < lam < 1
    np.testing.assert_allclose(w, w_peer, rtol=1e-8, atol=1e-12)


def test_shrinkage_formula_by_hand():
    # Schäfer & Strimmer (2005): lambda = sum var(r_ij) / sum r_ij^2 over i != j, standardised data
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 30))
    x[1] += 0.8 * x[0]
    xc = x - x.mean(axis=1, keepdims=True)
    n = x.shape[1]
    xs = xc / xc.std(axis=1, keepdims=True)
    num = den = 0.0
    for i in range(3):
        for j in range(3):
            if i != j:
                wk = xs[i] * xs[j]
                num += n / (n - 1) ** 3 * ((wk - wk.mean()) ** 2).sum()
                den += (n / (n - 1) * wk.mean()) ** 2
    lam = num / den
    w, got = rc.shrunk_covariance(x)
    assert got == pytest.approx(lam, rel=1e-6)
    cov = np.cov(x)
    assert w[0, 1] == pytest.approx((1 - lam) * cov[0, 1], rel=1e-6)
    assert np.allclose(np.diag(w), np.diag(cov))


@pytest.mark.parametrize("method", ["ols", "wls_struct"])
def test_projection_is_a_projection_onto_coherent_forecasts(method):
    s = rc.summing_matrix(4)
    p, _ = rc.projection(method, s)
    np.testing.assert_allclose(p @ s, np.eye(4), atol=1e-12)  # coherent forecasts are left unchanged
    # OLS against the textbook formula (S'S)^-1 S'
    if method == "ols":
        np.testing.assert_allclose(p, np.linalg.solve(s.T @ s, s.T), atol=1e-12)
    else:
        w_inv = np.diag(1 / s.sum(axis=1))
        np.testing.assert_allclose(p, np.linalg.solve(s.T @ w_inv @ s, s.T @ w_inv), atol=1e-12)


def test_unknown_method():
    with pytest.raises(ForecastError, match="reconcile='topdown' is not one of"):
        rc.projection("topdown", rc.summing_matrix(2))


def test_paths_are_coherent_and_nonnegative_after_clipping():
    rng = np.random.default_rng(1)
    s = rc.summing_matrix(3)
    values = np.exp(rng.standard_normal((4, 200, 2)) + np.array([3.0, 2.0, 0.0, -3.0])[:, None, None])
    p, _ = rc.projection("ols", s)
    rec, share = rc.reconcile_paths(values, s, p)
    assert (rec >= 0).all()
    np.testing.assert_allclose(rec[0], rec[1:].sum(axis=0), rtol=1e-12)
    assert share[3] > 0  # the smallest series was pushed below zero in some paths
    # without clipping, the mean of reconciled paths is the projection of the mean of base paths
    bu, share_bu = rc.reconcile_paths(values, s, rc.projection("bottom_up", s)[0])
    assert not share_bu.any()
    np.testing.assert_allclose(bu.mean(axis=1), rc.reconcile_point(values.mean(axis=1), s,
                                                                   rc.projection("bottom_up", s)[0]), rtol=1e-12)


def test_copula_reorder_keeps_marginals_and_imposes_dependence():
    rng = np.random.default_rng(2)
    paths = rng.standard_normal((2, 4000, 1))
    corr = np.array([[1.0, 0.9], [0.9, 1.0]])
    out = rc.copula_reorder(paths, corr, np.random.default_rng(0))
    for i in range(2):
        assert np.array_equal(np.sort(out[i, :, 0]), np.sort(paths[i, :, 0]))
    assert abs(np.corrcoef(paths[0, :, 0], paths[1, :, 0])[0, 1]) < 0.05
    assert np.corrcoef(out[0, :, 0], out[1, :, 0])[0, 1] == pytest.approx(0.9, abs=0.03)
