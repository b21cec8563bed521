"""The backtest record behind a fit (auto's own table, or a backtest of the model used) and small-sample caveats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError
from forecast.evaluate.record import FEW_FORECASTS, FEW_RESIDUALS, caveats, track_record


def _series(n: int, start: int = 2000) -> pd.Series:
    rng = np.random.default_rng(3)
    return pd.Series(np.exp(0.2 * np.arange(n) + 0.1 * rng.standard_normal(n)), index=range(start, start + n))


def test_auto_record_is_its_own_candidate_table_without_refitting():
    fit = forecast.fit(_series(14), model="auto")
    rec = track_record(fit, benchmarks=["linear"])  # benchmarks are auto's candidates, not these
    kept = fit.candidates[fit.candidates["windows"] > 0]
    assert rec["model"].tolist() == kept["model"].tolist()
    np.testing.assert_allclose(rec["mape"], kept["mape"])
    used = [m for m, w in fit.weights.items() if w > 0]
    assert rec.attrs["used"][: len(used)] == used
    assert "linear" not in set(rec["model"])


def test_single_model_record_is_the_backtest_of_that_model():
    y = _series(12)
    fit = forecast.fit(y, model="exponential")
    rec = track_record(fit, benchmarks=["drift", "exponential"], horizon=2)
    expected = forecast.accuracy(forecast.backtest(y, models=["exponential", "drift"], horizon=2))
    assert rec["model"].tolist() == ["exponential", "drift"] and rec.attrs["used"] == ["exponential"]
    np.testing.assert_allclose(rec["mape"], expected["mape"])


def test_auto_without_a_backtest_says_so():
    fit = forecast.fit(_series(4), model="auto")
    with pytest.raises(ForecastError, match="no backtest record"):
        track_record(fit)


def test_caveats_name_the_counts_and_vanish_for_large_samples():
    small = forecast.fit(_series(6), model="drift")
    text = caveats(small, pd.DataFrame({"model": ["drift"], "windows": [3]}))
    assert len(text) == 2
    assert f"{len(small.residuals.dropna())} residuals" in text[0]
    assert "3 backtest forecasts" in text[1] and "33 percentage points" in text[1]
    large = forecast.fit(_series(FEW_RESIDUALS + 6), model="drift")
    assert caveats(large, pd.DataFrame({"model": ["drift"], "windows": [FEW_FORECASTS]})) == []


def test_used_backtest_of_auto_is_its_combination_with_the_candidate_tables_scores():
    from forecast.evaluate.fitcache import fit_cache
    from forecast.evaluate.record import used_backtest

    y = forecast.series("ic3")
    with fit_cache():  # as the report does it: the backtest reuses the fits auto made
        fit = forecast.fit(y, model="auto")
        rows = used_backtest(fit)
    assert set(rows["model"]) == {"combination"} and rows.attrs["unit"] == "USD"
    acc = forecast.accuracy(rows)
    combo = fit.candidates.set_index("model").loc["combination"]
    assert int(acc["windows"].iloc[0]) == int(combo["windows"])
    np.testing.assert_allclose(acc[["mape", "mase", "wis"]].to_numpy()[0],
                               combo[["mape", "mase", "wis"]].to_numpy(dtype=float), rtol=1e-9)
    assert {"lower_80", "upper_80", "lower_95", "upper_95"} <= set(rows.columns)
