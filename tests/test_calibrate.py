"""Conformal calibration of interval widths: factors, per-horizon factors, coverage by simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import forecast
from forecast.evaluate.auto import fit_auto
from forecast.evaluate.calibrate import (Calibration, calibration, rescale, rescale_by_level,
                                         rescale_paths_by_level)
from forecast.intervals import Predictive, year_index

Z80, Z95 = stats.norm.ppf(0.9), stats.norm.ppf(0.975)


def rows_from(errors: np.ndarray, horizons: np.ndarray, half_80: np.ndarray, half_95: np.ndarray) -> pd.DataFrame:
    """Backtest rows with median 1, log errors ``errors`` and symmetric log half-widths."""
    return pd.DataFrame({"horizon": horizons, "actual": np.exp(errors), "median": 1.0,
                         "lower_80": np.exp(-half_80), "upper_80": np.exp(half_80),
                         "lower_95": np.exp(-half_95), "upper_95": np.exp(half_95)})


def test_pooled_factor_is_the_conformal_quantile_of_the_scores():
    rng = np.random.default_rng(1)
    e = rng.normal(0, 2.0, 39)
    rows = rows_from(e, np.ones(39, int), np.full(39, Z80), np.full(39, Z95))
    cal = calibration(rows)
    r = np.abs(e)
    assert cal.by_level[80] == pytest.approx(np.sort(r / Z80)[math.ceil(40 * 0.8) - 1])
    assert cal.by_level[95] == pytest.approx(np.sort(r / Z95)[math.ceil(40 * 0.95) - 1])
    assert cal.factor == max(cal.by_level.values()) and cal.by_horizon == {}
    assert np.all(cal.factors([1, 2, 7]) == cal.factor)


def test_by_horizon_factors_follow_each_horizons_spread():
    rng = np.random.default_rng(2)
    n = 40
    h = np.repeat([1, 2, 3], n)
    e = rng.normal(0, 1.0, 3 * n) * np.array([0.5, 1.0, 2.0])[h - 1]  # true sd 0.5, 1, 2; model says 1
    rows = rows_from(e, h, np.full(3 * n, Z80), np.full(3 * n, Z95))
    cal = calibration(rows, mode="by_horizon")
    assert cal.mode == "by_horizon" and set(cal.by_horizon) == {1, 2, 3}
    for k in (1, 2, 3):
        sub = rows[rows["horizon"] == k]
        assert cal.by_horizon[k] == pytest.approx(calibration(sub).factor)
    f = cal.factors([1, 2, 3, 4, 6])
    assert f[0] < 0.8 < f[1] < 1.4 < f[2] and f[3] == f[4] == f[2]  # beyond the backtest: the last horizon's
    assert "at horizon 1" in cal.note() and "at horizon 3" in cal.note()


def test_by_horizon_takes_the_pooled_factor_for_a_level_a_horizon_cannot_calibrate():
    rng = np.random.default_rng(3)
    h = np.repeat([1, 2], [30, 12])  # 12 errors: the 95% level needs 19
    e = rng.normal(0, 1.0, 42)
    rows = rows_from(e, h, np.full(42, Z80), np.full(42, Z95))
    cal = calibration(rows, mode="by_horizon")
    own = calibration(rows[rows["horizon"] == 2])
    assert own.by_level[95] is None
    assert cal.by_horizon[2] == pytest.approx(max(own.by_level[80], cal.by_level[95]))


def test_by_horizon_needs_horizons():
    rows = rows_from(np.zeros(12), np.ones(12, int), np.ones(12), np.ones(12) * 2).drop(columns="horizon")
    with pytest.raises(ValueError, match="horizon"):
        calibration(rows, mode="by_horizon")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["rescale", "by_horizon"])
def test_calibrated_intervals_cover_nominal_by_simulation(mode):
    """Exchangeable errors, intervals of the wrong width: after calibration the coverage is nominal.

    Split conformal guarantees an expected coverage of at least L (per horizon
    for "by_horizon"); 400 replications of 40 errors per horizon tell 1 point
    apart. One factor for all levels is the largest they need, so where the
    errors' tails differ from the model's the other level over-covers.
    """
    rng = np.random.default_rng(4)
    sd = np.array([0.5, 1.0, 2.0])
    n, reps = 40, 400
    cover = {80: [], 95: []}
    for _ in range(reps):
        h = np.repeat([1, 2, 3], n)
        rows = rows_from(rng.normal(0, 1, 3 * n) * sd[h - 1], h, np.full(3 * n, Z80), np.full(3 * n, Z95))
        cal = calibration(rows, mode=mode)
        f = cal.factors([1, 2, 3])
        new = rng.normal(0, 1, (50, 3)) * sd
        for lv, z in ((80, Z80), (95, Z95)):
            cover[lv].append(np.mean(np.abs(new) <= z * f))
    c80, c95 = np.mean(cover[80]) * 100, np.mean(cover[95]) * 100
    assert c80 >= 80 and c95 >= 95, (c80, c95)
    if mode == "by_horizon":  # each horizon's errors are normal: both levels nominal within the slack
        assert c80 <= 84 and c95 <= 97.5, (c80, c95)
    else:  # pooled over horizons the errors are heavy-tailed: the 95% factor over-covers the 80% interval
        assert 84 < c80 <= 90 and c95 <= 97.5, (c80, c95)


def test_rescale_accepts_a_factor_per_year():
    p = Predictive(year_index([2025, 2026]), loc=np.array([0.0, 1.0]), scale=np.array([1.0, 2.0]))
    r = rescale(p, np.array([0.5, 2.0]))
    assert r.scale.tolist() == [0.5, 4.0] and r.loc.tolist() == [0.0, 1.0]
    s = Predictive(year_index([2025, 2026]), samples=np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 5.0]]), space="log")
    rs = rescale(s, np.array([2.0, 0.5]))
    assert rs.samples[:, 0].tolist() == [-1.0, 1.0, 3.0] and rs.samples[:, 1].tolist() == [2.0, 3.0, 4.0]
    assert rescale(p, np.ones(2)) is p


def test_auto_by_horizon_scales_each_horizon_by_its_factor():
    rng = np.random.default_rng(5)
    y = pd.Series(1e9 * np.exp(np.cumsum(0.2 + 0.15 * rng.standard_normal(22))), index=range(2001, 2023))
    none = fit_auto(y, candidates=["drift"], calibrate="none").forecast(horizon=5)
    res = fit_auto(y, candidates=["drift"], calibrate="by_horizon")
    cal = res.calibration
    assert cal.mode == "by_horizon" and set(cal.by_horizon) == {1, 2, 3}
    got = res.forecast(horizon=5)
    ratio = (np.log(got["upper_80"]) - np.log(got["median"])) / (np.log(none["upper_80"]) - np.log(none["median"]))
    assert np.allclose(ratio, cal.factors([1, 2, 3, 4, 5]), rtol=1e-9)
    assert np.allclose(got["median"], none["median"], rtol=1e-9)
    paths = res.simulate(5, n=20000, seed=3)
    spread = np.log(paths).quantile(0.9, axis=1) - np.log(paths).median(axis=1)
    assert np.allclose(spread.to_numpy(), (np.log(got["upper_80"]) - np.log(got["median"])).to_numpy(), rtol=0.05)
    assert any("at horizon 2" in n for n in res.notes)
    assert forecast.fit(y, model="auto", candidates=["drift"], calibrate="by_horizon").calibration.by_horizon


def test_calibration_dataclass_default_is_one_factor():
    assert Calibration(1.3, 20).factors(np.array([1, 2])).tolist() == [1.3, 1.3]


def test_by_level_uses_each_levels_own_factor():
    rng = np.random.default_rng(6)
    e = rng.standard_t(3, 40) * 0.5
    rows = rows_from(e, np.ones(40, int), np.full(40, Z80), np.full(40, Z95))
    cal = calibration(rows, mode="by_level")
    assert cal.per_level == {80: cal.by_level[80], 95: cal.by_level[95]}
    assert cal.factor == max(cal.per_level.values())
    few = calibration(rows.iloc[:15], mode="by_level")  # 95% needs 19 errors
    assert few.by_level[95] is None and few.per_level[95] == max(1.0, few.by_level[80])
    assert "for the 80% interval" in few.note()


@pytest.mark.slow
def test_by_level_coverage_by_simulation():
    """Heavy-tailed errors, Normal intervals: by level both levels are nominal, one factor over-covers one."""
    rng = np.random.default_rng(7)
    n, reps = 60, 400
    cover = {m: {80: [], 95: []} for m in ("rescale", "by_level")}
    for _ in range(reps):
        rows = rows_from(rng.standard_t(3, n), np.ones(n, int), np.full(n, Z80), np.full(n, Z95))
        new = np.abs(rng.standard_t(3, 50))
        for mode in cover:
            cal = calibration(rows, mode=mode)
            for lv, z in ((80, Z80), (95, Z95)):
                f = cal.per_level[lv] if cal.per_level else cal.factor
                cover[mode][lv].append(np.mean(new <= z * f))
    got = {m: {lv: 100 * np.mean(v) for lv, v in c.items()} for m, c in cover.items()}
    assert 80 <= got["by_level"][80] <= 83 and 95 <= got["by_level"][95] <= 97, got
    assert got["rescale"][80] > 84 or got["rescale"][95] > 97, got


def test_rescale_by_level_moves_each_interval_by_its_factor():
    p = Predictive(year_index([2025, 2026]), loc=np.array([0.0, 1.0]), scale=np.array([1.0, 2.0]), df=5.0)
    r = rescale_by_level(p, {80: 0.6, 95: 1.3})
    for q, f in ((0.1, 0.6), (0.9, 0.6), (0.025, 1.3), (0.975, 1.3)):
        want = p.loc + f * (np.log(p.quantile(q)) - p.loc)
        assert np.allclose(np.log(r.quantile(q)), want, atol=0.02 * p.scale)
    assert np.allclose(np.log(r.median()), p.loc, atol=1e-9)
    assert np.all(np.diff(r.samples, axis=0) >= 0)
    # a factor that falls with the level still gives a monotone distribution
    d = rescale_by_level(p, {80: 1.5, 95: 0.5})
    assert np.all(np.diff(d.samples, axis=0) >= 0)
    assert np.all(np.log(d.quantile(0.975)) >= np.log(d.quantile(0.9)))


def test_rescale_paths_by_level_matches_the_predictive():
    rng = np.random.default_rng(8)
    x = rng.normal(0, 1, (20000, 2))
    out = rescale_paths_by_level(x, np.zeros(2), {80: 0.5, 95: 1.2})
    assert np.allclose(np.quantile(out, 0.9, axis=0), 0.5 * Z80, atol=0.03)
    assert np.allclose(np.quantile(out, 0.975, axis=0), 1.2 * Z95, atol=0.06)
    assert np.array_equal(np.argsort(out[:, 0]), np.argsort(x[:, 0]))  # ranks kept


def test_auto_by_level_forecast_and_paths():
    rng = np.random.default_rng(9)
    y = pd.Series(1e9 * np.exp(np.cumsum(0.2 + 0.15 * rng.standard_t(3, 24))), index=range(2001, 2025))
    none = fit_auto(y, candidates=["drift", "arima"], calibrate="none").forecast(horizon=4)
    res = fit_auto(y, candidates=["drift", "arima"], calibrate="by_level")
    got = res.forecast(horizon=4)
    pl = res.calibration.per_level
    assert set(pl) == {80, 95}
    for lv in (80, 95):
        ratio = ((np.log(got[f"upper_{lv}"]) - np.log(got["median"]))
                 / (np.log(none[f"upper_{lv}"]) - np.log(none["median"])))
        assert np.allclose(ratio, pl[lv], rtol=0.03), (lv, ratio.tolist(), pl)
    assert np.allclose(got["median"], none["median"], rtol=1e-3)
    paths = np.log(res.simulate(4, n=20000, seed=2))
    for q, col in ((0.9, "upper_80"), (0.975, "upper_95")):
        assert np.allclose(paths.quantile(q, axis=1), np.log(got[col]), atol=0.03)


def test_docstring_examples():
    import doctest

    import forecast.evaluate.calibrate as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
