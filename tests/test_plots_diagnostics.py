"""Residual diagnostics: residuals by year, autocorrelation (checked against numpy), QQ plot."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import forecast
from forecast.errors import ForecastError
from forecast.intervals import year_index
from forecast.plots import residual_diagnostics
from forecast.plots.diagnostics import residual_acf


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def fake_fit():
    r = np.random.default_rng(1).standard_normal(16) * 0.2
    return SimpleNamespace(residuals=pd.Series(r, index=year_index(range(2005, 2021))), space="log", model="toy")


def _acf_by_hand(r, k):
    d = r - r.mean()
    return np.sum(d[k:] * d[:-k]) / np.sum(d * d)


def test_acf_matches_direct_formula(fake_fit):
    r = fake_fit.residuals.to_numpy()
    ac = residual_acf(fake_fit.residuals)
    assert list(ac.index) == list(range(1, 9))  # min(10, 16 // 2)
    np.testing.assert_allclose(ac.to_numpy(), [_acf_by_hand(r, k) for k in range(1, 9)], rtol=1e-10)


def test_three_panels_draw_the_residuals(fake_fit):
    fig = residual_diagnostics(fake_fit)
    a_res, a_acf, a_qq = fig.axes
    r = fake_fit.residuals.to_numpy()
    pts = [ln for ln in a_res.lines if ln.get_label() == "Residual"][0]
    np.testing.assert_array_equal(pts.get_xdata(), np.arange(2005, 2021))
    np.testing.assert_allclose(pts.get_ydata(), r)
    assert a_res.get_ylabel() == "log-scale residual" and "toy" in a_res.get_title(loc="left")
    # ACF bars and the +-1.96/sqrt(n) band
    bars = a_acf.collections[0].get_segments()
    np.testing.assert_allclose([s[1][1] for s in bars], residual_acf(fake_fit.residuals).to_numpy())
    limits = [ln.get_ydata()[0] for ln in a_acf.lines if ln.get_linestyle() == "--"]
    np.testing.assert_allclose(sorted(limits), [-1.96 / 4, 1.96 / 4])
    # QQ: ordered residuals against normal quantiles
    qq = [ln for ln in a_qq.lines if ln.get_label() == "Residuals"][0]
    np.testing.assert_allclose(qq.get_ydata(), np.sort(r))
    (osm, _), _ = stats.probplot(r, dist="norm")
    np.testing.assert_allclose(qq.get_xdata(), osm)
    assert a_qq.get_xlabel() == "Normal quantile"


def test_real_fit_and_given_axes():
    y = pd.Series(np.exp(np.linspace(1, 3, 12) + 0.1 * np.sin(np.arange(12))), index=range(2010, 2022))
    fit = forecast.fit(y, model="exponential")
    fig, axes = plt.subplots(1, 3)
    assert residual_diagnostics(fit, ax=axes) is fig
    pts = [ln for ln in axes[0].lines if ln.get_label() == "Residual"][0]
    np.testing.assert_allclose(pts.get_ydata(), fit.residuals.to_numpy())


def test_bad_input(fake_fit):
    with pytest.raises(ForecastError, match="three axes"):
        _, ax = plt.subplots()
        residual_diagnostics(fake_fit, ax=[ax])
    with pytest.raises(ForecastError, match="residuals"):
        residual_diagnostics(object())
    with pytest.raises(ForecastError, match="at least 3"):
        residual_acf(pd.Series([0.1, 0.2]))
