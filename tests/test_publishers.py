"""The multi-publisher model: recovery of known parameters, inclusion rules, predictive, sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import forecast
from forecast.published._inclusion import inclusion_table
from forecast.published._simulate import frame, row, simulate_estimates
from forecast.published._data import estimates
from forecast.published.publishers import fit_publishers
from forecast.errors import ClaimError
from forecast.intervals import validate_frame

YEARS = {"A": range(2000, 2025), "B": range(2005, 2025), "C": range(2010, 2025)}
OFFSETS = {"A": 0.0, "B": np.log(4.0), "C": np.log(0.5)}
NOISE = {"A": 0.1, "B": 0.3, "C": 0.2}
GROWTH = 0.12


@pytest.fixture(scope="module")
def sim_fit():
    return fit_publishers(simulate_estimates(YEARS, OFFSETS, NOISE, growth=GROWTH, seed=3), reference="A")


@pytest.fixture(scope="module")
def real_fit():
    return fit_publishers()


@pytest.fixture(scope="module")
def free_fit():
    """The bundled fit without truncation at the bounds: medians are exp of the curve exactly."""
    return fit_publishers(bounds=False)


def _henderson(core, theta):
    """Covariance of (beta_hat, u_hat - u), computed here from the mixed-model equations, plus the constant
    J cov_theta J' (the variance the estimated variance parameters add; checked in its own test)."""
    G = len(core.phi)
    w = 1.0 / (core.M_rows @ np.exp(2 * theta[:G]) + core.v)
    A = core.X.T @ (core.X * w[:, None])
    if len(theta) > G:
        idx = np.arange(core.k_fixed, core.X.shape[1])
        A[idx, idx] += np.exp(-2 * theta[G])
    return np.linalg.inv(A) + (0 if core.C_extra is None else core.C_extra)


# ------------------------------------------------------------ recovery
def test_recovers_offsets_growth_and_noise(sim_fit):
    off = sim_fit.offsets.set_index("publisher")
    # offsets: within 0.15 on the log scale (their standard errors are about 0.06)
    assert abs(np.log(off.loc["B", "ratio"]) - OFFSETS["B"]) < 0.15
    assert abs(np.log(off.loc["C", "ratio"]) - OFFSETS["C"]) < 0.15
    for p in ("B", "C"):
        assert off.loc[p, "lower_95"] < np.exp(OFFSETS[p]) < off.loc[p, "upper_95"]
    # growth: log growth within 0.01 of 0.12 (standard error about 0.003)
    g, lo, hi = sim_fit.growth_rate()
    assert abs(np.log1p(g) - GROWTH) < 0.01
    assert lo < np.expm1(GROWTH) < hi
    # noise sds: within 35% of the truth (REML, 15-25 rows each)
    for p, s in NOISE.items():
        assert abs(sim_fit.noise_sd(p) / s - 1) < 0.35, (p, sim_fit.noise_sd(p))
    assert (off["noise"] == "own").all()


def test_recovery_is_unbiased_across_replications():
    est = []
    for seed in range(12):
        f = fit_publishers(simulate_estimates(YEARS, OFFSETS, NOISE, growth=GROWTH, seed=100 + seed), reference="A")
        off = f.offsets.set_index("publisher")
        est.append([np.log(off.loc["B", "ratio"]), np.log1p(f.growth_rate()[0]), f.noise_sd("B")])
    mean = np.array(est).mean(axis=0)
    assert abs(mean[0] - OFFSETS["B"]) < 0.05
    assert abs(mean[1] - GROWTH) < 0.003
    assert abs(mean[2] - NOISE["B"]) < 0.05


