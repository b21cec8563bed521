"""The multi-publisher predictive's variance parts, the pooling of a noise sd at its bound, and the study's baseline."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.published._simulate import STUDY_DESIGNS, _old_df, frame, row, simulate_estimates, study_data
from forecast.published.publishers import fit_publishers


@pytest.fixture(scope="module")
def study_fit():
    df, _ = study_data("specific", 11)
    return fit_publishers(df, reference="R", bounds=False, starts="quick")


def test_variance_parts_add_up_to_the_predictive_variance_and_grow_with_the_horizon(study_fit):
    fit = study_fit
    tc = fit.t_center
    years = [int(tc), 2019, 2029]
    parts = fit.variance_parts(years)
    pred = fit.predictive_at(years)
    np.testing.assert_allclose(parts["total"], pred.scale**2, rtol=1e-10)
    np.testing.assert_allclose(parts["df"], pred.df, rtol=1e-10)
    assert parts["noise"].iloc[0] == pytest.approx(fit.noise_sd() ** 2)
    assert parts["range"].iloc[0] == pytest.approx(0.2**2, rel=1e-9)  # the study's range sd
    # at the centre year the growth rates contribute nothing; further out, h**2 times the growth rate's variance
    assert parts.loc[int(tc), "growth"] == pytest.approx(0.0, abs=1e-15)
    assert parts.loc[int(tc), "cross"] == pytest.approx(0.0, abs=1e-15)
    core = fit._core
    g = fit._growth_L(None, 0)
    var_g = g @ core.henderson(core.theta) @ g
    for y in (2019, 2029):
        assert parts.loc[y, "growth"] == pytest.approx((y - tc) ** 2 * var_g, rel=1e-9)
    X = fit._x(np.array([2029]), 0)
    assert parts.loc[2029, "weights"] == pytest.approx(float(X[0] @ core.C_extra @ X[0]), rel=1e-9)
    assert parts.loc[2029, "weights"] > 0


def _exact_reference_frame(seed: int = 4):
    """A reference publisher whose figures lie exactly on its curve (ranges of sd 0.2), a second with noise 0.3."""
    rng = np.random.default_rng(seed)
    z90 = 1.6448536269514722
    rows = []
    for y in (2012, 2013, 2017, 2020):
        v = 500.0 * np.exp(0.1 * (y - 2015))
        rows.append(row(f"r-{y}", "R", y, v, low_bn=v * np.exp(-z90 * 0.2), high_bn=v * np.exp(z90 * 0.2)))
    for y in (2018, 2020, 2021, 2022, 2023):
        rows.append(row(f"s-{y}", "S", y, 700.0 * np.exp(0.3 * (y - 2015) + 0.3 * rng.standard_normal())))
    rows.append(row("o-2016", "O", 2016, 600.0))
    return frame(rows)


def test_pooling_a_noise_sd_at_its_bound_gives_it_the_pooled_noise():
    df = _exact_reference_frame()
    held = fit_publishers(df, reference="R", bounds=False, noise_pooling="none")  # unpooled: held at the bound
    assert held.noise_sd("R") < 1e-3 and held.pooled_noise == () and held.options["pool_at_bound"] is False
    fit = fit_publishers(df, reference="R", bounds=False, pool_at_bound=True, noise_pooling="none")
    assert fit.pooled_noise == ("R",)
    # S is the only publisher left with its own sd: R's noise (and the one-figure publisher's) is S's
    assert fit.noise_sd("R") == pytest.approx(fit.noise_sd("S"), rel=1e-12)
    assert fit.noise_sd("O") == pytest.approx(fit.noise_sd("S"), rel=1e-12)
    assert fit.offsets.set_index("publisher").loc["R", "noise"] == "pooled (own sd at its lower bound)"
    assert any("lower bound" in n and "pooled" in n for n in fit.notes)
    # a new R figure: at least S's noise plus R's range variance (the held fit: the range variance and little more)
    parts = fit.variance_parts([2025])
    assert parts["noise"].iloc[0] == pytest.approx(fit.noise_sd("S") ** 2)
    assert parts["total"].iloc[0] >= fit.noise_sd("S") ** 2 + 0.2**2
    assert held.variance_parts([2025])["noise"].iloc[0] < 1e-6
    # the parameter names follow the noise map: one own sd (S)
    assert [n for n in fit.params.index if n.startswith("log_noise_sd")] == ["log_noise_sd[S]"]


def test_study_designs_draw_independent_numbers():
    """Each design has its own random stream: the same seed does not give the same standardised draws (the
    designs' coverages were once the same draws under other parameters, hence strongly correlated)."""
    def z(design):
        df, new = study_data(design, 3)
        spec = STUDY_DESIGNS[design]
        r = df[df["publisher"] == "R"]
        t = r["target_year"].to_numpy(dtype=float) - 2015
        sd = np.hypot(spec["noise"]["R"], 0.2)
        truth = np.log(500.0) + spec["growth"]["R"] * t
        t_new = np.array([2019, 2029]) - 2015
        return np.concatenate([(np.log(r["point_usd_bn"].to_numpy()) - truth) / sd,
                               (new - np.log(500.0) - spec["growth"]["R"] * t_new) / sd])

    za, zb = z("common_equal"), z("common_unequal")
    assert np.all(np.abs(za - zb) > 1e-6)
    streams = [d["stream"] for d in STUDY_DESIGNS.values()]
    assert len(set(streams)) == len(streams)


def test_old_baseline_df_is_below_one_on_the_bundled_data_and_floored():
    """The model before the df fix on the bundled data: Satterthwaite df of the noise variance alone, 0.98, floored
    at 1 (issue 9); the study's `old` method is that rule."""
    fit = fit_publishers(growth="common", noise_pooling="none")
    X = fit._x(np.array([2019]), 0)
    assert _old_df(fit._core, X, 0, cap_pinned=False)[0] == 1.0


def test_simulated_ranges_match_the_bundled_csis_ranges():
    df, _ = study_data("specific_bundled_ranges", 0)
    r = df[df["publisher"] == "R"].sort_values("target_year")
    sd = (np.log(r["high_usd_bn"]) - np.log(r["low_usd_bn"])) / (2 * 1.6448536269514722)
    np.testing.assert_allclose(sd.iloc[:3], [np.log(1000 / 300) / 3.29, np.log(575 / 375) / 3.29,
                                             np.log(608 / 445) / 3.29], rtol=1e-3)
    assert np.isnan(sd.iloc[3])  # the 2020 figure has no range


@pytest.mark.slow
def test_pooling_at_the_bound_keeps_coverage_where_the_reference_noise_collapses():
    """60 replications of the bundled-ranges design (seeds 7000-7059, used for nothing else): with the reference's
    noise sd pooled when it falls to its bound, 80% intervals of a new reference figure six years ahead cover within
    12 points of nominal (Monte Carlo sd 5 points)."""
    import pandas as pd

    from forecast.published._simulate import study_replication

    raw = pd.concat([study_replication("specific_bundled_ranges", s, methods=("new_pooled",)) for s in range(7000, 7060)])
    assert (raw["error"] == "").all()
    late = raw[raw["year"] == 2029]
    assert abs(late["inside_80"].mean() - 0.80) <= 0.12
    assert late["inside_95"].mean() >= 0.88


def test_old_df_is_satterthwaite_of_the_noise_variance_alone_by_hand(study_fit):
    """The study's `old` rule: df = 2 V^2 / Var(V_hat) with V = L C(theta) L' + s_R^2 (no range variance, no
    estimated-weights term), the delta method over the free variance parameters, floored at 1."""
    df, _ = study_data("common_equal", 21)
    fit = fit_publishers(df, reference="R", bounds=False, starts="quick", growth="common")
    core = fit._core
    assert not core.phi_at_bound.any()
    X = fit._x(np.array([2019, 2029]), 0)

    def V(theta):
        return np.einsum("ij,jk,ik->i", X, core.henderson(theta), X) + core.noise_var(theta)[0]

    h = 1e-5
    grad = np.array([(V(core.theta + h * e) - V(core.theta - h * e)) / (2 * h) for e in np.eye(len(core.theta))]).T
    expect = 2 * V(core.theta) ** 2 / np.einsum("ij,jk,ik->i", grad, core.cov_theta, grad)
    np.testing.assert_allclose(_old_df(core, X, 0, cap_pinned=False), np.clip(expect, 1, 1e6), rtol=1e-4)


def test_kr_variant_counts_the_estimated_weights_term_twice(study_fit):
    from forecast.published._simulate import STUDY_TARGET_YEARS, _kr_predictive

    loc, scale, df = _kr_predictive(study_fit)
    parts = study_fit.variance_parts(list(STUDY_TARGET_YEARS))
    np.testing.assert_allclose(scale**2, parts["total"] + parts["weights"], rtol=1e-10)
    np.testing.assert_allclose(df, parts["df"], rtol=1e-12)
    np.testing.assert_allclose(loc, study_fit.predictive_at(list(STUDY_TARGET_YEARS)).loc, rtol=1e-12)


def test_a_growth_sd_at_zero_counts_in_the_df_through_its_profile_limit(monkeypatch):
    """With the growth sd at its lower bound, Var(V_hat) gains ((V(tau_up) - V(0)) / 1.645)^2, tau_up the growth
    sd where the restricted log-likelihood is 1.35 below its maximum (the other variance parameters held)."""
    from forecast.published import _mle
    from forecast.published._mle import reml_loglik

    fit = fit_publishers(study_data("common_equal", 0)[0], reference="R", bounds=False, starts="quick")
    core = fit._core
    G = len(core.phi)
    assert core.phi_at_bound[G] and core.tau < 1e-3 and not core.phi_at_bound[:G].any()
    up = core.growth_sd_upper()
    th = core.theta.copy()
    top = reml_loglik(th, core.y, core.X, core.v, core.M_rows, core.k_fixed, G)
    th[G] = np.log(up)
    assert reml_loglik(th, core.y, core.X, core.v, core.M_rows, core.k_fixed, G) == pytest.approx(top - 1.35, abs=1e-6)
    assert 0.01 < up < 2.0
    X = fit._x(np.array([2019, 2029]), 0)
    V = core._variance(core.theta, X, 0)
    grad = np.empty((2, G))
    for g in range(G):
        a, b = core.theta.copy(), core.theta.copy()
        a[g] += 1e-5
        b[g] -= 1e-5
        grad[:, g] = (core._variance(a, X, 0) - core._variance(b, X, 0)) / 2e-5
    cov_t = core.cov_theta[:G, :G]
    var_v = np.einsum("ij,jk,ik->i", grad, cov_t, grad) + ((core._variance(th, X, 0) - V) / 1.6448536269514722) ** 2
    np.testing.assert_allclose(core.satterthwaite_df(X, 0), 2 * V**2 / var_v, rtol=1e-6)
    # six years ahead the possibility of the reference's own growth weighs: fewer df than with the growth sd known
    monkeypatch.setattr(_mle, "GROWTH_SD_AT_BOUND", "known")
    known = core.satterthwaite_df(X, 0)
    monkeypatch.undo()
    profile = core.satterthwaite_df(X, 0)
    assert np.all(profile < known)
    # the rule before 2026-12-03: the df of the growth sd known, capped at the residual df
    np.testing.assert_allclose(core.satterthwaite_df(X, 0, cap_growth_sd=True), np.minimum(known, core.df_resid),
                               rtol=1e-12)
