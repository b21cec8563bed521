"""What makes the multi-publisher model fast gives the same numbers: shared paths, one quantile per df."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import forecast
from forecast.published.publishers import _t_scale


@pytest.fixture(scope="module")
def fit():
    return forecast.fit_publishers()


def test_t_scale_is_the_chi_square_quantile_of_each_year():
    u = np.random.default_rng(0).uniform(size=50)
    df = np.array([1.5, 2.0, np.inf, 1.5, 7.3])
    got = _t_scale(u, df)
    with np.errstate(divide="ignore"):
        want = np.where(np.isfinite(df)[None, :],
                        np.sqrt(df[None, :] / stats.chi2.ppf(u[:, None], np.where(np.isfinite(df), df, 1.0)[None, :])),
                        1.0)
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_simulate_gives_the_same_paths_again_and_keeps_them_private(fit):
    a = fit.simulate(until=2040, n=300, seed=4)
    b = fit.simulate(until=2040, n=300, seed=4)
    pd_equal = np.array_equal(a.to_numpy(), b.to_numpy())
    assert pd_equal and a is not b
    a.iloc[0, 0] = -1.0                       # a caller changing its copy does not change the kept paths
    assert fit.simulate(until=2040, n=300, seed=4).iloc[0, 0] == b.iloc[0, 0]
    c = fit.simulate(until=2040, n=300, seed=5)
    assert not np.array_equal(c.to_numpy(), b.to_numpy())


def test_two_claims_on_one_scale_share_one_set_of_paths(fit):
    f = forecast.fit_publishers()
    forecast.check_claim("2 trillion", 2019, against=f, n=400)
    forecast.check_claim("3 trillion", 2020, against=f, n=400)
    assert len(f._paths) == 1


def test_observations_are_a_copy(fit):
    s = fit.observations("Statista")
    s.iloc[0] = -1.0
    assert fit.observations("Statista").iloc[0] > 0


# ---------------------------------------------------------------- the optimiser and the sensitivity table
def test_analytic_gradient_matches_central_differences(fit):
    from forecast.published._mle import reml_loglik, reml_value_and_grad

    rng = np.random.default_rng(0)
    for f in (fit, forecast.fit_publishers(growth="common"), forecast.fit_publishers(noise="common")):
        c = f._core
        args = (f.data["log_value"].to_numpy(), c.X, c.v, c.M_rows, c.k_fixed, len(c.phi))
        for method in ("reml", "ml"):
            for _ in range(3):
                th = c.theta + rng.normal(0, 0.5, len(c.theta))
                val, grad = reml_value_and_grad(th, *args, method)
                assert val == pytest.approx(reml_loglik(th, *args, method), abs=1e-12)
                h = 1e-5
                num = [(reml_loglik(th + e, *args, method) - reml_loglik(th - e, *args, method)) / (2 * h)
                       for e in np.eye(len(th)) * h]
                np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-7)


SENS_RTOL = 1e-5  # relative difference allowed between the warm-started and the full-grid sensitivity table


def test_warm_started_variants_find_the_maxima_of_the_full_grid(fit):
    """Every refit of the sensitivity table, started from the main fit's maxima plus the quick starts, finds
    the same maxima (number, restricted log-likelihoods, growth) as the full grid of starting points."""
    from forecast.published.publishers import _fit_publishers, _warm_start

    warm = _warm_start(fit)
    n_multi = 0
    for variant, what in fit._variants():
        if isinstance(what, int):
            continue
        frame, opts = what
        full = _fit_publishers(frame, **opts)
        fast = _fit_publishers(frame, **opts, warm=warm)
        assert len(fast._cores) == len(full._cores), variant
        n_multi += len(full._cores) > 1
        for a, b in zip(full._cores, fast._cores):
            assert b.reml_loglik == pytest.approx(a.reml_loglik, abs=1e-7), variant
            np.testing.assert_allclose(b.theta, a.theta, atol=1e-3, err_msg=variant)
        for i in range(len(full._cores)):
            assert fast.mode_fit(i).growth_rate()[0] == pytest.approx(full.mode_fit(i).growth_rate()[0], rel=1e-5)
    assert n_multi >= 1


def test_sensitivity_table_is_that_of_full_grid_refits(fit, monkeypatch):
    from forecast.published import publishers as pub

    claims = [("2 trillion", 2019), ("3 trillion", 2020)]
    fast = fit.sensitivity(claims=claims)
    monkeypatch.setattr(pub, "_warm_start", lambda f: [])   # no warm start: every variant from the full grid
    full = fit.sensitivity(claims=claims)
    assert list(fast["variant"]) == list(full["variant"]) and list(fast.columns) == list(full.columns)
    num = full.select_dtypes("number").columns
    np.testing.assert_allclose(fast[num].to_numpy(dtype=float), full[num].to_numpy(dtype=float), rtol=SENS_RTOL)


def test_common_growth_variant_reports_both_its_modes(fit):
    s = fit.sensitivity().set_index("variant")
    common = s.loc["one common growth rate"]
    second = s.loc[[v for v in s.index if v.startswith("one common growth rate, its mode 1")][0]]
    c = forecast.fit_publishers(growth="common")
    assert common["growth"] == pytest.approx(c.modes["growth"][0], rel=1e-6)
    assert second["growth"] == pytest.approx(c.modes["growth"][1], rel=1e-6)
    assert common["growth"] == pytest.approx(0.113, abs=1e-3) and 0.51 < second["growth"] < 0.54
    # without noise pooling: the two maxima first found on the bundled data (growth 11.3% and 52.9% a year)
    raw = forecast.fit_publishers(growth="common", noise_pooling="none")
    assert raw.modes["reml_loglik"].round(2).tolist() == [-13.39, -13.80]
    assert raw.modes["growth"].round(3).tolist() == [0.113, 0.529]


@pytest.mark.parametrize("dfs", [np.linspace(1.2, 2.1, 80), np.linspace(3.0, 3.8, 80), np.linspace(1.5, 50.0, 80),
                                 np.geomspace(0.6, 1e5, 80), np.array([1.5, 2.5])])
def test_chi_square_quantiles_by_interpolation_match_the_exact_ones(dfs):
    from forecast.published.publishers import _chi2_log_ratio

    u = np.random.default_rng(1).uniform(size=3000)
    u[:3] = [0.0, 1e-12, 1 - 1e-12]
    with np.errstate(divide="ignore"):
        want = np.log(stats.chi2.ppf(u[:, None], dfs[None, :]) / dfs[None, :])
    got = _chi2_log_ratio(u, dfs)
    fin = np.isfinite(want)
    assert np.array_equal(fin, np.isfinite(got))
    np.testing.assert_allclose(got[fin], want[fin], rtol=0, atol=1e-11)


def test_paths_of_the_bundled_fit_use_the_exact_t_scaling(fit):
    """The curve's t scaling of every path and year equals sqrt(df / chi2.ppf(u, df)) to 1e-12 (relative)."""
    X = fit._x(np.arange(2021, 2101), 0)
    df = fit._df(X, None)
    assert len(np.unique(df)) > 20   # Satterthwaite's df differs from year to year: the interpolated branch
    u = np.random.default_rng(2).uniform(size=4000)
    want = np.sqrt(df[None, :] / stats.chi2.ppf(u[:, None], df[None, :]))
    np.testing.assert_allclose(_t_scale(u, df), want, rtol=1e-12)


def test_fit_publishers_passes_every_option_to_its_implementation():
    """The public function forwards its arguments by name: a new option must exist in both signatures."""
    import inspect

    from forecast.published import publishers as pubmod

    public = inspect.signature(pubmod.fit_publishers).parameters
    private = dict(inspect.signature(pubmod._fit_publishers).parameters)
    assert private.pop("warm").default is None
    assert [(p.name, p.kind, p.default) for p in public.values()] == \
        [(p.name, p.kind, p.default) for p in private.values()]
