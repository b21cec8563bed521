"""Backtest chart: one line per origin, from the observed origin value through the median forecasts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError
from forecast.plots import backtest_chart


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(3)
    y = pd.Series(np.exp(20 + np.cumsum(0.2 + 0.1 * rng.standard_normal(12))), index=range(2010, 2022))
    y.attrs["unit"] = "USD"
    return y


@pytest.fixture(scope="module")
def bt(series):
    return forecast.backtest(series, models=["drift", "exponential"], origins=[2015, 2016, 2017, 2018], horizon=3)


def test_one_line_per_origin_through_the_medians(series, bt):
    fig = backtest_chart(bt, model="drift", history=series)
    ax = fig.axes[0]
    paths = [ln for ln in ax.lines if str(ln.get_gid()).startswith("origin-")]
    assert [ln.get_gid() for ln in paths] == ["origin-2015", "origin-2016", "origin-2017", "origin-2018"]
    sub = bt[bt["model"] == "drift"]
    for ln, origin in zip(paths, (2015, 2016, 2017, 2018), strict=True):
        rows = sub[sub["origin"] == origin].sort_values("year")
        # the line starts at the observed value in the origin year, then follows the medians
        np.testing.assert_array_equal(ln.get_xdata(), [origin, *rows["year"]])
        np.testing.assert_allclose(ln.get_ydata(), [series[origin], *rows["median"]])
    observed = ax.lines[0]
    assert observed.get_label() == "Observed"
    np.testing.assert_allclose(observed.get_ydata(), series.to_numpy())
    assert ax.get_yscale() == "log"
    assert "drift" in ax.get_title(loc="left")
    # early origins dark, late origins light (cividis: lightness rises with the origin)
    lum = [np.dot(ln.get_color()[:3], [0.2126, 0.7152, 0.0722]) for ln in paths]
    assert lum == sorted(lum)
    # a colour bar names the origins
    assert len(fig.axes) == 2 and "origin" in fig.axes[1].get_ylabel()


def test_without_history_draws_the_scored_actuals(bt):
    fig = backtest_chart(bt, model="exponential", log=False)
    ax = fig.axes[0]
    observed = ax.lines[0]
    actual = bt.drop_duplicates("year").set_index("year")["actual"].sort_index()
    np.testing.assert_array_equal(observed.get_xdata(), actual.index.to_numpy())
    assert ax.get_yscale() == "linear"


def test_interval_bars(bt):
    fig = backtest_chart(bt, model="drift", level=80)
    ax = fig.axes[0]
    bars = [c for c in ax.collections if len(c.get_segments())]
    sub = bt[bt["model"] == "drift"]
    assert len(bars) == sub["origin"].nunique()
    segs = np.concatenate([np.asarray(c.get_segments()) for c in bars])
    np.testing.assert_allclose(np.sort(segs[:, 0, 1]), np.sort(sub["lower_80"].to_numpy()))
    np.testing.assert_allclose(np.sort(segs[:, 1, 1]), np.sort(sub["upper_80"].to_numpy()))


def test_model_must_be_named_when_several(bt):
    with pytest.raises(ForecastError, match="drift, exponential"):
        backtest_chart(bt)
    with pytest.raises(ForecastError, match="not in the backtest"):
        backtest_chart(bt, model="ets")
    with pytest.raises(ForecastError, match="backtest frame"):
        backtest_chart(pd.DataFrame({"a": [1]}))


def test_backtest_result_plot_delegates_to_the_chart():
    import matplotlib.pyplot as plt

    import forecast

    y = pd.Series([1.0, 1.3, 1.6, 2.2, 2.6, 3.5, 4.1, 5.3, 6.8, 8.1], index=range(2011, 2021))
    bt = forecast.backtest(y, models=["drift"], origins=[2016, 2017, 2018], horizon=2)
    fig = bt.plot(model="drift")
    drawn = fig.axes[0].get_lines()
    # one line per origin beside the observed history
    assert len(drawn) >= 3
    assert type(bt[bt["model"] == "drift"]) is pd.DataFrame
    plt.close("all")


def test_missing_year_breaks_the_observed_line_instead_of_bridging_it():
    """IC3 has no 2010 figure: the observed line has a gap there, not a segment from 2009 to 2011."""
    import matplotlib.pyplot as plt

    import forecast

    y = forecast.series("ic3")
    bt = forecast.backtest(y, models=["drift"], horizon=2)
    fig = forecast.plots.backtest_chart(bt, model="drift", history=y)
    ax = fig.axes[0] if hasattr(fig, "axes") else fig.figure.axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "Observed")
    x, v = line.get_xdata(), np.asarray(line.get_ydata(), dtype=float)
    assert 2010 in list(x) and np.isnan(v[list(x).index(2010)])
    assert np.isfinite(v[list(x).index(2009)]) and np.isfinite(v[list(x).index(2011)])
    plt.close("all")
