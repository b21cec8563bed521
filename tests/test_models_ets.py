"""ETS(A,A,N) and ETS(A,Ad,N) on log y: multi-start fit, statsmodels agreement, uncertainty."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.errors import ModelError
from forecast.intervals import validate_frame
from forecast.families import _ets_grid as eg
from forecast.families._common import single_thread_blas
from forecast.families.ets import fit_ets, fit_ets_damped

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def ic3():
    d = pd.read_csv(GOLDEN / "ic3_losses_r_input.csv")
    return pd.Series(d["reported_losses_usd"].to_numpy(dtype=float), index=d["year"].to_numpy())


@pytest.fixture(scope="module")
def ic3_fits(ic3):
    return fit_ets(ic3), fit_ets_damped(ic3)


def _sm_model(res):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    return ETSModel(np.log(res.y), error="add", trend="add", damped_trend=res.damped_)


def test_ic3_reaches_the_higher_likelihood_peak(ic3_fits):
    aan, damped = ic3_fits
    # METHODS.md: -7.1 (A,A,N) and -6.0 with phi ~ 0.91 (A,Ad,N); the default start finds -7.8 and -9.2
    assert aan.loglike == pytest.approx(-7.1035, abs=0.01)
    assert damped.loglike == pytest.approx(-6.0230, abs=0.01)
    assert damped.params.loc["damping_trend", "estimate"] == pytest.approx(0.908, abs=0.02)
    for res, default in ((aan, -7.82), (damped, -9.18)):
        s = res.starts_
        assert s.loc[s["chosen"], "loglike"].iloc[0] == s["loglike"].max()
        assert res.loglike == pytest.approx(s["loglike"].max(), abs=1e-9)
        # statsmodels' own fit from its default start (not run by the package) ends on the lower peak
        mod = _sm_model(res)
        with single_thread_blas():
            low = mod.loglike(mod.fit(disp=False, return_params=True))
        assert low == pytest.approx(default, abs=0.02) and low < res.loglike - 0.5
        # the fit's likelihood is statsmodels' at the estimates
        assert mod.loglike(np.asarray(res.sm_params_)) == pytest.approx(res.loglike, abs=1e-8)


def test_a_peak_on_the_bounds_is_found():
    """A likelihood rising towards alpha = 1, beta = 0 peaks on the bounds, where the grid's midpoints never look."""
    rng = np.random.default_rng(0)
    series = []
    for _ in range(40):  # the simulated series of the start study; one of them peaks at the corner
        n = int(rng.integers(8, 30))
        g = 0.3 * rng.standard_normal() + np.cumsum(0.05 * rng.standard_normal(n))
        series.append(pd.Series(np.exp(np.cumsum(g * 0.3 + 0.1 * rng.standard_normal(n)) + 10),
                                index=range(2000, 2000 + n)))
    hits = 0
    for y in series:
        res = fit_ets(y)
        s = res.starts_.set_index("start")
        if s.loc["best point on the bounds", "loglike"] > s.drop("best point on the bounds")["loglike"].max() + 0.1:
            hits += 1
            assert bool(s.loc["best point on the bounds", "chosen"])
            mod = _sm_model(res)
            with single_thread_blas():
                sm_best = mod.loglike(mod.fit(disp=False, return_params=True))
            assert res.loglike >= sm_best - 1e-6
    assert hits >= 1


@pytest.mark.parametrize("damped", [False, True])
def test_chosen_fit_is_the_maximum_of_an_independent_multistart(ic3, damped):
    # brute force: statsmodels from a 3 x 3 (x 2) grid of starts, initial states by a heuristic
    res = (fit_ets_damped if damped else fit_ets)(ic3)
    mod = _sm_model(res)
    ly = np.log(res.y.to_numpy())
    best = -np.inf
    with single_thread_blas():
        best = _brute_force(mod, ly, damped)
    assert res.loglike >= best - 1e-4


def _brute_force(mod, ly, damped):
    best = -np.inf
    for a in (0.1, 0.5, 0.9):
        for bf in (0.05, 0.5, 0.95):
            for phi in ((0.85, 0.95) if damped else (None,)):
                sp = [a, a * bf] + ([phi] if damped else []) + [ly[0], ly[1] - ly[0]]
                best = max(best, mod.loglike(mod.fit(start_params=sp, disp=False, return_params=True)))
    return best


def test_profile_likelihood_equals_statsmodels_loglike(ic3):
    ly = np.log(fit_ets(ic3).y.to_numpy())
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    for damped in (False, True):
        mod = ETSModel(pd.Series(ly), error="add", trend="add", damped_trend=damped)
        a = np.array([0.3, 0.7, 0.5])
        b = np.array([0.1, 0.2, 0.45])
        phi = np.array([0.9, 0.85, 0.95]) if damped else np.ones(3)
        prof = eg.profile(ly, a, b, phi)
        for i in range(3):
            par = [a[i], b[i]] + ([phi[i]] if damped else []) + list(prof.x0[i])
            assert prof.loglike[i] == pytest.approx(mod.loglike(np.array(par)), abs=1e-8)
            # the profiled initial states are optimal: moving them lowers the likelihood
            par[-1] += 0.01
            assert mod.loglike(np.array(par)) < prof.loglike[i]


