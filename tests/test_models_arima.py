"""ARIMA(1,1,0) with drift on log y."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ModelError
from forecast.intervals import validate_frame
from forecast.families.arima import exact_loglike, fit_arima

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def ic3():
    d = pd.read_csv(GOLDEN / "ic3_losses_r_input.csv")
    return pd.Series(d["reported_losses_usd"].to_numpy(dtype=float), index=d["year"].to_numpy())


def _simulate(n, phi, delta, sigma, rng, burn=100):
    d = np.empty(n + burn)
    prev = delta
    for i in range(n + burn):
        prev = delta + phi * (prev - delta) + sigma * rng.standard_normal()
        d[i] = prev
    return np.cumsum(d[burn:])


def test_exact_likelihood_equals_statsmodels(ic3):
    # an independent computation (Prais-Winsten form) of the likelihood statsmodels maximises
    res = fit_arima(ic3)
    d = np.diff(np.log(res.y.to_numpy()))
    m = res.mle_
    assert exact_loglike(d, m["phi"], m["delta"], m["sigma"] ** 2) == pytest.approx(res.loglike, abs=1e-4)
    # and it is the maximum: nearby parameters do worse
    for dp in ((0.05, 0, 0), (-0.05, 0, 0), (0, 0.02, 0), (0, -0.02, 0), (0, 0, 0.01)):
        assert exact_loglike(d, m["phi"] + dp[0], m["delta"] + dp[1], m["sigma"] ** 2 + dp[2]) < res.loglike


def test_drift_is_statsmodels_trend_t_on_differences(ic3):
    # trend="t" with d=1 is a constant (the drift) in the differences: the same
    # fit as an AR(1) with a mean on the log differences
    from statsmodels.tsa.arima.model import ARIMA

    res = fit_arima(ic3, param_uncertainty=False)
    d = pd.Series(np.diff(np.log(res.y.to_numpy())), index=res.y.index[1:])
    ar = ARIMA(d, order=(1, 0, 0), trend="c").fit()
    const, phi = float(ar.params["const"]), float(ar.params["ar.L1"])
    assert res.params.loc["drift", "estimate"] == pytest.approx(const, abs=1e-3)
    assert res.params.loc["ar1", "estimate"] == pytest.approx(phi, abs=1e-3)
    assert res.loglike == pytest.approx(ar.llf, abs=1e-3)
    assert res.params.loc["ar1", "estimate"] == pytest.approx(-0.356, abs=0.01)


def test_without_parameter_uncertainty_equals_statsmodels(ic3):
    res = fit_arima(ic3, param_uncertainty=False)
    f = res.forecast(horizon=6, levels=(80, 95))
    fc = res.sm_result_.get_forecast(6)
    for level in (80, 95):
        sf = fc.summary_frame(alpha=1 - level / 100)
        np.testing.assert_allclose(f[f"lower_{level}"], np.exp(sf["mean_ci_lower"]), rtol=1e-10)
        np.testing.assert_allclose(f[f"upper_{level}"], np.exp(sf["mean_ci_upper"]), rtol=1e-10)
    np.testing.assert_allclose(f["median"], np.exp(sf["mean"]), rtol=1e-10)
    # our path simulation with the same fixed parameters reproduces those quantiles
    paths = np.log(res.simulate(horizon=6, n=40000, seed=2).to_numpy())
    pred = res.predictive(6)
    # Monte Carlo SE with 40000 paths: ~0.014 sd (97.5%), ~0.006 sd (median); tolerance ~4 SE
    err_hi = np.quantile(paths, 0.975, axis=1) - (pred.loc + 1.959964 * pred.scale)
    err_med = np.quantile(paths, 0.5, axis=1) - pred.loc
    assert (np.abs(err_hi) < 0.06 * pred.scale).all()
    assert (np.abs(err_med) < 0.025 * pred.scale).all()


def test_parameter_uncertainty_widens_intervals(ic3):
    w = fit_arima(ic3).forecast(horizon=6)
    w0 = fit_arima(ic3, param_uncertainty=False).forecast(horizon=6)
    validate_frame(w)
    assert (np.log(w["upper_95"] / w["lower_95"]) > np.log(w0["upper_95"] / w0["lower_95"])).all()
    # the medians stay close to the maximum-likelihood forecast
    np.testing.assert_allclose(w["median"], w0["median"], rtol=0.05)


@pytest.mark.parametrize("phi", [-0.4, 0.5])
def test_parameter_recovery(phi):
    # n = 400 differences: SE(phi) ~ 0.045, SE(drift) ~ 0.1/(1-phi)/20; tolerances ~4 SE
    rng = np.random.default_rng(41)
    ly = _simulate(401, phi, 0.1, 0.1, rng)
    res = fit_arima(pd.Series(np.exp(ly), index=range(1600, 2001)), n_draws=500)
    p = res.params["estimate"]
    assert p["ar1"] == pytest.approx(phi, abs=0.18)
    assert p["drift"] == pytest.approx(0.1, abs=4 * 0.1 / (1 - phi) / 20)
    assert p["sigma"] == pytest.approx(0.1, rel=0.1)
    # posterior standard deviations are close to the asymptotic standard errors
    assert res.params.loc["ar1", "std_err"] == pytest.approx(np.sqrt((1 - phi**2) / 400), rel=0.3)


def test_gaps_length_and_determinism(ic3):
    with pytest.raises(ModelError, match="2010"):
        fit_arima(ic3, gaps="refuse")
    with pytest.raises(ModelError, match="at least 5"):
        fit_arima(ic3.iloc[-4:])
    validate_frame(fit_arima(ic3.iloc[-5:]).forecast(horizon=3))
    a, b = fit_arima(ic3, seed=9), fit_arima(ic3, seed=9)
    pd.testing.assert_frame_equal(a.forecast(horizon=3), b.forecast(horizon=3))
    pd.testing.assert_frame_equal(a.simulate(3, 100, seed=4), b.simulate(3, 100, seed=4))


@pytest.mark.parametrize("case", ["ic3", "sim-0.4", "sim0.6"])
def test_statsmodels_optimiser_finds_nothing_higher(ic3, case):
    # the one-dimensional exact ML is the maximum statsmodels' own optimiser would reach
    from statsmodels.tsa.arima.model import ARIMA

    if case == "ic3":
        y = ic3
    else:
        ly = _simulate(25, float(case[3:]), 0.15, 0.2, np.random.default_rng(7))
        y = pd.Series(np.exp(ly), index=range(2000, 2025))
    res = fit_arima(y, param_uncertainty=False)
    mod = ARIMA(pd.Series(np.log(res.y.to_numpy()), index=res.y.index), order=(1, 1, 0), trend="t")
    start = np.array([res.mle_["delta"], res.mle_["phi"], res.mle_["sigma"] ** 2])
    sm = mod.fit(start_params=start, cov_type="none")
    assert sm.llf <= res.loglike + 1e-4
    # the fit's likelihood is the exact one; statsmodels' treats the first observation as approximately diffuse
    d = np.diff(np.log(res.y.to_numpy()))
    assert res.loglike == pytest.approx(exact_loglike(d, start[1], start[0], start[2]), abs=1e-12)
    assert res.loglike == pytest.approx(float(mod.loglike(start)), abs=1e-4)
    assert not any("convergence" in n for n in res.notes)


def test_statsmodels_fit_takes_over_when_the_likelihoods_disagree(ic3, monkeypatch):
    import forecast.families.arima as arima_mod

    ref = fit_arima(ic3, param_uncertainty=False)
    assert ref._sm_result is None  # the usual path builds statsmodels' results only when asked
    monkeypatch.setattr(arima_mod, "exact_loglike", lambda *a, **k: np.inf)
    res = arima_mod.fit_arima(ic3, param_uncertainty=False)
    assert res._sm_result is not None  # statsmodels' own fit was run
    assert res.loglike == pytest.approx(ref.loglike, abs=1e-5)
    np.testing.assert_allclose(res.params["estimate"], ref.params["estimate"], atol=1e-3)
    validate_frame(res.forecast(horizon=3))


def test_forecast_reuses_the_fit_draws_exactly(ic3):
    res = fit_arima(ic3, n_draws=2000, seed=5)
    fresh = res._simulate(res.predictive(3).years, 2000, np.random.default_rng(5))
    np.testing.assert_array_equal(res.predictive(3).samples, fresh)
    res.n_draws, res.seed = 3000, 6
    pd.testing.assert_frame_equal(res.forecast(horizon=3), fit_arima(ic3, n_draws=3000, seed=6).forecast(horizon=3))