@pytest.mark.slow
def test_intervals_cover_by_simulation_in_a_design_like_the_bundled_data():
    """4 and 5 rows, noise sds 0.2 and 0.7: growth, offset and a new reference figure's 95% intervals."""
    n, cover = 100, np.zeros(3)
    rng = np.random.default_rng(99)
    for seed in range(n):
        df = simulate_estimates({"A": [2012, 2013, 2017, 2020], "B": [2018, 2020, 2021, 2022, 2023]},
                                {"A": 0.0, "B": 1.37}, {"A": 0.2, "B": 0.7}, growth=0.11, seed=2000 + seed)
        f = fit_publishers(df, reference="A")
        _, lo, hi = f.growth_rate()
        o = f.offsets.set_index("publisher")
        pred = f.predictive_at([2019])
        new = 500e9 * np.exp(0.11 * 4 + 0.2 * rng.standard_normal())
        cover += [lo <= np.expm1(0.11) <= hi, o.loc["B", "lower_95"] <= np.exp(1.37) <= o.loc["B", "upper_95"],
                  pred.quantile(0.025)[0] <= new <= pred.quantile(0.975)[0]]
    # nominal 95%; a binomial sd with 100 replications is 2.2 points. Measured 93-95% with Satterthwaite
    # degrees of freedom (84-86% with residual ones, 73-77% with Normal tails): the bound fails if the
    # small-sample widening is lost.
    assert (cover / n >= 0.89).all(), cover / n


def test_quadratic_curve_recovers_curvature():
    df = simulate_estimates(YEARS, OFFSETS, NOISE, growth=0.10, curvature=0.004, seed=5)
    f = fit_publishers(df, curve="quadratic", reference="A")
    assert abs(f.params.loc["curvature", "estimate"] - 0.004) < 4 * f.params.loc["curvature", "std_err"]
    # growth at the last year = b + 2 c (2024 - 2015) in the simulation's terms
    g = np.log1p(f.growth_rate(2024)[0])
    assert abs(g - (0.10 + 2 * 0.004 * 9)) < 0.03


def test_single_row_publisher_fits_its_row_and_borrows_noise():
    df = simulate_estimates(YEARS, OFFSETS, NOISE, seed=7)
    extra = frame([row("d-2018", "D", 2018, 3000.0)])
    f = fit_publishers(pd.concat([df, extra], ignore_index=True), reference="A")
    d = f.data[f.data["publisher"] == "D"]
    assert np.allclose(d["residual"], 0.0, atol=1e-8)  # its offset absorbs the row
    # pooled noise: the row-weighted mean of the own noise variances
    n = {p: len(YEARS[p]) for p in YEARS}
    pooled = sum(n[p] * f.noise_sd(p) ** 2 for p in n) / sum(n.values())
    assert f.noise_sd("D") == pytest.approx(np.sqrt(pooled), rel=1e-9)
    assert f.offsets.set_index("publisher").loc["D", "noise"].startswith("pooled")
    # REML: a one-row publisher changes neither the growth nor the other offsets
    g0 = fit_publishers(df, reference="A").growth_rate()
    assert f.growth_rate() == pytest.approx(g0, rel=1e-5)


def test_range_is_read_as_a_90_percent_interval_and_midpoint_is_geometric():
    df = simulate_estimates({"A": range(2010, 2020)}, {"A": 0.0}, {"A": 0.1}, seed=2)
    extra = frame([row("a-range", "A", 2021, None, low_bn=400.0, high_bn=900.0)])
    f = fit_publishers(pd.concat([df, extra], ignore_index=True), reference="A")
    r = f.data.set_index("id").loc["a-range"]
    assert r["value_usd"] == pytest.approx(np.sqrt(400e9 * 900e9))
    assert r["range_sd"] == pytest.approx((np.log(900) - np.log(400)) / (2 * stats.norm.ppf(0.95)))
    assert (np.log(900) - np.log(400)) / r["range_sd"] == pytest.approx(3.29, abs=0.001)


