"""Accuracy measures against hand computations on a tiny backtest frame."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.evaluate.accuracy import interval_score
from forecast.evaluate.calibrate import calibration, rescale
from forecast.intervals import Predictive, year_index


@pytest.fixture
def tiny() -> pd.DataFrame:
    bt = pd.DataFrame({
        "origin": [2020, 2020, 2021], "model": ["m", "m", "m"], "horizon": [1, 2, 1],
        "year": [2021, 2022, 2022], "actual": [100.0, 200.0, 200.0],
        "mean": [112.0, 165.0, 230.0], "median": [110.0, 160.0, 220.0],
        "lower_80": [90.0, 170.0, 150.0], "upper_80": [130.0, 190.0, 300.0],
        "lower_95": [80.0, 150.0, 120.0], "upper_95": [150.0, 250.0, 400.0],
        "scale": [0.1, 0.1, 0.2]})
    bt["error"] = np.log(bt["actual"]) - np.log(bt["median"])
    bt["ape"] = (bt["median"] / bt["actual"] - 1).abs()
    bt.attrs["levels"] = (80, 95)
    return bt


def test_mape_mase_coverage_by_hand(tiny):
    acc = forecast.accuracy(tiny).iloc[0]
    assert acc["windows"] == 3
    # |110/100-1| = 0.1, |160/200-1| = 0.2, |220/200-1| = 0.1
    assert acc["mape"] == pytest.approx(100 * (0.1 + 0.2 + 0.1) / 3)
    mase = (abs(math.log(100 / 110)) / 0.1 + abs(math.log(200 / 160)) / 0.1 + abs(math.log(200 / 220)) / 0.2) / 3
    assert acc["mase"] == pytest.approx(mase)
    # 80%: inside, outside (200 > 190), inside; 95%: all inside
    assert acc["coverage_80"] == pytest.approx(200 / 3)
    assert acc["nominal_80"] == 80
    assert acc["coverage_95"] == pytest.approx(100.0)
    assert acc["failures"] == 0


def test_winkler_by_hand(tiny):
    acc = forecast.accuracy(tiny).iloc[0]
    w1 = math.log(130 / 90)
    w2 = math.log(190 / 170) + 2 / 0.2 * (math.log(200) - math.log(190))  # actual above the upper bound
    w3 = math.log(300 / 150)
    assert acc["winkler_80"] == pytest.approx((w1 + w2 + w3) / 3)
    w95 = (math.log(150 / 80) + math.log(250 / 150) + math.log(400 / 120)) / 3
    assert acc["winkler_95"] == pytest.approx(w95)
    # below the lower bound: width plus 2/alpha times the shortfall
    assert interval_score(np.array([50.0]), np.array([100.0]), np.array([200.0]), 95)[0] == pytest.approx(
        math.log(2) + 2 / 0.05 * math.log(2))


def test_wis_is_weighted_interval_score(tiny):
    acc = forecast.accuracy(tiny).iloc[0]
    rows = []
    for i in range(3):
        r = tiny.iloc[i]
        s = 0.5 * abs(r["error"])
        for lv in (80, 95):
            a = 1 - lv / 100
            s += a / 2 * interval_score(np.array([r["actual"]]), np.array([r[f"lower_{lv}"]]),
                                        np.array([r[f"upper_{lv}"]]), lv)[0]
        rows.append(s / 2.5)
    assert acc["wis"] == pytest.approx(np.mean(rows))


def test_by_horizon_and_failures(tiny):
    tiny.attrs["failures"] = [{"origin": 2019, "model": "x", "error": "ModelError: too short"}]
    acc = forecast.accuracy(tiny, by=["model", "horizon"])
    assert acc[["model", "horizon", "windows"]].values.tolist() == [["m", 1, 2], ["m", 2, 1]]
    by_model = forecast.accuracy(tiny)
    assert by_model.set_index("model").loc["x", "failures"] == 1
    assert by_model.set_index("model").loc["x", "windows"] == 0


def test_not_a_backtest_frame():
    with pytest.raises(forecast.ForecastError, match="actual"):
        forecast.accuracy(pd.DataFrame({"model": ["a"]}))


def test_calibration_factor_by_hand():
    # medians 1, symmetric 80% half-width log(2); log errors 0.1 ... 1.9 times log(2)
    n = 19
    r = np.arange(1, n + 1) / 10
    rows = pd.DataFrame({"actual": np.exp(r * math.log(2)), "median": 1.0,
                         "lower_80": 0.5, "upper_80": 2.0, "lower_95": 0.25, "upper_95": 4.0})
    cal = calibration(rows, (80, 95))
    # 80%: the ceil(20*0.8) = 16th smallest score, 1.6; 95%: the 19th of r/2 = 0.95
    assert cal.by_level[80] == pytest.approx(1.6)
    assert cal.by_level[95] == pytest.approx(0.95)
    assert cal.factor == pytest.approx(1.6) and cal.n == 19
    # too few errors for 95% (needs 19): never narrows then
    few = calibration(rows.iloc[:12], (80, 95))
    assert few.by_level[95] is None and few.factor >= 1.0
    assert "too few" in few.note()
    assert calibration(rows.iloc[:5], (80, 95)).factor == 1.0
    # widen never narrows
    narrow = rows.assign(actual=1.01)
    assert calibration(narrow, (80, 95), mode="rescale").factor < 1
    assert calibration(narrow, (80, 95), mode="widen").factor == 1.0


def test_rescale_scales_the_log_spread():
    p = Predictive(year_index([2025, 2026]), loc=np.array([1.0, 2.0]), scale=np.array([0.1, 0.2]), df=5.0)
    q = rescale(p, 1.5)
    assert np.allclose(np.log(q.quantile(0.9)) - 1.0 * np.array([1, 2]),
                       1.5 * (np.log(p.quantile(0.9)) - np.array([1, 2])))
    s = Predictive(year_index([2025]), samples=np.array([[0.0], [1.0], [2.0]]))
    assert np.allclose(rescale(s, 2.0).samples[:, 0], [-1.0, 1.0, 3.0])
