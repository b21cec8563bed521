"""Fan chart: what it draws (history, bands, median, claims), axes and labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError
from forecast.intervals import Predictive, year_index
from forecast.plots import fan_chart


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def history():
    y = pd.Series([1.0e9, 1.4e9, 1.9e9, 2.2e9, 3.1e9, 4.0e9], index=year_index(range(2015, 2021)), name="losses")
    y.attrs["unit"] = "USD"
    return y


@pytest.fixture
def frame():
    h = np.arange(1, 5)
    p = Predictive(year_index(range(2021, 2025)), loc=np.log(4.0e9) + 0.25 * h, scale=0.2 * np.sqrt(h), df=5)
    return p.to_frame(levels=(80, 95), model="drift", unit="USD")


def _bands(ax):
    return [c for c in ax.collections if len(c.get_paths())]


def _band_ys(coll):
    v = coll.get_paths()[0].vertices
    return v[:, 0], v[:, 1]


def test_draws_history_bands_median(history, frame):
    fig = fan_chart(history, frame)
    ax = fig.axes[0]
    assert isinstance(fig, plt.Figure)
    # one line for history, a dotted line where the forecast starts, one for the median
    assert len(ax.lines) == 3
    hist_line, start_line, med_line = ax.lines
    np.testing.assert_array_equal(hist_line.get_xdata(), np.arange(2015, 2021))
    np.testing.assert_allclose(hist_line.get_ydata(), history.to_numpy())
    assert start_line.get_gid() == "forecast-start" and list(start_line.get_xdata()) == [2020, 2020]
    # the median continues from the last observation
    np.testing.assert_array_equal(med_line.get_xdata(), np.arange(2020, 2025))
    np.testing.assert_allclose(med_line.get_ydata(), [4.0e9, *frame["median"]])
    # two bands: the 95% band drawn first (below), then the 80% band
    bands = _bands(ax)
    assert len(bands) == 2
    for coll, lv in zip(bands, (95, 80), strict=True):
        xs, ys = _band_ys(coll)
        # the band starts at the last observation with zero width, so it connects to the data
        assert set(np.round(xs, 6)) == set(range(2020, 2025))
        expected = np.concatenate([frame[f"lower_{lv}"], frame[f"upper_{lv}"], [4.0e9]])
        # every vertex is a lower or upper value, and every lower/upper value is a vertex
        assert np.allclose(np.sort(np.unique(np.round(ys, 3))), np.sort(np.unique(np.round(expected, 3))))
        assert coll.get_label() == f"{lv}% interval"
    # the narrower band is drawn more opaque (reads darker in grayscale)
    assert bands[1].get_alpha() > bands[0].get_alpha()
    assert ax.get_yscale() == "log"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Observed", "Median forecast (drift)", "80% interval", "95% interval"]
    assert ax.get_title(loc="left") == "Forecast: drift"
    assert ax.get_xlabel() == "Year"


def test_missing_year_is_a_gap(frame):
    y = pd.Series([1e9, 1.2e9, 1.9e9, 2.2e9], index=[2015, 2016, 2018, 2019])
    line = fan_chart(y, frame).axes[0].lines[0]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(2015, 2020))
    assert np.isnan(line.get_ydata()[2])
    np.testing.assert_allclose(np.asarray(line.get_ydata())[[0, 1, 3, 4]], y.to_numpy())


def test_linear_axis_and_title(history, frame):
    fig = fan_chart(history, frame, log=False, title="IC3 losses")
    ax = fig.axes[0]
    assert ax.get_yscale() == "linear"
    assert ax.get_title(loc="left") == "IC3 losses"


def test_draws_into_given_axes(history, frame):
    fig, (a1, a2) = plt.subplots(1, 2)
    out = fan_chart(history, frame, ax=a2)
    assert out is fig
    assert len(a1.lines) == 0 and len(a2.lines) == 3


def test_claims_marked_at_their_values(history, frame):
    fig = fan_chart(history, frame, claims=[(2023, 2e10, "a claim"), (2024, 5e9)])
    ax = fig.axes[0]
    claim = [ln for ln in ax.lines if ln.get_label() == "Claim"]
    assert len(claim) == 1
    np.testing.assert_array_equal(claim[0].get_xdata(), [2023, 2024])
    np.testing.assert_allclose(claim[0].get_ydata(), [2e10, 5e9])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["a claim", "$5bn"]
    assert "Claim" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_claims_as_mapping_and_frame_with_unit_conversion(history):
    # a frame in US$ bn: claims given in US$ are converted to the chart's unit
    p = Predictive(year_index([2021, 2022]), loc=np.log([5.0, 6.0]), scale=[0.1, 0.2])
    fr = p.to_frame(unit="USD bn", model="m")
    claims = pd.DataFrame({"target_year": [2022], "value": [3e9], "label": ["three"]})
    claims.attrs["unit"] = "USD"
    fig = fan_chart(None, fr, claims=claims)
    claim = [ln for ln in fig.axes[0].lines if ln.get_label() == "Claim"][0]
    np.testing.assert_allclose(claim.get_ydata(), [3.0])
    fig = fan_chart(None, fr, claims={"two": (2021, 2.0)})
    claim = [ln for ln in fig.axes[0].lines if ln.get_label() == "Claim"][0]
    np.testing.assert_allclose(claim.get_ydata(), [2.0])
    assert [t.get_text() for t in fig.axes[0].texts] == ["two"]


def test_claims_catalogue_marks_every_single_year_figure():
    pf = forecast.fit_publishers()
    catalogue = forecast.claims()
    fig = fan_chart(pf.observations(), pf.forecast(until=2028), claims=catalogue)
    claim = [ln for ln in fig.axes[0].lines if ln.get_label() == "Claim"][0]
    dated = catalogue.dropna(subset=["target_year", "value_usd"])
    assert len(dated) < len(catalogue)  # multi-year totals have no year: skipped
    np.testing.assert_array_equal(claim.get_xdata(), dated["target_year"].astype(int).to_numpy())
    np.testing.assert_allclose(claim.get_ydata(), dated["value_usd"].to_numpy())
    assert len(fig.axes[0].texts) == 0  # more than six claims: markers only, by default
    fig = fan_chart(pf.observations(), pf.forecast(until=2028), claims=catalogue, label_claims=True)
    assert [t.get_text() for t in fig.axes[0].texts] == list(dated["publisher"])


def test_money_ticks_on_log_axis(history, frame):
    fig = fan_chart(history, frame)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert "$1bn" in labels and "$10bn" in labels


def test_single_level_frame(history):
    p = Predictive(year_index([2021, 2022]), loc=np.log([5e9, 6e9]), scale=[0.1, 0.2])
    fig = fan_chart(history, p.to_frame(levels=(90,), unit="USD"))
    assert [c.get_label() for c in _bands(fig.axes[0])] == ["90% interval"]


def test_fit_plot_delegates_here(history):
    fit = forecast.fit(history, model="exponential")
    fig = fit.plot(horizon=3, claims=[(2023, 1e10, "x")])
    ax = fig.axes[0]
    med = [ln for ln in ax.lines if ln.get_label().startswith("Median")][0]
    np.testing.assert_allclose(med.get_ydata()[1:], fit.forecast(horizon=3)["median"].to_numpy())
    assert len(_bands(ax)) == 2


def test_bad_input(history):
    with pytest.raises(ForecastError, match="forecast frame"):
        fan_chart(history, pd.DataFrame({"x": [1]}))
    p = Predictive(year_index([2021]), loc=[1.0], scale=[0.1])
    with pytest.raises(ForecastError, match="year, value"):
        fan_chart(history, p.to_frame(unit="USD"), claims=[(2021,)])
    with pytest.raises(ForecastError, match="positive"):
        fan_chart(history, p.to_frame(unit="USD"), claims=[(2021, -5.0)])


def test_no_anchor_when_the_forecast_does_not_follow_the_last_observation(history, frame):
    # history ends in 2018, the forecast starts in 2021: nothing is bridged
    ax = fan_chart(history.iloc[:4], frame).axes[0]
    med = [ln for ln in ax.lines if ln.get_label().startswith("Median")][0]
    np.testing.assert_array_equal(med.get_xdata(), np.arange(2021, 2025))
    assert [ln.get_xdata()[0] for ln in ax.lines if ln.get_gid() == "forecast-start"] == [2018]


def test_ceiling_is_drawn_and_named(history, frame):
    ax = fan_chart(history, frame, ceiling=2e10).axes[0]
    line = [ln for ln in ax.lines if ln.get_gid() == "ceiling"]
    assert len(line) == 1 and list(line[0].get_ydata()) == [2e10, 2e10]
    assert "Assumed ceiling ($20bn)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_ylim()[1] > 2e10


def test_source_note_and_unitless_axis_label(frame):
    y = pd.Series([10.0, 14.0, 19.0, 22.0, 31.0, 40.0], index=year_index(range(2015, 2021)))
    y.attrs.update({"name": "complaints", "source": "my.csv"})
    f = frame.copy()
    f.attrs["unit"] = ""
    ax = fan_chart(y, f).axes[0]
    assert ax.get_ylabel() == "complaints, log scale"
    assert [t.get_text() for t in ax.texts] == ["Source: my.csv"]
    assert len(fan_chart(y, f, source="").axes[0].texts) == 0