# ----------------------------------------------------------- inclusion
def _inclusion_rows():
    rows = [row(f"a-{y}", "A", y, 100.0 * 1.1 ** (y - 2010)) for y in range(2010, 2016)]
    rows += [
        row("a-old-2012", "A", 2012, 90.0, published_year=2012),  # superseded by a-2012 (published 2013)
        row("b-fc", "B", 2020, 500.0, kind="forecast"),
        row("cum", "C", None, 8000.0, measure="cumulative_total", first_year=2017, last_year=2022),
        row("rev", "D", 2015, 1500.0, measure="criminal_revenue"),
        row("scen", "E", 2020, 3000.0, measure="scenario_impact", kind="forecast"),
        row("scen-est", "E", 2015, 3000.0, measure="scenario_impact"),
        row("breach", "F", 2019, 2100.0, measure="data_breach_cost"),
        row("perbreach", "G", 2023, None, measure="per_breach_cost"),
        row("survey", "H", 2019, 1.8, measure="survey_sample_total"),
        row("nofig", "I", None, None, measure="no_headline_figure", first_year=2010, last_year=2011),
        row("gdp", "J", 2017, None, measure="direct_gdp_cost", low_bn=275.0, high_bn=6600.0),
        row("echo", "K", 2014, 100.0 * 1.1**4, likely_origin="a-2014"),
        row("mfa", "Russian MFA", 2019, 2500.0),
        row("other-measure", "L", 2015, 10.0, measure="ip_theft_loss"),
        row("left-out", "M", 2014, 150.0),
        row("m-2", "M", 2015, 160.0),
    ]
    return frame(rows)


def test_inclusion_table_gives_each_exclusion_reason():
    t = inclusion_table(estimates(_inclusion_rows()), exclude_publishers=["M"]).set_index("id")
    expect = {
        "b-fc": "a forecast when published",
        "cum": "cumulative multi-year total",
        "rev": "criminal revenues",
        "scen-est": "scenario's aggregate economic impact",
        "breach": "cost of data breaches",
        "perbreach": "cost per breach",
        "survey": "survey's sample",
        "nofig": "no headline global figure",
        "gdp": "direct GDP cost",
        "echo": "an echo: repeats A",
        "mfa": "Russian official statement",
        "other-measure": "measures 'ip_theft_loss'",
        "a-old-2012": "superseded by the publisher's later vintage, row a-2012",
        "left-out": "left out by the user",
    }
    for rid, text in expect.items():
        assert not t.loc[rid, "included"], rid
        assert text in t.loc[rid, "reason"], (rid, t.loc[rid, "reason"])
    assert t.loc[[f"a-{y}" for y in range(2010, 2016)], "included"].all()
    assert len(t) == len(_inclusion_rows())


def test_fit_shows_inclusion_and_include_publishers(real_fit):
    inc = real_fit.inclusion
    assert len(inc) == len(forecast.load("global_estimates"))
    assert not inc.loc[inc["kind"] == "forecast", "included"].any()
    assert set(real_fit.data["id"]) == set(inc.loc[inc["included"], "id"])
    only = fit_publishers(include_publishers=["CSIS/McAfee", "Statista"])
    assert set(only.publishers) == {"CSIS/McAfee", "Statista"}
    tass = only.inclusion[(only.inclusion["publisher"] == "TASS") & (only.inclusion["kind"] == "estimate")]
    assert len(tass) == 1 and tass["reason"].iloc[0] == "publisher left out by the user"


# ------------------------------------------------------- bundled data
def test_bundled_fit_offsets_and_growth(real_fit):
    off = real_fit.offsets.set_index("publisher")
    assert real_fit.reference == "CSIS/McAfee" and off.loc["CSIS/McAfee", "ratio"] == 1.0
    cv = off.loc["Hiscox"]
    assert cv["n_rows"] == 1 and cv["lower_95"] < cv["ratio"] < cv["upper_95"]
    assert cv["statement"].startswith("Hiscox's figures run")
    # the offsets are differences of log figures against the common curve (a one-row publisher has no growth
    # of its own): check a one-row publisher's by hand
    d = real_fit.data
    row_cv = d[d["publisher"] == "Hiscox"].iloc[0]
    par = real_fit.params["estimate"]
    curve = par["level"] + par["growth"] * (int(row_cv["year"]) - real_fit.t_center)
    assert np.log(cv["ratio"]) == pytest.approx(np.log(row_cv["value_usd"]) - curve, abs=1e-8)
    g = real_fit.growth.iloc[0]
    assert g["lower_95"] < g["growth"] < g["upper_95"]
    assert real_fit.unit == "USD"


