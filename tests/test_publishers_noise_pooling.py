"""Hierarchical (partial) pooling of the publishers' log noise sds: fit_publishers(noise_pooling="hierarchical")."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.errors import ClaimError
from forecast.published._mle import noise_penalty
from forecast.published._simulate import frame, row, study_data
from forecast.published.publishers import fit_publishers

OPTS = {"reference": "R", "bounds": False, "starts": "quick"}


@pytest.fixture(scope="module")
def data():
    return study_data("common_unequal", 5003)[0]


def test_penalty_gradient_matches_central_differences():
    rng = np.random.default_rng(1)
    h = 1e-6
    for tau in (0.1, 0.7, 3.0):
        for g in (2, 3, 5):
            phi = rng.normal(-1.0, 1.5, g)
            val, grad = noise_penalty(phi, tau)
            num = np.array([(noise_penalty(phi + h * e, tau)[0] - noise_penalty(phi - h * e, tau)[0]) / (2 * h)
                            for e in np.eye(g)])
            np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-8)
            # the log density of N(mean(phi), tau^2) at phi, up to its constant
            assert val == pytest.approx(-0.5 * np.sum((phi - phi.mean()) ** 2) / tau**2)
    assert noise_penalty(np.array([-9.0, 0.0]), None) == (0.0, pytest.approx([0.0, 0.0]))
    assert noise_penalty(np.array([-9.0]), 0.5)[0] == 0.0  # one free noise sd: nothing to pool with


def test_a_very_wide_pooling_sd_reproduces_the_unpooled_fit(data):
    base = fit_publishers(data, noise_pooling="none", **OPTS)
    for tau in (np.inf, 1e6):
        wide = fit_publishers(data, noise_pooling="hierarchical", noise_pool_sd=tau, **OPTS)
        for p in base.publishers:
            assert wide.noise_sd(p) == pytest.approx(base.noise_sd(p), rel=1e-4, abs=1e-6)
        a, b = base.predictive_at([2019, 2029]), wide.predictive_at([2019, 2029])
        np.testing.assert_allclose(b.loc, a.loc, rtol=1e-6)
        np.testing.assert_allclose(b.scale, a.scale, rtol=1e-4)
        np.testing.assert_allclose(b.df, a.df, rtol=1e-3)


def test_a_tiny_pooling_sd_gives_every_publisher_one_noise_sd(data):
    base = fit_publishers(data, noise_pooling="none", **OPTS)
    assert abs(np.log(base.noise_sd("R") + 1e-12) - np.log(base.noise_sd("S"))) > 0.5  # they differ unpooled
    tight = fit_publishers(data, noise_pooling="hierarchical", noise_pool_sd=1e-3, **OPTS)
    sds = np.array([tight.noise_sd(p) for p in tight.publishers])
    np.testing.assert_allclose(sds, sds[0], rtol=1e-3)
    # and it is the fit with one noise sd for all publishers
    common = fit_publishers(data, noise="common", **OPTS)
    assert sds[0] == pytest.approx(common.noise_sd("R"), rel=1e-2)


def test_pooling_moves_a_noise_sd_at_zero_toward_the_others():
    rng = np.random.default_rng(4)
    z90 = 1.6448536269514722
    rows = []
    for y in (2012, 2013, 2017, 2020):  # the reference's figures lie on its curve: REML puts its noise sd at zero
        v = 500.0 * np.exp(0.1 * (y - 2015))
        rows.append(row(f"r-{y}", "R", y, v, low_bn=v * np.exp(-z90 * 0.2), high_bn=v * np.exp(z90 * 0.2)))
    for y in (2018, 2020, 2021, 2022, 2023):
        rows.append(row(f"s-{y}", "S", y, 700.0 * np.exp(0.3 * (y - 2015) + 0.3 * rng.standard_normal())))
    rows.append(row("o-2016", "O", 2016, 600.0))
    df = frame(rows)
    held = fit_publishers(df, reference="R", bounds=False, noise_pooling="none")
    assert held.noise_sd("R") < 1e-3
    fit = fit_publishers(df, reference="R", bounds=False)  # the default pools
    assert fit.options["noise_pool_sd"] == 2.5
    assert 0.02 < fit.noise_sd("R") < fit.noise_sd("S")
    assert not fit._core.phi_at_bound[0]
    assert fit.options["noise_pooling"] == "hierarchical"
    assert any("partially pooled" in n for n in fit.notes)
    assert fit.predictive_at([2019]).scale[0] > held.predictive_at([2019]).scale[0]


@pytest.mark.parametrize("kw, word", [({"noise_pooling": "bayes"}, "noise_pooling"),
                                      ({"noise_pooling": "hierarchical", "noise_pool_sd": 0.0}, "noise_pool_sd"),
                                      ({"noise_pooling": "hierarchical", "pool_at_bound": True}, "noise_pooling='none'"),
                                      ({"pool_at_bound": True}, "noise_pooling='none'")])
def test_bad_pooling_options_raise(data, kw, word):
    with pytest.raises(ClaimError, match=word):
        fit_publishers(data, **OPTS, **kw)
