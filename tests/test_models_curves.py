"""Logistic and Gompertz curves: recovery, standard errors, capacity identification, options, schema."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import forecast.families as models
from forecast.errors import ModelError
from forecast.intervals import validate_frame
from forecast.families._curve import FAR_MULTIPLE, GompertzCurve, LogisticCurve
from forecast.families.gompertz import fit_gompertz
from forecast.families.logistic import fit_logistic

ROOT = Path(__file__).resolve().parents[1]
YEARS = np.arange(2000, 2025)

# true curves on the log scale; both cover the inflection and the approach to K
LOGI = {"K": 100.0, "r": 0.35, "t0": 2014.0}
GOMP = {"K": 100.0, "b": 1.0, "c": 0.2}  # tref = 2012 = mean of 2000..2024


def log_logistic(t, K=LOGI["K"], r=LOGI["r"], t0=LOGI["t0"]):
    return np.log(K) - np.logaddexp(0.0, -r * (np.asarray(t, float) - t0))


def log_gompertz(t, K=GOMP["K"], b=GOMP["b"], c=GOMP["c"], tref=2012.0):
    return np.log(K) - b * np.exp(-c * (np.asarray(t, float) - tref))


def simulate(logf, years=YEARS, sigma=0.08, seed=0, unit="USD"):
    rng = np.random.default_rng(seed)
    y = pd.Series(np.exp(logf(years) + sigma * rng.standard_normal(len(years))), index=years)
    y.attrs["unit"] = unit
    return y


def ic3_series() -> pd.Series:
    """IC3 first-reported losses 2001-2024 (2010 missing), from the package data."""
    import forecast

    y = forecast.series("ic3")
    return pd.Series(y.to_numpy(float), index=[p.year for p in y.index])


# ------------------------------------------------------------------ recovery
def test_logistic_recovers_parameters():
    y = simulate(log_logistic, sigma=0.05, seed=11)
    res = fit_logistic(y)
    p = res.params
    assert res.identified and p["identified"].all()
    # stated tolerances: K within 5%, r within 5%, t0 within half a year, each within 3 standard errors
    for name, rel, absol in (("K", 0.05, None), ("r", 0.05, None), ("t0", None, 0.5)):
        est, se, true = p.loc[name, "estimate"], p.loc[name, "std_err"], LOGI[name]
        assert abs(est - true) <= (rel * true if rel else absol), name
        assert abs(est - true) <= 3 * se, name
    assert 0.03 < p.loc["sigma", "estimate"] < 0.07


def test_gompertz_recovers_parameters():
    y = simulate(log_gompertz, sigma=0.05, seed=12)
    res = fit_gompertz(y)
    p = res.params
    assert res.identified and p["identified"].all()
    assert res.diagnostics["tref"] == pytest.approx(2012.0)
    for name, rel in (("K", 0.05), ("b", 0.08), ("c", 0.05)):
        est, se, true = p.loc[name, "estimate"], p.loc[name, "std_err"], GOMP[name]
        assert abs(est - true) <= rel * true, name
        assert abs(est - true) <= 3 * se, name
    assert 0.03 < p.loc["sigma", "estimate"] < 0.07


@pytest.mark.slow
@pytest.mark.parametrize("fitter,logf,names", [
    (fit_logistic, log_logistic, ["K", "r", "t0"]),
    (fit_gompertz, log_gompertz, ["K", "b", "c"]),
])
def test_standard_errors_match_spread_over_replications(fitter, logf, names):
    est, se = [], []
    for seed in range(60):
        p = fitter(simulate(logf, sigma=0.08, seed=1000 + seed)).params
        est.append(p.loc[names, "estimate"].to_numpy(float))
        se.append(p.loc[names, "std_err"].to_numpy(float))
    ratio = np.mean(se, axis=0) / np.std(est, axis=0, ddof=1)
    # 60 replications estimate a standard deviation to about 10%
    assert np.all((ratio > 0.75) & (ratio < 1.33)), dict(zip(names, ratio))


@pytest.mark.parametrize("curve,fitter,logf", [
    (LogisticCurve(), fit_logistic, log_logistic),
    (GompertzCurve(), fit_gompertz, log_gompertz),
])
def test_fit_is_the_least_squares_maximum(curve, fitter, logf):
    """An independent optimiser started at the truth finds no better fit."""
    y = simulate(logf, sigma=0.1, seed=5)
    res = fitter(y)
    t = np.arange(2000, 2025, dtype=float) - res.tbar
    logy = np.log(y.to_numpy())
    if isinstance(curve, LogisticCurve):
        x0 = [math.log(LOGI["K"]), math.log(LOGI["r"]), LOGI["t0"] - res.tbar]
    else:
        x0 = [math.log(GOMP["K"]), math.log(GOMP["b"]), math.log(GOMP["c"])]
    sol = optimize.minimize(lambda th: float(((logy - curve.log_f(th, t)) ** 2).sum()), x0, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
    assert res.rss <= sol.fun * (1 + 1e-6)
    assert res.rss == pytest.approx(float((res.residuals ** 2).sum()))


@pytest.mark.parametrize("fitter,logf", [(fit_logistic, log_logistic), (fit_gompertz, log_gompertz)])
def test_standard_errors_agree_with_numerical_hessian(fitter, logf):
    """Independent check: inverse of a finite-difference Hessian of the full log-likelihood."""
    from statsmodels.tools.numdiff import approx_hess3

    y = simulate(logf, sigma=0.08, seed=17)
    res = fitter(y)
    n, p = len(y), len(res.theta)
    tau = np.array([q.year for q in res.y.index], float) - res.tbar
    logy = np.log(y.to_numpy())

    def loglik(x):
        th, log_s = x[:p], x[p]
        r = logy - res.curve.log_f(th, tau)
        return -n * log_s - 0.5 * n * math.log(2 * math.pi) - float(r @ r) / (2 * math.exp(2 * log_s))

    x_hat = np.concatenate([res.theta, [0.5 * math.log(res.rss / n)]])
    cov = np.linalg.inv(-approx_hess3(x_hat, loglik))
    se_num = np.sqrt(np.diag(cov))[:p] * math.sqrt(n / (n - p))  # ML variance -> RSS/(n-p) convention
    se_ours = np.sqrt(np.diag(res.cov_unscaled) * res.rss / (n - p))
    np.testing.assert_allclose(se_ours, se_num, rtol=0.10)
    # delta method to the reported K
    assert res.params.loc["K", "std_err"] == pytest.approx(res.params.loc["K", "estimate"] * se_ours[0], rel=1e-9)


def test_aicc_from_log_scale_likelihood():
    y = simulate(log_logistic, seed=3)
    res = fit_logistic(y)
    n = len(y)
    resid = res.residuals.to_numpy()
    ll = stats.norm.logpdf(resid, scale=math.sqrt((resid ** 2).mean())).sum()
    k = 4
    assert res.loglik == pytest.approx(ll, rel=1e-9)
    assert res.aicc == pytest.approx(-2 * ll + 2 * k + 2 * k * (k + 1) / (n - k - 1), rel=1e-9)


# ------------------------------------------------------------ identification
@pytest.mark.parametrize("fitter", [fit_logistic, fit_gompertz])
def test_exponential_series_capacity_not_identified(fitter):
    y = simulate(lambda t: math.log(5.0) + 0.25 * (t - 2000), sigma=0.1, seed=7)
    res = fitter(y)
    assert not res.identified
    row = res.params.loc["K"]
    assert not row["identified"] and np.isnan(row["estimate"]) and np.isnan(row["std_err"])
    assert res.params.loc["sigma", "identified"]
    assert any(n.startswith("capacity K is not identified by the data: the observations lie on the exponential "
                            "part of the curve") for n in res.notes)
    note = next(n for n in res.notes if n.startswith("capacity K is not identified"))
    for alt in ("model='exponential'", "capacity=", "capacity_share_of_gdp="):
        assert alt in note
    assert "not identified by the data" in res.summary()
    with pytest.raises(ModelError, match="capacity K is not identified") as err:
        res.forecast(horizon=3)
    assert "\n" not in str(err.value) and "model='exponential'" in str(err.value)
    with pytest.raises(ModelError, match="not identified"):
        res.simulate(3, n=10)


def test_ic3_logistic_capacity_not_identified():
    y = ic3_series()
    assert len(y) == 23 and 2010 not in set(int(v) for v in y.index)
    res = fit_logistic(y)
    assert not res.identified
    assert not res.params.loc["K", "identified"] and not res.params.loc["t0", "identified"]
    assert np.isnan(res.params.loc["K", "estimate"])
    # growth rate along the exponential limit: about 25% a year
    assert 0.2 < res.params.loc["r", "estimate"] < 0.3
    # the profile is flat: a ceiling e times the 2024 value costs about 1 unit of log-likelihood (METHODS.md)
    assert 0.5 < res.diagnostics["profile_drop_e_x_max"] < 1.92
    assert res.diagnostics["profile_drop_far"] < 1.92
    prof = res.profile_capacity()
    assert list(prof.columns) == ["capacity", "multiple_of_max", "loglik", "drop"]
    assert (prof["drop"] >= -1e-6).all()
    assert prof["drop"].is_monotonic_decreasing  # more capacity, better fit: no ceiling in sight
    # the note quotes the drop at FAR_MULTIPLE times the largest value as the profile table shows it
    # (2 significant digits: "0.0025", never a rounded "0.00")
    far = float(prof.loc[np.isclose(prof["multiple_of_max"], FAR_MULTIPLE), "drop"].iloc[0])
    note = next(n for n in res.notes if "lowers the log-likelihood by only" in n)
    assert f"by only {far:.2g} " in note and "by only 0.00 " not in note
    with pytest.raises(ModelError, match="not identified"):
        res.forecast(horizon=6)


def test_ic3_gompertz_capacity_not_identified():
    res = fit_gompertz(ic3_series())
    assert not res.identified
    assert not res.params.loc[["K", "b", "c"], "identified"].any()
    assert res.diagnostics["profile_drop_far"] < 1.92
    with pytest.raises(ModelError, match="not identified"):
        res.forecast(horizon=6)


def test_identified_fit_profile_has_its_maximum_at_the_estimate():
    res = fit_logistic(simulate(log_logistic, seed=21))
    k_hat = res.params.loc["K", "estimate"]
    prof = res.profile_capacity([0.9 * k_hat, k_hat, 1.1 * k_hat, FAR_MULTIPLE * float(res.y.max())])
    assert prof["drop"].iloc[1] == pytest.approx(0.0, abs=1e-6)
    assert (prof["drop"] > -1e-6).all()
    assert prof["drop"].iloc[3] > 1.92
    with pytest.raises(ModelError, match="positive"):
        res.profile_capacity([-1.0])


# ----------------------------------------------------------------- options
@pytest.mark.parametrize("fitter", [fit_logistic, fit_gompertz])
def test_supplied_capacity_is_used_and_forecasts_approach_it(fitter):
    y = simulate(lambda t: math.log(5.0) + 0.25 * (t - 2000), sigma=0.1, seed=7)
    cap = 3.0 * float(y.max())
    res = fitter(y, capacity=cap)
    assert res.identified and res.capacity_source == "supplied"
    assert res.params.loc["K", "estimate"] == pytest.approx(cap, rel=1e-12)
    assert np.isnan(res.params.loc["K", "std_err"]) and res.params.loc["K", "identified"]
    assert any("conditional on this capacity" in n for n in res.notes)
    fc = res.forecast(until=2150)
    validate_frame(fc)
    med = fc["median"].to_numpy()
    # far ahead every draw of the curve is at K; the median then differs from K by Monte Carlo noise only
    np.testing.assert_allclose(med[-20:], cap, rtol=0.03)
    assert np.all(med <= cap * 1.03) and med[0] < 0.8 * cap
    assert res.options["capacity"] == cap
    refit = fitter(y, **res.options)  # options refit the same model
    pd.testing.assert_frame_equal(refit.params, res.params)


@pytest.mark.parametrize("fitter", [fit_logistic, fit_gompertz])
def test_capacity_must_exceed_the_data(fitter):
    y = simulate(log_logistic)
    with pytest.raises(ModelError, match="not above the largest observation"):
        fitter(y, capacity=float(y.max()) * 0.9)
    with pytest.raises(ModelError, match="positive"):
        fitter(y, capacity=-3)
    with pytest.raises(ModelError, match="at most one"):
        fitter(y, capacity=1e3, capacity_share_of_gdp=0.01, world_gdp=1e5)


def test_capacity_as_share_of_world_gdp():
    y = simulate(lambda t: math.log(5e6) + 0.25 * (t - 2000), sigma=0.1, seed=8)
    res = fit_logistic(y, capacity_share_of_gdp=0.01, world_gdp=1.1e14)
    assert res.params.loc["K", "estimate"] == pytest.approx(1.1e12)
    assert res.options == {"seed": res.options["seed"], "n_draws": 4000, "capacity_share_of_gdp": 0.01,
                           "world_gdp": 1.1e14}
    pd.testing.assert_frame_equal(fit_logistic(y.iloc[:-3], **res.options).params.loc[["K"]], res.params.loc[["K"]])
    assert any("0.01 x world GDP" in n for n in res.notes)
    validate_frame(res.forecast(horizon=3))
    with pytest.raises(ModelError, match="fraction"):
        fit_logistic(y, capacity_share_of_gdp=1.5, world_gdp=1.1e14)
    with pytest.raises(ModelError, match="not above the largest observation"):
        fit_logistic(y, capacity_share_of_gdp=1e-9, world_gdp=1.1e14)
    with pytest.raises(ModelError, match="only used with"):
        fit_logistic(y, world_gdp=1.1e14)
    bn = y / 1e9
    bn.attrs["unit"] = "USD bn"
    res_bn = fit_logistic(bn, capacity_share_of_gdp=0.01, world_gdp=1.1e14)
    assert res_bn.params.loc["K", "estimate"] == pytest.approx(1.1e3)  # in the series' unit, US$ bn
    eur = y.copy()
    eur.attrs["unit"] = "EUR"
    with pytest.raises(ModelError, match="US dollars"):
        fit_logistic(eur, capacity_share_of_gdp=0.01, world_gdp=1.1e14)


def test_capacity_share_of_gdp_from_the_data_layer():
    try:
        from forecast.data.registry import series
        gdp = series("world_gdp")
    except ImportError:
        pytest.skip("the world GDP data set is not available")
    y = ic3_series()
    res = fit_logistic(y, capacity_share_of_gdp=0.01)
    gyears = np.array([p.year for p in gdp.index])
    last = int(gyears[gyears <= 2024].max())
    assert res.params.loc["K", "estimate"] == pytest.approx(0.01 * float(gdp[gdp.index.year == last].iloc[0]))
    validate_frame(res.forecast(horizon=6))
    # refitted on data to 2018 (as in a backtest), the ceiling is 1% of the world GDP of 2018
    early = fit_logistic(y[y.index <= 2018], **res.options)
    assert early.params.loc["K", "estimate"] == pytest.approx(0.01 * float(gdp[gdp.index.year == 2018].iloc[0]))


def test_capacity_max_bounds_an_unidentified_capacity():
    y = ic3_series()
    res = fit_logistic(y, capacity_max=1e12)
    assert res.identified and res.capacity_source == "bound"
    assert res.params.loc["K", "estimate"] == pytest.approx(1e12)
    assert any("capacity_max" in n for n in res.notes)
    fc = res.forecast(horizon=6)
    validate_frame(fc)
    assert (fc["upper_95"] < 1e12 * 1.5).all()
    # an identified capacity below the bound is left alone
    ident = fit_logistic(simulate(log_logistic, seed=4), capacity_max=1e4)
    assert ident.capacity_source == "estimated" and ident.params.loc["K", "std_err"] > 0
    with pytest.raises(ModelError, match="not above the largest"):
        fit_logistic(y, capacity_max=1.0)


# ------------------------------------------------------ intervals and paths
@pytest.mark.parametrize("fitter,logf", [(fit_logistic, log_logistic), (fit_gompertz, log_gompertz)])
def test_forecast_schema_and_determinism(fitter, logf):
    y = simulate(logf, seed=9)
    fc1 = fitter(y).forecast(horizon=4, levels=(50, 80, 95))
    validate_frame(fc1)
    assert list(fc1.index.year) == [2025, 2026, 2027, 2028]
    assert fc1.attrs["unit"] == "USD" and (fc1["model"] == fitter.__name__.removeprefix("fit_")).all()
    fc2 = fitter(y).forecast(horizon=4, levels=(50, 80, 95))
    pd.testing.assert_frame_equal(fc1, fc2)
    fc3 = fitter(y, seed=1).forecast(horizon=4, levels=(50, 80, 95))
    assert not np.allclose(fc1["upper_95"], fc3["upper_95"])
    assert fc1["mean"].gt(fc1["median"]).all()  # log-normal-like: mean above median
    res = fitter(y)
    a, b = res.simulate(3, n=50, seed=3), res.simulate(3, n=50, seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_simulated_paths_match_the_forecast_and_share_parameter_draws():
    res = fit_logistic(simulate(log_logistic, seed=10, sigma=0.05))
    paths = res.simulate(horizon=15, n=4000, seed=2)
    assert paths.shape == (15, 4000) and (paths.to_numpy() > 0).all()
    fc = res.forecast(horizon=15)
    q = np.quantile(paths.to_numpy(), [0.1, 0.5, 0.9], axis=1)
    np.testing.assert_allclose(q[1], fc["median"], rtol=0.02)
    np.testing.assert_allclose(q[0], fc["lower_80"], rtol=0.03)
    np.testing.assert_allclose(q[2], fc["upper_80"], rtol=0.03)
    # one parameter draw per path: log values of distant years stay correlated beyond the noise
    lp = np.log(paths.to_numpy())
    assert np.corrcoef(lp[0], lp[-1])[0, 1] > 0.05


def test_prediction_interval_wider_than_noise_alone():
    res = fit_gompertz(simulate(log_gompertz, seed=13, sigma=0.08))
    fc = res.forecast(until=2040, levels=(95,))
    width = np.log(fc["upper_95"] / fc["lower_95"]).to_numpy()
    sigma = res.params.loc["sigma", "estimate"]
    # residual noise alone would give 2 x 1.96 sigma; parameter uncertainty and the t-like tails add to it
    assert np.all(width > 2 * 1.96 * sigma)


@pytest.mark.parametrize("fitter,logf", [(fit_logistic, log_logistic), (fit_gompertz, log_gompertz)])
def test_gaps_in_years(fitter, logf):
    years = np.array([y for y in YEARS if y not in (2003, 2004, 2011, 2017)])
    y = simulate(logf, years=years, seed=14, sigma=0.05)
    res = fitter(y)
    assert res.identified
    assert list(res.fitted.index.year) == list(years)
    assert any("2003, 2004, 2011, 2017" in n for n in res.notes)
    assert res.params.loc["K", "estimate"] == pytest.approx(100.0, rel=0.08)
    validate_frame(res.forecast(horizon=3))


def test_registry_and_short_series():
    y = simulate(log_logistic, seed=15)
    res = models.fit(y, model="logistic")
    assert res.model == "logistic" and res.identified
    assert models.fit(y, model="gompertz").model == "gompertz"
    with pytest.raises(ModelError, match="at least 5"):
        models.fit(y.iloc[:4], model="logistic")


@pytest.mark.parametrize("fitter", [fit_logistic, fit_gompertz])
def test_extreme_magnitudes_and_short_series_give_finite_answers_or_typed_errors(fitter):
    # the same shapes at three magnitudes: the same answer (a forecast, or the same refusal) at each,
    # forecasts in proportion to the magnitude; at least one shape is forecast, so the test can fail
    outcomes = {}
    for scale in (1e-12, 1.0, 1e15):
        rng = np.random.default_rng(16)
        for n in (5, 6, 9):
            years = 2010 + np.sort(rng.choice(np.arange(15), size=n, replace=False))
            y = pd.Series(scale * np.exp(np.cumsum(rng.normal(0.3, 0.3, n))), index=years)
            try:
                res = fitter(y)
                fc = res.forecast(horizon=3)
            except ModelError as err:
                assert "\n" not in str(err)
                outcomes[scale, n] = str(err)
                continue
            validate_frame(fc)
            outcomes[scale, n] = fc["median"].to_numpy() / scale
    for n in (5, 6, 9):
        base = outcomes[1.0, n]
        for scale in (1e-12, 1e15):
            if isinstance(base, str):
                assert outcomes[scale, n] == base
            else:
                np.testing.assert_allclose(outcomes[scale, n], base, rtol=1e-3)
    assert sum(not isinstance(outcomes[1.0, n], str) for n in (5, 6, 9)) >= 1


# ------------------------------------------------------------ property-based
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def s_curve(rng: np.random.Generator) -> pd.Series:
    """A noisy S-curve whose bend lies inside the observed years (5 to 14 irregular years)."""
    n = int(rng.integers(5, 15))
    years = np.sort(rng.choice(np.arange(1990, 2031), size=n, replace=False))
    first, last = int(years[0]), int(years[-1])
    start = rng.uniform(-8, 30)  # log10 of the capacity K
    t0 = rng.uniform(first + 0.3 * (last - first), first + 0.5 * (last - first))
    r = rng.uniform(8.0, 12.0) / max(last - first, 1)
    noise = rng.uniform(-0.02, 0.02, size=n)
    logv = start * math.log(10) - np.logaddexp(0.0, -r * (years.astype(float) - t0)) + noise
    return pd.Series(np.exp(logv), index=[int(y) for y in years])


@st.composite
def log_random_walk(draw):
    """A random walk on the log scale, mostly without a visible ceiling."""
    n = draw(st.integers(min_value=5, max_value=14))
    years = sorted(draw(st.sets(st.integers(min_value=1990, max_value=2030), min_size=n, max_size=n)))
    start = draw(st.floats(min_value=-8, max_value=30))  # log10 of the first value
    steps = draw(st.lists(st.floats(min_value=-1.5, max_value=1.5), min_size=n - 1, max_size=n - 1))
    logv = start * math.log(10) + np.concatenate([[0.0], np.cumsum(steps)])
    return pd.Series(np.exp(logv), index=years)


def _fit_or_refusal(fitter, y) -> bool:
    """True when ``y`` gives a finite, valid forecast; False on the one allowed refusal."""
    try:
        res = fitter(y, n_draws=500)
        fc = res.forecast(horizon=3)
    except ModelError as err:
        assert "\n" not in str(err) and "not identified" in str(err), str(err)
        return False
    validate_frame(fc)
    assert res.params["identified"].all()
    assert np.isfinite(res.params["estimate"]).all()
    return True


# Measured on 16 seeded S-curves (both curves): all are fitted. At least this share of them must
# give a forecast: without it the test would pass whatever happens. The S-curves are drawn with a
# seeded generator, not by hypothesis, so their number does not depend on hypothesis' search.
MIN_S_CURVE_FITTED = 0.8


@pytest.mark.slow
@pytest.mark.parametrize("fitter", [fit_logistic, fit_gompertz])
def test_s_curves_through_their_bend_are_fitted(fitter):
    rng = np.random.default_rng(20261203)
    fitted = [_fit_or_refusal(fitter, s_curve(rng)) for _ in range(16)]
    assert np.mean(fitted) >= MIN_S_CURVE_FITTED, f"{sum(fitted)} of {len(fitted)} S-curves fitted"


@pytest.mark.slow
@pytest.mark.parametrize("fitter", [fit_logistic, fit_gompertz])
def test_property_random_walks_give_finite_nested_forecast_or_typed_error(fitter):
    @settings(max_examples=24, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(y=log_random_walk())
    def run(y):
        _fit_or_refusal(fitter, y)

    run()