def test_forecast_frame_on_publisher_scales(real_fit, free_fit):
    ref = real_fit.forecast(until=2030)
    validate_frame(ref)
    assert ref.attrs["unit"] == "USD" and ref.attrs["publisher"] == "CSIS/McAfee"
    st = real_fit.forecast(until=2030, publisher="statista", levels=(50, 90))
    validate_frame(st)
    # without truncation: log(Statista / reference) = offset + (own growth deviations) * (t - t_center)
    ref, st = free_fit.forecast(until=2030), free_fit.forecast(until=2030, publisher="statista")
    par = free_fit.params["estimate"]
    t = np.arange(2024, 2031) - free_fit.t_center
    expect = par["offset[Statista]"] + (par["growth_deviation[Statista]"] - par["growth_deviation[CSIS/McAfee]"]) * t
    np.testing.assert_allclose(np.log(st["median"] / ref["median"]).to_numpy(), expect, rtol=1e-9)
    with pytest.raises(ClaimError, match="unknown publisher 'Nobody'"):
        real_fit.forecast(horizon=2, publisher="Nobody")


def test_predictive_variance_is_parameter_plus_figure_noise(real_fit):
    """Parameter variance x' C x (C: covariance of fixed effects and growth deviations) plus a new figure's."""
    pred = real_fit.predictive_at([2030], "Statista")
    x = real_fit._x(np.array([2030]), 1)
    var = float((x @ real_fit._core.cov_beta @ x.T)[0, 0]) + real_fit.noise_sd("Statista") ** 2 \
        + real_fit.range_sd("Statista") ** 2
    assert pred.scale[0] == pytest.approx(np.sqrt(var))


def test_simulate_matches_predictive_and_is_seeded(free_fit):
    a = free_fit.simulate(horizon=5, n=20000, seed=1, publisher="Statista")
    b = free_fit.simulate(horizon=5, n=20000, seed=1, publisher="Statista")
    pd.testing.assert_frame_equal(a, b)
    pred = free_fit.predictive(horizon=5, publisher="Statista")
    assert np.all(np.isfinite(pred.df)) and np.all(pred.df < 100)  # Student t, few degrees of freedom
    # each year's marginal: the curve's t plus the noise's t, close to (not exactly) the predictive's one t
    for q, tol in ((0.1, 0.1), (0.5, 0.02), (0.9, 0.1)):
        emp = np.quantile(a.to_numpy(), q, axis=1)
        assert np.allclose(np.log(emp), np.log(pred.quantile(q)), atol=tol), q


def test_simulated_curve_paths_carry_the_curves_t_and_noise_is_independent_across_years(free_fit):
    """One chi-square draw must not rescale both the parameters and the noise (the old paths did)."""
    from forecast.intervals import Predictive, year_index

    years = np.arange(2024, 2031)
    curve = free_fit.simulate(until=2030, n=40000, seed=2, noise=False)
    X = free_fit._x(years, 0)
    C = free_fit._core.cov_beta
    t_curve = Predictive(year_index(years), loc=X @ free_fit._core.beta,
                         scale=np.sqrt(np.einsum("ij,jk,ik->i", X, C, X)), df=free_fit._df(X, None))
    for q in (0.2, 0.5, 0.8):  # df near 1.3: the outer quantiles of 40000 draws are too noisy to compare
        np.testing.assert_allclose(np.log(np.quantile(curve.to_numpy(), q, axis=1)), np.log(t_curve.quantile(q)),
                                   atol=0.03)
    full = free_fit.simulate(until=2030, n=40000, seed=2, noise=True)
    # the noise part (full minus curve, same seed: same parameter draws) is independent across years,
    # also in its scale: squared deviations of 2024 and 2030 are uncorrelated
    noise = np.log(full.to_numpy()) - np.log(curve.to_numpy())
    r = np.corrcoef(np.abs(noise[0]), np.abs(noise[-1]))[0, 1]
    assert abs(r) < 0.03
    # paths can start inside the data window (to see whether a level was already crossed)
    inside = free_fit.simulate(years=[2019, 2020], n=100, seed=0)
    assert [p.year for p in inside.index] == [2019, 2020]


