"""Random walk with drift on the log scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import forecast
from forecast.errors import ModelError
from forecast.intervals import validate_frame
from forecast.families.drift import fit_drift


def _series(values, years):
    return pd.Series(np.asarray(values, dtype=float), index=list(years))


def test_intervals_equal_closed_form():
    y = _series([2.0, 2.6, 3.1, 4.4, 5.0, 6.9, 8.2, 9.1], range(2010, 2018))
    d = np.diff(np.log(y.to_numpy()))
    big_t, delta, sigma = len(d), d.mean(), d.std(ddof=1)
    h = np.arange(1, 6)
    mu = np.log(9.1) + h * delta
    sd = sigma * np.sqrt(h * (1 + h / big_t))
    f = fit_drift(y).forecast(horizon=5, levels=(80, 95))
    np.testing.assert_allclose(f["median"], np.exp(mu), rtol=1e-12)
    np.testing.assert_allclose(f["mean"], np.exp(mu + sd**2 / 2), rtol=1e-12)
    for level in (80, 95):
        z = stats.norm.ppf(0.5 + level / 200)
        np.testing.assert_allclose(f[f"lower_{level}"], np.exp(mu - z * sd), rtol=1e-12)
        np.testing.assert_allclose(f[f"upper_{level}"], np.exp(mu + z * sd), rtol=1e-12)


def test_recovers_drift_and_sigma():
    # 200 steps, sigma 0.1: drift SE 0.007, sigma SE 0.005; tolerance 4 SE
    rng = np.random.default_rng(21)
    y = _series(np.exp(np.cumsum(0.08 + 0.1 * rng.standard_normal(200))), range(1800, 2000))
    p = fit_drift(y).params
    assert abs(p.loc["drift", "estimate"] - 0.08) < 4 * p.loc["drift", "std_err"]
    assert abs(p.loc["sigma", "estimate"] - 0.1) < 4 * p.loc["sigma", "std_err"]


def test_simulated_paths_match_closed_form():
    y = _series([2.0, 2.6, 3.1, 4.4, 5.0, 6.9, 8.2, 9.1], range(2010, 2018))
    res = fit_drift(y)
    f = res.forecast(horizon=4)
    paths = res.simulate(horizon=4, n=40000, seed=3)
    for col, q in (("median", 0.5), ("lower_80", 0.1), ("upper_80", 0.9), ("lower_95", 0.025), ("upper_95", 0.975)):
        np.testing.assert_allclose(paths.quantile(q, axis=1), f[col], rtol=0.03)
    # joint paths: successive years of one path are positively correlated (a random walk)
    logp = np.log(paths.to_numpy())
    assert np.corrcoef(logp[0], logp[3])[0, 1] > 0.3


def test_gap_interpolated_with_note():
    y = _series([1.0, 1.5, 3.4, 5.0, 7.7], [2001, 2002, 2004, 2005, 2006])
    res = fit_drift(y)
    assert any("2003" in n and "interpolation" in n for n in res.notes)
    assert res.forecast(horizon=2).attrs["notes"] == res.notes
    # filled on the log scale: geometric mean of its neighbours
    assert res.y.loc[pd.Period("2003", freq="Y")] == pytest.approx(np.sqrt(1.5 * 3.4))


def test_gap_refused_names_years():
    y = _series([1.0, 1.5, 3.4, 5.0, 7.7], [2001, 2002, 2005, 2006, 2007])
    with pytest.raises(ModelError, match="2003, 2004"):
        fit_drift(y, gaps="refuse")
    with pytest.raises(ModelError, match="2003, 2004"):
        forecast.fit(y, "drift", gaps="refuse")


def test_short_series_and_minimum():
    validate_frame(fit_drift(_series([1.0, 1.4, 1.7], [2020, 2021, 2022])).forecast(horizon=2))
    with pytest.raises(ModelError, match="at least 3"):
        fit_drift(_series([1.0, 1.4], [2020, 2021]))


def test_constant_growth_refused():
    with pytest.raises(ModelError, match="exactly"):
        fit_drift(_series(2.0 ** np.arange(6), range(2000, 2006)))


def test_same_seed_same_numbers():
    y = _series([2.0, 2.6, 3.1, 4.4, 5.0, 6.9], range(2010, 2016))
    a = fit_drift(y)
    pd.testing.assert_frame_equal(a.simulate(3, 50, seed=1), fit_drift(y).simulate(3, 50, seed=1))
    # the first years of a longer simulation are those of a shorter one
    np.testing.assert_allclose(a.forecast(horizon=2).drop(columns="model").to_numpy(dtype=float),
                               a.forecast(horizon=4).iloc[:2].drop(columns="model").to_numpy(dtype=float))
