"""Series chart: each series drawn at its values, gaps left open, one unit per chart."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError
from forecast.plots import series_chart


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_nominal_and_real_with_gap():
    y = forecast.series("ic3")
    real = forecast.to_real(y, base_year=2024)
    fig = series_chart({"nominal": y, "real": real}, title="IC3")
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["nominal", "real"]
    nominal = ax.lines[0]
    xs, ys = nominal.get_xdata(), nominal.get_ydata()
    assert 2010 in xs and np.isnan(ys[list(xs).index(2010)])  # the missing year is a gap, not bridged
    mask = ~np.isnan(ys)
    np.testing.assert_allclose(ys[mask], y.to_numpy())
    np.testing.assert_allclose(ax.lines[1].get_ydata()[mask], real.to_numpy())
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()
    assert ax.lines[0].get_marker() != ax.lines[1].get_marker()
    assert ax.get_yscale() == "log" and ax.get_ylabel().startswith("US dollars")
    assert ax.get_title(loc="left") == "IC3"


def test_share_of_gdp_in_percent():
    y = forecast.share_of_gdp(forecast.series("ic3"))
    fig = series_chart(y, log=False)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Share of world GDP"
    assert all(t.get_text().endswith("%") for t in ax.get_yticklabels() if t.get_text())


def test_units_must_agree():
    a = pd.Series([1.0, 2.0], index=[2000, 2001])
    a.attrs["unit"] = "USD"
    b = forecast.share_of_gdp(forecast.series("ic3"))
    with pytest.raises(ForecastError, match="different units"):
        series_chart([a, b])
    with pytest.raises(ForecastError, match="pandas Series"):
        series_chart([1, 2])