def test_sensitivity_table(real_fit):
    s = real_fit.sensitivity(claims=[("2 trillion", 2019)])
    variants = list(s["variant"])
    assert variants[0] == "all included rows"
    assert {f"without {p}" for p in real_fit.publishers} <= set(variants)
    assert "one common noise sd" in variants and "quadratic curve" in variants
    assert "residual degrees of freedom (lighter tails)" in variants
    assert "Statista alone (own growth rate)" in variants
    base = s.iloc[0]
    assert base["growth"] == pytest.approx(real_fit.growth_rate()[0])
    pct = 100 * float(real_fit.predictive_at([2019]).cdf(2e12)[0])
    assert base["percentile[$2.0T 2019]"] == pytest.approx(pct)
    no_ref = s.set_index("variant").loc["without CSIS/McAfee"]
    assert no_ref["reference"] == "Statista"


def test_degrees_of_freedom_options(real_fit):
    assert 1.0 <= real_fit.predictive_at([2030]).df[0] < 100  # Satterthwaite by default
    resid = fit_publishers(df="residual")
    k = resid._core.k_fixed
    assert resid.predictive_at([2030]).df[0] == len(resid.data) - k - len(resid._core.theta)
    normal = fit_publishers(df="normal")
    assert np.isinf(normal.predictive_at([2030]).df[0])
    g_n, g_r, g_s = normal.growth_rate(), resid.growth_rate(), real_fit.growth_rate()
    assert g_n[0] == pytest.approx(g_s[0]) == pytest.approx(g_r[0])
    assert g_s[1] < g_r[1] < g_n[1] and g_s[2] > g_r[2] > g_n[2]


def test_satterthwaite_df_by_hand(sim_fit):
    """df = 2 V^2 / Var(V) with V = L' (X'WX)^-1 L and Var(V) by the delta method over the noise log-sds."""
    core = sim_fit._core
    L = sim_fit._growth_L()
    k = len(core.beta)

    def V(theta):
        return L @ _henderson(core, theta) @ L

    h = 1e-4
    free = np.flatnonzero(~core.phi_at_bound)
    grad = np.array([(V(core.theta + h * e) - V(core.theta - h * e)) / (2 * h) for e in np.eye(len(core.theta))[free]])
    cov_t = core.cov[k:, k:][np.ix_(free, free)]
    expect = 2 * V(core.theta) ** 2 / (grad @ cov_t @ grad)
    assert sim_fit._df(L)[0] == pytest.approx(expect, rel=1e-4)


def test_bad_arguments():
    with pytest.raises(ClaimError, match="reference publisher 'Nobody'"):
        fit_publishers(reference="Nobody")
    with pytest.raises(ClaimError, match="unknown curve"):
        fit_publishers(curve="logistic")
    with pytest.raises(ClaimError, match="growth rate is not identified"):
        fit_publishers(frame([row("a", "A", 2010, 1.0), row("b", "B", 2011, 2.0)]), reference="A")


def test_deterministic(real_fit):
    again = fit_publishers()
    pd.testing.assert_frame_equal(again.params, real_fit.params)


def test_real_terms_and_share_of_gdp(real_fit):
    nominal = real_fit.forecast(until=2026)
    real = real_fit.forecast(until=2026, real=2024)
    assert real.loc["2024", "median"].item() == pytest.approx(nominal.loc["2024", "median"].item())
    share = real_fit.forecast(until=2026, share_of_gdp=True)
    assert share.attrs["unit"] == "share of world GDP"
    assert share.loc["2024", "median"].item() == pytest.approx(
        forecast.share_of_gdp(nominal.loc["2024", "median"].item(), year=2024))
    fig = real_fit.figures(real=2024, share_of_gdp=True).set_index("id")
    assert fig.loc["csis-mcafee-2020", "value_usd_real_2024"] == pytest.approx(
        forecast.to_real(945e9, year=2020, base_year=2024))
    with pytest.raises(ClaimError, match="not both"):
        real_fit.forecast(until=2026, real=2024, share_of_gdp=True)


