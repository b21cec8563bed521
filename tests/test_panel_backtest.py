"""Panel backtest: the same forecasts as the single-series backtest, WAPE and median APE by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError


def _panel(seed=0, n_series=5):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        level = 12 + i + np.cumsum(0.15 + 0.2 * rng.standard_normal(12))
        rows += [{"unit": f"u{i}", "year": 2013 + t, "loss": float(np.exp(v))} for t, v in enumerate(level)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def bt():
    return forecast.backtest_panel(_panel(), key="unit", value="loss", model="drift", origins=[2020, 2021, 2022],
                                   horizon=2, n_paths=400)


def test_base_drift_equals_single_series_backtest(bt):
    df = _panel()
    y = df[df.unit == "u2"].set_index("year")["loss"]
    ref = forecast.backtest(y, models=["drift"], origins=[2020, 2021, 2022], horizon=2)
    got = bt[(bt.method == "base") & (bt.series == "u2")]
    np.testing.assert_allclose(got["median"].to_numpy(), ref["median"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(got["upper_95"].to_numpy(), ref["upper_95"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(got["scale"].to_numpy(), ref["scale"].to_numpy(), rtol=1e-12)
    assert got["horizon"].tolist() == ref["horizon"].tolist()


def test_methods_levels_and_total_actuals(bt):
    assert set(bt.method) == {"base", "bottom_up", "ols", "wls_struct", "mint_shrink"}
    # 3 origins, 2 scored years each (the data end in 2024), 5 series and the total
    assert len(bt[bt.method == "ols"]) == 6 * 6
    tot = bt[(bt.method == "base") & (bt.series == "Total")].set_index("year")["actual"]
    df = _panel()
    assert tot.loc[2022].iloc[0] == pytest.approx(df[df.year == 2022]["loss"].sum())
    assert set(bt.level) == {"total", "series"}


def test_pooled_and_per_series_accuracy_by_hand(bt):
    acc = forecast.panel_accuracy(bt)
    row = acc[(acc.method == "mint_shrink") & (acc.level == "series")].iloc[0]
    g = bt[(bt.method == "mint_shrink") & (bt.level == "series")]
    assert row["windows"] == len(g)
    assert row["wape"] == pytest.approx(100 * np.abs(g["median"] - g["actual"]).sum() / g["actual"].sum())
    assert row["median_ape"] == pytest.approx(100 * np.median(np.abs(g["median"] / g["actual"] - 1)))
    assert row["mape"] == pytest.approx(100 * np.mean(np.abs(g["median"] / g["actual"] - 1)))
    assert row["coverage_80"] == pytest.approx(100 * ((g.actual >= g.lower_80) & (g.actual <= g.upper_80)).mean())
    assert row["nominal_95"] == 95
    per = forecast.panel_accuracy(bt, by=["method", "series"])
    assert len(per) == 5 * 6 and set(per.columns) >= {"wape", "median_ape", "mase", "coverage_95"}


def test_overlapping_panel_has_base_only_and_bad_origin():
    bt = forecast.backtest_panel("ic3_by_crime_type", model="drift", origins=[2023], horizon=1, n_paths=200)
    assert set(bt.method) == {"base"} and "Total" not in set(bt.series)
    with pytest.raises(ForecastError, match="origin 2024 must be inside the data"):
        forecast.backtest_panel("ic3_by_crime_type", model="drift", origins=[2024])