@pytest.mark.parametrize("damped", [False, True])
def test_without_parameter_uncertainty_equals_statsmodels(ic3, damped):
    res = (fit_ets_damped if damped else fit_ets)(ic3, param_uncertainty=False)
    f = res.forecast(horizon=6, levels=(80, 95))
    sm = res.sm_result_
    pred = sm.get_prediction(start=res.nobs, end=res.nobs + 5)
    for level in (80, 95):
        sf = pred.summary_frame(alpha=1 - level / 100)
        np.testing.assert_allclose(f[f"lower_{level}"], np.exp(sf["pi_lower"]), rtol=1e-10)
        np.testing.assert_allclose(f[f"upper_{level}"], np.exp(sf["pi_upper"]), rtol=1e-10)
    np.testing.assert_allclose(f["median"], np.exp(sm.forecast(6)), rtol=1e-10)


def test_numpy_simulation_agrees_with_statsmodels_simulation(ic3):
    # fixed parameters: our vectorised recursions against statsmodels' own simulate()
    res = fit_ets_damped(ic3, param_uncertainty=False)
    ours = np.log(res.simulate(horizon=4, n=20000, seed=5).to_numpy())
    theirs = np.asarray(res.sm_result_.simulate(4, repetitions=20000, anchor="end",
                                                   rng=np.random.default_rng(6)))
    closed = res.predictive(4)
    for j in range(4):
        for q in (0.05, 0.5, 0.95):
            exact = stats.norm.ppf(q, closed.loc[j], closed.scale[j])
            assert np.quantile(ours[j], q) == pytest.approx(exact, abs=0.03 * closed.scale[j] + 0.01)
            assert np.quantile(theirs[j], q) == pytest.approx(exact, abs=0.03 * closed.scale[j] + 0.01)


def test_parameter_uncertainty_widens_intervals(ic3_fits, ic3):
    aan, _ = ic3_fits
    plug = fit_ets(ic3, param_uncertainty=False)
    w = np.log(aan.forecast(horizon=6)["upper_95"] / aan.forecast(horizon=6)["lower_95"])
    w0 = np.log(plug.forecast(horizon=6)["upper_95"] / plug.forecast(horizon=6)["lower_95"])
    assert (w.to_numpy() > w0.to_numpy()).all()
    validate_frame(aan.forecast(horizon=6))


@pytest.mark.parametrize("damped", [False, True])
def test_parameter_recovery(damped):
    # long simulated series; tolerances ~3 standard errors at n = 400
    rng = np.random.default_rng(31)
    alpha, beta, phi, sigma = 0.5, 0.15, (0.9 if damped else 1.0), 0.05
    ly = eg.simulate_forward(np.array([1.0]), np.array([0.05]), alpha, beta, phi, sigma,
                             rng.standard_normal((1, 400)))[0]
    y = pd.Series(np.exp(ly), index=range(1600, 2000))
    res = (fit_ets_damped if damped else fit_ets)(y, n_draws=500)
    p = res.params["estimate"]
    assert p["smoothing_level"] == pytest.approx(alpha, abs=0.1)
    assert p["smoothing_trend"] == pytest.approx(beta, abs=0.07)
    assert p["sigma"] == pytest.approx(sigma, rel=0.1)
    if damped:
        assert p["damping_trend"] == pytest.approx(phi, abs=0.06)


def test_same_seed_same_numbers(ic3):
    a, b = fit_ets(ic3, seed=3), fit_ets(ic3, seed=3)
    pd.testing.assert_frame_equal(a.forecast(horizon=4), b.forecast(horizon=4))
    pd.testing.assert_frame_equal(a.simulate(4, 200, seed=1), b.simulate(4, 200, seed=1))
    # the shared years of two horizons agree
    pd.testing.assert_frame_equal(a.forecast(horizon=2), a.forecast(horizon=5).iloc[:2], check_like=True)
    c = fit_ets(ic3, seed=4).forecast(horizon=4)
    assert not c.equals(a.forecast(horizon=4))
    # Monte Carlo error of the default 10000 draws: the 97.5% quantile of two
    # seeds differs by ~3% (sd) here; 10% is about 3.5 sd
    np.testing.assert_allclose(c["upper_95"], a.forecast(horizon=4)["upper_95"], rtol=0.10)
    np.testing.assert_allclose(c["median"], a.forecast(horizon=4)["median"], rtol=0.03)


def test_gaps_and_length(ic3):
    with pytest.raises(ModelError, match="2010"):
        fit_ets(ic3, gaps="refuse")
    short = ic3.iloc[-5:]
    with pytest.raises(ModelError, match="at least 6"):
        fit_ets(short)
    with pytest.raises(ModelError, match="at least 7"):
        fit_ets_damped(ic3.iloc[-6:])
    validate_frame(fit_ets(ic3.iloc[-6:]).forecast(horizon=3))
    validate_frame(fit_ets_damped(ic3.iloc[-7:]).forecast(horizon=3))