# ------------------------------------------------- degrees of freedom and means
def test_satterthwaite_df_of_a_new_figure_uses_the_predictive_variance(real_fit):
    """df = 2 V^2 / Var(V) with V the predictive variance itself: parameters + noise + published-range variance."""
    core = real_fit._core
    years = np.array([2019, 2030])
    X = real_fit._x(years, 0)
    k = len(core.beta)
    rv = real_fit.range_sd() ** 2
    assert rv > 0  # CSIS/McAfee publishes ranges
    G = len(core.phi)

    def V(theta):
        par = np.einsum("ij,jk,ik->i", X, _henderson(core, theta), X)
        return par + core.noise_map[0] @ np.exp(2 * theta[:G]) + rv

    h = 1e-4
    free = np.flatnonzero(~core.phi_at_bound)
    grad = np.array([(V(core.theta + h * e) - V(core.theta - h * e)) / (2 * h)
                     for e in np.eye(len(core.theta))[free]]).T
    cov_t = core.cov[np.ix_(k + free, k + free)]
    expect = 2 * V(core.theta) ** 2 / np.einsum("ij,jk,ik->i", grad, cov_t, grad)
    pred = real_fit.predictive_at(years)
    np.testing.assert_allclose(pred.scale**2, V(core.theta), rtol=1e-10)
    np.testing.assert_allclose(pred.df, expect, rtol=1e-4)
    # a df below 2 is said, and only then
    assert pred.df[0] > 2
    assert any("below 2" in n for n in pred.meta["notes"]) == bool(pred.df[1] < 2)
    assert not any("below 2" in n for n in real_fit.predictive_at([2019]).meta["notes"])


def test_a_df_below_two_is_raised_to_two_and_said():
    """Without noise pooling the bundled data give CSIS/McAfee's 2030 figure a Satterthwaite df between 1 and 2:
    by default raised to 2 with a note; with min_df=0 kept as computed (not floored at 1) and said."""
    years = [2019, 2030]
    raw = fit_publishers(noise_pooling="none", min_df=0)
    X = raw._x(np.array(years), 0)
    sat = raw._core.satterthwaite_df(X, 0)
    pred = raw.predictive_at(years)
    np.testing.assert_allclose(pred.df, sat, rtol=1e-12)
    assert sat[0] > 2 and 1.0 < sat[1] < 2
    assert any("below 2" in n and "not floored" in n for n in pred.meta["notes"])
    assert not any("below 2" in n for n in raw.predictive_at([2019]).meta["notes"])
    floored = fit_publishers(noise_pooling="none")
    fp = floored.predictive_at(years)
    np.testing.assert_allclose(fp.df, [sat[0], 2.0], rtol=1e-12)
    np.testing.assert_allclose(fp.scale, pred.scale, rtol=1e-12)  # only the tails change
    assert any(f"degrees of freedom {sat[1]:.2g}" in n and "raised to 2" in n for n in fp.meta["notes"])
    assert not any("degrees of freedom below 2" in n for n in fp.meta["notes"])
    last = raw._core.satterthwaite_df(raw._x(np.array([raw.last_year]), 0), 0)[0]
    assert any("raised to 2" in n for n in floored.notes) == bool(last < 2)
    assert fp.quantile(0.975)[1] < pred.quantile(0.975)[1]
    with pytest.raises(ClaimError, match="min_df"):
        fit_publishers(min_df=-1)


def test_two_trillion_for_2019_is_far_in_the_tail_on_the_csis_scale(real_fit):
    """With the df of the predictive's own variance, $2T@2019 sits near the 97th percentile (the Cauchy said 90th)."""
    pct = 100 * float(real_fit.predictive_at([2019]).cdf(2e12)[0])
    assert 96.0 < pct < 98.5


def test_publisher_predictive_mean_does_not_exist_and_says_so(real_fit):
    f = real_fit.forecast(until=2030)
    assert f["mean"].isna().all() and "no mean" in f.attrs["mean_note"]
    validate_frame(f)


