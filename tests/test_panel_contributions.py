"""contributions: the growth of a sum split exactly by series, over the data and in the forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError


def test_split_by_hand_with_a_new_and_a_vanished_series():
    df = pd.DataFrame({"k": ["a", "a", "b", "c"], "year": [2020, 2022, 2020, 2022], "v": [10.0, 15.0, 5.0, 10.0]})
    c = forecast.contributions(df, key="k", value="v").set_index("k")
    # sum 15 -> 25: growth 66.7%; a: +5 (33.3 pp), b vanished: -5 (-33.3 pp), c new: +10 (66.7 pp)
    assert c.loc["a", "contribution_pp"] == pytest.approx(100 * 5 / 15)
    assert c.loc["b", "contribution_pp"] == pytest.approx(-100 * 5 / 15)
    assert c.loc["c", "share_of_growth"] == pytest.approx(100.0)
    assert c["contribution_pp"].sum() == pytest.approx(c["total_growth_pct"].iloc[0])
    assert c["share_of_growth"].sum() == pytest.approx(100.0)
    assert c.loc["a", "annual_growth_pct"] == pytest.approx(100 * (1.5 ** 0.5 - 1))  # two years
    assert np.isnan(c.loc["b", "annual_growth_pct"]) and np.isnan(c.loc["c", "annual_growth_pct"])


def test_crime_types_caveat_and_exact_sum():
    c = forecast.contributions("ic3_by_crime_type")
    raw = forecast.panel.read_panel("ic3_by_crime_type").wide()
    growth = 100 * (raw.loc[2024].sum() / raw.loc[2015].sum() - 1)
    assert c["contribution_pp"].sum() == pytest.approx(growth, rel=1e-12)
    assert c.iloc[0]["canonical_type"] == "Investment"
    assert "overlap" in c.attrs["notes"][0]


def test_forecast_period_uses_the_forecasts():
    res = forecast.fit_panel("ic3_by_state", model="drift", n_paths=300)
    c = forecast.contributions("ic3_by_state", result=res, horizon=2, point="mean")
    fc = c[c.period == "2024-2026 forecast"].set_index("state")
    api = res.forecast(horizon=2)
    api = api[(api.year == 2026) & (api.state != "Total")].set_index("state")["mean"]
    np.testing.assert_allclose(fc.loc[api.index, "end"].to_numpy(), api.to_numpy(), rtol=1e-12)
    # reconciled means add up to the total's: the decomposed growth is that of the reconciled total
    total = res.forecast(horizon=2)
    t26 = total[(total.state == "Total") & (total.year == 2026)]["mean"].iloc[0]
    assert fc["end"].sum() == pytest.approx(t26, rel=1e-9)
    with pytest.raises(ForecastError, match="point='mode'"):
        forecast.contributions("ic3_by_state", result=res, point="mode")
    with pytest.raises(ForecastError, match="no data for year 2010"):
        forecast.contributions("ic3_by_state", start=2010)
