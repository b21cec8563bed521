"""OLS trend families: linear (levels), exponential and quadratic (log scale)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import forecast
from forecast.errors import ModelError
from forecast.intervals import validate_frame
from forecast.families.trend import fit_exponential, fit_linear, fit_quadratic


def _series(values, years):
    return pd.Series(np.asarray(values, dtype=float), index=list(years))


def _closed_form_t(logy, years, new_years, degree, level):
    """Independent prediction interval: t quantile * s * sqrt(1 + x0'(X'X)^-1 x0)."""
    years = np.asarray(years, dtype=float)
    c = years.mean()
    x = np.column_stack([(years - c) ** k for k in range(degree + 1)])
    beta, *_ = np.linalg.lstsq(x, logy, rcond=None)
    resid = logy - x @ beta
    df = len(logy) - (degree + 1)
    s2 = resid @ resid / df
    x0 = np.column_stack([(np.asarray(new_years, float) - c) ** k for k in range(degree + 1)])
    se = np.sqrt(s2 * (1 + np.sum(x0 @ np.linalg.inv(x.T @ x) * x0, axis=1)))
    q = stats.t.ppf(0.5 + level / 200, df)
    mu = x0 @ beta
    return mu, mu - q * se, mu + q * se, se


def test_exponential_recovers_growth_rate():
    # log y = 3 + 0.15 t + N(0, 0.1^2), 30 years: slope SE = 0.1/sqrt(sum t^2) ~ 0.0021; tolerance 4 SE
    rng = np.random.default_rng(11)
    t = np.arange(30)
    y = _series(np.exp(3 + 0.15 * t + 0.1 * rng.standard_normal(30)), 1990 + t)
    res = fit_exponential(y)
    p = res.params
    assert abs(p.loc["slope", "estimate"] - 0.15) < 4 * p.loc["slope", "std_err"]
    assert p.loc["slope", "std_err"] == pytest.approx(0.1 / np.sqrt(((t - t.mean()) ** 2).sum()), rel=0.35)
    assert abs(p.loc["sigma", "estimate"] - 0.1) < 0.04  # sd of s with 28 df ~ 0.013
    assert p.loc["growth_rate", "estimate"] == pytest.approx(np.expm1(p.loc["slope", "estimate"]))


def test_quadratic_recovers_curvature():
    # curvature SE with 40 years and sigma 0.05 ~ 1.9e-4; tolerance 4 SE
    rng = np.random.default_rng(12)
    t = np.arange(40)
    tc = t - t.mean()
    y = _series(np.exp(5 + 0.2 * tc - 0.004 * tc**2 + 0.05 * rng.standard_normal(40)), 1980 + t)
    p = fit_quadratic(y).params
    assert abs(p.loc["curvature", "estimate"] + 0.004) < 4 * p.loc["curvature", "std_err"]
    assert abs(p.loc["slope", "estimate"] - 0.2) < 4 * p.loc["slope", "std_err"]
    assert p.loc["curvature", "std_err"] < 3e-4


def test_linear_recovers_slope_in_levels():
    rng = np.random.default_rng(13)
    t = np.arange(25)
    y = _series(100 + 7 * t + 3 * rng.standard_normal(25), 2000 + t)
    res = fit_linear(y)
    assert res.space == "level"
    assert abs(res.params.loc["slope", "estimate"] - 7) < 4 * res.params.loc["slope", "std_err"]


@pytest.mark.parametrize("fitter,degree", [(fit_exponential, 1), (fit_quadratic, 2)])
def test_log_trend_intervals_equal_closed_form_with_gaps(fitter, degree):
    years = [2001, 2002, 2004, 2005, 2006, 2009, 2010, 2011, 2013]
    rng = np.random.default_rng(5)
    y = _series(np.exp(0.3 * np.arange(9) + 0.2 * rng.standard_normal(9)), years)
    f = fitter(y).forecast(horizon=4, levels=(80, 95))
    new = [2014, 2015, 2016, 2017]
    for level in (80, 95):
        mu, lo, hi, se = _closed_form_t(np.log(y.to_numpy()), years, new, degree, level)
        np.testing.assert_allclose(f["median"], np.exp(mu), rtol=1e-10)
        np.testing.assert_allclose(f[f"lower_{level}"], np.exp(lo), rtol=1e-10)
        np.testing.assert_allclose(f[f"upper_{level}"], np.exp(hi), rtol=1e-10)
    # the predictive is a Student t on the log scale: exp of it has no mean (E exp(T) is infinite), so the
    # mean is NaN with a note, not the Normal-theory exp(mu + s^2/2)
    assert f["mean"].isna().all() and "no mean" in f.attrs["mean_note"]


def test_exponential_matches_statsmodels_get_prediction():
    import statsmodels.api as sm

    years = np.array([2003, 2004, 2005, 2007, 2008, 2011, 2012])
    y = _series([1.0, 1.4, 1.9, 3.3, 4.1, 9.0, 12.5], years)
    res = fit_exponential(y)
    x = sm.add_constant(years.astype(float))
    ols = sm.OLS(np.log(y.to_numpy()), x).fit()
    sf = ols.get_prediction(sm.add_constant(np.array([2013.0, 2014.0]), has_constant="add")).summary_frame(alpha=0.05)
    f = res.forecast(horizon=2)
    np.testing.assert_allclose(f["lower_95"], np.exp(sf["obs_ci_lower"]), rtol=1e-9)
    np.testing.assert_allclose(f["upper_95"], np.exp(sf["obs_ci_upper"]), rtol=1e-9)
    assert res.params.loc["slope", "std_err"] == pytest.approx(ols.bse[1], rel=1e-9)


@pytest.mark.parametrize("fitter", [fit_exponential, fit_quadratic, fit_linear])
def test_simulated_paths_match_closed_form(fitter):
    # paths draw coefficients and sigma from their sampling distribution: the
    # path quantiles are the closed-form Student t quantiles (MC tolerance 4%)
    years = list(range(2010, 2020))
    rng = np.random.default_rng(3)
    y = _series(np.exp(1 + 0.2 * np.arange(10) + 0.15 * rng.standard_normal(10)), years)
    res = fitter(y)
    f = res.forecast(horizon=3)
    paths = res.simulate(horizon=3, n=40000, seed=1)
    for col, q in (("median", 0.5), ("lower_80", 0.1), ("upper_80", 0.9), ("lower_95", 0.025), ("upper_95", 0.975)):
        np.testing.assert_allclose(paths.quantile(q, axis=1), f[col], rtol=0.04)


def test_short_series_four_points_work():
    y = _series([3.0, 4.5, 5.9, 8.8], [2020, 2021, 2022, 2023])
    for name in ("linear", "exponential", "quadratic"):
        validate_frame(forecast.fit(y, name).forecast(horizon=3))


def test_too_short_names_the_minimum():
    y = _series([3.0, 4.5, 5.9], [2020, 2021, 2022])
    with pytest.raises(ModelError, match="at least 4"):
        fit_quadratic(y)
    with pytest.raises(ModelError, match="at least 3"):
        fit_exponential(y.iloc[:2])


def test_exact_fit_refused():
    y = _series(np.exp(0.1 * np.arange(6)), range(2000, 2006))
    with pytest.raises(ModelError, match="exactly"):
        fit_exponential(y)


def test_linear_forecast_stays_positive():
    # a falling line: the predictive is truncated at zero, never negative
    y = _series([100.0, 80.0, 65.0, 40.0, 30.0, 12.0], range(2000, 2006))
    f = fit_linear(y).forecast(horizon=3)
    validate_frame(f)
    assert (f["lower_95"] > 0).all()


def test_same_seed_same_numbers():
    y = _series([1.0, 1.3, 1.6, 2.3, 2.6, 3.5, 4.1], range(2010, 2017))
    a, b = fit_quadratic(y), fit_quadratic(y)
    pd.testing.assert_frame_equal(a.forecast(horizon=5), b.forecast(horizon=5))
    pd.testing.assert_frame_equal(a.simulate(5, 100, seed=7), b.simulate(5, 100, seed=7))
    assert not a.simulate(5, 100, seed=7).equals(a.simulate(5, 100, seed=8))


def test_summary_names_parameters_and_centre_year():
    y = _series([1.0, 1.3, 1.6, 2.3, 2.6, 3.5], range(2010, 2016))
    s = fit_exponential(y).summary()
    assert "slope" in s and "growth_rate" in s and "2012.5" in s