# ------------------------------------------------------------------ data rules
def test_one_edition_of_a_series_per_fit():
    """Statista's Dec 2022 and Mar 2024 editions disagree on the same years: never both as independent points."""
    t = inclusion_table(estimates())
    st = t[t["included"] & (t["publisher"] == "Statista")]
    assert set(st["published_year"]) == {2024} and len(st) == 5
    old = t.set_index("id").loc["statista-2022-2022"]
    assert not old["included"] and "one edition per fit" in old["reason"]
    fit22 = fit_publishers(editions={"Statista": 2022})
    st22 = fit22.data[fit22.data["publisher"] == "Statista"]
    assert set(st22["id"]) == {"statista-2022-2018", "statista-2022-2022"}
    assert fit22.options["editions"] == {"Statista": 2022}


def test_borrowed_and_relayed_figures_are_not_observations():
    t = inclusion_table(estimates()).set_index("id")
    assert not t.loc["cv-2016-2015", "included"] and "McKinsey/WEF" in t.loc["cv-2016-2015", "reason"]
    assert not t.loc["wef-marsh-2018", "included"] and "does not name" in t.loc["wef-marsh-2018", "reason"]
    assert "Sberbank" in t.loc["russian-mfa-2020-2019", "reason"]
    assert t.loc["csis-mcafee-2018", "high_usd"] == 608e9


# -------------------------------------------- publisher-specific growth, modes, bounds
def test_publisher_specific_growth_recovers_each_publishers_rate():
    years = {"A": range(2010, 2024), "B": range(2012, 2024), "C": [2016], "D": [2019]}
    df = simulate_estimates(years, {"A": 0.0, "B": np.log(3.0), "C": 0.2, "D": -0.3},
                            {"A": 0.1, "B": 0.1, "C": 0.1, "D": 0.1}, growth={"A": 0.09, "B": 0.45, "C": 0.2, "D": 0.2},
                            seed=4)
    fit = fit_publishers(df, reference="A", bounds=False)
    g = fit.publisher_growth.set_index("publisher")
    for p, true in (("A", 0.09), ("B", 0.45)):
        assert g.loc[p, "own"] and g.loc[p, "lower_95"] < np.expm1(true) < g.loc[p, "upper_95"], p
        assert g.loc[p, "growth"] == pytest.approx(np.expm1(true), abs=0.04), p
    assert not g.loc["C", "own"] and g.loc["C", "growth"] == pytest.approx(g.loc["(common)", "growth"])
    assert fit.growth.iloc[0]["growth"] == pytest.approx(g.loc["A", "growth"])
    assert fit.scales == ["A", "B"]
    # one common rate (the earlier model) cannot fit both: it misses one publisher's rate by far
    common = fit_publishers(df, reference="A", growth="common", bounds=False)
    assert min(abs(common.growth_rate()[0] - np.expm1(0.09)), abs(common.growth_rate()[0] - np.expm1(0.45))) < 0.1
    assert abs(common.growth_rate()[0] - np.expm1(0.09)) + abs(common.growth_rate()[0] - np.expm1(0.45)) > 0.4
    assert set(common.publisher_growth["growth"].round(12)) == {round(common.growth_rate()[0], 12)}
    assert fit.loglik > common.loglik + 5


def test_two_modes_of_the_common_growth_likelihood_are_reported():
    """On the bundled data the common-growth restricted likelihood has two maxima (slow growth with CSIS precise
    and Statista noisy, fast growth the other way round): both are reported with what they imply."""
    fit = fit_publishers(growth="common")
    m = fit.modes
    assert len(m) == 2 and m["delta"].iloc[1] < 2
    assert m["growth"].iloc[0] < 0.2 < 0.4 < m["growth"].iloc[1]
    assert m["noise_sd[CSIS/McAfee]"].iloc[0] < m["noise_sd[Statista]"].iloc[0]
    assert m["noise_sd[CSIS/McAfee]"].iloc[1] > m["noise_sd[Statista]"].iloc[1]
    assert any("maxima within 2" in n for n in fit.notes)
    second = fit.mode_fit(1)
    assert second.growth_rate()[0] == pytest.approx(m["growth"].iloc[1])
    assert second._core.reml_loglik < fit._core.reml_loglik
    s = fit.sensitivity(claims=[("2 trillion", 2019)])
    mode_row = s[s["variant"].str.startswith("mode 1")].iloc[0]
    assert mode_row["percentile[$2.0T 2019]"] == pytest.approx(100 * float(second.predictive_at([2019]).cdf(2e12)[0]))