@pytest.mark.parametrize("damped", [False, True])
def test_polished_starts_are_statsmodels_maxima(ic3, damped):
    # each start climbed by the numpy pattern search on the concentrated likelihood is a maximum of
    # statsmodels' own likelihood: statsmodels' optimiser started there finds nothing higher
    res = (fit_ets_damped if damped else fit_ets)(ic3)
    mod = _sm_model(res)
    s = res.starts_
    polished = s[s["start"].str.startswith("grid start")]
    assert len(polished) == 2 and not polished["convergence_trouble"].any()
    ly = np.log(res.y.to_numpy())
    prof = eg.profile(ly, *eg.grid(damped, size=30, phi_size=8 if damped else 1))
    from forecast.families.ets import _start_indices

    at = _start_indices(prof, damped)
    pts = np.column_stack([prof.alpha[at], prof.beta[at] / prof.alpha[at]] + ([prof.phi[at]] if damped else []))
    top, ll, converged = eg.polish(ly, pts, np.array([1 / 60, 1 / 60] + ([0.18 / 14] if damped else [])))
    assert converged.all()
    np.testing.assert_allclose(ll, polished["loglike"].to_numpy(), atol=1e-9)
    tprof = eg.profile(ly, top[:, 0], top[:, 0] * top[:, 1], top[:, 2] if damped else np.ones(len(top)))
    with single_thread_blas():
        for j in range(len(top)):
            par = [tprof.alpha[j], tprof.beta[j]] + ([tprof.phi[j]] if damped else []) + list(tprof.x0[j])
            refit = mod.loglike(mod.fit(start_params=par, disp=False, return_params=True))
            assert refit <= ll[j] + 1e-6
            # and it is the profile's value: statsmodels' likelihood at the same point agrees
            assert mod.loglike(np.array(par)) == pytest.approx(ll[j], abs=1e-8)


def test_forecast_reuses_the_fit_draws_exactly(ic3):
    # the posterior draws made at fit time (for the standard errors) are reused by the forecast;
    # the numbers are those of a fresh generator, and follow n_draws and seed if they are changed
    res = fit_ets(ic3, n_draws=2000, seed=5)
    rng = np.random.default_rng(5)
    fresh = res._simulate(res.predictive(3).years, 2000, rng)
    np.testing.assert_array_equal(res.predictive(3).samples, fresh)
    res.n_draws, res.seed = 3000, 6
    pd.testing.assert_frame_equal(res.forecast(horizon=3), fit_ets(ic3, n_draws=3000, seed=6).forecast(horizon=3))


@pytest.mark.parametrize("damped", [False, True])
def test_the_estimate_is_made_only_when_asked_for(ic3, damped, monkeypatch):
    # a backtest reads forecasts only: the climbs from several starts (the maximum-likelihood estimate) run the
    # first time params, notes, loglike ... are read, once, and give the same numbers as a result read at once
    import forecast.families.ets as ets_mod

    fitter = fit_ets_damped if damped else fit_ets
    calls = []
    real = ets_mod._estimate
    monkeypatch.setattr(ets_mod, "_estimate", lambda *a, **k: calls.append(1) or real(*a, **k))
    late = fitter(ic3)
    pred = late.predictive(4)  # what a backtest reads
    assert calls == []
    early = fitter(ic3)
    early_params = early.params.copy()
    assert calls == [1]
    np.testing.assert_array_equal(pred.samples, early.predictive(4).samples)  # the estimate leaves them alone
    assert late.loglike == early.loglike and late.notes == early.notes and calls == [1, 1]
    pd.testing.assert_frame_equal(late.params, early_params)
    pd.testing.assert_frame_equal(late.starts_, early.starts_)
    pd.testing.assert_series_equal(late.fitted, early.fitted)
    assert late.aicc == early.aicc and late.sm_params_.tolist() == early.sm_params_.tolist()
    pd.testing.assert_frame_equal(late.forecast(horizon=4), early.forecast(horizon=4))
    assert calls == [1, 1]  # made once per result
    with pytest.raises(AttributeError):
        late.no_such_attribute  # noqa: B018


def test_a_likelihood_that_cannot_be_evaluated_is_a_model_error(ic3, monkeypatch):
    # every grid point's posterior must be finite for the draws: a fit says so at once, as a ModelError
    # (not as numpy's ValueError from weights that hold a NaN)
    real = eg.profile

    def broken(y, alpha, beta, phi):
        prof = real(y, alpha, beta, phi)
        prof.logdet_mtm[0] = np.nan
        return prof
    monkeypatch.setattr(eg, "profile", broken)
    with pytest.raises(ModelError, match="could not be evaluated"):
        fit_ets(ic3)