def test_no_interval_crosses_ic3_below_or_world_gdp_above(real_fit):
    from forecast.published._bounds import bounds

    lo20, hi20 = bounds([2020])
    ic3 = forecast.series("ic3")
    assert lo20[0] == pytest.approx(float(ic3[ic3.index.year == 2020].iloc[0]))
    macro = forecast.load("macro").set_index("year")
    assert hi20[0] == pytest.approx(macro.loc[2020, "world_gdp_usd_bn"] * 1e9)
    years = list(range(2012, 2041))
    lo, hi = bounds(years)
    assert np.all(np.diff(hi[years.index(2025):]) > 0)
    for p in real_fit.publishers:
        pred = real_fit.predictive_at(years, p)
        for q in (1e-9, 0.025, 0.975, 1 - 1e-9):
            v = pred.quantile(q)
            assert np.all(v >= lo) and np.all(v <= hi), (p, q)
        np.testing.assert_allclose(pred.cdf(hi), 1.0)
        np.testing.assert_allclose(pred.cdf(lo * (1 - 1e-9)), 0.0, atol=1e-12)
        f = real_fit.forecast(until=2040, publisher=p)
        assert (f["upper_95"].to_numpy() <= hi[-len(f):]).all() and (f["lower_95"].to_numpy() >= lo[-len(f):]).all()
        paths = real_fit.simulate(until=2040, n=500, seed=0, publisher=p).to_numpy()
        assert (paths <= hi[-paths.shape[0]:, None] * (1 + 1e-12)).all()
    # the bound binds on the Statista scale, whose own growth reaches world GDP within the decade
    st = real_fit.predictive_at([2030], "Statista")
    untruncated = stats.t.sf((np.log(hi[years.index(2030)]) - st.loc[0]) / st.scale[0], st.df[0])
    assert untruncated > 0.01 and st.truncated_mass()[0] == pytest.approx(untruncated + st.truncated_mass()[0]
                                                                          - untruncated)


def test_parameter_covariance_adds_what_the_estimated_variances_add(real_fit):
    """cov_beta = Henderson's C + J cov_theta J', J = d(estimates)/d(variance parameters), by hand."""
    from forecast.published._mle import _gls

    core = real_fit._core
    G = len(core.phi)
    y = real_fit.data["log_value"].to_numpy()
    k = core.k_fixed
    free = np.flatnonzero(~core.phi_at_bound)
    h = 1e-5
    cols = []
    for g in free:
        e = np.zeros(len(core.theta))
        e[g] = h
        up = np.concatenate(_gls(core.theta + e, y, core.X, core.v, core.M_rows, k, G)[:2])
        dn = np.concatenate(_gls(core.theta - e, y, core.X, core.v, core.M_rows, k, G)[:2])
        cols.append((up - dn) / (2 * h))
    J = np.column_stack(cols)
    cov_t = core.cov[len(core.beta):, len(core.beta):][np.ix_(free, free)]
    C = core.henderson(core.theta)
    np.testing.assert_allclose(core.cov_beta, C + J @ cov_t @ J.T, rtol=1e-5, atol=1e-12)
    assert np.all(np.diag(core.cov_beta) >= np.diag(C))


def test_simulated_paths_do_not_depend_on_the_eigenvectors_signs(real_fit, monkeypatch):
    """A covariance that moves by rounding can flip the signs eigh returns; the paths must not mirror."""
    from forecast.published import publishers as pubmod

    before = real_fit.simulate(until=2030, n=500, seed=5, noise=False)
    real_fit.__dict__.pop("_paths", None)
    eigh = np.linalg.eigh

    def flipped(a):
        w, v = eigh(a)
        return w, -v

    monkeypatch.setattr(pubmod.np.linalg, "eigh", flipped)
    after = real_fit.simulate(until=2030, n=500, seed=5, noise=False)
    real_fit.__dict__.pop("_paths", None)
    pd.testing.assert_frame_equal(before, after)
